/* The plan engine: steps run in order, a failure undoes the done ones in reverse, the message and exit code say what was and was not undone, the JSON statuses say it per step. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/output.h"
#include "lib/plan.h"
#include "tap.h"

static char root[] = "/tmp/virt-mdev-test-plan.XXXXXX";

/* ---- call steps that record what they did and fail on demand ---- */

static char
	calls[1024]; /* "run a, run b, undo a": every run and undo, in order */
static int freed; /* how many call data the plan freed */

struct call {
	char name[16];
	int run_errno; /* run fails with this errno; 0: it succeeds */
	const char *run_why; /* what the failing run says; NULL: nothing */
	int undo_errno; /* the undo fails with this errno; 0: it succeeds */
	const char *note; /* what a successful run says the user must know */
};

static void record(const char *what, const struct call *c)
{
	size_t len = strlen(calls);

	snprintf(calls + len, sizeof(calls) - len, "%s%s %s", len ? ", " : "",
		 what, c->name);
}

static int call_run(void *data, char **why)
{
	struct call *c = data;

	record("run", c);
	if (!c->run_errno)
		return 0;
	if (c->run_why)
		*why = strdup(c->run_why);
	return -c->run_errno;
}

static int call_undo(void *data, char **why)
{
	struct call *c = data;

	record("undo", c);
	if (!c->undo_errno)
		return 0;
	*why = strdup("the undo broke");
	return -c->undo_errno;
}

static const char *call_note(void *data)
{
	struct call *c = data;

	return c->note;
}

static void call_free(void *data)
{
	freed++;
	free(data);
}

enum { NO_UNDO, WITH_UNDO };

/* sc as the step "call NAME", shown as "virsh NAME" (undo, when sc has one: "virsh undo-NAME") */
static struct step *add_named_call(struct plan *p, const char *name,
				   const struct step_call *sc)
{
	char desc[64], cmd[64], undo_cmd[64];

	snprintf(desc, sizeof(desc), "call %s", name);
	snprintf(cmd, sizeof(cmd), "virsh %s", name);
	snprintf(undo_cmd, sizeof(undo_cmd), "virsh undo-%s", name);
	return plan_add_call(p, desc, cmd, sc->undo ? undo_cmd : NULL, sc);
}

/* A call step "call NAME" that records what it did and fails on demand. */
static struct step *add_call(struct plan *p, const char *name, int undo,
			     int run_errno, const char *run_why, int undo_errno)
{
	struct call *c = calloc(1, sizeof(*c));
	struct step_call sc = { .run = call_run,
				.undo = undo == WITH_UNDO ? call_undo : NULL,
				.free_data = call_free,
				.note = call_note };

	if (!c)
		abort();
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->run_errno = run_errno;
	c->run_why = run_why;
	c->undo_errno = undo_errno;
	sc.data = c;
	return add_named_call(p, name, &sc);
}

static void start(struct plan *p, struct sysfs *s, struct vm_error *err)
{
	plan_init(p, s);
	memset(err, 0, sizeof(*err));
	calls[0] = '\0';
	freed = 0;
}

/* ---- what plan_to_json says ---- */

/* The steps' field (status, undo, error, note) joined with ',', "null" for a missing one. Caller frees. */
static char *json_field(const struct plan *p, bool dry_run, const char *field)
{
	_cleanup_json_ struct json_object *doc = plan_to_json(p, dry_run, NULL);
	struct json_object *steps = NULL, *v;
	char *out = calloc(1, 4096);
	size_t n;

	if (!doc || !out || !json_object_object_get_ex(doc, "steps", &steps))
		abort();
	n = json_object_array_length(steps);
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(steps, i);
		size_t len = strlen(out);

		snprintf(out + len, 4096 - len, "%s%s", i ? "," : "",
			 json_object_object_get_ex(s, field, &v) && v ?
				 json_object_get_string(v) :
				 "null");
	}
	return out;
}

static bool json_changed(const struct plan *p)
{
	_cleanup_json_ struct json_object *doc = plan_to_json(p, false, NULL);
	struct json_object *v = NULL;

	if (!doc || !json_object_object_get_ex(doc, "changed", &v))
		abort();
	return json_object_get_boolean(v);
}

/* ---- the temporary host ---- */

static char *path_of(const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", root, rel) < 0)
		abort();
	return p;
}

static void put(const char *rel, const char *content)
{
	_cleanup_free_ char *path = path_of(rel);
	FILE *f = fopen(path, "w");

	if (!f || fputs(content, f) < 0 || fclose(f) != 0)
		abort();
}

static void mkdirs(const char *rel)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
	if (system(cmd) != 0)
		abort();
}

/* The content of a file, or "(missing)". Caller frees. */
static char *content(const char *rel)
{
	_cleanup_free_ char *path = path_of(rel);
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;

	if (!f)
		return strdup("(missing)");
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

static bool exists(const char *rel)
{
	_cleanup_free_ char *path = path_of(rel);
	struct stat st;

	return lstat(path, &st) == 0;
}

/* How many entries a directory has (without . and ..); -1 when it cannot be opened. */
static int count_entries(const char *rel)
{
	_cleanup_free_ char *path = path_of(rel);
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void make_tree(void)
{
	_cleanup_free_ char *link = NULL;

	if (!mkdtemp(root))
		abort();
	mkdirs("sys/dev");
	mkdirs("sys/drivers/vfio_ccw");
	mkdirs("etc/mdevctl.d");
	link = path_of("sys/dev/driver");
	if (symlink("../drivers/vfio_ccw", link) < 0)
		abort();
}

static void remove_tree(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		tap_diag("could not remove the test tree");
}

/* ---- the tests ---- */

static void test_all_done(struct sysfs *s)
{
	struct plan p;
	struct vm_error err;
	char *progress = NULL;
	size_t plen = 0;
	FILE *f = open_memstream(&progress, &plen);
	_cleanup_free_ char *planned = NULL, *undos = NULL, *statuses = NULL,
			    *notes = NULL;
	struct step *b;

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	b = add_call(&p, "b", NO_UNDO, 0, NULL, 0);
	add_call(&p, "c", WITH_UNDO, 0, NULL, 0);
	((struct call *)b->call.data)->note = "took the fallback";

	planned = json_field(&p, true, "status");
	undos = json_field(&p, true, "undo");
	is_str(planned, "planned,planned,planned",
	       "before it runs, the JSON dry run says every step is planned");
	is_str(undos, "virsh undo-a,null,virsh undo-c",
	       "a step without an undo has undo null, the others their undo command");
	ok(!json_changed(&p), "before it runs, nothing is changed");

	is_int(plan_execute(&p, f, &err), 0,
	       "a plan whose steps all succeed returns 0");
	fclose(f);
	ok(!vm_error_is_set(&err), "and sets no error");
	is_str(calls, "run a, run b, run c",
	       "each step ran once, in order, and nothing was undone");
	is_str(progress,
	       "done: call a\ndone: call b\nnote: took the fallback\ndone: call c\n",
	       "progress: one 'done:' line per step, and the note of the step that has one");
	statuses = json_field(&p, false, "status");
	notes = json_field(&p, false, "note");
	is_str(statuses, "done,done,done",
	       "the JSON statuses: done, done, done");
	is_str(notes, "null,took the fallback,null",
	       "the JSON note is on the step that made it");
	ok(json_changed(&p), "changed is true");
	is_int(freed, 0, "the plan keeps the calls' data until it is cleared");
	plan_clear(&p);
	is_int(freed, 3, "plan_clear frees every call's data");
	free(progress);

	start(&p, s, &err);
	is_int(plan_execute(&p, NULL, &err), 0, "an empty plan executes: 0");
	ok(!json_changed(&p), "and changes nothing");
	plan_clear(&p);
}

static void test_failure_undoes_in_reverse(struct sysfs *s)
{
	struct plan p;
	struct vm_error err;
	_cleanup_free_ char *statuses = NULL, *errors = NULL;
	char *progress = NULL;
	size_t plen = 0;
	FILE *f = open_memstream(&progress, &plen);

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "b", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "c", WITH_UNDO, EBUSY, "the domain is busy", 0);
	add_call(&p, "d", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "e", WITH_UNDO, 0, NULL, 0);
	is_int(plan_execute(&p, f, &err), -EBUSY,
	       "step 3 of 5 fails: plan_execute returns its -errno");
	fclose(f);
	is_int(err.exit, VM_EXIT_FAILED, "exit 1: failed, rolled back");
	is_int(err.errnum, EBUSY, "the error keeps the errno");
	is_str(calls, "run a, run b, run c, undo b, undo a",
	       "steps 4 and 5 never ran; 2 and 1 were undone, in reverse order");
	is_str(err.msg,
	       "cannot call c (virsh c: the domain is busy); undone: call b; call a",
	       "the message names the failed step, its command, why, and what was undone in order");
	is_str(progress, "done: call a\ndone: call b\n",
	       "progress told only the steps that were done");
	statuses = json_field(&p, false, "status");
	errors = json_field(&p, false, "error");
	is_str(statuses, "undone,undone,failed,not-run,not-run",
	       "the JSON statuses: undone, undone, failed, not-run, not-run");
	is_str(errors, "null,null,the domain is busy,null,null",
	       "the failed step carries its error");
	ok(!json_changed(&p), "after a complete rollback changed is false");
	plan_clear(&p);
	is_int(freed, 5, "every call's data is freed, run or not");
	free(progress);

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, EIO, NULL, 0);
	add_call(&p, "b", WITH_UNDO, 0, NULL, 0);
	is_int(plan_execute(&p, NULL, &err), -EIO, "the first step fails");
	is_int(err.exit, VM_EXIT_FAILED, "exit 1");
	is_str(calls, "run a", "nothing else ran, nothing to undo");
	is_str(err.msg,
	       "cannot call a (virsh a: Input/output error); nothing was changed",
	       "a call that says nothing: the message has strerror; and 'nothing was changed'");
	free(statuses);
	statuses = json_field(&p, false, "status");
	is_str(statuses, "failed,not-run",
	       "the JSON statuses: failed, not-run");
	plan_clear(&p);
}

static void test_undo_failure(struct sysfs *s)
{
	struct plan p;
	struct vm_error err;
	_cleanup_free_ char *statuses = NULL;

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "b", WITH_UNDO, 0, NULL, EIO);
	add_call(&p, "c", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "d", WITH_UNDO, EPERM, "not allowed", 0);
	is_int(plan_execute(&p, NULL, &err), -EPERM,
	       "step 4 fails, and then the undo of step 2");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE,
	       "exit 5: rollback incomplete");
	is_int(err.errnum, EPERM,
	       "the errno is the failed step's, not the undo's");
	is_str(calls, "run a, run b, run c, run d, undo c, undo b, undo a",
	       "a failing undo does not stop the rollback: step 1 is still undone");
	is_str(err.msg,
	       "cannot call d (virsh d: not allowed); undone: call c; call a; NOT undone, fix by hand: call b (the undo broke)",
	       "the message lists what was undone and, exactly, what was NOT undone, with the undo's reason");
	statuses = json_field(&p, false, "status");
	is_str(statuses, "undone,undo-failed,undone,failed",
	       "the JSON statuses: undone, undo-failed, undone, failed");
	ok(json_changed(&p),
	   "after an incomplete rollback changed is true: step 2's change is still on the host");
	plan_clear(&p);

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, ENOENT);
	add_call(&p, "b", WITH_UNDO, 0, NULL, EIO);
	add_call(&p, "c", WITH_UNDO, ENODEV, "gone", 0);
	is_int(plan_execute(&p, NULL, &err), -ENODEV, "every undo fails");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE, "exit 5");
	is_str(err.msg,
	       "cannot call c (virsh c: gone); undone: nothing; NOT undone, fix by hand: call b (the undo broke); call a (the undo broke)",
	       "'undone: nothing', and the NOT undone list in reverse order");
	plan_clear(&p);
}

/*
 * A rollback of many steps: the message keeps to its size, and what was NOT
 * undone (what the admin must fix by hand) is never the part cut off; each
 * list is cut after a whole step and says how many more it left out.
 */
static void test_long_rollback(struct sysfs *s)
{
	struct plan p;
	struct vm_error err;
	char name[16], expect[128];
	const char *left;
	unsigned shown = 0, more = 0;

	start(&p, s, &err);
	for (unsigned i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "s%03u", i);
		add_call(&p, name, WITH_UNDO, i == 299 ? EPERM : 0,
			 i == 299 ? "not allowed" : NULL,
			 i == 0 || i == 1 ? EIO : 0);
	}
	is_int(plan_execute(&p, NULL, &err), -EPERM,
	       "the last of 300 steps fails, and the undos of the first two");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE, "exit 5");
	ok(strncmp(err.msg,
		   "cannot call s299 (virsh s299: not allowed); undone: call s298; call s297; ",
		   strlen("cannot call s299 (virsh s299: not allowed); undone: call s298; call s297; ")) ==
		   0,
	   "the message begins with the failure, then the latest undone steps: %s",
	   err.msg);
	left = strstr(err.msg, "; NOT undone, fix by hand: ");
	ok(left && strcmp(left,
			  "; NOT undone, fix by hand: call s001 (the undo broke); call s000 (the undo broke)") ==
			   0,
	   "and it ends with every step NOT undone, whole");
	for (const char *q = strstr(err.msg, "undone: call s");
	     q && left && q < left; q = strstr(q + 1, "; call s"))
		shown++;
	{
		const char *more_at = strstr(err.msg, "; and ");

		if (more_at && left && more_at < left &&
		    sscanf(more_at, "; and %u more", &more) != 1)
			more = 0;
	}
	is_int((int)(shown + more), 297,
	       "the undone list shows %u steps and counts the other %u: the 297 undone",
	       shown, more);
	ok(more > 0 && shown > 0, "some shown, the rest counted");
	snprintf(expect, sizeof(expect), "; and %u more; NOT undone", more);
	ok(strstr(err.msg, expect) != NULL,
	   "the count ends the undone list, after a whole step");
	ok(strlen(err.msg) <= VM_ERROR_MSG_MAX - 1,
	   "within the message's size (%zu characters)", strlen(err.msg));
	plan_clear(&p);

	/* every undo works: the one list has the whole room */
	start(&p, s, &err);
	for (unsigned i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "s%03u", i);
		add_call(&p, name, WITH_UNDO, i == 299 ? EPERM : 0,
			 i == 299 ? "not allowed" : NULL, 0);
	}
	is_int(plan_execute(&p, NULL, &err), -EPERM,
	       "a failure, every undo works");
	is_int(err.exit, VM_EXIT_FAILED, "exit 1");
	more = 0;
	ok(strstr(err.msg, "; and ") &&
		   sscanf(strstr(err.msg, "; and "), "; and %u more", &more) ==
			   1 &&
		   more > 0 && strlen(err.msg) > VM_ERROR_MSG_MAX / 2 &&
		   strlen(err.msg) <= VM_ERROR_MSG_MAX - 1,
	   "the undone list fills the message and ends with its count: %s",
	   err.msg);
	snprintf(expect, sizeof(expect), "; and %u more", more);
	ok(strlen(err.msg) >= strlen(expect) &&
		   strcmp(err.msg + strlen(err.msg) - strlen(expect), expect) ==
			   0,
	   "the message ends with the count");
	plan_clear(&p);
}

/* the steps a list from..to names ("call sNNN"), and its "; and N more" */
static void count_list(const char *from, const char *to, unsigned *shown,
		       unsigned *more)
{
	const char *more_at = strstr(from, "and ");

	*shown = 0;
	*more = 0;
	for (const char *q = strstr(from, "call s"); q && q < to;
	     q = strstr(q + 1, "call s"))
		(*shown)++;
	if (more_at && more_at < to &&
	    sscanf(more_at, "and %u more", more) != 1)
		*more = 0;
}

/* rollbacks whose NOT undone list is the long one, with a long failure, and recover's */
static void test_long_rollback_left(struct sysfs *s)
{
	static char long_why[1001];
	struct plan p;
	struct vm_error err;
	char name[16], expect[64];
	const char *left;
	unsigned shown, more, ushown, umore;

	/* every undo fails: "undone: nothing", and the NOT undone list cut after a step */
	start(&p, s, &err);
	for (unsigned i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "s%03u", i);
		add_call(&p, name, WITH_UNDO, i == 59 ? EPERM : 0,
			 i == 59 ? "not allowed" : NULL, i == 59 ? 0 : EIO);
	}
	is_int(plan_execute(&p, NULL, &err), -EPERM,
	       "the last of 60 steps fails, and every undo");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE, "exit 5");
	left = strstr(err.msg, "; NOT undone, fix by hand: ");
	ok(strncmp(err.msg,
		   "cannot call s059 (virsh s059: not allowed); undone: nothing; NOT undone, fix by hand: call s058 (the undo broke); ",
		   strlen("cannot call s059 (virsh s059: not allowed); undone: nothing; NOT undone, fix by hand: call s058 (the undo broke); ")) ==
		   0,
	   "undone: nothing, then the NOT undone list from the latest step: %s",
	   err.msg);
	count_list(left ? left : err.msg, err.msg + strlen(err.msg), &shown,
		   &more);
	is_int((int)(shown + more), 59,
	       "the NOT undone list shows %u steps and counts the other %u: the 59",
	       shown, more);
	snprintf(expect, sizeof(expect), " (the undo broke); and %u more",
		 more);
	ok(more > 0 && strlen(err.msg) >= strlen(expect) &&
		   strcmp(err.msg + strlen(err.msg) - strlen(expect), expect) ==
			   0,
	   "it ends with its count, after a whole step");
	ok(strlen(err.msg) <= VM_ERROR_MSG_MAX - 1,
	   "within the message's size (%zu characters)", strlen(err.msg));
	plan_clear(&p);

	/* a failure of 1,000 characters: it is cut, the lists still say their counts */
	memset(long_why, 'w', sizeof(long_why) - 1);
	start(&p, s, &err);
	for (unsigned i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "s%03u", i);
		add_call(&p, name, WITH_UNDO, i == 59 ? EPERM : 0,
			 i == 59 ? long_why : NULL, i < 30 ? EIO : 0);
	}
	is_int(plan_execute(&p, NULL, &err), -EPERM,
	       "a failure that says 1,000 characters");
	left = strstr(err.msg, "; NOT undone, fix by hand: ");
	ok(left != NULL && strstr(err.msg, "; undone: ") != NULL,
	   "both lists are in the message");
	ok(strstr(err.msg, "www...; undone: ") != NULL,
	   "after the failure's text, cut, and '...'");
	count_list(left ? left : err.msg, err.msg + strlen(err.msg), &shown,
		   &more);
	is_int((int)(shown + more), 30,
	       "the NOT undone list counts its 30 steps (%u shown)", shown);
	count_list(strstr(err.msg, "; undone: ") ?
			   strstr(err.msg, "; undone: ") :
			   err.msg,
		   left ? left : err.msg, &ushown, &umore);
	is_int((int)(ushown + umore), 29,
	       "the undone list counts its 29 (%u shown)", ushown);
	snprintf(expect, sizeof(expect), "and %u more", more);
	ok(more > 0 && strlen(err.msg) >= strlen(expect) &&
		   strcmp(err.msg + strlen(err.msg) - strlen(expect), expect) ==
			   0,
	   "and the message ends with the NOT undone list's count: %s",
	   err.msg);
	plan_clear(&p);

	/* recover: undone and NOT undone lists, no failure before them */
	start(&p, s, &err);
	for (unsigned i = 0; i < 120; i++) {
		snprintf(name, sizeof(name), "s%03u", i);
		add_call(&p, name, WITH_UNDO, 0, NULL, i < 60 ? EIO : 0);
	}
	is_int(plan_execute(&p, NULL, &err), 0, "120 steps run");
	is_int(plan_rollback_recorded(&p, NULL, &err), -EIO,
	       "recover undoes them; 60 undos fail");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE, "exit 5");
	left = strstr(err.msg, "; NOT undone, fix by hand: ");
	ok(strncmp(err.msg, "undone: call s119; call s118; ",
		   strlen("undone: call s119; call s118; ")) == 0,
	   "the message begins with the latest undone steps: %s", err.msg);
	count_list(err.msg, left ? left : err.msg, &ushown, &umore);
	count_list(left ? left : err.msg, err.msg + strlen(err.msg), &shown,
		   &more);
	ok(ushown + umore == 60 && shown + more == 60,
	   "each list counts its 60 steps (undone %u shown, NOT undone %u shown)",
	   ushown, shown);
	ok(left && (size_t)(left - err.msg) >= (VM_ERROR_MSG_MAX - 1) / 3 - 40,
	   "the undone list has about a third of the message at least (%zu characters)",
	   left ? (size_t)(left - err.msg) : 0);
	ok(strlen(err.msg) <= VM_ERROR_MSG_MAX - 1 && more > 0 && umore > 0,
	   "both lists are cut within the message's size");
	plan_clear(&p);
}

/* whether a recover can finish what a rollback left (plan_rollback_awaits) */
static void test_rollback_awaits(struct sysfs *s)
{
	struct plan p;
	struct vm_error err;

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, EBUSY);
	add_call(&p, "b", WITH_UNDO, 0, NULL, ENOTCONN);
	add_call(&p, "c", WITH_UNDO, EIO, "broke", 0);
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a failure; an undo fails with ENOTCONN, one before it with EBUSY");
	ok(plan_rollback_awaits(&p, ENOTCONN),
	   "a recover can finish it once the connection is back");
	ok(!plan_rollback_awaits(&p, ENOSPC), "not for another cause");
	plan_clear(&p);

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, ENOTCONN);
	add_call(&p, "b", NO_UNDO, 0, NULL, 0);
	add_call(&p, "c", WITH_UNDO, EIO, "broke", 0);
	plan_execute(&p, NULL, &err);
	ok(!plan_rollback_awaits(&p, ENOTCONN),
	   "a step without an undo: a recover would leave it too");
	plan_clear(&p);

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "b", WITH_UNDO, EIO, "broke", 0);
	plan_execute(&p, NULL, &err);
	ok(!plan_rollback_awaits(&p, ENOTCONN),
	   "a rollback that undid everything awaits nothing");
	plan_clear(&p);

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "b", WITH_UNDO, ENOTCONN, "cut off", 0);
	is_int(plan_execute(&p, NULL, &err), -ENOTCONN,
	       "a call cut off by ENOTCONN, everything else undone");
	is_int(err.exit, VM_EXIT_FAILED, "exit 1");
	ok(plan_rollback_awaits(&p, ENOTCONN),
	   "awaits: what the cut-off call did is not known");
	plan_clear(&p);

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, ENOTCONN);
	add_call(&p, "b", WITH_UNDO, 0, NULL, EIO);
	add_call(&p, "c", WITH_UNDO, EIO, "broke", 0);
	plan_execute(&p, NULL, &err);
	ok(!plan_rollback_awaits(&p, ENOTCONN),
	   "an undo that failed otherwise after the last ENOTCONN one: not for recover (it may never work)");
	plan_clear(&p);
}

static void test_steps_without_undo(struct sysfs *s)
{
	struct plan p;
	struct vm_error err;
	_cleanup_free_ char *statuses = NULL;

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "b", NO_UNDO, 0, NULL, 0);
	add_call(&p, "c", WITH_UNDO, EBUSY, "busy", 0);
	is_int(plan_execute(&p, NULL, &err), -EBUSY,
	       "a step after one without an undo fails");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE,
	       "exit 5: what has no undo stays done");
	is_str(calls, "run a, run b, run c, undo a",
	       "the step without an undo is left as it is");
	is_str(err.msg,
	       "cannot call c (virsh c: busy); undone: call a; NOT undone, fix by hand: call b (it has no undo)",
	       "and the message says it was NOT undone");
	statuses = json_field(&p, false, "status");
	is_str(statuses, "undone,done,failed",
	       "the JSON statuses: undone, done, failed");
	ok(json_changed(&p), "changed is true: step 2's change stays");
	plan_clear(&p);

	start(&p, s, &err);
	add_call(&p, "a", NO_UNDO, 0, NULL, 0);
	add_call(&p, "b", NO_UNDO, EIO, "broken", 0);
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "only steps without an undo");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE, "exit 5");
	is_str(err.msg,
	       "cannot call b (virsh b: broken); undone: nothing; NOT undone, fix by hand: call a (it has no undo)",
	       "undone: nothing; NOT undone: call a");
	is_str(calls, "run a, run b", "no undo was called");
	plan_clear(&p);
}

static void test_sysfs_writes(struct sysfs *s)
{
	struct plan p;
	struct vm_error err;
	_cleanup_free_ char *statuses = NULL, *want = NULL, *a = NULL,
			    *b = NULL, *c = NULL;
	struct step *st;

	put("sys/dev/a", "0");
	put("sys/dev/b", "0");
	start(&p, s, &err);
	plan_add_write(&p, "set a", "dev/a", "1", "dev/a", "0");
	plan_add_write(&p, "set b", "dev/b", "1", "dev/b", "0");
	plan_add_write(&p, "set missing", "dev/missing", "1", NULL, NULL);
	is_int(plan_execute(&p, NULL, &err), -ENOENT,
	       "a write to a missing attribute fails: -ENOENT");
	is_int(err.exit, VM_EXIT_FAILED, "exit 1");
	if (asprintf(
		    &want,
		    "cannot set missing (echo 1 > %s/sys/dev/missing: No such file or directory); undone: set b; set a",
		    sysfs_root(s)) < 0)
		abort();
	is_str(err.msg, want,
	       "the message has the shell command of the failed write and what was undone");
	a = content("sys/dev/a");
	b = content("sys/dev/b");
	is_str(a, "0", "the undo wrote a's old value back");
	is_str(b, "0", "and b's");
	ok(!exists("sys/dev/missing"), "the failed write created nothing");
	statuses = json_field(&p, false, "status");
	is_str(statuses, "undone,undone,failed",
	       "the JSON statuses: undone, undone, failed");
	plan_clear(&p);

	/* an undo that writes to an attribute that is gone */
	put("sys/dev/c", "0");
	start(&p, s, &err);
	plan_add_write(&p, "set c", "dev/c", "1", "dev/gone", "0");
	add_call(&p, "x", WITH_UNDO, EIO, "x broke", 0);
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after a write whose undo cannot be written");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE, "exit 5");
	is_str(err.msg,
	       "cannot call x (virsh x: x broke); undone: nothing; NOT undone, fix by hand: set c (No such file or directory)",
	       "the write is NOT undone, and says why");
	c = content("sys/dev/c");
	is_str(c, "1", "c keeps the value written");
	free(statuses);
	statuses = json_field(&p, false, "status");
	is_str(statuses, "undo-failed,failed",
	       "the JSON statuses: undo-failed, failed");
	plan_clear(&p);

	/* read-back checks */
	put("sys/dev/a", "0");
	start(&p, s, &err);
	st = plan_add_write(&p, "bind dev", "dev/a", "1", "dev/a", "0");
	step_verify_link(st, "dev/driver", "vfio_ccw");
	is_int(plan_execute(&p, NULL, &err), 0,
	       "a write whose link reads back as expected is done");
	plan_clear(&p);
	put("sys/dev/a", "0");
	start(&p, s, &err);
	st = plan_add_write(&p, "set a", "dev/a", "1", "dev/a", "0");
	step_verify_value(st, "dev/a", "2");
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a write that reads back otherwise fails: -EIO");
	free(want);
	if (asprintf(
		    &want,
		    "cannot set a (echo 1 > %s/sys/dev/a: reading back dev/a gave '1', expected '2'); undone: set a",
		    sysfs_root(s)) < 0)
		abort();
	is_str(err.msg, want,
	       "the message says what was read back and what was expected");
	free(a);
	a = content("sys/dev/a");
	is_str(a, "0",
	       "what the failed step wrote is undone too: the kernel took the write, only its read-back failed");
	plan_clear(&p);
}

#define UUID "11111111-2222-4333-8444-000000000001"

static void test_file_steps(struct sysfs *s)
{
	struct plan p;
	struct vm_error err;
	_cleanup_free_ char *undos_before = NULL, *undos_after = NULL,
			    *old = NULL, *want = NULL, *def = NULL,
			    *statuses = NULL;

	/* a new file in a new directory of an existing area */
	start(&p, s, &err);
	plan_add_file_put(&p, "define " UUID, SYSFS_AREA_MDEVCTL,
			  "0.0.0313/" UUID, "{}\n");
	add_call(&p, "x", WITH_UNDO, EIO, "x broke", 0);
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after a file put");
	is_int(err.exit, VM_EXIT_FAILED, "exit 1");
	ok(!exists("etc/mdevctl.d/0.0.0313/" UUID),
	   "the undo removed the new file");
	ok(!exists("etc/mdevctl.d/0.0.0313"), "and the directory the put made");
	ok(exists("etc/mdevctl.d"),
	   "but not the area's directory, which was there before");
	plan_clear(&p);

	/* every directory it made, up to the area's own */
	start(&p, s, &err);
	plan_add_file_put(&p, "persist css-0.0.0313", SYSFS_AREA_DRIVERCTL,
			  "css-0.0.0313", "vfio_ccw\n");
	add_call(&p, "x", WITH_UNDO, EIO, "x broke", 0);
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after a put into a missing area");
	ok(!exists("etc/driverctl.d"),
	   "the undo removed etc/driverctl.d, which the put made");
	ok(exists("etc"), "and nothing above it");
	plan_clear(&p);

	/* a put that succeeds: the content, atomically (no temporary file left) */
	start(&p, s, &err);
	plan_add_file_put(&p, "persist css-0.0.0313", SYSFS_AREA_DRIVERCTL,
			  "css-0.0.0313", "vfio_ccw\n");
	is_int(plan_execute(&p, NULL, &err), 0, "a file put succeeds");
	def = content("etc/driverctl.d/css-0.0.0313");
	is_str(def, "vfio_ccw\n", "the file holds the content, exactly");
	is_int(count_entries("etc/driverctl.d"), 1,
	       "and no temporary file is left next to it");
	plan_clear(&p);

	/* a put over an existing file: the undo restores the old content */
	put("etc/driverctl.d/css-0.0.0313", "io_subchannel\n");
	start(&p, s, &err);
	plan_add_file_put(&p, "persist css-0.0.0313", SYSFS_AREA_DRIVERCTL,
			  "css-0.0.0313", "vfio_ccw\n");
	add_call(&p, "x", WITH_UNDO, EIO, "x broke", 0);
	undos_before = json_field(&p, true, "undo");
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after a put over an existing file");
	old = content("etc/driverctl.d/css-0.0.0313");
	is_str(old, "io_subchannel\n",
	       "the undo restored the old content, exactly");
	is_int(count_entries("etc/driverctl.d"), 1,
	       "and left no temporary file");
	undos_after = json_field(&p, false, "undo");
	if (asprintf(
		    &want,
		    "echo io_subchannel > %s/etc/driverctl.d/css-0.0.0313,virsh undo-x",
		    sysfs_root(s)) < 0)
		abort();
	is_str(undos_after, want,
	       "after the run, the JSON undo of the put writes the old content back");
	is_str(undos_before, want,
	       "before the run (the dry run), the JSON undo of a put over an existing file restores it too (read at plan time)");
	plan_clear(&p);

	/* a delete: the undo puts the file back, and mdevctl's parent directory with it */
	mkdirs("etc/mdevctl.d/matrix");
	put("etc/mdevctl.d/matrix/" UUID, "{\"start\": \"auto\"}\n");
	start(&p, s, &err);
	plan_add_file_delete(&p, "undefine " UUID, SYSFS_AREA_MDEVCTL,
			     "matrix/" UUID);
	add_call(&p, "x", WITH_UNDO, EIO, "x broke", 0);
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after a file delete");
	free(def);
	def = content("etc/mdevctl.d/matrix/" UUID);
	is_str(def, "{\"start\": \"auto\"}\n",
	       "the undo put the deleted file back, with its content");
	statuses = json_field(&p, false, "status");
	is_str(statuses, "undone,failed", "the JSON statuses: undone, failed");
	plan_clear(&p);

	start(&p, s, &err);
	plan_add_file_delete(&p, "undefine " UUID, SYSFS_AREA_MDEVCTL,
			     "matrix/" UUID);
	is_int(plan_execute(&p, NULL, &err), 0, "a file delete succeeds");
	ok(!exists("etc/mdevctl.d/matrix"),
	   "mdevctl's parent directory goes with its last definition");
	plan_clear(&p);
}

/* ---- a lock that records when the plan takes it and gives it back ---- */

static int lock_takes; /* how many takes were asked */
static int lock_refuse_at; /* the take that is refused (1: the first); 0: none */

static void record_word(const char *what)
{
	size_t len = strlen(calls);

	snprintf(calls + len, sizeof(calls) - len, "%s%s", len ? ", " : "",
		 what);
}

static int fake_take(void *opaque, struct vm_error *err)
{
	(void)opaque;
	if (++lock_takes == lock_refuse_at) {
		record_word("take (refused)");
		return vm_error_set(
			err, VM_EXIT_FAILED, ETIMEDOUT,
			"cannot take the test lock: PID 1 (init) held it for all of the 1 s");
	}
	record_word("take");
	return 0;
}

static void fake_release(void *opaque)
{
	(void)opaque;
	record_word("release");
}

static const struct plan_lock fake_lock = { fake_take, fake_release, NULL,
					    "the test lock" };

/* a and b under the lock, c a call without it (libvirt's), d under it again */
static void lock_plan(struct plan *p, struct sysfs *s, struct vm_error *err,
		      int d_errno)
{
	start(p, s, err);
	p->lock = &fake_lock;
	lock_takes = lock_refuse_at = 0;
	step_needs_ap_lock(add_call(p, "a", WITH_UNDO, 0, NULL, 0));
	step_needs_ap_lock(add_call(p, "b", WITH_UNDO, 0, NULL, 0));
	add_call(p, "c", WITH_UNDO, 0, NULL, 0);
	step_needs_ap_lock(add_call(p, "d", WITH_UNDO, d_errno, NULL, 0));
}

static void test_ap_lock(struct sysfs *s)
{
	_cleanup_free_ char *printed = NULL, *flags = NULL, *statuses = NULL;
	size_t plen = 0;
	struct vm_error err;
	struct plan p;
	FILE *f;

	lock_plan(&p, s, &err, 0);
	f = open_memstream(&printed, &plen);
	plan_print(&p, f);
	fclose(f);
	is_str(printed,
	       "# take the test lock\n# call a\nvirsh a\n# call b\nvirsh b\n"
	       "# release the test lock\n# call c\nvirsh c\n"
	       "# take the test lock\n# call d\nvirsh d\n# release the test lock\n",
	       "the dry run says where the lock is taken and given back: around a and b, and around d, not around the call c");
	is_str(calls, "", "printing the plan takes no lock");
	flags = json_field(&p, true, "ap_lock");
	is_str(flags, "true,true,null,true",
	       "the JSON marks the steps under the lock (\"ap_lock\": true) and no other");
	is_int(plan_execute(&p, NULL, &err), 0, "the plan runs");
	is_str(calls,
	       "take, run a, run b, release, run c, take, run d, release",
	       "the lock is taken once for a and b, given back before the call c, taken again for d and given back at the end");
	ok(!p.locked, "nothing is held after the run");
	plan_clear(&p);

	lock_plan(&p, s, &err, EBUSY);
	is_int(plan_execute(&p, NULL, &err), -EBUSY, "d fails");
	is_str(calls,
	       "take, run a, run b, release, run c, take, run d, release, undo c, take, undo b, undo a, release",
	       "the rollback undoes c without the lock and b and a under it, and gives it back at the end");
	is_int(err.exit, VM_EXIT_FAILED, "exit 1: every undo ran");
	plan_clear(&p);

	lock_plan(&p, s, &err, 0);
	lock_refuse_at = 2;
	is_int(plan_execute(&p, NULL, &err), -ETIMEDOUT,
	       "the lock for d cannot be taken: its -errno");
	is_str(calls,
	       "take, run a, run b, release, run c, take (refused), undo c, take, undo b, undo a, release",
	       "d does not run; what ran before it is undone, each step as it ran");
	is_str(err.msg,
	       "cannot take the test lock: PID 1 (init) held it for all of the 1 s; undone: call c; call b; call a",
	       "the message is the lock's, then what was undone");
	is_int(err.exit, VM_EXIT_FAILED, "exit 1");
	statuses = json_field(&p, false, "status");
	is_str(statuses, "undone,undone,undone,not-run",
	       "the JSON statuses: undone three times, d not run");
	plan_clear(&p);

	lock_plan(&p, s, &err, 0);
	lock_refuse_at = 1;
	is_int(plan_execute(&p, NULL, &err), -ETIMEDOUT,
	       "the lock for the first step cannot be taken");
	is_str(calls, "take (refused)", "no step runs, nothing is undone");
	is_str(err.msg,
	       "cannot take the test lock: PID 1 (init) held it for all of the 1 s; nothing was changed",
	       "the message: the lock's, and nothing was changed");
	ok(!json_changed(&p), "changed is false");
	plan_clear(&p);

	/* a plan run inside a step that holds the lock (no lock of its own) */
	start(&p, s, &err);
	step_needs_ap_lock(add_call(&p, "a", WITH_UNDO, 0, NULL, 0));
	is_int(plan_execute(&p, NULL, &err), 0,
	       "without plan.lock, a step marked for the lock runs as it is");
	is_str(calls, "run a", "and nothing is taken");
	plan_clear(&p);
}

/* what a called program says over several lines (mdevctl's callout, through libvirt) is one line of the message */
static void test_one_line_reason(struct sysfs *s)
{
	struct vm_error err;
	struct plan p;

	start(&p, s, &err);
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	add_call(
		&p, "b", WITH_UNDO, EIO,
		"nodedev-define: internal error: Unable to define mediated device: ap-check: APQN 5.4 is defined for autostart by X\n"
		"Error: callout script \"/etc/mdevctl.d/scripts.d/callouts/ap-check\" failed with return code 255\n",
		0);
	is_int(plan_execute(&p, NULL, &err), -EIO, "b fails");
	is_str(err.msg,
	       "cannot call b (virsh b: nodedev-define: internal error: Unable to define mediated device: ap-check: APQN 5.4 is defined for autostart by X; "
	       "Error: callout script \"/etc/mdevctl.d/scripts.d/callouts/ap-check\" failed with return code 255); undone: call a",
	       "its lines are joined with '; ', the trailing newline dropped: one message");
	plan_clear(&p);
}

/* ---- exact restore of file steps ---- */

/* what a path is: "link TARGET", "file MODE UID:GID CONTENT", "dir MODE", "absent" (caller frees) */
static char *state_of(const char *rel)
{
	_cleanup_free_ char *path = path_of(rel), *c = NULL;
	char buf[512], *out;
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) < 0)
		return strdup("absent");
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, buf, sizeof(buf) - 1);
		buf[n < 0 ? 0 : n] = '\0';
		if (asprintf(&out, "link %s", buf) < 0)
			abort();
		return out;
	}
	if (S_ISDIR(st.st_mode)) {
		if (asprintf(&out, "dir %o", (unsigned)(st.st_mode & 07777)) <
		    0)
			abort();
		return out;
	}
	c = content(rel);
	if (asprintf(&out, "file %o %u:%u %s", (unsigned)(st.st_mode & 07777),
		     (unsigned)st.st_uid, (unsigned)st.st_gid, c) < 0)
		abort();
	return out;
}

/* a call that looks at the host while the plan runs (after the earlier steps), then fails */
static char seen[4][512];

static int observe_run(void *data, char **why)
{
	const char *const *rels = data;

	for (int i = 0; i < 4 && rels[i]; i++) {
		_cleanup_free_ char *st = state_of(rels[i]);

		snprintf(seen[i], sizeof(seen[i]), "%s", st);
	}
	*why = strdup("it broke");
	return -EIO;
}

/* the same, but it first changes the file as another program would */
static int meddle_run(void *data, char **why)
{
	const char *const *rels = data;

	put(rels[0], "changed by another program\n");
	*why = strdup("it broke");
	return -EIO;
}

static void add_observer(struct plan *p, const char *const *rels,
			 int (*run)(void *, char **))
{
	struct step_call sc = { .run = run, .data = (void *)rels };

	memset(seen, 0, sizeof(seen));
	plan_add_call(p, "call observe", "virsh observe", NULL, &sc);
}

static void chmod_rel(const char *rel, mode_t mode)
{
	_cleanup_free_ char *path = path_of(rel);

	if (chmod(path, mode) < 0)
		abort();
}

static void test_file_restore_exact(struct sysfs *s)
{
	static const char *const override[] = { "etc/driverctl.d/css-0.0.0313",
						"etc/secret", NULL, NULL };
	_cleanup_free_ char *link = path_of("etc/driverctl.d/css-0.0.0313");
	_cleanup_free_ char *undos = NULL, *want = NULL, *st = NULL,
			    *sec = NULL;
	struct vm_error err;
	struct plan p;

	/* a symbolic link to a 0600 file where the put goes */
	mkdirs("etc/driverctl.d");
	put("etc/secret", "top secret\n");
	chmod_rel("etc/secret", 0600);
	unlink(link); /* what the tests before left */
	if (symlink("../secret", link) < 0)
		abort();
	start(&p, s, &err);
	plan_add_file_put(&p, "persist css-0.0.0313", SYSFS_AREA_DRIVERCTL,
			  "css-0.0.0313", "vfio_ccw\n");
	add_observer(&p, override, observe_run);
	undos = json_field(&p, true, "undo");
	if (asprintf(&want,
		     "ln -sfn ../secret %s/etc/driverctl.d/css-0.0.0313,null",
		     sysfs_root(s)) < 0)
		abort();
	is_str(undos, want,
	       "the dry run's undo of a put over a link puts the link back (read at plan time)");
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after a put over a symbolic link");
	is_str(seen[0], "file 644 0:0 vfio_ccw\n",
	       "while the plan ran, the put had replaced the link by a file of its own (0644), not written through it");
	is_str(seen[1], "file 600 0:0 top secret\n",
	       "and the link's target was not touched");
	st = state_of("etc/driverctl.d/css-0.0.0313");
	is_str(st, "link ../secret",
	       "after the rollback the path is a link again, to the same target");
	sec = state_of("etc/secret");
	is_str(sec, "file 600 0:0 top secret\n",
	       "the target is unchanged: its content and its mode 0600 (no secret in a new 0644 file)");
	is_int(count_entries("etc/driverctl.d"), 1,
	       "no other file (temporary or restored) is left beside the link");
	plan_clear(&p);

	/* a delete of the link: the undo makes the link again */
	start(&p, s, &err);
	plan_add_file_delete(&p, "unpersist css-0.0.0313", SYSFS_AREA_DRIVERCTL,
			     "css-0.0.0313");
	add_observer(&p, override, observe_run);
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after a delete of a symbolic link");
	is_str(seen[0], "absent", "the delete removed the link");
	is_str(seen[1], "file 600 0:0 top secret\n", "and not its target");
	free(st);
	st = state_of("etc/driverctl.d/css-0.0.0313");
	is_str(st, "link ../secret",
	       "the undo of the delete made the same link again");
	plan_clear(&p);
	unlink(link);
	free(sec);
	sec = path_of("etc/secret");
	unlink(sec);
}

static void test_file_restore_owner(struct sysfs *s)
{
	static const char *const rels[] = { "etc/driverctl.d/css-0.0.0313",
					    NULL, NULL, NULL };
	_cleanup_free_ char *path = path_of("etc/driverctl.d/css-0.0.0313");
	_cleanup_free_ char *st = NULL, *undos = NULL, *want = NULL;
	struct vm_error err;
	struct plan p;

	if (geteuid() != 0) {
		/* chown to another uid needs root; make check runs the suite as root */
		ok(getenv("CI") == NULL,
		   "restore of another uid's file # SKIP needs root");
		return;
	}
	mkdirs("etc/driverctl.d");
	put("etc/driverctl.d/css-0.0.0313", "io_subchannel\n");
	chmod_rel("etc/driverctl.d/css-0.0.0313", 0600);
	if (chown(path, 4242, 4343) < 0)
		abort();
	start(&p, s, &err);
	plan_add_file_put(&p, "persist css-0.0.0313", SYSFS_AREA_DRIVERCTL,
			  "css-0.0.0313", "vfio_ccw\n");
	add_observer(&p, rels, observe_run);
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after a put over another uid's 0600 file");
	is_str(seen[0], "file 600 4242:4343 vfio_ccw\n",
	       "while the plan ran, the file replaced kept its mode and owner");
	st = state_of("etc/driverctl.d/css-0.0.0313");
	is_str(st, "file 600 4242:4343 io_subchannel\n",
	       "the rollback restored its content, mode 0600 and owner 4242:4343");
	is_int(count_entries("etc/driverctl.d"), 1, "and left no other file");
	plan_clear(&p);

	/* a delete of it: the undo makes it anew with its mode and owner */
	start(&p, s, &err);
	plan_add_file_delete(&p, "unpersist css-0.0.0313", SYSFS_AREA_DRIVERCTL,
			     "css-0.0.0313");
	add_observer(&p, rels, observe_run);
	undos = json_field(&p, true, "undo");
	if (asprintf(
		    &want,
		    "echo io_subchannel > %1$s && chown 4242:4343 %1$s && chmod 600 %1$s,null",
		    path) < 0)
		abort();
	is_str(undos, want,
	       "the dry run's undo of the delete writes it back with its owner and mode");
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after the delete");
	is_str(seen[0], "absent", "the delete removed it");
	free(st);
	st = state_of("etc/driverctl.d/css-0.0.0313");
	is_str(st, "file 600 4242:4343 io_subchannel\n",
	       "the undo made it again: content, mode 0600, owner 4242:4343");
	plan_clear(&p);
	unlink(path);
}

static void test_file_step_failures(struct sysfs *s)
{
	static const char *const rels[] = { "etc/driverctl.d/css-0.0.0313",
					    NULL, NULL, NULL };
	_cleanup_free_ char *path = path_of("etc/driverctl.d/css-0.0.0313");
	_cleanup_free_ char *want = NULL, *st = NULL, *big = malloc(65536);
	struct rlimit old, lim;
	struct vm_error err;
	struct plan p;
	int r;

	/* a write that fails (the file size limit: what a full disk does to write(2)) */
	memset(big, 'x', 65535);
	big[65535] = '\0';
	start(&p, s, &err);
	plan_add_file_put(&p, "define " UUID, SYSFS_AREA_MDEVCTL,
			  "newparent/" UUID, big);
	if (getrlimit(RLIMIT_FSIZE, &old) < 0)
		abort();
	lim = old;
	lim.rlim_cur = 4096;
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
		abort();
	r = plan_execute(&p, NULL, &err);
	if (setrlimit(RLIMIT_FSIZE, &old) < 0)
		abort();
	signal(SIGXFSZ, SIG_DFL);
	is_int(r, -EFBIG, "a put whose write fails: its -errno (EFBIG)");
	if (asprintf(
		    &want,
		    "cannot define " UUID
		    " (mkdir -p %1$s/etc/mdevctl.d/newparent && printf '%%s' xxx",
		    sysfs_root(s)) < 0)
		abort();
	ok(strncmp(err.msg, want, strlen(want)) == 0,
	   "the message names the step and its command");
	ok(!exists("etc/mdevctl.d/newparent"),
	   "the directory the failed put made is removed again");
	is_int(count_entries("etc/mdevctl.d"), 0,
	       "and nothing else is left in the area");
	plan_clear(&p);

	/* a directory where the file goes: refused, nothing written */
	mkdirs("etc/driverctl.d/css-0.0.0313");
	start(&p, s, &err);
	plan_add_file_put(&p, "persist css-0.0.0313", SYSFS_AREA_DRIVERCTL,
			  "css-0.0.0313", "vfio_ccw\n");
	is_int(plan_execute(&p, NULL, &err), -EISDIR,
	       "a put where a directory is: -EISDIR");
	free(want);
	if (asprintf(
		    &want,
		    "cannot persist css-0.0.0313 (echo vfio_ccw > %1$s: %1$s is a directory, not a file: nothing was written (move it away)); nothing was changed",
		    path) < 0)
		abort();
	is_str(err.msg, want, "the message says what is in the way");
	is_int(count_entries("etc/driverctl.d"), 1,
	       "nothing was written beside it");
	plan_clear(&p);
	rmdir(path);

	/* a link in place of a directory below the area: never followed */
	mkdirs("etc/elsewhere");
	{
		_cleanup_free_ char *l = path_of("etc/mdevctl.d/0.0.0313");

		if (symlink("../elsewhere", l) < 0)
			abort();
		start(&p, s, &err);
		plan_add_file_put(&p, "define " UUID, SYSFS_AREA_MDEVCTL,
				  "0.0.0313/" UUID, "{}\n");
		is_int(plan_execute(&p, NULL, &err), -ENOTDIR,
		       "a put below a directory that is a link: -ENOTDIR (open(2) with O_NOFOLLOW|O_DIRECTORY)");
		free(want);
		if (asprintf(
			    &want,
			    "cannot define " UUID
			    " (echo '{}' > %1$s/etc/mdevctl.d/0.0.0313/" UUID
			    ": a directory of %1$s/etc/mdevctl.d/0.0.0313/" UUID
			    " is a symbolic link or no directory (Not a directory): virt-mdev does not follow links there; remove it); nothing was changed",
			    sysfs_root(s)) < 0)
			abort();
		is_str(err.msg, want, "the message names the path and the fix");
		is_int(count_entries("etc/elsewhere"), 0,
		       "nothing was written where the link points");
		plan_clear(&p);
		unlink(l);
	}

	/* another program changed the file after the put: the undo leaves it and says so */
	start(&p, s, &err);
	plan_add_file_put(&p, "persist css-0.0.0313", SYSFS_AREA_DRIVERCTL,
			  "css-0.0.0313", "vfio_ccw\n");
	add_observer(&p, rels, meddle_run);
	is_int(plan_execute(&p, NULL, &err), -EIO,
	       "a call fails after another program changed the put's file");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE,
	       "exit 5: the put is not undone");
	free(want);
	if (asprintf(
		    &want,
		    "cannot call observe (virsh observe: it broke); undone: nothing; NOT undone, fix by hand: persist css-0.0.0313 (left as found: it changed since this run made it: %s is no longer what this step wrote)",
		    path) < 0)
		abort();
	is_str(err.msg, want,
	       "the message says the file was left because another program changed it");
	st = content("etc/driverctl.d/css-0.0.0313");
	is_str(st, "changed by another program\n",
	       "the other program's content stays");
	plan_clear(&p);
	unlink(path);
}

/* ---- the shell text of a dry run ---- */

/* what sh makes of the quoted word: printf '%s' WORD */
static char *sh_reads(const char *quoted)
{
	_cleanup_free_ char *cmd = NULL;
	char *out = NULL;
	size_t cap = 0;
	FILE *f;

	if (asprintf(&cmd, "cd '%s' && printf '%%s' %s", root, quoted) < 0)
		abort();
	f = popen(cmd, "r");
	if (!f)
		abort();
	if (getdelim(&out, &cap, '\0', f) < 0) {
		free(out);
		out = strdup("");
	}
	pclose(f);
	return out;
}

/* valid UTF-8 with no C0 control but tab and newline, no DEL, no C1 control */
static bool terminal_safe(const char *q)
{
	size_t n = strlen(q);

	for (size_t i = 0; i < n;) {
		const unsigned char *c = (const unsigned char *)q + i;
		size_t l = output_utf8_len(c, n - i);

		if (!l || (c[0] < 0x20 && c[0] != '\t' && c[0] != '\n') ||
		    c[0] == 0x7f || (c[0] == 0xc2 && l == 2 && c[1] <= 0x9f))
			return false;
		i += l;
	}
	return true;
}

static void test_shell_text(struct sysfs *s)
{
	static const char *const words[] = {
		"$(touch PWNED)",
		"`touch PWNED`",
		"a;touch PWNED",
		"it's",
		"say \"hi\"",
		"-x",
		"a b\tc",
		"\\back",
		"~",
		"*",
		"#c",
		"x\nEOF\ny",
		"",
		"plain-0.0.0313",
		"a'b'c''",
		/* what a terminal would act on: ESC (OSC title), BEL, CR, DEL, C1 CSI and NEL, bytes of no UTF-8 */
		"x\033]0;owned\ay",
		"csi\xc2\x9b"
		"31mred\xc2\x85",
		"\xff\xfe",
		"a\rb\x7f",
		"'\033'",
		"\xc2\x9b",
		"caf\xc3\xa9 \xe2\x82\xac",
	};
	_cleanup_free_ char *pwned = path_of("PWNED");
	_cleanup_free_ char *h1 = NULL, *h2 = NULL, *h3 = NULL, *e1 = NULL,
			    *e2 = NULL;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		_cleanup_free_ char *q = plan_shell_quote(words[i]);
		_cleanup_free_ char *back = sh_reads(q);

		is_str(back, words[i],
		       "sh reads the quoted word %zu back as it was (%s)", i,
		       q);
		ok(terminal_safe(q),
		   "the quoted word %zu holds no byte a terminal acts on", i);
	}
	ok(access(pwned, F_OK) < 0, "and no quoted word ran a command");
	h1 = plan_shell_heredoc("cat", "a\nb\n");
	is_str(h1, "cat <<'EOF'\na\nb\nEOF",
	       "a here-document: quoted delimiter EOF after the document's last newline");
	h2 = plan_shell_heredoc("cat", "x\nEOF\nEOF_1\ny");
	is_str(h2, "cat <<'EOF_2'\nx\nEOF\nEOF_1\ny\nEOF_2",
	       "a document with lines EOF and EOF_1: the delimiter is EOF_2, and a newline ends the document before it");
	h3 = plan_shell_heredoc("cat", "EOFx\n xEOF\n");
	is_str(h3, "cat <<'EOF'\nEOFx\n xEOF\nEOF",
	       "EOF within a line is no delimiter");
	e1 = plan_shell_echo("-n", "P");
	is_str(e1, "printf '%s\\n' -n > P",
	       "a value echo would take as its option: printf");
	{
		struct plan p;
		struct vm_error err;
		char *printed = NULL;
		size_t plen = 0;
		FILE *f = open_memstream(&printed, &plen);

		start(&p, s, &err);
		add_call(&p, "x\ntouch PWNED", NO_UNDO, 0, NULL, 0);
		plan_print(&p, f);
		fclose(f);
		is_str(printed,
		       "# call x\\ntouch PWNED\nvirsh x\ntouch PWNED\n",
		       "a newline in a step's description is written \\n: the comment stays one line");
		free(printed);
		plan_clear(&p);
	}
	e2 = plan_shell_echo("a\\c", "P");
	is_str(e2, "printf '%s\\n' 'a\\c' > P",
	       "a value with a backslash (an escape to dash's echo): printf");
}

/*
 * The steps a record must look at: plan.changed_lo/hi names every step
 * whose status, error, undo error, partial or file state changed since the
 * last record (the journal writes only those, and the running ones). A
 * recorder that keeps its own copy of every step checks it at each record.
 */
struct seen_step {
	int status;
	bool partial, running;
	const void *file;
	char *error, *undo_error;
};

static struct {
	struct seen_step *v;
	size_t n;
	long running;
	unsigned records, unnamed; /* records; changes outside the range */
} recs;

static bool str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void seen_take(const struct plan *p, size_t i, long running)
{
	const struct step *st = &p->steps[i];
	struct seen_step *v = &recs.v[i];

	free(v->error);
	free(v->undo_error);
	*v = (struct seen_step){ (int)st->status,
				 st->partial,
				 (long)i == running,
				 st->file,
				 st->error ? strdup(st->error) : NULL,
				 st->undo_error ? strdup(st->undo_error) :
						  NULL };
}

static int seen_record(void *opaque, const struct plan *p, long running,
		       struct vm_error *err)
{
	(void)opaque;
	(void)err;
	if (!recs.v) {
		recs.v = calloc(p->n, sizeof(*recs.v));
		recs.n = p->n;
	} else if (p->changed_known) {
		for (size_t i = 0; i < p->n; i++) {
			const struct step *st = &p->steps[i];
			const struct seen_step *v = &recs.v[i];
			bool same = v->status == (int)st->status &&
				    v->partial == st->partial &&
				    v->file == st->file &&
				    v->running == ((long)i == running) &&
				    str_same(v->error, st->error) &&
				    str_same(v->undo_error, st->undo_error);
			bool named =
				(i >= p->changed_lo && i < p->changed_hi) ||
				(long)i == running || (long)i == recs.running;

			if (!same && !named) {
				char d[128];

				snprintf(
					d, sizeof(d),
					"record %u: step %zu changed outside [%zu, %zu)",
					recs.records, i, p->changed_lo,
					p->changed_hi);
				tap_diag(d);
				recs.unnamed++;
			}
		}
	}
	for (size_t i = 0; i < p->n; i++)
		seen_take(p, i, running);
	recs.running = running;
	recs.records++;
	return 0;
}

static void seen_clear(void)
{
	for (size_t i = 0; i < recs.n; i++) {
		free(recs.v[i].error);
		free(recs.v[i].undo_error);
	}
	free(recs.v);
	memset(&recs, 0, sizeof(recs));
}

static void test_changed_range(struct sysfs *s)
{
	static const struct plan_recorder rec = { seen_record, NULL };
	struct vm_error err;
	struct plan p;

	/* every step done */
	start(&p, s, &err);
	p.recorder = &rec;
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "b", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "c", WITH_UNDO, 0, NULL, 0);
	is_int(plan_execute(&p, NULL, &err), 0, "a recorded plan runs");
	ok(recs.records == 6 && recs.unnamed == 0,
	   "each record names every step that changed since the last (two records a step)");
	/* and rolled back as recover does */
	is_int(plan_rollback_recorded(&p, NULL, &err), 0,
	       "rolled back from its record");
	ok(recs.records == 9 && recs.unnamed == 0,
	   "the rollback's records name the steps it changed (one a step)");
	plan_clear(&p);
	seen_clear();

	/* step 4 of 6 fails, the undo of step 2 fails, later steps never run */
	start(&p, s, &err);
	p.recorder = &rec;
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "b", WITH_UNDO, 0, NULL, EPERM);
	add_call(&p, "c", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "d", WITH_UNDO, EBUSY, "busy", 0);
	add_call(&p, "e", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "f", WITH_UNDO, 0, NULL, 0);
	is_int(plan_execute(&p, NULL, &err), -EBUSY,
	       "a failure whose rollback is incomplete");
	is_int(err.exit, VM_EXIT_ROLLBACK_INCOMPLETE, "its exit says so");
	ok(recs.records >= 10 && recs.unnamed == 0,
	   "the failure's records name the failed step, the steps that will not run and each undone one");
	plan_clear(&p);
	seen_clear();

	/* a sysfs write whose read-back fails: a partial step, undone too */
	start(&p, s, &err);
	p.recorder = &rec;
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	put("sys/dev/a", "0");
	ok(plan_add_write(&p, "write x", "dev/a", "1", "dev/a", "0") != NULL,
	   "a write step");
	step_verify_value(&p.steps[1], "dev/a", "something else");
	add_call(&p, "c", WITH_UNDO, 0, NULL, 0);
	ok(plan_execute(&p, NULL, &err) < 0, "the read-back fails");
	ok(p.steps[1].partial, "the write step is partial");
	ok(recs.unnamed == 0, "the partial step's records name it");
	plan_clear(&p);
	seen_clear();

	/* a plan completed from its record (recover --complete) */
	start(&p, s, &err);
	p.recorder = &rec;
	add_call(&p, "a", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "b", WITH_UNDO, 0, NULL, 0);
	add_call(&p, "c", WITH_UNDO, 0, NULL, 0);
	p.steps[0].status = STEP_DONE;
	is_int(plan_complete_recorded(&p, NULL, &err), 0,
	       "completed from its record");
	ok(recs.unnamed == 0, "its records name the steps it ran");
	plan_clear(&p);
	seen_clear();
}

/* ---- lanes: steps of different lanes on threads, side by side ---- */

static pthread_mutex_t lane_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lane_cv = PTHREAD_COND_INITIALIZER;

static struct {
	unsigned in_flight, most; /* calls running now, and the most at once */
	char runs[512]; /* "a1 b1 a2 ...": each run as it began */
	char undos[512]; /* each undo, in order */
	unsigned ran; /* runs that succeeded */
	unsigned failures; /* runs that failed, once they returned */
	bool stop_asked;
	unsigned most_running; /* the most steps a record saw running */
	unsigned records, unnamed;
} lanes_seen;

struct lane_call {
	char name[8];
	int run_errno; /* it fails so; 0: it succeeds */
	unsigned wait_for; /* it waits (5 s at most) until that many calls have run at once */
	bool wait_failure; /* then (5 s at most) until a failing call returned */
	bool wait_stop; /* then (5 s at most) until a call asked the plan to stop */
	unsigned sleep_ms; /* then it takes that long */
	int stop_signal; /* it asks the plan to stop (a signal's handler would) */
};

static void lanes_append(char *buf, size_t size, const char *name)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? " " : "", name);
}

static int lane_run(void *data, char **why)
{
	struct lane_call *c = data;
	struct timespec until;

	pthread_mutex_lock(&lane_mu);
	lanes_append(lanes_seen.runs, sizeof(lanes_seen.runs), c->name);
	lanes_seen.in_flight++;
	if (lanes_seen.in_flight > lanes_seen.most)
		lanes_seen.most = lanes_seen.in_flight;
	pthread_cond_broadcast(&lane_cv);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	while (lanes_seen.most < c->wait_for &&
	       pthread_cond_timedwait(&lane_cv, &lane_mu, &until) == 0)
		;
	while (c->wait_failure && !lanes_seen.failures &&
	       pthread_cond_timedwait(&lane_cv, &lane_mu, &until) == 0)
		;
	while (c->wait_stop && !lanes_seen.stop_asked &&
	       pthread_cond_timedwait(&lane_cv, &lane_mu, &until) == 0)
		;
	pthread_mutex_unlock(&lane_mu);
	if (c->sleep_ms) {
		struct timespec t = { 0, (long)c->sleep_ms * 1000000L };

		nanosleep(&t, NULL);
	}
	pthread_mutex_lock(&lane_mu);
	if (c->stop_signal) {
		plan_request_stop(c->stop_signal);
		lanes_seen.stop_asked = true;
	}
	lanes_seen.in_flight--;
	if (!c->run_errno)
		lanes_seen.ran++;
	else
		lanes_seen.failures++;
	pthread_cond_broadcast(&lane_cv);
	pthread_mutex_unlock(&lane_mu);
	if (!c->run_errno)
		return 0;
	*why = strdup("it broke");
	return -c->run_errno;
}

/* undos run on the calling thread only, after every lane step ended */
static int lane_undo(void *data, char **why)
{
	struct lane_call *c = data;

	(void)why;
	ok(lanes_seen.in_flight == 0, "undo %s: no lane step is running",
	   c->name);
	lanes_append(lanes_seen.undos, sizeof(lanes_seen.undos), c->name);
	return 0;
}

static struct lane_call *add_lane_call(struct plan *p, const char *name)
{
	struct lane_call *c = calloc(1, sizeof(*c));
	struct step_call sc = { .run = lane_run,
				.undo = lane_undo,
				.free_data = free };

	if (!c)
		abort();
	snprintf(c->name, sizeof(c->name), "%s", name);
	sc.data = c;
	if (!add_named_call(p, name, &sc))
		abort();
	return c;
}

/* the lanes' record: the calling thread's, while lane steps run */
static int lanes_record(void *opaque, const struct plan *p, long running,
			struct vm_error *err)
{
	unsigned n = 0;

	(void)opaque;
	(void)running;
	(void)err;
	for (size_t i = 0; i < p->n; i++)
		n += p->steps[i].status == STEP_RUNNING;
	if (n > lanes_seen.most_running)
		lanes_seen.most_running = n;
	lanes_seen.records++;
	return 0;
}

/*
 * x, then three lanes a1 a2 / b1 b2 / c1 c2, then y: what is given back is
 * each lane call, by name (a1 is [0]).
 */
static void lanes_plan(struct plan *p, struct sysfs *s, struct vm_error *err,
		       struct lane_call **c)
{
	static const struct plan_recorder rec = { lanes_record, NULL };
	static const char *const names[] = {
		"a1", "a2", "b1", "b2", "c1", "c2"
	};

	start(p, s, err);
	memset(&lanes_seen, 0, sizeof(lanes_seen));
	p->recorder = &rec;
	add_call(p, "x", WITH_UNDO, 0, NULL, 0);
	for (unsigned i = 0; i < 6; i += 2) {
		c[i] = add_lane_call(p, names[i]);
		c[i + 1] = add_lane_call(p, names[i + 1]);
		/* the two steps just added: lane 1, 2, 3 */
		if (!plan_set_lane(p, p->n - 2, i / 2 + 1))
			abort();
	}
	add_call(p, "y", WITH_UNDO, 0, NULL, 0);
}

/* the statuses as one string, "done,not-run,..." */
static char *statuses_of(const struct plan *p)
{
	return json_field(p, false, "status");
}

/* "a1 b1 a2 c1 ..." holds each lane's steps in their order */
static bool lane_order_kept(const char *runs)
{
	for (char l = 'a'; l <= 'c'; l++) {
		char one[3] = { l, '1', 0 }, two[3] = { l, '2', 0 };
		const char *p1 = strstr(runs, one), *p2 = strstr(runs, two);

		if (p2 && (!p1 || p1 > p2))
			return false;
	}
	return true;
}

static void test_lanes(struct sysfs *s)
{
	struct lane_call *c[6];
	struct vm_error err;
	struct plan p;
	char *progress = NULL, *printed = NULL;
	size_t plen = 0;
	FILE *f;
	_cleanup_free_ char *st1 = NULL, *st2 = NULL, *st3 = NULL;

	/* three lanes, three jobs: the first step of each waits until all three run */
	lanes_plan(&p, s, &err, c);
	p.jobs = 3;
	for (int i = 0; i < 6; i += 2)
		c[i]->wait_for = 3;
	f = open_memstream(&printed, &plen);
	plan_print(&p, f);
	fclose(f);
	ok(strstr(printed,
		  "# call x\nvirsh x\n# the next 6 steps run up to 3 at a time (--jobs), in 3 lanes: each lane's steps one after another, in their order\n# call a1\n") !=
		   NULL,
	   "the dry run says which steps run side by side, and how many at once");
	free(printed);
	f = open_memstream(&progress, &plen);
	is_int(plan_execute(&p, f, &err), 0, "a plan with three lanes runs");
	fclose(f);
	is_int((int)lanes_seen.most, 3,
	       "the first steps of the three lanes ran at the same time");
	ok(lane_order_kept(lanes_seen.runs),
	   "each lane's steps ran in their order (%s)", lanes_seen.runs);
	is_str(calls, "run x, run y",
	       "the step before the lanes ran first, the one after them last");
	st1 = statuses_of(&p);
	is_str(st1, "done,done,done,done,done,done,done,done",
	       "every step is done");
	ok(lanes_seen.most_running >= 2,
	   "the journal's records saw several steps running at once (%u)",
	   lanes_seen.most_running);
	ok(progress && strncmp(progress, "done: call x\n", 13) == 0 &&
		   strstr(progress, "done: call y\n") ==
			   progress + strlen(progress) - 13,
	   "progress: x first, y last");
	{
		unsigned lines = 0;

		for (const char *q = progress; q && *q; q++)
			lines += *q == '\n';
		is_int((int)lines, 8, "one 'done:' line per step");
	}
	free(progress);
	progress = NULL;
	plan_clear(&p);

	/* one job: the lanes run one step after another, in the plan's order */
	lanes_plan(&p, s, &err, c);
	p.jobs = 1;
	f = open_memstream(&printed, &plen);
	plan_print(&p, f);
	fclose(f);
	ok(!strstr(printed, "at a time"),
	   "with one job, the dry run says nothing of lanes");
	free(printed);
	is_int(plan_execute(&p, NULL, &err), 0, "with one job, it runs");
	is_str(lanes_seen.runs, "a1 a2 b1 b2 c1 c2",
	       "with one job, in the plan's order");
	is_int((int)lanes_seen.most, 1, "one step at a time");
	plan_clear(&p);

	/* b2 fails while the other lanes run: nothing more begins, the done steps are undone in reverse */
	lanes_plan(&p, s, &err, c);
	p.jobs = 3;
	/* a1 and c1 end 100 ms after b2 failed: a2 and c2 must not begin */
	c[0]->wait_failure = c[4]->wait_failure = true;
	c[0]->sleep_ms = c[4]->sleep_ms = 100;
	c[3]->run_errno = EIO;
	is_int(plan_execute(&p, NULL, &err), -EIO, "a lane step fails");
	is_int(err.exit, VM_EXIT_FAILED, "exit 1");
	ok(strncmp(err.msg,
		   "cannot call b2 (virsh b2: it broke); undone: ", 45) == 0,
	   "the message names the failed step first (%s)", err.msg);
	st2 = statuses_of(&p);
	ok(strncmp(st2, "undone,", 7) == 0 && strstr(st2, ",failed,") &&
		   strcmp(st2 + strlen(st2) - 8, ",not-run") == 0,
	   "x undone, b2 failed, y never ran (%s)", st2);
	{
		/* each done lane step was undone, in reverse plan order; no step began after the failure */
		unsigned undone = 0, notrun = 0;
		size_t last = SIZE_MAX;
		bool reverse = true;
		const char *u = lanes_seen.undos;

		for (size_t i = 1; i < 7; i++) {
			undone += p.steps[i].status == STEP_UNDONE;
			notrun += p.steps[i].status == STEP_NOT_RUN;
		}
		for (size_t i = 7; i-- > 1;)
			if (p.steps[i].status == STEP_UNDONE) {
				const char *at = strstr(
					u, ((struct lane_call *)p.steps[i]
						    .call.data)
						   ->name);

				if (!at || (last != SIZE_MAX &&
					    (size_t)(at - u) < last))
					reverse = false;
				last = at ? (size_t)(at - u) : last;
			}
		is_int((int)undone, (int)lanes_seen.ran,
		       "every lane step that ran is undone");
		ok(reverse, "in reverse plan order (%s)", lanes_seen.undos);
		is_int((int)(undone + notrun + 1), 6, "the others did not run");
		ok(strstr(lanes_seen.undos, "b1") != NULL,
		   "the failed lane's done step is undone");
		ok(!strstr(lanes_seen.runs, "a2") &&
			   !strstr(lanes_seen.runs, "c2"),
		   "no step began after the failure: the lanes in flight stopped after their step (%s)",
		   lanes_seen.runs);
	}
	plan_clear(&p);

	/* two lanes fail at the same time: the message names both */
	lanes_plan(&p, s, &err, c);
	p.jobs = 3;
	c[0]->wait_for = c[2]->wait_for = c[4]->wait_for = 3;
	c[0]->run_errno = EIO;
	c[4]->run_errno = EBUSY;
	/* b1 and c1 end 100 ms after a1 failed */
	c[2]->wait_failure = c[4]->wait_failure = true;
	c[2]->sleep_ms = c[4]->sleep_ms = 100;
	ok(plan_execute(&p, NULL, &err) < 0, "two lanes fail");
	ok(strstr(err.msg,
		  "cannot call a1 (virsh a1: it broke); at the same time, cannot call c1 (virsh c1: it broke)") !=
		   NULL,
	   "the message names the first failure, then the other (%s)", err.msg);
	st3 = statuses_of(&p);
	is_str(st3,
	       "undone,failed,not-run,undone,not-run,failed,not-run,not-run",
	       "x and b1 undone, a1 and c1 failed, the rest never ran");
	plan_clear(&p);

	/* set_lane takes calls outside the lock only */
	start(&p, s, &err);
	put("sys/dev/l", "0");
	ok(plan_add_write(&p, "write l", "dev/l", "1", "dev/l", "0") != NULL,
	   "a write step");
	ok(!plan_set_lane(&p, 0, 1), "a sysfs write is no lane step");
	add_call(&p, "z", WITH_UNDO, 0, NULL, 0);
	step_needs_ap_lock(&p.steps[1]);
	ok(!plan_set_lane(&p, 1, 1), "nor a call under the lock");
	ok(!plan_set_lane(&p, 1, 0), "lane 0 is none");
	ok(p.steps[0].lane == 0 && p.steps[1].lane == 0, "nothing changed");
	plan_clear(&p);
}

/* a journal that cannot record b1 running: b1 does not begin */
static int lanes_record_fails(void *opaque, const struct plan *p, long running,
			      struct vm_error *err)
{
	(void)opaque;
	(void)running;
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].status == STEP_RUNNING &&
		    strcmp(p->steps[i].description, "call b1") == 0)
			return vm_error_set(
				err, VM_EXIT_FAILED, ENOSPC,
				"cannot write the journal: No space left on device");
	return 0;
}

static void test_lanes_unrecorded(struct sysfs *s)
{
	static const struct plan_recorder rec = { lanes_record_fails, NULL };
	struct lane_call *c[6];
	struct vm_error err;
	struct plan p;
	_cleanup_free_ char *st = NULL;

	lanes_plan(&p, s, &err, c);
	p.recorder = &rec;
	p.jobs = 3;
	is_int(plan_execute(&p, NULL, &err), -ENOSPC,
	       "a record before a lane step begins fails");
	is_str(err.msg,
	       "cannot write the journal: No space left on device; undone: call a1; call x",
	       "the message is the journal's, then what was undone");
	st = statuses_of(&p);
	is_str(st,
	       "undone,undone,not-run,not-run,not-run,not-run,not-run,not-run",
	       "b1 and every step after it never began; a1, begun before, ended and is undone");
	is_str(lanes_seen.runs, "a1", "only a1 ran");
	plan_clear(&p);
}

/* the last test: a stop asked for stays asked for (a signal ends the process) */
static void test_lanes_signal(struct sysfs *s)
{
	struct lane_call *c[6];
	struct vm_error err;
	struct plan p;
	_cleanup_free_ char *st = NULL;

	lanes_plan(&p, s, &err, c);
	p.jobs = 2;
	/* a1 ends once b1 asked the plan to stop */
	c[0]->wait_stop = true;
	c[2]->stop_signal = SIGTERM;
	is_int(plan_execute(&p, NULL, &err), -EINTR,
	       "a signal while lanes run stops the plan");
	ok(strncmp(err.msg,
		   "interrupted by SIGTERM before step 3 of 8 (call a2); undone: ",
		   61) == 0,
	   "the message names the first step that did not begin (%s)", err.msg);
	st = statuses_of(&p);
	is_str(st,
	       "undone,undone,not-run,undone,not-run,not-run,not-run,not-run",
	       "the step in flight (a1) ended, and is undone with b1 and x; nothing began after the signal");
	is_str(lanes_seen.undos, "b1 a1", "in reverse plan order");
	plan_clear(&p);
}

int main(void)
{
	_cleanup_sysfs_ struct sysfs *s = NULL;
	struct vm_error err = { 0 };

	make_tree();
	if (sysfs_new(&s, root, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	test_all_done(s);
	test_failure_undoes_in_reverse(s);
	test_undo_failure(s);
	test_long_rollback(s);
	test_long_rollback_left(s);
	test_rollback_awaits(s);
	test_steps_without_undo(s);
	test_sysfs_writes(s);
	test_file_steps(s);
	test_file_restore_exact(s);
	test_file_restore_owner(s);
	test_file_step_failures(s);
	test_shell_text(s);
	test_ap_lock(s);
	test_one_line_reason(s);
	test_changed_range(s);
	test_lanes(s);
	test_lanes_unrecorded(s);
	test_lanes_signal(s); /* last: the stop stays asked for */
	remove_tree();
	return tap_done();
}
