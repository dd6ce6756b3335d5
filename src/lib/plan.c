/* The plan engine: steps with undo, dry-run printing, execution with rollback, JSON. */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "filestep.h"
#include "output.h"
#include "plan.h"

static const char *const step_status_names[STEP__LAST] = {
	[STEP_PENDING] = "pending",	    [STEP_DONE] = "done",
	[STEP_FAILED] = "failed",	    [STEP_UNDONE] = "undone",
	[STEP_UNDO_FAILED] = "undo-failed", [STEP_NOT_RUN] = "not-run",
	[STEP_RUNNING] = "running",
};

const char *step_status_to_string(enum step_status s)
{
	return (unsigned)s < STEP__LAST ? step_status_names[s] : "unknown";
}

void plan_init(struct plan *p, const struct sysfs *sysfs)
{
	memset(p, 0, sizeof(*p));
	p->sysfs = sysfs;
}

static void step_free(struct step *s)
{
	free(s->description);
	free(s->path);
	free(s->value);
	free(s->undo_path);
	free(s->undo_value);
	free(s->verify_path);
	free(s->verify_expect);
	free(s->error);
	free(s->made_dir);
	free(s->note);
	filestep_free(s->file);
	free(s->undo_error);
	if (s->call.free_data)
		s->call.free_data(s->call.data);
}

void plan_clear(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		step_free(&p->steps[i]);
	free(p->steps);
	p->steps = NULL;
	p->n = p->alloc = 0;
}

int plan_take_from(struct plan *dst, struct plan *src, size_t from)
{
	size_t n = from < src->n ? src->n - from : 0;

	if (n == 0)
		return 0;
	if (dst->n + n > dst->alloc) {
		size_t alloc = dst->alloc * 2 > dst->n + n ? dst->alloc * 2 :
							     dst->n + n;
		struct step *st = realloc(dst->steps, alloc * sizeof(*st));

		if (!st)
			return -ENOMEM;
		dst->steps = st;
		dst->alloc = alloc;
	}
	memcpy(dst->steps + dst->n, src->steps + from, n * sizeof(*src->steps));
	dst->n += n;
	src->n = from;
	return 0;
}

int plan_take(struct plan *dst, struct plan *src)
{
	return plan_take_from(dst, src, 0);
}

static struct step *step_new(struct plan *p, enum step_kind kind,
			     const char *description, enum sysfs_area area,
			     const char *path, const char *value)
{
	struct step *s;

	if (p->n == p->alloc) {
		size_t alloc = p->alloc ? p->alloc * 2 : 8;
		struct step *st = realloc(p->steps, alloc * sizeof(*st));

		if (!st)
			return NULL;
		p->steps = st;
		p->alloc = alloc;
	}
	s = &p->steps[p->n];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->area = area;
	s->description = strdup(description);
	s->path = strdup(path);
	s->value = value ? strdup(value) : NULL;
	if (!s->description || !s->path || (value && !s->value)) {
		step_free(s);
		return NULL;
	}
	p->n++;
	return s;
}

struct step *plan_add_write(struct plan *p, const char *description,
			    const char *path, const char *value,
			    const char *undo_path, const char *undo_value)
{
	struct step *s = step_new(p, STEP_SYSFS_WRITE, description,
				  SYSFS_AREA_SYS, path, value);

	if (!s || !undo_path)
		return s;
	s->has_undo = true;
	s->undo_path = strdup(undo_path);
	s->undo_value = strdup(undo_value);
	if (!s->undo_path || !s->undo_value) {
		step_free(s);
		p->n--;
		return NULL;
	}
	return s;
}

struct step *step_needs_ap_lock(struct step *s)
{
	if (s)
		s->ap_lock = true;
	return s;
}

static int set_verify(struct step *s, const char *path, const char *expect,
		      bool link)
{
	free(s->verify_path);
	free(s->verify_expect);
	s->verify_path = strdup(path);
	s->verify_expect = strdup(expect);
	s->verify_is_link = link;
	return s->verify_path && s->verify_expect ? 0 : -ENOMEM;
}

int step_verify_link(struct step *s, const char *path, const char *expect)
{
	return set_verify(s, path, expect, true);
}

int step_verify_value(struct step *s, const char *path, const char *expect)
{
	return set_verify(s, path, expect, false);
}

/* a file step records at plan time what the path is (the dry run's undo says how it comes back) */
static struct step *file_step(struct plan *p, enum step_kind kind,
			      const char *description, enum sysfs_area area,
			      const char *path, const char *content)
{
	struct step *s = step_new(p, kind, description, area, path, content);

	if (!s)
		return NULL;
	s->has_undo = true;
	if (filestep_plan(p->sysfs, s) < 0) {
		step_free(s);
		p->n--;
		return NULL;
	}
	return s;
}

struct step *plan_add_file_put(struct plan *p, const char *description,
			       enum sysfs_area area, const char *path,
			       const char *content)
{
	return file_step(p, STEP_FILE_PUT, description, area, path, content);
}

struct step *plan_add_file_delete(struct plan *p, const char *description,
				  enum sysfs_area area, const char *path)
{
	return file_step(p, STEP_FILE_DELETE, description, area, path, NULL);
}

struct step *plan_add_call(struct plan *p, const char *description,
			   const char *command, const char *undo_command,
			   const struct step_call *call)
{
	struct step *s = step_new(p, STEP_CALL, description, SYSFS_AREA_SYS,
				  command, NULL);

	if (!s) {
		if (call->free_data)
			call->free_data(call->data);
		return NULL;
	}
	s->call = *call;
	if (call->undo) {
		s->has_undo = true;
		s->undo_value = strdup(undo_command ? undo_command : "");
		if (!s->undo_value) {
			step_free(s);
			p->n--;
			return NULL;
		}
	}
	return s;
}

/* a step that may run on a thread beside others: a call outside the lock */
static bool lane_able(const struct step *s)
{
	return s->kind == STEP_CALL && !s->ap_lock;
}

bool plan_set_lane(struct plan *p, size_t from, unsigned lane)
{
	if (lane == 0 || from >= p->n ||
	    (from > 0 && p->steps[from - 1].lane == lane))
		return false;
	for (size_t i = from; i < p->n; i++)
		if (!lane_able(&p->steps[i]))
			return false;
	for (size_t i = from; i < p->n; i++)
		p->steps[i].lane = lane;
	return true;
}

/* a step of a lane, still one that may be (a later step_needs_ap_lock takes it out) */
static bool in_lane(const struct step *s)
{
	return s->lane && lane_able(s);
}

/* The end of the run of lane steps from i, and how many lanes it holds. */
static size_t lanes_end(const struct plan *p, size_t i, size_t *lanes)
{
	size_t j = i, n = 0;

	for (; j < p->n && in_lane(&p->steps[j]); j++)
		if (j == i || p->steps[j].lane != p->steps[j - 1].lane)
			n++;
	*lanes = n;
	return j;
}

/* what sh takes as it is in a word: no quoting, globbing, expansion, tilde, comment or assignment */
#define SHELL_SAFE                                                       \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" \
	"._-+,:/@%"

/*
 * How many bytes at c a terminal must not get raw (0: none): a C0 control
 * but tab and newline (ESC starts ANSI and OSC sequences, CR overwrites
 * the line), DEL, a C1 control (U+0080-U+009F: CSI is U+009B) and a byte of
 * no valid UTF-8. libvirt 9.0's test driver defines domains whose names hold
 * C1 controls and tabs (virsh -c test:///default define; XML 1.0 itself
 * allows no C0 control but tab, newline and carriage return).
 */
static size_t raw_unsafe(const char *c)
{
	unsigned char b = (unsigned char)*c;
	size_t l;

	if (!b || b == '\t' || b == '\n')
		return 0;
	if (b < 0x20 || b == 0x7f)
		return 1;
	if (b < 0x80)
		return 0;
	l = output_utf8_len((const unsigned char *)c, strlen(c));
	if (!l)
		return 1;
	return l == 2 && b == 0xc2 && (unsigned char)c[1] <= 0x9f ? 2 : 0;
}

char *plan_shell_quote(const char *v)
{
	size_t n = strlen(v);
	bool quoted = false;
	char *out, *o;

	if (n && strspn(v, SHELL_SAFE) == n)
		return strdup(v);
	/*
	 * POSIX sh: inside single quotes every byte is itself; a ' ends them,
	 * so it is '\''. A byte a terminal would act on is outside them, as
	 * "$(printf '\NNN')": printf's format reads \NNN as the byte of octal
	 * value NNN (POSIX printf(1), XBD 5 "File Format Notation"), so the
	 * pasted value is the same bytes and the printed line holds none raw.
	 */
	out = malloc(
		n * 20 +
		3); /* a byte: at most 19 ("'" and "$(printf '\NNN')"), or '\'' and a quote */
	if (!out)
		return NULL;
	o = out;
	for (const char *c = v; *c;) {
		size_t bad = raw_unsafe(c);

		if (bad) {
			if (quoted)
				*o++ = '\'';
			quoted = false;
			o = stpcpy(o, "\"$(printf '");
			for (; bad; bad = raw_unsafe(c))
				for (; bad; bad--, c++)
					o += sprintf(o, "\\%03o",
						     (unsigned char)*c);
			o = stpcpy(o, "')\"");
			continue;
		}
		if (!quoted)
			*o++ = '\'';
		quoted = true;
		if (*c == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
			c++;
		} else {
			/* a character of valid UTF-8: all its bytes */
			size_t l = (unsigned char)*c < 0x80 ?
					   1 :
					   output_utf8_len(
						   (const unsigned char *)c,
						   strlen(c));

			memcpy(o, c, l);
			o += l;
			c += l;
		}
	}
	if (o == out)
		o = stpcpy(o, "''");
	else if (quoted)
		*o++ = '\'';
	*o = '\0';
	return out;
}

/* Does a line of doc read exactly delim? (what ends a here-document, POSIX sh 2.7.4) */
static bool has_line(const char *doc, const char *delim)
{
	size_t len = strlen(delim);

	for (const char *l = doc; *l;
	     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
		if (strncmp(l, delim, len) == 0 && (l[len] == '\n' || !l[len]))
			return true;
	}
	return false;
}

char *plan_shell_heredoc(const char *command, const char *doc)
{
	size_t len = strlen(doc);
	const char *nl = len && doc[len - 1] == '\n' ? "" : "\n";
	char delim[32] = "EOF";
	char *out;

	for (unsigned i = 1; has_line(doc, delim); i++)
		snprintf(delim, sizeof(delim), "EOF_%u", i);
	if (asprintf(&out, "%s <<'%s'\n%s%s%s", command, delim, doc, nl,
		     delim) < 0)
		return NULL;
	return out;
}

/*
 * echo reads a first word of -n, -e, -E (and their mixes) as options
 * (bash's builtin; dash's takes -n), and dash's echo (Debian's /bin/sh)
 * backslashes as escapes: sh -c "echo 'a\nb'" prints two lines there.
 * POSIX leaves both to the implementation; printf '%s\n' is exact.
 */
static bool echo_mangles(const char *v)
{
	return strchr(v, '\\') ||
	       (v[0] == '-' && v[1] && strspn(v + 1, "neE") == strlen(v + 1));
}

char *plan_shell_echo(const char *value, const char *qpath)
{
	_cleanup_free_ char *qv = NULL;
	char *cmd;

	if (!*value) {
		if (asprintf(&cmd, "echo > %s", qpath) < 0)
			return NULL;
		return cmd;
	}
	qv = plan_shell_quote(value);
	if (!qv)
		return NULL;
	if (asprintf(&cmd,
		     echo_mangles(value) ? "printf '%%s\\n' %s > %s" :
					   "echo %s > %s",
		     qv, qpath) < 0)
		return NULL;
	return cmd;
}

/* a sysfs write (one write(2) of value, as "echo -n"), as the echo that writes the same for the kernel */
static char *write_command(const struct plan *p, const char *path,
			   const char *value)
{
	_cleanup_free_ char *full =
		sysfs_area_path(p->sysfs, SYSFS_AREA_SYS, "%s", path);
	_cleanup_free_ char *qp = NULL, *v = NULL;
	size_t len;

	if (!full || !(qp = plan_shell_quote(full)) || !(v = strdup(value)))
		return NULL;
	/*
	 * echo adds the newline that "echo VALUE > ATTR" always gives the
	 * kernel (its store functions take one: kernel-sysfs.md); a value
	 * that has it ("\n", what "echo > attr" writes) is shown without
	 */
	len = strlen(v);
	if (len && v[len - 1] == '\n')
		v[len - 1] = '\0';
	return plan_shell_echo(v, qp);
}

char *step_command(const struct plan *p, const struct step *s)
{
	switch (s->kind) {
	case STEP_CALL:
		return strdup(s->path);
	case STEP_SYSFS_WRITE:
		return write_command(p, s->path, s->value);
	case STEP_FILE_PUT:
	case STEP_FILE_DELETE:
		return filestep_command(p->sysfs, s);
	case STEP__KIND_LAST:
		break;
	}
	return NULL;
}

char *step_undo_command(const struct plan *p, const struct step *s)
{
	if (!s->has_undo)
		return NULL;
	switch (s->kind) {
	case STEP_CALL:
		return strdup(s->undo_value);
	case STEP_SYSFS_WRITE:
		return write_command(p, s->undo_path, s->undo_value);
	case STEP_FILE_PUT:
	case STEP_FILE_DELETE:
		return filestep_undo_command(p->sysfs, s);
	case STEP__KIND_LAST:
		break;
	}
	return NULL;
}

/*
 * A "# TEXT" line: text (descriptions name domains, paths under --root,
 * values from the host) as output_escaped writes it, one line with no
 * control character (a newline would end the comment and make the rest a
 * command; ESC would reach the terminal).
 */
static void print_comment(FILE *f, const char *what, const char *text)
{
	fprintf(f, "# %s", what);
	output_escaped(f, text);
	fputc('\n', f);
}

void plan_print(const struct plan *p, FILE *f)
{
	const char *lock = p->lock && p->lock->name ? p->lock->name : NULL;
	bool in = false;
	size_t lanes_to = 0, lanes;

	for (size_t i = 0; i < p->n; i++) {
		_cleanup_free_ char *cmd = step_command(p, &p->steps[i]);

		if (p->jobs > 1 && i >= lanes_to && in_lane(&p->steps[i])) {
			lanes_to = lanes_end(p, i, &lanes);
			if (lanes > 1)
				fprintf(f,
					"# the next %zu steps run up to %u at a time (--jobs), in %zu lanes: each lane's steps one after another, in their order\n",
					lanes_to - i, p->jobs, lanes);
		}
		if (lock && p->steps[i].ap_lock != in) {
			in = p->steps[i].ap_lock;
			print_comment(f, in ? "take " : "release ", lock);
		}
		print_comment(f, "", p->steps[i].description);
		fprintf(f, "%s\n", cmd ? cmd : "# (out of memory)");
	}
	if (in)
		print_comment(f, "release ", lock);
}

/* A link that must be gone after the write: verify_is_link with an empty expect. */
static int verify(const struct plan *p, const struct step *s, char **why)
{
	_cleanup_free_ char *got = NULL;
	bool absent = s->verify_is_link && !s->verify_expect[0];
	int r;

	if (!s->verify_path)
		return 0;
	r = s->verify_is_link ?
		    sysfs_readlink_basename(p->sysfs, &got, "%s",
					    s->verify_path) :
		    sysfs_read_string(p->sysfs, &got, "%s", s->verify_path);
	if (absent) {
		if (r == -ENOENT)
			return 0;
		if (asprintf(why, "reading back %s gave '%s', expected no link",
			     s->verify_path, r < 0 ? strerror(-r) : got) < 0)
			*why = NULL;
		return -EIO;
	}
	if (r < 0 || strcmp(got, s->verify_expect) != 0) {
		if (asprintf(why, "reading back %s gave '%s', expected '%s'",
			     s->verify_path, r < 0 ? strerror(-r) : got,
			     s->verify_expect) < 0)
			*why = NULL;
		return -EIO;
	}
	return 0;
}

int step_read_prior(const struct plan *p, struct step *s)
{
	if (s->kind != STEP_FILE_PUT && s->kind != STEP_FILE_DELETE)
		return 0;
	return filestep_prior(p->sysfs, s);
}

/* steps [lo, hi) changed: the next record looks at them (and at no other, after one record) */
static void changed(struct plan *p, size_t lo, size_t hi)
{
	if (!p->changed_known)
		return; /* every step is looked at */
	if (lo < p->changed_lo)
		p->changed_lo = lo;
	if (hi > p->changed_hi)
		p->changed_hi = hi;
}

static int step_run(struct plan *p, struct step *s, char **why)
{
	int r;

	switch (s->kind) {
	case STEP_SYSFS_WRITE:
		r = sysfs_write(p->sysfs, s->value, "%s", s->path);
		if (r < 0)
			break;
		r = verify(p, s, why);
		/* the kernel took the write: whatever it changed is undone too */
		s->partial = r < 0;
		changed(p, (size_t)(s - p->steps), (size_t)(s - p->steps) + 1);
		return r;
	case STEP_FILE_PUT:
	case STEP_FILE_DELETE:
		/* it says why itself */
		return filestep_run(p->sysfs, s, why);
	case STEP_CALL:
		/* the call says why itself */
		return s->call.run(s->call.data, why);
	case STEP__KIND_LAST:
	default:
		r = -EINVAL;
		break;
	}
	if (r < 0 && asprintf(why, "%s", strerror(-r)) < 0)
		*why = NULL;
	return r;
}

static int step_undo(const struct plan *p, struct step *s, char **why)
{
	switch (s->kind) {
	case STEP_SYSFS_WRITE:
		return sysfs_write(p->sysfs, s->undo_value, "%s", s->undo_path);
	case STEP_FILE_PUT:
	case STEP_FILE_DELETE:
		return filestep_undo(p->sysfs, s, why);
	case STEP_CALL:
		return s->call.undo(s->call.data, why);
	case STEP__KIND_LAST:
		break;
	}
	return -EINVAL;
}

int step_change_present(const struct plan *p, const struct step *s, char **why)
{
	switch (s->kind) {
	case STEP_SYSFS_WRITE:
		if (!s->verify_path)
			return -ENODATA;
		return verify(p, s, why) == 0 ? 0 : -ESTALE;
	case STEP_FILE_PUT:
	case STEP_FILE_DELETE:
		return filestep_present(p->sysfs, s, why);
	case STEP_CALL:
		return s->call.still ? s->call.still(s->call.data, why) :
				       -ENODATA;
	case STEP__KIND_LAST:
		break;
	}
	return -ENODATA;
}

/* The plan's lock as the next step wants it: taken for an ap_lock step, given back before any other. */
static int lock_for(struct plan *p, bool want, struct vm_error *err)
{
	int r;

	if (!p->lock || want == p->locked)
		return 0;
	if (!want) {
		p->lock->release(p->lock->opaque);
		p->locked = false;
		return 0;
	}
	r = p->lock->take(p->lock->opaque, err);
	if (r < 0)
		return r;
	p->locked = true;
	return 0;
}

/*
 * A step's reason on one line: what a called program said over several
 * lines (libvirt passes on mdevctl's and its callouts' stderr) joined with
 * "; ", without the trailing newline. Takes why; NULL stays NULL.
 */
static char *one_line(char *why)
{
	char *out, *o;

	if (!why || !strchr(why, '\n'))
		return why;
	out = malloc(strlen(why) * 2 + 1);
	if (!out)
		return why;
	o = out;
	for (const char *c = why; *c; c++) {
		if (*c != '\n') {
			*o++ = *c;
			continue;
		}
		c += strspn(c, "\n") - 1;
		if (c[1] && o != out) {
			*o++ = ';';
			*o++ = ' ';
		}
	}
	*o = '\0';
	free(why);
	return out;
}

/* a record after step i changed (and whatever changed() was told since the last) */
static int record(struct plan *p, long running, size_t i, struct vm_error *err)
{
	int r;

	if (!p->recorder)
		return 0;
	changed(p, i, i + 1);
	r = p->recorder->record(p->recorder->opaque, p, running, err);
	if (r == 0) {
		p->changed_known = true;
		p->changed_lo = SIZE_MAX;
		p->changed_hi = 0;
	}
	return r;
}

static volatile sig_atomic_t stop_signal;
/* rollbacks running now: a plan an undo runs (sysfs_stop_undo's start steps) is not stopped by a signal */
static unsigned rolling_back;

void plan_request_stop(int signo)
{
	if (!stop_signal)
		stop_signal = signo;
}

int plan_stop_requested(void)
{
	return stop_signal;
}

/* a signal asked the run to stop, and no rollback runs (a rollback is not stopped) */
static bool stop_asked(void)
{
	return stop_signal && !rolling_back;
}

/*
 * A list of steps for a message ("undone: A; B"): more than a message holds
 * (a rollback of a thousand devices undoes thousands of steps), so the
 * message takes what fits of it, cut after a whole step, and counts the rest.
 */
struct step_list {
	char text[4 * VM_ERROR_MSG_MAX];
	/* the text's length after each step it holds: a list a message holds whole has fewer (each step after the first takes "; " and a character) */
	size_t ends[VM_ERROR_MSG_MAX / 2 + 1];
	size_t n; /* the steps in text */
	size_t more; /* the steps that did not fit in text */
};

static void say_step(struct step_list *l, const struct step *s, const char *why)
{
	size_t len = l->n ? l->ends[l->n - 1] : 0;
	int w;

	if (l->more || l->n == ARRAY_SIZE(l->ends)) {
		l->more++;
		return;
	}
	w = snprintf(l->text + len, sizeof(l->text) - len, "%s%s%s%.300s%s",
		     len ? "; " : "", s->description, why && *why ? " (" : "",
		     why ? why : "", why && *why ? ")" : "");
	if (w < 0 || (size_t)w >= sizeof(l->text) - len) {
		l->text[len] = '\0';
		l->more++;
		return;
	}
	l->ends[l->n++] = len + (size_t)w;
}

/* "; and N more" after k of the list's steps (nothing when none is left out) */
static int more_text(const struct step_list *l, size_t k, char *out,
		     size_t size)
{
	size_t rest = l->n + l->more - k;

	out[0] = '\0';
	return rest ? snprintf(out, size, "%sand %zu more", k ? "; " : "",
			       rest) :
		      0;
}

/* how long the whole list is */
static size_t list_len(const struct step_list *l)
{
	char tail[48];

	return (l->n ? l->ends[l->n - 1] : 0) +
	       (size_t)more_text(l, l->n, tail, sizeof(tail));
}

/* the list in at most room characters (out: VM_ERROR_MSG_MAX), cut after a whole step */
static void list_cut(const struct step_list *l, size_t room, char *out)
{
	char tail[48];

	for (size_t k = l->n;; k--) {
		size_t shown = k ? l->ends[k - 1] : 0;
		size_t t = (size_t)more_text(l, k, tail, sizeof(tail));

		if ((shown + t <= room && shown + t < VM_ERROR_MSG_MAX) ||
		    k == 0) {
			if (shown >= VM_ERROR_MSG_MAX)
				shown = 0; /* k == 0 */
			memcpy(out, l->text, shown);
			snprintf(out + shown, VM_ERROR_MSG_MAX - shown, "%s",
				 tail);
			return;
		}
	}
}

/* the list's shortest form, "and N more" (empty: 0) */
static size_t list_min(const struct step_list *l)
{
	char tail[48];

	return (size_t)more_text(l, 0, tail, sizeof(tail));
}

/*
 * The rollback's message: "HEAD; undone: U; NOT undone, fix by hand: L",
 * or "HEAD; undone: U" / "HEAD; nothing was changed" when every undo
 * worked (HEAD NULL: the lists alone). What was NOT undone is the admin's
 * to fix: its list takes the room it needs first, leaving the undone list
 * at least a third of it. When the whole does not fit, HEAD keeps at most
 * half of the message (less when the lists could not even say how many
 * steps they hold). A message that fits is whole.
 */
static int rollback_message(struct vm_error *err, enum vm_exit exit, int errnum,
			    const char *head, const struct step_list *undone,
			    const struct step_list *left)
{
	const size_t max = VM_ERROR_MSG_MAX - 1;
	char u[VM_ERROR_MSG_MAX], l[VM_ERROR_MSG_MAX];
	bool incomplete = left->n || left->more,
	     none = !undone->n && !undone->more;
	const char *text = incomplete ? "undone: ; NOT undone, fix by hand: " :
			   none	      ? "nothing was changed" :
					"undone: ";
	const char *h = head ? head : "", *sep = head ? "; " : "", *cut;
	/* the lists' shortest forms ("and N more", "nothing") and whole lengths */
	size_t umin = none ? (incomplete ? strlen("nothing") : 0) :
			     list_min(undone),
	       lmin = list_min(left);
	size_t ulen = none ? umin : list_len(undone),
	       lists = ulen + (incomplete ? list_len(left) : 0);
	size_t fixed = strlen(text) + strlen(sep), need = fixed + umin + lmin;
	size_t hlen = strlen(h), room, uroom;

	/* what does not fit: the failure (several at once, in lanes) keeps half at most */
	if (hlen + fixed + lists > max && hlen > max / 2)
		hlen = fixed + lists < max / 2 ? max - fixed - lists : max / 2;
	if (hlen > (need < max ? max - need : 0))
		hlen = need < max ? max - need : 0;
	/* a cut failure ends in "..." */
	cut = hlen < strlen(h) ? "..." : "";
	hlen -= hlen >= strlen(cut) ? strlen(cut) : hlen;
	room = fixed + hlen + strlen(cut) < max ?
		       max - fixed - hlen - strlen(cut) :
		       0;
	if (!incomplete) {
		if (none)
			return vm_error_set(err, exit, errnum,
					    "%.*s%s%snothing was changed",
					    (int)hlen, h, cut, sep);
		list_cut(undone, room, u);
		return vm_error_set(err, exit, errnum, "%.*s%s%sundone: %s",
				    (int)hlen, h, cut, sep, u);
	}
	uroom = ulen < room / 3 ? ulen : room / 3;
	if (uroom < umin)
		uroom = umin;
	if (uroom > room - (lmin < room ? lmin : room))
		uroom = room - (lmin < room ? lmin : room);
	list_cut(left, room - uroom, l);
	if (none)
		snprintf(u, sizeof(u), "nothing");
	else
		list_cut(undone, room > strlen(l) ? room - strlen(l) : 0, u);
	return vm_error_set(err, exit, errnum,
			    "%.*s%s%sundone: %s; NOT undone, fix by hand: %s",
			    (int)hlen, h, cut, sep, u, l);
}

/*
 * Undo one step that ran, under the lock when it needs it, only while its
 * change is still what the run made (compare before undo): 0 undone, or
 * -errno with s->undo_error saying why not.
 */
enum undo_check {
	UNDO_COMPARE, /* a change no longer as the run made it is left */
	UNDO_IF_PRESENT, /* in flight: no change there, nothing to undo */
	UNDO_ALWAYS, /* the failed step's partial write: its read-back failed */
};

static int undo_one(struct plan *p, struct step *s, enum undo_check check,
		    bool *nothing)
{
	struct vm_error lock_err = { 0 };
	char *why = NULL;
	int r;

	*nothing = false;
	changed(p, (size_t)(s - p->steps), (size_t)(s - p->steps) + 1);
	free(s->undo_error);
	s->undo_error = NULL;
	s->undo_errno = 0;
	if (!s->has_undo) {
		s->undo_errno = ENOTSUP;
		s->undo_error = strdup("it has no undo");
		return -ENOTSUP;
	}
	r = check == UNDO_ALWAYS ? 0 : step_change_present(p, s, &why);
	if (r == -ESTALE) {
		if (check == UNDO_IF_PRESENT) {
			/* its change never happened; a put may have left its temporary file */
			if (s->kind == STEP_FILE_PUT)
				filestep_leftovers_remove(p->sysfs, s);
			free(why);
			*nothing = true;
			s->status = STEP_NOT_RUN;
			return 0;
		}
		if (asprintf(
			    &s->undo_error,
			    "left as found: it changed since this run made it: %s",
			    why ? why : "") < 0)
			s->undo_error = NULL;
		free(why);
		s->undo_errno = ESTALE;
		s->status = STEP_UNDO_FAILED;
		return -ESTALE;
	}
	free(why);
	why = NULL;
	r = lock_for(p, s->ap_lock, &lock_err);
	if (r < 0) {
		s->undo_errno = -r;
		s->undo_error = strdup(lock_err.msg);
		s->status = STEP_UNDO_FAILED;
		return r;
	}
	r = step_undo(p, s, &why);
	if (r < 0) {
		s->undo_errno = -r;
		s->undo_error = one_line(why);
		if (!s->undo_error)
			s->undo_error = strdup(strerror(-r));
		s->status = STEP_UNDO_FAILED;
		return r;
	}
	free(why);
	s->status = STEP_UNDONE;
	return 0;
}

/*
 * Undo the done steps (and a failed one that is partial), in reverse; head
 * says what failed. The message says that, what was undone and what was
 * not, and why not. A second signal while this runs is ignored: the
 * rollback is not interrupted.
 */
static int rollback(struct plan *p, int r, const char *head,
		    struct vm_error *err)
{
	struct step_list undone = { 0 }, left = { 0 };

	rolling_back++;
	for (size_t i = p->n; i-- > 0;) {
		struct step *s = &p->steps[i];
		enum step_status was = s->status;
		bool partial = was == STEP_FAILED && s->partial, nothing;

		/* not begun, or failed with nothing changed (lanes: done steps after a failed one) */
		if (was != STEP_DONE && !partial)
			continue;
		if (undo_one(p, s, partial ? UNDO_ALWAYS : UNDO_COMPARE,
			     &nothing) < 0)
			say_step(&left, s, s->undo_error);
		else
			say_step(&undone, s, NULL);
		/* a partial step stays the one that failed */
		if (was == STEP_FAILED && s->status == STEP_UNDONE)
			s->status = STEP_FAILED;
		record(p, -1, i, NULL);
	}
	rolling_back--;
	lock_for(p, false, NULL);
	return rollback_message(err,
				left.n || left.more ?
					VM_EXIT_ROLLBACK_INCOMPLETE :
					VM_EXIT_FAILED,
				-r, head, &undone, &left);
}

/* "cannot DESCRIPTION (COMMAND: WHY)" of step i, failed with r, appended to head */
static void failed_head(const struct plan *p, size_t i, int r, char *head,
			size_t size)
{
	const struct step *f = &p->steps[i];
	_cleanup_free_ char *cmd = step_command(p, f);
	size_t len = strlen(head);

	/* a here-document's body does not belong in a one-line message */
	if (cmd)
		cmd[strcspn(cmd, "\n")] = '\0';
	snprintf(head + len, size - len, "%scannot %s (%s: %s)",
		 len ? "; at the same time, " : "", f->description,
		 cmd ? cmd : f->path, f->error ? f->error : strerror(-r));
}

/* step i failed with r: "cannot DESCRIPTION (COMMAND: WHY)", then the rollback */
static int step_failed(struct plan *p, size_t i, int r, struct vm_error *err)
{
	char head[VM_ERROR_MSG_MAX] = "";

	failed_head(p, i, r, head, sizeof(head));
	return rollback(p, r, head, err);
}

/* the steps from i on that have not begun will not */
static void not_run_from(struct plan *p, size_t i)
{
	for (size_t k = i; k < p->n; k++)
		if (p->steps[k].status == STEP_PENDING)
			p->steps[k].status = STEP_NOT_RUN;
	changed(p, i, p->n);
}

/* a progress line, out at once: a pipe must not keep it in a buffer when the run is killed */
static void progress_line(FILE *progress, const char *what, const char *text)
{
	if (!progress)
		return;
	/* escaped as every line of host data (domain names, paths) */
	fprintf(progress, "%s: ", what);
	output_escaped(progress, text);
	fputc('\n', progress);
	fflush(progress);
}

/* step i ran: done, recorded, its note taken, said */
static void step_done(struct plan *p, size_t i, FILE *progress)
{
	struct step *s = &p->steps[i];

	s->status = STEP_DONE;
	record(p, -1, i, NULL);
	if (s->kind == STEP_CALL && s->call.note && s->call.note(s->call.data))
		s->note = strdup(s->call.note(s->call.data));
	progress_line(progress, "done", s->description);
	if (s->note)
		progress_line(progress, "note", s->note);
}

/* a signal stopped the run before step i: the rest will not run, the done steps are undone */
static int interrupted(struct plan *p, size_t i, struct vm_error *err)
{
	char head[VM_ERROR_MSG_MAX];

	p->interrupted = stop_signal;
	not_run_from(p, i);
	/* sigabbrev_np: "INT" */
	snprintf(head, sizeof(head),
		 "interrupted by SIG%s before step %zu of %zu (%s)",
		 sigabbrev_np(stop_signal) ? sigabbrev_np(stop_signal) : "NAL",
		 i + 1, p->n, p->steps[i].description);
	return rollback(p, -EINTR, head, err);
}

/* a record before step i could not be made: it does not run, the done steps are undone */
static int unrecorded(struct plan *p, size_t i, int r, struct vm_error *err)
{
	char head[VM_ERROR_MSG_MAX];

	snprintf(head, sizeof(head), "%s",
		 err->msg[0] ? err->msg : "cannot read a file's state");
	not_run_from(p, i);
	return rollback(p, r, head, err);
}

/* ---- lanes: steps of different lanes side by side, on threads ---- */

struct lane_pool;

struct lane_worker {
	pthread_t thread;
	struct lane_pool *pool;
	/* given by the calling thread: the step it runs (busy) or ran last, and the end of its lane */
	size_t step, lane_to;
	bool busy;
	/* set by the worker: the step ended, with r and why */
	bool ended;
	int r;
	char *why;
};

struct lane_pool {
	pthread_mutex_t mu;
	pthread_cond_t work; /* a worker has a step, or quit */
	pthread_cond_t ended; /* a worker's step ended */
	bool quit;
	const struct step *steps;
	struct lane_worker *w;
	unsigned n;
};

static void *lane_thread(void *arg)
{
	struct lane_worker *w = arg;
	struct lane_pool *pool = w->pool;

	pthread_mutex_lock(&pool->mu);
	for (;;) {
		struct step_call call;
		char *why = NULL;
		int r;

		while (!pool->quit && !(w->busy && !w->ended))
			pthread_cond_wait(&pool->work, &pool->mu);
		if (pool->quit)
			break;
		call = pool->steps[w->step].call;
		pthread_mutex_unlock(&pool->mu);
		r = call.run(call.data, &why);
		pthread_mutex_lock(&pool->mu);
		w->r = r;
		w->why = why;
		w->ended = true;
		pthread_cond_signal(&pool->ended);
	}
	pthread_mutex_unlock(&pool->mu);
	return NULL;
}

/* The threads, signals blocked in them (the calling thread takes every signal); how many started. */
static unsigned lanes_start(struct lane_pool *pool, const struct plan *p,
			    unsigned n)
{
	sigset_t all, old;
	unsigned k;

	memset(pool, 0, sizeof(*pool));
	pool->steps = p->steps;
	pthread_mutex_init(&pool->mu, NULL);
	pthread_cond_init(&pool->ended, NULL);
	pthread_cond_init(&pool->work, NULL);
	pool->w = calloc(n, sizeof(*pool->w));
	if (!pool->w)
		return 0;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (k = 0; k < n; k++) {
		pool->w[k].pool = pool;
		if (pthread_create(&pool->w[k].thread, NULL, lane_thread,
				   &pool->w[k]) != 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pool->n = k;
	return k;
}

static void lanes_stop(struct lane_pool *pool)
{
	pthread_mutex_lock(&pool->mu);
	pool->quit = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->mu);
	for (unsigned k = 0; k < pool->n; k++)
		pthread_join(pool->w[k].thread, NULL);
	pthread_cond_destroy(&pool->work);
	pthread_cond_destroy(&pool->ended);
	pthread_mutex_destroy(&pool->mu);
	free(pool->w);
}

/* worker w begins step k: recorded as running first; 0, or the record's -errno (k does not begin) */
static int lane_begin(struct plan *p, struct lane_pool *pool,
		      struct lane_worker *w, size_t k, struct vm_error *err)
{
	struct step *s = &p->steps[k];
	int r;

	s->status = STEP_RUNNING;
	r = record(p, -1, k, err);
	if (r < 0) {
		s->status = STEP_PENDING;
		return r;
	}
	pthread_mutex_lock(&pool->mu);
	w->step = k;
	w->ended = false;
	w->busy = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->mu);
	return 0;
}

/* the first step of the next lane not begun, or none (*next == to) */
static bool lane_next(const struct plan *p, size_t *next, size_t to,
		      struct lane_worker *w)
{
	size_t j = *next;

	if (j >= to)
		return false;
	while (j + 1 < to && p->steps[j + 1].lane == p->steps[*next].lane)
		j++;
	w->step = *next;
	w->lane_to = j + 1;
	*next = j + 1;
	return true;
}

/*
 * Steps [i, to), a run of lane steps, on up to p->jobs threads: 0 when all
 * are done, 1 when no thread could start (the caller runs them one by one),
 * else what plan_execute returns after the rollback.
 */
static int run_lanes(struct plan *p, size_t i, size_t to, size_t lanes,
		     FILE *progress, struct vm_error *err)
{
	struct lane_pool pool;
	unsigned n = p->jobs < lanes ? p->jobs : (unsigned)lanes, busy = 0;
	size_t next = i, failed = SIZE_MAX, unbegun = SIZE_MAX;
	int fr = 0, rr = 0;
	char head[VM_ERROR_MSG_MAX] = "";

	n = lanes_start(&pool, p, n);
	if (n == 0) {
		lanes_stop(&pool);
		p->jobs =
			1; /* no thread: the rest of the run one step at a time */
		return 1;
	}
	/*
	 * Each idle worker takes the next step of its lane, else the first of
	 * the next lane not begun, until a failure, a signal or a record that
	 * failed: then nothing more begins. A signal is acted on here, when
	 * a step ended, as a plan run in order acts on it before its next
	 * step.
	 */
	for (;;) {
		for (unsigned k = 0;
		     k < n && failed == SIZE_MAX && rr == 0 && !stop_asked();
		     k++) {
			struct lane_worker *w = &pool.w[k];

			if (w->busy)
				continue;
			if (w->step + 1 < w->lane_to)
				w->step++;
			else if (!lane_next(p, &next, to, w))
				continue;
			rr = lane_begin(p, &pool, w, w->step, err);
			if (rr < 0)
				unbegun = w->step;
			else
				busy++;
		}
		if (busy == 0)
			break;
		pthread_mutex_lock(&pool.mu);
		for (;;) {
			unsigned k;

			for (k = 0;
			     k < n && !(pool.w[k].busy && pool.w[k].ended); k++)
				;
			if (k < n)
				break;
			pthread_cond_wait(&pool.ended, &pool.mu);
		}
		pthread_mutex_unlock(&pool.mu);
		for (unsigned k = 0; k < n; k++) {
			struct lane_worker *w = &pool.w[k];
			struct step *s;
			bool go;

			pthread_mutex_lock(&pool.mu);
			go = w->busy && w->ended;
			if (go)
				w->busy = false;
			pthread_mutex_unlock(&pool.mu);
			if (!go)
				continue;
			busy--;
			s = &p->steps[w->step];
			s->error = one_line(w->why);
			w->why = NULL;
			if (w->r >= 0) {
				step_done(p, w->step, progress);
				continue;
			}
			s->status = STEP_FAILED;
			s->run_errno = -w->r;
			record(p, -1, w->step, NULL);
			if (failed == SIZE_MAX) {
				failed = w->step;
				fr = w->r;
			}
			failed_head(p, w->step, w->r, head, sizeof(head));
		}
	}
	lanes_stop(&pool);
	if (failed != SIZE_MAX) {
		not_run_from(p, i);
		return rollback(p, fr, head, err);
	}
	if (rr < 0) {
		not_run_from(p, i);
		return unrecorded(p, unbegun, rr, err);
	}
	if (stop_asked()) {
		/* the first step that did not begin; when all did and are done, the caller goes on */
		for (size_t k = i; k < to; k++)
			if (p->steps[k].status == STEP_PENDING)
				return interrupted(p, k, err);
	}
	return 0;
}

int plan_execute(struct plan *p, FILE *progress, struct vm_error *err)
{
	p->executed = true;
	for (size_t i = 0; i < p->n; i++) {
		struct step *s = &p->steps[i];
		struct vm_error lock_err = { 0 };
		char *why = NULL;
		size_t lanes, to;
		int r;

		if (stop_asked())
			return interrupted(p, i, err);
		r = lock_for(p, s->ap_lock, &lock_err);
		if (r < 0) {
			/* the lock is the reason: the step did not run */
			not_run_from(p, i);
			return rollback(p, r, lock_err.msg, err);
		}
		if (p->jobs > 1 && in_lane(s) &&
		    (to = lanes_end(p, i, &lanes), lanes > 1)) {
			r = run_lanes(p, i, to, lanes, progress, err);
			if (r <= 0) {
				if (r < 0)
					return r;
				i = to - 1;
				continue;
			}
		}
		/* a file's prior state is in the journal before the file changes */
		r = p->recorder ? step_read_prior(p, s) : 0;
		if (r == 0)
			r = record(p, (long)i, i, err);
		if (r < 0)
			return unrecorded(p, i, r, err);
		r = step_run(p, s, &why);
		s->error = one_line(why);
		if (r < 0) {
			s->status = STEP_FAILED;
			s->run_errno = -r;
			not_run_from(p, i + 1);
			record(p, -1, i, NULL);
			return step_failed(p, i, r, err);
		}
		step_done(p, i, progress);
	}
	lock_for(p, false, NULL);
	return 0;
}

bool plan_rollback_awaits(const struct plan *p, int errnum)
{
	size_t last = SIZE_MAX; /* the last step that awaits */

	for (size_t i = 0; i < p->n; i++) {
		const struct step *s = &p->steps[i];

		/* a step without an undo stays done: only its undo_errno says it was not undone */
		if (s->undo_errno == ESTALE || s->undo_errno == ENOTSUP)
			return false;
		/* its undo failed so, or its run did: what that call did is not known */
		if ((s->status == STEP_UNDO_FAILED &&
		     s->undo_errno == errnum) ||
		    (s->status == STEP_FAILED && s->run_errno == errnum))
			last = i;
	}
	if (last == SIZE_MAX)
		return false;
	/* another undo that failed is retried only when it came before one that awaits (undone after it) */
	for (size_t i = last + 1; i < p->n; i++)
		if (p->steps[i].status == STEP_UNDO_FAILED)
			return false;
	return true;
}

int plan_rollback_recorded(struct plan *p, FILE *progress, struct vm_error *err)
{
	struct step_list undone = { 0 }, left = { 0 };

	p->executed = true;
	rolling_back++;
	for (size_t i = p->n; i-- > 0;) {
		struct step *s = &p->steps[i];
		/*
		 * In flight, or an undo that failed before (the rollback went on
		 * without it: undoing a binding later removes the mdev whose
		 * destroy failed): undone only when its change is there.
		 */
		bool running = s->status == STEP_RUNNING ||
			       s->status == STEP_FAILED ||
			       s->status == STEP_UNDO_FAILED;
		bool nothing;

		if (s->status != STEP_DONE && !running)
			continue;
		if (undo_one(p, s, running ? UNDO_IF_PRESENT : UNDO_COMPARE,
			     &nothing) < 0) {
			say_step(&left, s, s->undo_error);
		} else if (!nothing) {
			say_step(&undone, s, NULL);
			progress_line(progress, "undone", s->description);
		}
		record(p, -1, i, NULL);
	}
	rolling_back--;
	lock_for(p, false, NULL);
	if (left.n || left.more)
		return rollback_message(err, VM_EXIT_ROLLBACK_INCOMPLETE, EIO,
					NULL, &undone, &left);
	return 0;
}

int plan_complete_recorded(struct plan *p, FILE *progress, struct vm_error *err)
{
	p->executed = true;
	for (size_t i = 0; i < p->n; i++) {
		struct step *s = &p->steps[i];
		struct vm_error lock_err = { 0 };
		char *why = NULL;
		int r;

		if (s->status == STEP_DONE)
			continue;
		if (s->status == STEP_RUNNING || s->status == STEP_FAILED) {
			r = step_change_present(p, s, &why);
			free(why);
			why = NULL;
			if (r == 0) {
				s->status = STEP_DONE;
				record(p, -1, i, NULL);
				continue;
			}
			if (s->kind == STEP_FILE_PUT)
				filestep_leftovers_remove(p->sysfs, s);
		}
		r = lock_for(p, s->ap_lock, &lock_err);
		if (r < 0) {
			lock_for(p, false, NULL);
			return vm_error_set(err, VM_EXIT_FAILED, -r,
					    "cannot %s: %s", s->description,
					    lock_err.msg);
		}
		r = record(p, (long)i, i, err);
		if (r == 0)
			r = step_run(p, s, &why);
		free(s->error);
		s->error = one_line(why);
		if (r < 0) {
			s->status = STEP_FAILED;
			record(p, -1, i, NULL);
			lock_for(p, false, NULL);
			return vm_error_set(
				err, VM_EXIT_FAILED, -r,
				"cannot %s: %s (the journal keeps what is done: 'virt-mdev recover' rolls it back)",
				s->description,
				s->error ? s->error : strerror(-r));
		}
		s->status = STEP_DONE;
		record(p, -1, i, NULL);
		progress_line(progress, "done", s->description);
	}
	lock_for(p, false, NULL);
	return 0;
}

struct json_object *plan_to_json(const struct plan *p, bool dry_run,
				 struct json_object *result)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *steps = json_object_new_array();
	bool changed = false;

	if (!obj || !steps) {
		json_object_put(obj);
		json_object_put(steps);
		return NULL;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct step *s = &p->steps[i];
		struct json_object *js = json_object_new_object();
		_cleanup_free_ char *cmd = step_command(p, s);
		_cleanup_free_ char *undo = step_undo_command(p, s);

		if (!js)
			continue;
		/* what is left changed: done, or not undone after a failure */
		if (s->status == STEP_DONE || s->status == STEP_UNDO_FAILED)
			changed = true;
		json_object_object_add(js, "description",
				       json_object_new_string(s->description));
		json_object_object_add(js, "command",
				       cmd ? json_object_new_string(cmd) :
					     NULL);
		json_object_object_add(
			js, "undo", undo ? json_object_new_string(undo) : NULL);
		json_object_object_add(
			js, "status",
			json_object_new_string(
				dry_run ? "planned" :
					  step_status_to_string(s->status)));
		if (s->error)
			json_object_object_add(
				js, "error", json_object_new_string(s->error));
		if (s->undo_error)
			json_object_object_add(
				js, "undo_error",
				json_object_new_string(s->undo_error));
		if (s->note)
			json_object_object_add(js, "note",
					       json_object_new_string(s->note));
		if (s->ap_lock)
			json_object_object_add(js, "ap_lock",
					       json_object_new_boolean(true));
		json_object_array_add(steps, js);
	}
	json_object_object_add(obj, "changed",
			       json_object_new_boolean(changed));
	json_object_object_add(obj, "dry_run",
			       json_object_new_boolean(dry_run));
	json_object_object_add(obj, "steps", steps);
	if (result)
		json_object_object_add(obj, "result", result);
	return obj;
}
