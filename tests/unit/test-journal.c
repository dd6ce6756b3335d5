/* virt-mdev's own lock and the journal: the lock excludes a second run, a journal is refused unless it is one, a step journalled loads back as it was, an unfinished journal refuses a change; later records append the changed steps to a progress file, read back merged (a torn last line ignored, a bad one refused), rewritten whole by recover. */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/filestep.h"
#include "lib/journal.h"
#include "tap.h"

static char root[] = "/tmp/virt-mdev-test-journal.XXXXXX";

static void parse_refused(const char *text, const char *msg, const char *what)
{
	struct journal_doc d;
	struct vm_error err = { 0 };

	is_int(journal_parse(text, strlen(text), &d, &err), -EINVAL,
	       "%s: refused", what);
	is_str(err.msg, msg, "%s: the message says why", what);
	is_int(err.exit, VM_EXIT_USAGE, "%s: as bad input", what);
}

static void test_parse(void)
{
	parse_refused("[]", "not a virt-mdev journal: no version 1",
		      "an array");
	parse_refused("{\"version\": 2}",
		      "not a virt-mdev journal: no version 1",
		      "another version");
	parse_refused("{\"version\": 1, \"pid\": 0}",
		      "not a virt-mdev journal: no pid", "PID 0");
	parse_refused("{\"version\": 1, \"pid\": 5, \"starttime\": 1}",
		      "not a virt-mdev journal: no argv", "no argv");
	parse_refused(
		"{\"version\": 1, \"pid\": 5, \"starttime\": 1, \"argv\": [], \"steps\": [{\"kind\": \"reboot\"}]}",
		"not a virt-mdev journal: a step's kind is none of sysfs-write, file-put, file-delete, call",
		"a step of an unknown kind");
	parse_refused(
		"{\"version\": 1, \"pid\": 5, \"starttime\": 1, \"argv\": [], \"steps\": []} x",
		"not a virt-mdev journal: it is not one JSON document",
		"text after the document");
}

static void test_roundtrip(const struct sysfs *s)
{
	struct plan p, back;
	struct journal j;
	struct journal_doc d;
	struct vm_error err = { 0 };
	struct call_env env = { .sysfs = s, .offline = true };
	static char a0[] = "virt-mdev", a1[] = "ccw", a2[] = "bind",
		    a3[] = "0.0.2b09";
	char *argv[] = { a0, a1, a2, a3 };
	_cleanup_free_ char *path = NULL;
	struct step *st;

	plan_init(&p, s);
	st = plan_add_write(&p, "bind it", "bus/css/drivers/vfio_ccw/bind",
			    "0.0.0313", "bus/css/drivers/vfio_ccw/unbind",
			    "0.0.0313");
	step_verify_link(st, "bus/css/devices/0.0.0313/driver", "vfio_ccw");
	plan_add_file_put(&p, "persist it", SYSFS_AREA_DRIVERCTL,
			  "css-0.0.0313", "vfio_ccw\n");
	p.steps[0].status = STEP_DONE;
	is_int(journal_init(&j, s, 4, argv, NULL, &err), 0, "a journal");
	is_int(step_read_prior(&p, &p.steps[1]), 0,
	       "the put's prior state is read before it runs");
	is_int(j.recorder.record(j.recorder.opaque, &p, 1, &err), 0,
	       "it is written");
	is_int(journal_read(s, &d, &path, &err), 0, "and read back");
	is_int(d.pid, (long)getpid(), "with this process's PID");
	ok(!journal_owner_alive(&d),
	   "this process does not count as a run still going on");
	is_str(d.argv.v[2], "bind", "and the command line");
	plan_init(&back, s);
	is_int(journal_plan(&d, &env, &back, &err), 0,
	       "its steps load into a plan");
	is_int(back.n, 2, "both");
	is_str(back.steps[0].undo_path, "bus/css/drivers/vfio_ccw/unbind",
	       "the write's undo");
	is_str(back.steps[0].verify_expect, "vfio_ccw", "and its read-back");
	is_int(back.steps[0].status, STEP_DONE, "done");
	is_int(back.steps[1].status, STEP_RUNNING,
	       "the step in flight is running");
	{
		_cleanup_json_ struct json_object *prior =
			filestep_to_json(&back.steps[1]);
		struct json_object *v, *made;
		_cleanup_free_ char *want = NULL;

		ok(json_object_object_get_ex(prior, "read", &v) &&
			   json_object_get_boolean(v) &&
			   json_object_object_get_ex(prior, "type", &v) &&
			   strcmp(json_object_get_string(v), "absent") == 0,
		   "the put knows its file was absent");
		ok(asprintf(&want, "%s/etc", root) > 0 &&
			   json_object_object_get_ex(prior, "would_make",
						     &made) &&
			   json_object_array_length(made) == 2 &&
			   strcmp(json_object_get_string(
					  json_object_array_get_idx(made, 0)),
				  want) == 0,
		   "and the directories it makes (ROOT/etc and ROOT/etc/driverctl.d: the root has only sys)");
	}
	is_int(journal_refuse_unfinished(s, &err), -EBUSY,
	       "an unfinished journal refuses a change");
	is_int(err.exit, VM_EXIT_REFUSED, "exit 4");
	ok(strstr(err.msg,
		  ") ended before its plan did, and left the journal ") &&
		   strstr(err.msg,
			  "; 'virt-mdev recover' rolls it back, 'virt-mdev recover --complete' finishes it"),
	   "a run that ended mid-plan: recover rolls it back, recover --complete finishes it (%s)",
	   err.msg);
	ok(!journal_doc_rolling_back(&d), "its rollback had not begun");
	{
		struct journal_doc rb = { 0 };

		/* the run failed at step 1 and undid step 0, then ended (killed, or its undo of a third failed) */
		p.steps[0].status = STEP_UNDONE;
		p.steps[1].status = STEP_FAILED;
		p.changed_known = false;
		is_int(j.recorder.record(j.recorder.opaque, &p, -1, &err), 0,
		       "the undo is recorded");
		is_int(journal_read(s, &rb, NULL, &err), 0, "and read back");
		ok(journal_doc_rolling_back(&rb), "now its rollback had begun");
		is_int(journal_refuse_unfinished(s, &err), -EBUSY,
		       "it refuses a change");
		is_int(err.exit, VM_EXIT_REFUSED, "exit 4");
		ok(strstr(err.msg,
			  ") began a rollback it did not end, and left the journal ") &&
			   strstr(err.msg,
				  " with what is still to undo; 'virt-mdev recover' finishes the rollback") &&
			   !strstr(err.msg, "--complete"),
		   "naming recover only, which finishes the rollback (%s)",
		   err.msg);
		p.steps[1].status = STEP_UNDO_FAILED;
		p.steps[0].status = STEP_DONE;
		p.changed_known = false;
		journal_doc_clear(&rb);
		is_int(j.recorder.record(j.recorder.opaque, &p, -1, &err), 0,
		       "an undo that failed is recorded");
		is_int(journal_read(s, &rb, NULL, &err), 0, "and read back");
		ok(journal_doc_rolling_back(&rb),
		   "an undo that failed: its rollback had begun too");
		journal_doc_clear(&rb);
	}
	journal_finish(&j);
	is_int(journal_refuse_unfinished(s, &err), 0,
	       "once the run finished, nothing is refused");
	plan_clear(&back);
	plan_clear(&p);
	journal_doc_clear(&d);
}

/* the progress file's size, -1: none */
static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void append(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text),
	   "(a line appended to the progress file)");
}

/* how many of the journal's files (the document, progress files) are in its directory */
static int journal_files(void)
{
	char cmd[400];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd),
		 "ls -d '%s'/run/virt-mdev/journal.* 2>/dev/null | wc -l",
		 root);
	f = popen(cmd, "r");
	if (f && fscanf(f, "%d", &n) != 1)
		n = -1;
	if (f)
		pclose(f);
	return n;
}

static void test_progress(const struct sysfs *s)
{
	struct plan p, back;
	struct journal j;
	struct journal_doc d;
	struct vm_error err = { 0 };
	struct call_env env = { .sysfs = s, .offline = true };
	static char a0[] = "virt-mdev", a1[] = "apply";
	char *argv[] = { a0, a1 };
	_cleanup_free_ char *path = NULL, *prog = NULL;
	long size;

	plan_init(&p, s);
	for (int i = 0; i < 3; i++)
		plan_add_write(&p, "write it", "bus/css/x", "1", "bus/css/x",
			       "0");
	is_int(journal_init(&j, s, 2, argv, NULL, &err), 0, "a journal");
	is_int(j.recorder.record(j.recorder.opaque, &p, 0, &err), 0,
	       "the first record: the document");
	ok(j.progress && asprintf(&prog, "%s", j.progress) > 0 &&
		   strstr(prog, "/run/virt-mdev/" JOURNAL_PROGRESS_PREFIX),
	   "it names a progress file beside it");
	is_int(file_size(prog), 0, "the progress file is there, empty");
	p.steps[0].status = STEP_DONE;
	is_int(j.recorder.record(j.recorder.opaque, &p, -1, &err), 0,
	       "a status changed: recorded");
	is_int(j.recorder.record(j.recorder.opaque, &p, 1, &err), 0,
	       "the next step runs: recorded");
	size = file_size(prog);
	is_int(j.recorder.record(j.recorder.opaque, &p, 1, &err), 0,
	       "nothing changed: recorded");
	is_int(file_size(prog), size,
	       "a record of nothing changed appends nothing");
	is_int(journal_read(s, &d, &path, &err), 0, "read back");
	is_str(json_object_get_string(json_object_object_get(
		       json_object_array_get_idx(d.steps, 0), "status")),
	       "done", "the first step's status is the progress file's");
	is_str(json_object_get_string(json_object_object_get(
		       json_object_array_get_idx(d.steps, 1), "status")),
	       "running", "the second runs");
	is_str(json_object_get_string(json_object_object_get(
		       json_object_array_get_idx(d.steps, 2), "status")),
	       "pending", "the third is as the document says");
	journal_doc_clear(&d);

	/* a torn last line: written, never fdatasync'd as a record */
	append(prog, "{\"i\": 2, \"step\": {\"kind\": \"sysfs-wri");
	is_int(journal_read(s, &d, NULL, &err), 0,
	       "a torn last line is no record: read");
	is_str(json_object_get_string(json_object_object_get(
		       json_object_array_get_idx(d.steps, 2), "status")),
	       "pending", "and the step is as before it");
	journal_doc_clear(&d);
	append(prog, "\n");
	is_int(journal_read(s, &d, NULL, &err), -EINVAL,
	       "a complete line that is no record: refused");
	{
		_cleanup_free_ char *want = NULL;

		ok(asprintf(
			   &want,
			   "the journal %s is unreadable (not a virt-mdev journal: a progress line is not {\"i\": N, \"step\": {...}}): read it, undo what it says by hand, and remove it",
			   path) > 0 &&
			   strcmp(err.msg, want) == 0,
		   "the message names the journal, what is wrong and the fix");
	}
	vm_error_clear(&err);
	is_int(truncate(prog, size), 0, "(the line taken away)");
	append(prog, "{\"i\": 3, \"step\": {}}\n");
	is_int(journal_read(s, &d, NULL, &err), -EINVAL,
	       "a line naming no step of the plan: refused");
	ok(strstr(err.msg,
		  "(not a virt-mdev journal: a progress line names no step)") !=
		   NULL,
	   "saying so");
	vm_error_clear(&err);
	is_int(truncate(prog, size), 0, "(the line taken away)");
	append(prog,
	       "{\"i\": 0, \"step\": {\"kind\": \"reboot\", \"description\": \"x\", \"path\": \"x\", \"status\": \"done\", \"area\": \"sys\"}}\n");
	is_int(journal_read(s, &d, NULL, &err), -EINVAL,
	       "a line whose step a journal could not hold: refused");
	ok(strstr(err.msg,
		  "(not a virt-mdev journal: a step's kind is none of") != NULL,
	   "as check_step says of a step");
	vm_error_clear(&err);
	is_int(truncate(prog, size), 0, "(the line taken away)");

	/* recover's own progress: a journal that carries on this one, the old progress file gone */
	is_int(journal_read(s, &d, NULL, &err), 0, "read again");
	plan_init(&back, s);
	is_int(journal_plan(&d, &env, &back, &err), 0, "loaded");
	journal_clear(&j);
	is_int(journal_resume(&j, path, &d, &err), 0,
	       "recover carries the journal on");
	is_int(file_size(prog), (long)size,
	       "the old progress file stays until the new document is in place");
	back.steps[1].status = STEP_UNDONE;
	is_int(j.recorder.record(j.recorder.opaque, &back, -1, &err), 0,
	       "recover's first record");
	is_int(file_size(prog), -1, "removes the old progress file");
	back.steps[0].status = STEP_UNDONE;
	is_int(j.recorder.record(j.recorder.opaque, &back, -1, &err), 0,
	       "a later record");
	ok(file_size(j.progress) > 0,
	   "appended to recover's progress file, the document left as it is");
	journal_doc_clear(&d);
	is_int(journal_read(s, &d, NULL, &err), 0,
	       "the carried-on journal reads");
	ok(d.progress && strcmp(d.progress, strrchr(j.progress, '/') + 1) == 0,
	   "it names recover's progress file");
	is_str(json_object_get_string(json_object_object_get(
		       json_object_array_get_idx(d.steps, 1), "status")),
	       "undone", "and holds recover's first record");
	is_str(json_object_get_string(json_object_object_get(
		       json_object_array_get_idx(d.steps, 0), "status")),
	       "undone", "and its later one, appended");
	is_int((int)d.pid, (int)getpid(), "the head is the run's (its pid)");
	is_int(journal_end(&j), 0, "a recovered journal is removed");
	is_int(journal_files(), 0, "nothing of it is left");
	journal_doc_clear(&d);
	plan_clear(&back);
	journal_clear(&j);

	/* a run that ends: both files removed */
	is_int(journal_init(&j, s, 2, argv, NULL, &err), 0, "another journal");
	j.recorder.record(j.recorder.opaque, &p, 0, &err);
	j.recorder.record(j.recorder.opaque, &p, -1, &err);
	is_int(journal_files(), 2, "the document and its progress file");
	journal_finish(&j);
	is_int(journal_files(), 0, "journal_finish removes both");
	plan_clear(&p);
}

static void test_lock(const struct sysfs *s)
{
	struct run_lock a = RUN_LOCK_INIT, b = RUN_LOCK_INIT;
	struct vm_error err = { 0 };

	is_int(run_lock_take(&a, s, 0, NULL, NULL, &err), 0,
	       "virt-mdev's lock is taken");
	is_int(run_lock_take(&b, s, 0, NULL, NULL, &err), -EBUSY,
	       "a second take does not get it while the first holds it");
	is_int(err.exit, VM_EXIT_REFUSED, "exit 4");
	run_lock_release(&a);
	is_int(run_lock_take(&b, s, 0, NULL, NULL, &err), 0,
	       "once given back, it is taken");
	run_lock_release(&b);
}

int main(void)
{
	_cleanup_sysfs_ struct sysfs *s = NULL;
	struct vm_error err = { 0 };
	char cmd[300];

	if (!mkdtemp(root))
		return 99;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys'", root);
	if (system(cmd) != 0 || sysfs_new(&s, root, &err) < 0)
		return 99;
	test_parse();
	test_roundtrip(s);
	test_progress(s);
	test_lock(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 99;
	return tap_done();
}
