/* virt-mdev's own lock (flock on a file of its own) and the journal of a run: written atomically before every step, read back by recover. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "filestep.h"
#include "journal.h"
#include "kind.h"

/* ---- the lock ---- */

/* mkdir -p of dir (the parts below an existing root) */
static int make_dirs(const char *dir, mode_t mode)
{
	_cleanup_free_ char *d = strdup(dir);

	if (!d)
		return -ENOMEM;
	for (char *p = strchr(d + 1, '/');; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		if (mkdir(d, mode) < 0 && errno != EEXIST)
			return negative_errno();
		if (!p)
			return 0;
		*p = '/';
	}
}

/*
 * flock(2), not the s390-tools protocol: this lock is ours alone (no other
 * program takes it), the kernel gives it back when a killed run's file
 * descriptor closes, and the s390-tools lock (aplock.c) is only ever taken
 * while this one is held, so the two cannot deadlock.
 */
int run_lock_take(struct run_lock *l, const struct sysfs *s, unsigned timeout_s,
		  void (*say)(void *opaque, const char *msg), void *opaque,
		  struct vm_error *err)
{
	_cleanup_free_ char *dir =
		sysfs_area_path(s, SYSFS_AREA_LOCK, "%s", "");
	_cleanup_free_ char *path =
		sysfs_area_path(s, SYSFS_AREA_LOCK, "%s", RUN_LOCK_FILE);
	struct timespec start, now, step = { 0, 20 * 1000 * 1000 };
	bool said = false;
	int fd, r;

	if (!dir || !path)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	r = make_dirs(dir, 0755);
	fd = r < 0 ? r :
		     open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			  0644);
	if (fd < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, r < 0 ? -r : errno,
			"cannot open virt-mdev's lock %s: %s (is the root writable?)",
			path, strerror(r < 0 ? -r : errno));
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = errno;
			close(fd);
			return vm_error_set(err, VM_EXIT_FAILED, r,
					    "cannot lock %s: %s", path,
					    strerror(r));
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (plan_stop_requested() ||
		    now.tv_sec - start.tv_sec >= (time_t)timeout_s) {
			close(fd);
			if (plan_stop_requested())
				return vm_error_set(
					err, VM_EXIT_FAILED, EINTR,
					"interrupted while waiting for virt-mdev's lock %s; nothing was changed",
					path);
			return vm_error_set(
				err, VM_EXIT_REFUSED, EBUSY,
				"cannot change the host: another virt-mdev run holds its lock %s (waited %u s; wait for it to end, or give --lock-timeout more seconds)",
				path, timeout_s);
		}
		if (!said && say) {
			char msg[PATH_MAX + 128];

			snprintf(
				msg, sizeof(msg),
				"waiting for virt-mdev's lock %s: another run changes the host (up to %u s)",
				path, timeout_s);
			say(opaque, msg);
			said = true;
		}
		nanosleep(&step, NULL);
	}
	l->fd = fd;
	return 0;
}

void run_lock_release(struct run_lock *l)
{
	if (l->fd < 0)
		return;
	close(l->fd); /* the lock goes with the last descriptor */
	l->fd = -1;
}

/* ---- calls ---- */

const struct call_kind *const call_kinds[] = {
	&call_kind_nodedev,
	&call_kind_domain,
	&call_kind_domain_define,
	&call_kind_mdev_remove,
	NULL,
};

virConnectPtr call_env_conn(struct call_env *env, char **why)
{
	struct vm_error err = { 0 };

	if (env->conn)
		return env->conn;
	if (env->offline) {
		if (asprintf(why,
			     "it needs libvirt, and no connection is opened") <
		    0)
			*why = NULL;
		return NULL;
	}
	if (virt_open(env->uri, &env->conn, &err) < 0) {
		if (asprintf(why, "%s", err.msg) < 0)
			*why = NULL;
		return NULL;
	}
	return env->conn;
}

void call_env_clear(struct call_env *env)
{
	virt_conn_close(env->conn);
	env->conn = NULL;
}

static const char *str_member(struct json_object *j, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(j, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_string(v));
}

struct json_object *mdev_spec_to_json(const struct mdev_spec *m)
{
	struct json_object *o = json_object_new_object();
	char buf[AP_MASK_STRLEN];

	if (!o)
		return NULL;
	add_str(o, "uuid", m->uuid);
	add_str(o, "parent", m->parent);
	add_str(o, "type", m->type);
	add_str(o, "kind", m->kind ? m->kind->name : NULL);
	ap_mask_format(&m->apm, buf);
	add_str(o, "apm", buf);
	ap_mask_format(&m->aqm, buf);
	add_str(o, "aqm", buf);
	ap_mask_format(&m->adm, buf);
	add_str(o, "adm", buf);
	return o;
}

static int copy_member(struct json_object *j, const char *key, char *out,
		       size_t size)
{
	const char *v = str_member(j, key);

	if (!v || strlen(v) >= size)
		return -EINVAL;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

int mdev_spec_from_json(struct json_object *j, struct mdev_spec *out)
{
	const char *kind = str_member(j, "kind");
	const char *masks[3] = { str_member(j, "apm"), str_member(j, "aqm"),
				 str_member(j, "adm") };
	struct ap_mask *m[3] = { &out->apm, &out->aqm, &out->adm };

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(j, json_type_object) || !kind ||
	    copy_member(j, "uuid", out->uuid, sizeof(out->uuid)) < 0 ||
	    copy_member(j, "parent", out->parent, sizeof(out->parent)) < 0 ||
	    copy_member(j, "type", out->type, sizeof(out->type)) < 0)
		return -EINVAL;
	out->kind = mdev_kind_by_name(kind);
	if (!out->kind)
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		if (!masks[i] || ap_mask_parse(masks[i], m[i], NULL) < 0)
			return -EINVAL;
	return 0;
}

/* ---- steps ---- */

static const char *const step_kind_names[STEP__KIND_LAST] = {
	[STEP_SYSFS_WRITE] = "sysfs-write",
	[STEP_FILE_PUT] = "file-put",
	[STEP_FILE_DELETE] = "file-delete",
	[STEP_CALL] = "call",
};

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/*
 * A file step's prior state, what its undo restores (what the path was:
 * absent, a file with its content, mode and owner, a link and its target;
 * the directories its run makes): filestep.c keeps it and says how it is
 * journalled (filestep_to_json, filestep_from_json).
 */
static void prior_to_json(struct json_object *o, const struct step *s)
{
	json_object_object_add(o, "prior", filestep_to_json(s));
}

static bool bool_member(struct json_object *j, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(j, key, &v) &&
	       json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

static int prior_from_json(const struct sysfs *sysfs, struct json_object *o,
			   struct step *s)
{
	struct json_object *prior;

	if (!json_object_object_get_ex(o, "prior", &prior))
		return -EINVAL;
	return filestep_from_json(sysfs, s, prior);
}

struct json_object *journal_step_to_json(const struct plan *p,
					 const struct step *s, bool running)
{
	struct json_object *o = json_object_new_object();

	(void)p;
	if (!o)
		return NULL;
	add_str(o, "kind", step_kind_names[s->kind]);
	add_str(o, "description", s->description);
	add_str(o, "status",
		running ? "running" : step_status_to_string(s->status));
	add_str(o, "area", sysfs_area_to_string(s->area));
	add_str(o, "path", s->path);
	add_str(o, "value", s->value);
	json_object_object_add(o, "has_undo",
			       json_object_new_boolean(s->has_undo));
	if (s->kind == STEP_SYSFS_WRITE) {
		add_str(o, "undo_path", s->undo_path);
		add_str(o, "undo_value", s->undo_value);
	}
	if (s->kind == STEP_CALL)
		add_str(o, "undo_command", s->undo_value);
	if (s->verify_path) {
		add_str(o, "verify_path", s->verify_path);
		add_str(o, "verify_expect", s->verify_expect);
		json_object_object_add(
			o, "verify_is_link",
			json_object_new_boolean(s->verify_is_link));
	}
	if (s->kind == STEP_FILE_PUT || s->kind == STEP_FILE_DELETE)
		prior_to_json(o, s);
	if (s->kind == STEP_CALL && s->call.save)
		json_object_object_add(o, "call", s->call.save(s->call.data));
	json_object_object_add(o, "ap_lock",
			       json_object_new_boolean(s->ap_lock));
	add_str(o, "error", s->error);
	add_str(o, "undo_error", s->undo_error);
	return o;
}

/* ---- writing ---- */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* temp + fsync + rename + fsync of the directory: the file is the old one or the new one, on disk */
/* v as JSON on one line, as json-c writes it */
static int put_json(FILE *f, struct json_object *v)
{
	const char *t = json_object_to_json_string_ext(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	return t && fputs(t, f) >= 0 ? 0 : -ENOMEM;
}

/* a member of the document's object: "{" before the first, "," before the others */
static int put_member(FILE *f, bool *first, const char *key,
		      struct json_object *v)
{
	_cleanup_json_ struct json_object *k = json_object_new_string(key);

	if (!k || fputs(*first ? "{\n  " : ",\n  ", f) < 0 ||
	    put_json(f, k) < 0 || fputs(": ", f) < 0)
		return -ENOMEM;
	*first = false;
	return put_json(f, v);
}

/*
 * The document, written to PATH.tmp as it is made, one step at a time (a
 * tree of every step first took 36 MB for an apply of 1,000 devices), then
 * synced and renamed into place, and the directory synced: a journal is
 * whole or is the one before. Its layout: each member on a line of its own,
 * each step on one line.
 */
static int write_doc_file(const char *dir, const char *path,
			  struct json_object *head, const char *progress,
			  const struct plan *p, long running)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int dfd = -1;
	_cleanup_json_ struct json_object *prog =
		progress ? json_object_new_string(progress) : NULL;
	FILE *f;
	bool first = true;
	int fd, r = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	r = make_dirs(dir, 0755);
	if (r < 0)
		return r;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return negative_errno();
	f = fdopen(fd, "w");
	if (!f) {
		r = negative_errno();
		close(fd);
		unlink(tmp);
		return r;
	}
	json_object_object_foreach(head, key, val)
	{
		if (r == 0)
			r = put_member(f, &first, key, val);
	}
	if (r == 0 && progress)
		r = prog ? put_member(f, &first, "progress", prog) : -ENOMEM;
	if (r == 0 &&
	    fputs(first ? "{\n  \"steps\": [" : ",\n  \"steps\": [", f) < 0)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < p->n; i++) {
		struct json_object *o = journal_step_to_json(
			p, &p->steps[i], (long)i == running);

		r = o && fputs(i ? ",\n    " : "\n    ", f) >= 0 ?
			    put_json(f, o) :
			    -ENOMEM;
		json_object_put(o);
	}
	if (r == 0 && fputs("\n  ]\n}\n", f) < 0)
		r = -ENOMEM;
	if (fflush(f) != 0 && r == 0)
		r = negative_errno();
	if (r == 0 && fsync(fileno(f)) < 0)
		r = negative_errno();
	if (fclose(f) != 0 && r == 0)
		r = negative_errno();
	if (r == 0 && rename(tmp, path) < 0)
		r = negative_errno();
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		return negative_errno();
	return 0;
}

static int write_doc(const char *dir, const char *path,
		     struct json_object *head, const char *progress,
		     const struct plan *p, long running, struct vm_error *err)
{
	int r = write_doc_file(dir, path, head, progress, p, running);

	if (r < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, -r,
			"cannot write the journal %s: %s (nothing more is changed without it)",
			path, strerror(-r));
	return 0;
}

/* FNV-1a of an error text, never 0 (0: none) */
static unsigned long text_hash(const char *t)
{
	unsigned long h = 2166136261UL;

	if (!t)
		return 0;
	for (; *t; t++)
		h = (h ^ (unsigned char)*t) * 16777619UL;
	return h | 1;
}

static struct journal_snap snap_of(const struct step *s, bool running)
{
	return (struct journal_snap){
		.status = (int)s->status,
		.running = running,
		.partial = s->partial,
		.file = s->file,
		.error = text_hash(s->error),
		.undo_error = text_hash(s->undo_error),
	};
}

static bool snap_same(const struct journal_snap *a,
		      const struct journal_snap *b)
{
	return a->status == b->status && a->running == b->running &&
	       a->partial == b->partial && a->file == b->file &&
	       a->error == b->error && a->undo_error == b->undo_error;
}

/*
 * The first record: the progress file is made (empty) first, then the
 * document naming it is renamed into place and the directory fsync'd,
 * which makes both durable: a journal never names a progress file that
 * is not there.
 */
static int record_first(struct journal *j, const struct plan *p, long running,
			struct vm_error *err)
{
	_cleanup_free_ char *tmpl = NULL;
	int fd, r;

	r = make_dirs(j->dir, 0755);
	if (r < 0 || asprintf(&tmpl, "%s/" JOURNAL_PROGRESS_PREFIX "XXXXXX",
			      j->dir) < 0) {
		if (r == 0)
			tmpl = NULL;
		r = r < 0 ? r : -ENOMEM;
		return vm_error_set(
			err, VM_EXIT_FAILED, -r,
			"cannot write the journal %s: %s (nothing more is changed without it)",
			j->path, strerror(-r));
	}
	fd = mkostemp(tmpl, O_CLOEXEC | O_APPEND);
	if (fd < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, errno,
			"cannot write the journal %s: cannot make its progress file %s: %s (nothing more is changed without it)",
			j->path, tmpl, strerror(errno));
	j->snap = calloc(p->n + 1, sizeof(*j->snap));
	r = j->snap ?
		    write_doc(j->dir, j->path, j->head, strrchr(tmpl, '/') + 1,
			      p, running, err) :
		    vm_error_set(err, VM_EXIT_FAILED, ENOMEM, "out of memory");
	if (r < 0) {
		close(fd);
		unlink(tmpl);
		free(j->snap);
		j->snap = NULL;
		return r;
	}
	j->progress = steal_ptr(tmpl);
	j->progress_fd = fd;
	j->progress_size = 0;
	/* the document in place names the new progress file: the old one no longer counts */
	if (j->stale_progress) {
		unlink(j->stale_progress);
		free(j->stale_progress);
		j->stale_progress = NULL;
	}
	j->snap_n = p->n;
	j->snap_running = running;
	for (size_t i = 0; i < p->n; i++)
		j->snap[i] = snap_of(&p->steps[i], (long)i == running);
	return 0;
}

/*
 * Whether a record looks at step i: every step, unless the plan says which
 * changed since the last record (plan.changed_lo/hi: the steps a run
 * changed); then those, the step running now and the one running then.
 * Without it each record compared every step of the plan, which for an
 * apply of a thousand devices (twelve thousand steps, two records each)
 * was most of its time.
 */
static bool looked_at(const struct journal *j, const struct plan *p, size_t i,
		      long running)
{
	return !p->changed_known || (i >= p->changed_lo && i < p->changed_hi) ||
	       (long)i == running || (long)i == j->snap_running;
}

/* the first step a record looks at, and the end of them */
static void look_range(const struct journal *j, const struct plan *p,
		       long running, size_t *from, size_t *to)
{
	size_t lo = p->changed_lo,
	       hi = p->changed_hi < p->n ? p->changed_hi : p->n;

	if (!p->changed_known) {
		*from = 0;
		*to = p->n;
		return;
	}
	if (lo >= hi) {
		lo = SIZE_MAX;
		hi = 0;
	}
	for (int k = 0; k < 2; k++) {
		long r = k ? j->snap_running : running;

		if (r < 0 || (size_t)r >= p->n)
			continue;
		if ((size_t)r < lo)
			lo = (size_t)r;
		if ((size_t)r + 1 > hi)
			hi = (size_t)r + 1;
	}
	*from = lo == SIZE_MAX ? 0 : lo;
	*to = lo == SIZE_MAX ? 0 : hi;
}

/*
 * A later record: a line {"i": N, "step": {...}} for each step whose
 * snapshot changed, in step order, in one write(2), then fdatasync(2)
 * (which also writes the file's new size: Linux man-pages fsync(2), "does
 * not flush modified metadata unless that metadata is needed in order to
 * allow a subsequent data retrieval ... a change to the file size ... would
 * require a metadata flush"). A failed append is cut off again
 * (ftruncate to the last record's end), so that the next one starts on a
 * line of its own; the snapshot changes only when the record is written.
 */
static int record_append(struct journal *j, const struct plan *p, long running,
			 struct vm_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0, from, to;
	int r = 0;

	if (j->broken || p->n != j->snap_n)
		return vm_error_set(
			err, VM_EXIT_FAILED, EIO,
			"cannot write the journal %s: an earlier record of %s failed (nothing more is changed without it)",
			j->path, j->progress);
	look_range(j, p, running, &from, &to);
	for (size_t i = from; i < to; i++) {
		struct journal_snap now;
		_cleanup_json_ struct json_object *line = NULL;
		const char *text;
		size_t n;

		if (!looked_at(j, p, i, running))
			continue;
		now = snap_of(&p->steps[i], (long)i == running);
		if (snap_same(&now, &j->snap[i]))
			continue;
		line = json_object_new_object();
		if (!line)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		json_object_object_add(line, "i",
				       json_object_new_int64((int64_t)i));
		json_object_object_add(line, "step",
				       journal_step_to_json(p, &p->steps[i],
							    now.running));
		/* plain: no newline inside the line (strings escape theirs) */
		text = json_object_to_json_string_ext(
			line, JSON_C_TO_STRING_PLAIN |
				      JSON_C_TO_STRING_NOSLASHESCAPE);
		n = text ? strlen(text) : 0;
		if (!text || len + n + 2 > cap) {
			size_t want = (len + n + 2) * 2;
			char *nb = text ? realloc(buf, want) : NULL;

			if (!nb)
				return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
						    "out of memory");
			buf = nb;
			cap = want;
		}
		memcpy(buf + len, text, n);
		len += n;
		buf[len++] = '\n';
	}
	if (!len) {
		j->snap_running = running;
		return 0;
	}
	r = write_all(j->progress_fd, buf, len);
	if (r == 0 && fdatasync(j->progress_fd) < 0)
		r = negative_errno();
	if (r < 0) {
		if (ftruncate(j->progress_fd, j->progress_size) < 0)
			j->broken = true;
		return vm_error_set(
			err, VM_EXIT_FAILED, -r,
			"cannot write the journal %s: %s (nothing more is changed without it)",
			j->progress, strerror(-r));
	}
	j->progress_size += (off_t)len;
	for (size_t i = from; i < to; i++)
		if (looked_at(j, p, i, running))
			j->snap[i] = snap_of(&p->steps[i], (long)i == running);
	j->snap_running = running;
	return 0;
}

static int journal_record(void *opaque, const struct plan *p, long running,
			  struct vm_error *err)
{
	struct journal *j = opaque;
	struct vm_error ignored = { 0 };
	int r;

	if (!err)
		err = &ignored;
	if (j->written)
		return record_append(j, p, running, err);
	r = record_first(j, p, running, err);
	if (r == 0)
		j->written = true;
	return r;
}

/* The 22nd field of /proc/PID/stat (the real /proc, not the root's: it is this machine's process): its start time in clock ticks. */
static int proc_starttime(long pid, unsigned long long *out)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* after the command's ")": the comm may hold spaces and parentheses (proc(5)) */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	p++;
	/* fields 3 (state) to 21, then 22: starttime */
	for (int field = 3; field <= 22; field++) {
		p += strspn(p, " ");
		if (field == 22)
			return sscanf(p, "%llu", out) == 1 ? 0 : -EIO;
		p += strcspn(p, " ");
	}
	return -EIO;
}

int journal_init(struct journal *j, const struct sysfs *s, int argc,
		 char *const *argv, const char *uri, struct vm_error *err)
{
	struct json_object *av;
	unsigned long long start = 0;

	memset(j, 0, sizeof(*j));
	j->dir = sysfs_area_path(s, SYSFS_AREA_JOURNAL, "%s", "");
	j->path = sysfs_area_path(s, SYSFS_AREA_JOURNAL, "%s", JOURNAL_FILE);
	j->head = json_object_new_object();
	av = json_object_new_array();
	if (!j->dir || !j->path || !j->head || !av) {
		json_object_put(av);
		journal_clear(j);
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	/* a trailing '/' would make the temp file's directory differ from the fsync'd one */
	if (strlen(j->dir) > 1 && j->dir[strlen(j->dir) - 1] == '/')
		j->dir[strlen(j->dir) - 1] = '\0';
	(void)proc_starttime((long)getpid(), &start);
	for (int i = 0; i < argc; i++)
		json_object_array_add(av, json_object_new_string(argv[i]));
	json_object_object_add(j->head, "version",
			       json_object_new_int(JOURNAL_VERSION));
	json_object_object_add(j->head, "pid",
			       json_object_new_int64((int64_t)getpid()));
	json_object_object_add(j->head, "starttime",
			       json_object_new_uint64(start));
	json_object_object_add(j->head, "argv", av);
	json_object_object_add(j->head, "uri",
			       uri ? json_object_new_string(uri) : NULL);
	j->recorder.record = journal_record;
	j->recorder.opaque = j;
	j->progress_fd = -1;
	return 0;
}

void journal_clear(struct journal *j)
{
	free(j->path);
	free(j->dir);
	json_object_put(j->head);
	if (j->progress_fd >= 0)
		close(j->progress_fd);
	free(j->progress);
	free(j->snap);
	free(j->stale_progress);
	memset(j, 0, sizeof(*j));
	j->progress_fd = -1;
}

static void fsync_dir(const char *dir)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd >= 0)
		(void)fsync(dfd);
}

/* the document first: a journal that names a removed progress file would say too little was done */
void journal_finish(struct journal *j)
{
	(void)journal_end(j);
	journal_clear(j);
}

/* ---- reading ---- */

void journal_doc_clear(struct journal_doc *d)
{
	strv_clear(&d->argv);
	free(d->uri);
	free(d->progress);
	json_object_put(d->root);
	memset(d, 0, sizeof(*d));
}

static int bad(struct vm_error *err, const char *what)
{
	return vm_error_set(err, VM_EXIT_USAGE, EINVAL,
			    "not a virt-mdev journal: %s", what);
}

static int check_step(struct json_object *s, struct vm_error *err)
{
	const char *status = str_member(s, "status");
	int kind = name_index(step_kind_names, STEP__KIND_LAST,
			      str_member(s, "kind"));
	bool known = false;

	if (!json_object_is_type(s, json_type_object))
		return bad(err, "a step is not an object");
	if (kind < 0)
		return bad(
			err,
			"a step's kind is none of sysfs-write, file-put, file-delete, call");
	if (!str_member(s, "description") || !str_member(s, "path"))
		return bad(err, "a step has no description or path");
	for (int i = 0; status && i < STEP__LAST; i++)
		known |= strcmp(status, step_status_to_string(i)) == 0;
	if (!known)
		return bad(err, "a step's status is unknown");
	/* sysfs_area_dirs[] (sysfs.c), in the order of enum sysfs_area */
	if (name_index((const char *const[]){ "sys", "etc/mdevctl.d",
					      "etc/driverctl.d", "run/lock",
					      "etc/udev/rules.d",
					      "run/virt-mdev",
					      "var/lib/virt-mdev" },
		       SYSFS_AREA__LAST, str_member(s, "area")) < 0)
		return bad(err, "a step's area is unknown");
	if (kind == STEP_SYSFS_WRITE && bool_member(s, "has_undo") &&
	    (!str_member(s, "undo_path") || !str_member(s, "undo_value")))
		return bad(
			err,
			"a sysfs write with undo has no undo_path or undo_value");
	if ((kind == STEP_SYSFS_WRITE || kind == STEP_FILE_PUT) &&
	    !str_member(s, "value"))
		return bad(err, "a write has no value");
	return 0;
}

int journal_parse(const char *text, size_t len, struct journal_doc *out,
		  struct vm_error *err)
{
	struct json_tokener *tok;
	struct json_object *v, *steps, *av;
	size_t end;

	memset(out, 0, sizeof(*out));
	if (len > INT_MAX || strlen(text) != len)
		return bad(err, "it holds a NUL byte or is too long");
	tok = json_tokener_new_ex(64);
	if (!tok)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	out->root = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(out->root);
		out->root = NULL;
	}
	json_tokener_free(tok);
	end += strspn(text + end, " \t\n");
	if (!out->root || end != len) {
		journal_doc_clear(out);
		return bad(err, "it is not one JSON document");
	}
	if (!json_object_is_type(out->root, json_type_object) ||
	    !json_object_object_get_ex(out->root, "version", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != JOURNAL_VERSION) {
		journal_doc_clear(out);
		return bad(err, "no version 1");
	}
	out->version = JOURNAL_VERSION;
	if (!json_object_object_get_ex(out->root, "pid", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) <= 0 ||
	    json_object_get_int64(v) > INT_MAX) {
		journal_doc_clear(out);
		return bad(err, "no pid");
	}
	out->pid = (long)json_object_get_int64(v);
	if (!json_object_object_get_ex(out->root, "starttime", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		journal_doc_clear(out);
		return bad(err, "no starttime");
	}
	out->starttime = (unsigned long long)json_object_get_uint64(v);
	if (!json_object_object_get_ex(out->root, "argv", &av) ||
	    !json_object_is_type(av, json_type_array)) {
		journal_doc_clear(out);
		return bad(err, "no argv");
	}
	for (size_t i = 0; i < json_object_array_length(av); i++) {
		struct json_object *a = json_object_array_get_idx(av, i);

		if (!json_object_is_type(a, json_type_string) ||
		    strv_push(&out->argv, json_object_get_string(a)) < 0) {
			journal_doc_clear(out);
			return bad(err, "an argument is not a string");
		}
	}
	if (str_member(out->root, "uri") &&
	    !(out->uri = strdup(str_member(out->root, "uri")))) {
		journal_doc_clear(out);
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	if (json_object_object_get_ex(out->root, "progress", &v)) {
		const char *name = json_object_get_string(v);

		/* a name in the journal's directory, as record_first makes it */
		if (!json_object_is_type(v, json_type_string) ||
		    strncmp(name, JOURNAL_PROGRESS_PREFIX,
			    strlen(JOURNAL_PROGRESS_PREFIX)) != 0 ||
		    strchr(name, '/')) {
			journal_doc_clear(out);
			return bad(
				err,
				"its progress is not a file name " JOURNAL_PROGRESS_PREFIX
				"XXXXXX");
		}
		out->progress = strdup(name);
		if (!out->progress) {
			journal_doc_clear(out);
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		}
	}
	if (!json_object_object_get_ex(out->root, "steps", &steps) ||
	    !json_object_is_type(steps, json_type_array)) {
		journal_doc_clear(out);
		return bad(err, "no steps");
	}
	for (size_t i = 0; i < json_object_array_length(steps); i++)
		if (check_step(json_object_array_get_idx(steps, i), err) < 0) {
			journal_doc_clear(out);
			return -EINVAL;
		}
	out->steps = steps;
	return 0;
}

int journal_parse_progress(struct journal_doc *d, const char *text, size_t len,
			   struct vm_error *err)
{
	size_t n = json_object_array_length(d->steps);
	const char *end = text + len;

	if (memchr(text, '\0', len))
		return bad(err, "its progress holds a NUL byte");
	for (const char *l = text, *nl; l < end; l = nl + 1) {
		struct json_tokener *tok;
		struct json_object *line, *iv, *step;
		int64_t i;
		int r;

		nl = memchr(l, '\n', (size_t)(end - l));
		/* torn: written, never fdatasync'd as a record */
		if (!nl)
			break;
		if (nl - l > INT_MAX)
			return bad(err, "a progress line is too long");
		tok = json_tokener_new_ex(64);
		if (!tok)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		line = json_tokener_parse_ex(tok, l, (int)(nl - l));
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != (size_t)(nl - l)) {
			json_object_put(line);
			line = NULL;
		}
		json_tokener_free(tok);
		if (!line || !json_object_is_type(line, json_type_object) ||
		    !json_object_object_get_ex(line, "i", &iv) ||
		    !json_object_is_type(iv, json_type_int) ||
		    !json_object_object_get_ex(line, "step", &step)) {
			json_object_put(line);
			return bad(
				err,
				"a progress line is not {\"i\": N, \"step\": {...}}");
		}
		i = json_object_get_int64(iv);
		if (i < 0 || (uint64_t)i >= n) {
			json_object_put(line);
			return bad(err, "a progress line names no step");
		}
		r = check_step(step, err);
		if (r == 0 &&
		    json_object_array_put_idx(d->steps, (size_t)i,
					      json_object_get(step)) < 0)
			r = vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					 "out of memory");
		json_object_put(line);
		if (r < 0)
			return r;
	}
	return 0;
}

static char *progress_path(const char *path, const struct journal_doc *d);

/* the progress file d names, beside the journal at path, applied onto d */
static int read_progress(const char *path, struct journal_doc *d,
			 struct vm_error *err)
{
	_cleanup_free_ char *pp = progress_path(path, d);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	mode_t mode;
	int r;

	if (!pp)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	r = sysfs_read_regular_at(AT_FDCWD, pp, 256 * 1024 * 1024, &text, &len,
				  &mode);
	if (r < 0)
		return vm_error_set(
			err, VM_EXIT_USAGE, -r,
			"not a virt-mdev journal: its progress %s: %s", pp,
			strerror(-r));
	return journal_parse_progress(d, text ? text : "", len, err);
}

int journal_read(const struct sysfs *s, struct journal_doc *out, char **path,
		 struct vm_error *err)
{
	_cleanup_free_ char *p =
		sysfs_area_path(s, SYSFS_AREA_JOURNAL, "%s", JOURNAL_FILE);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	mode_t mode;
	int r;

	memset(out, 0, sizeof(*out));
	if (!p)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	r = sysfs_read_regular_at(AT_FDCWD, p, 64 * 1024 * 1024, &text, &len,
				  &mode);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, -r,
				    "cannot read the journal %s: %s", p,
				    strerror(-r));
	r = journal_parse(text, len, out, err);
	if (r == 0 && out->progress) {
		r = read_progress(p, out, err);
		if (r < 0)
			journal_doc_clear(out);
	}
	if (r < 0) {
		char why[VM_ERROR_MSG_MAX];

		snprintf(why, sizeof(why), "%s", err->msg);
		return vm_error_set(
			err, VM_EXIT_FAILED, EINVAL,
			"the journal %s is unreadable (%s): read it, undo what it says by hand, and remove it",
			p, why);
	}
	if (path)
		*path = steal_ptr(p);
	return 0;
}

bool journal_owner_alive(const struct journal_doc *d)
{
	unsigned long long start;

	if (d->pid == (long)getpid())
		return false;
	if (kill((pid_t)d->pid, 0) < 0 && errno == ESRCH)
		return false;
	/* the PID may be another process's by now: the start time tells */
	return proc_starttime(d->pid, &start) == 0 && start == d->starttime;
}

void journal_doc_argv_line(const struct journal_doc *d, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->argv.n && len < size; i++) {
		snprintf(buf + len, size - len, "%s%s", i ? " " : "",
			 i ? d->argv.v[i] : "virt-mdev");
		len = strlen(buf);
	}
}

bool journal_doc_rolling_back(const struct journal_doc *d)
{
	size_t n = d->steps ? json_object_array_length(d->steps) : 0;

	for (size_t i = 0; i < n; i++) {
		const char *status = str_member(
			json_object_array_get_idx(d->steps, i), "status");

		if (status &&
		    (strcmp(status, step_status_to_string(STEP_UNDONE)) == 0 ||
		     strcmp(status, step_status_to_string(STEP_UNDO_FAILED)) ==
			     0))
			return true;
	}
	return false;
}

int journal_refuse_unfinished(const struct sysfs *s, struct vm_error *err)
{
	_cleanup_free_ char *path = NULL;
	struct journal_doc d;
	char line[512];
	int r = journal_read(s, &d, &path, err);

	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		char msg[VM_ERROR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		return vm_error_set(err, VM_EXIT_REFUSED, EBUSY, "%s", msg);
	}
	journal_doc_argv_line(&d, line, sizeof(line));
	if (journal_owner_alive(&d))
		r = vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"cannot change the host: the run of '%s' (PID %ld) is still changing it (journal %s); wait for it to end",
			line, d.pid, path);
	else if (journal_doc_rolling_back(&d))
		r = vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"cannot change the host: the run of '%s' (PID %ld) began a rollback it did not end, and left the journal %s with what is still to undo; 'virt-mdev recover' finishes the rollback",
			line, d.pid, path);
	else
		r = vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"cannot change the host: the run of '%s' (PID %ld) ended before its plan did, and left the journal %s; 'virt-mdev recover' rolls it back, 'virt-mdev recover --complete' finishes it",
			line, d.pid, path);
	journal_doc_clear(&d);
	return r;
}

static int load_step(struct json_object *o, struct call_env *env,
		     struct plan *p, struct vm_error *err)
{
	int kind = name_index(step_kind_names, STEP__KIND_LAST,
			      str_member(o, "kind"));
	const char *status = str_member(o, "status");
	struct step_call call = { 0 };
	struct json_object *cj = NULL;
	struct step *s;
	char *why = NULL;
	int area = -1;

	for (int a = 0; a < SYSFS_AREA__LAST; a++)
		if (strcmp(sysfs_area_to_string(a), str_member(o, "area")) == 0)
			area = a;
	if (kind == STEP_CALL) {
		const char *name = NULL;
		int r = -EINVAL;

		if (json_object_object_get_ex(o, "call", &cj))
			name = str_member(cj, "call");
		for (size_t i = 0; name && call_kinds[i]; i++)
			if (strcmp(call_kinds[i]->name, name) == 0)
				r = call_kinds[i]->load(cj, env, &call, &why);
		if (r < 0) {
			r = vm_error_set(
				err, VM_EXIT_FAILED, EINVAL,
				"cannot load the journal's step '%s': %s",
				str_member(o, "description"),
				why ? why :
				name ?
				      "its call is malformed" :
				      "its call is not one recover knows; undo it by hand");
			free(why);
			return r;
		}
		s = plan_add_call(p, str_member(o, "description"),
				  str_member(o, "path"),
				  str_member(o, "undo_command"), &call);
	} else if (kind == STEP_SYSFS_WRITE) {
		bool undo = bool_member(o, "has_undo");

		s = plan_add_write(p, str_member(o, "description"),
				   str_member(o, "path"),
				   str_member(o, "value"),
				   undo ? str_member(o, "undo_path") : NULL,
				   undo ? str_member(o, "undo_value") : NULL);
	} else if (kind == STEP_FILE_PUT) {
		s = plan_add_file_put(p, str_member(o, "description"), area,
				      str_member(o, "path"),
				      str_member(o, "value"));
	} else {
		s = plan_add_file_delete(p, str_member(o, "description"), area,
					 str_member(o, "path"));
	}
	if (!s)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	s->area = area;
	s->has_undo = bool_member(o, "has_undo") &&
		      (kind != STEP_CALL || s->call.undo);
	s->ap_lock = bool_member(o, "ap_lock");
	for (int i = 0; i < STEP__LAST; i++)
		if (strcmp(status, step_status_to_string(i)) == 0)
			s->status = i;
	if (str_member(o, "verify_path") && str_member(o, "verify_expect") &&
	    (bool_member(o, "verify_is_link") ?
		     step_verify_link(s, str_member(o, "verify_path"),
				      str_member(o, "verify_expect")) :
		     step_verify_value(s, str_member(o, "verify_path"),
				       str_member(o, "verify_expect"))) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	if ((kind == STEP_FILE_PUT || kind == STEP_FILE_DELETE) &&
	    prior_from_json(env->sysfs, o, s) < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, EINVAL,
			"cannot load the journal's step '%s': its prior state is malformed",
			s->description);
	return 0;
}

int journal_plan(const struct journal_doc *d, struct call_env *env,
		 struct plan *p, struct vm_error *err)
{
	for (size_t i = 0; i < json_object_array_length(d->steps); i++)
		if (load_step(json_object_array_get_idx(d->steps, i), env, p,
			      err) < 0)
			return -EINVAL;
	return 0;
}

/* the path of d's progress file beside the journal at path; NULL: none */
static char *progress_path(const char *path, const struct journal_doc *d)
{
	const char *slash = strrchr(path, '/');
	char *out;

	if (!d->progress)
		return NULL;
	if (asprintf(&out, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path,
		     d->progress) < 0)
		return NULL;
	return out;
}

int journal_resume(struct journal *j, const char *path,
		   const struct journal_doc *d, struct vm_error *err)
{
	char *slash;

	memset(j, 0, sizeof(*j));
	j->progress_fd = -1;
	j->path = strdup(path);
	j->dir = strdup(path);
	j->head = json_object_new_object();
	if (!j->path || !j->dir || !j->head) {
		journal_clear(j);
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	slash = strrchr(j->dir, '/');
	if (slash)
		*slash = '\0';
	json_object_object_foreach(d->root, key, val)
	{
		if (strcmp(key, "steps") != 0 && strcmp(key, "progress") != 0)
			json_object_object_add(j->head, key,
					       json_object_get(val));
	}
	j->stale_progress = progress_path(path, d);
	j->recorder.record = journal_record;
	j->recorder.opaque = j;
	return 0;
}

int journal_end(struct journal *j)
{
	if (!j->written)
		return 0;
	if (unlink(j->path) < 0 && errno != ENOENT)
		return negative_errno();
	fsync_dir(j->dir);
	if (j->progress)
		unlink(j->progress);
	return 0;
}

int journal_remove(const char *path, const struct journal_doc *d)
{
	_cleanup_free_ char *old = progress_path(path, d);
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;

	if (unlink(path) < 0 && errno != ENOENT)
		return negative_errno();
	if (slash) {
		*slash = '\0';
		fsync_dir(dir);
	}
	if (old)
		unlink(old);
	return 0;
}
