/* File steps: configuration files written and removed so that the undo restores exactly what was there. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "filestep.h"
#include "macro.h"
#include "strv.h"

/* the largest file a step keeps for its undo (definitions and overrides are small) */
#define FILESTEP_KEEP_MAX (1024 * 1024)

enum file_type {
	FILE_ABSENT,
	FILE_REGULAR,
	FILE_SYMLINK,
	FILE_OTHER, /* a directory, FIFO, socket or device: never replaced */
};

struct file_state {
	enum file_type type;
	char *content; /* REGULAR: the whole content */
	size_t len;
	mode_t mode; /* REGULAR: the permission bits; OTHER: st_mode */
	uid_t uid;
	gid_t gid;
	char *target; /* SYMLINK: the target as stored */
};

struct file_record {
	/* at plan time: what the dry run's undo restores */
	struct file_state planned;
	struct strv
		planned_made; /* the directories a put would make, top first */
	bool planned_rmdir; /* a delete that would empty mdevctl's parent directory */
	/* at run time */
	bool ran;
	struct file_state old;
	struct strv made; /* the directories the put made, top first (absolute) */
	dev_t dev; /* the file the put wrote */
	ino_t ino;
	char *removed_dir; /* the directory the delete removed with the file, its mode and owner */
	mode_t removed_mode;
	uid_t removed_uid;
	gid_t removed_gid;
	/*
	 * For the journal, read before the step runs (filestep_prior): old
	 * holds what the path is, would_make the directories a put will make
	 * (top first), what recover needs when the run was killed in the step
	 */
	bool prior_read;
	struct strv would_make;
};

static void state_clear(struct file_state *st)
{
	free(st->content);
	free(st->target);
	memset(st, 0, sizeof(*st));
}

void filestep_free(struct file_record *f)
{
	if (!f)
		return;
	state_clear(&f->planned);
	state_clear(&f->old);
	strv_clear(&f->planned_made);
	strv_clear(&f->made);
	strv_clear(&f->would_make);
	free(f->removed_dir);
	free(f);
}

/* The step's path split: the area's directory, the directories below it ("" or "0.0.0313"), the file's name. */
struct where {
	char *base;
	char *dirs;
	const char *name;
	char *full;
};

static void where_clear(struct where *w)
{
	free(w->base);
	free(w->dirs);
	free(w->full);
}

static int where_of(const struct sysfs *sysfs, const struct step *s,
		    struct where *w)
{
	char *slash;

	memset(w, 0, sizeof(*w));
	w->base = sysfs_area_path(sysfs, s->area, "%s", "");
	w->full = sysfs_area_path(sysfs, s->area, "%s", s->path);
	w->dirs = strdup(s->path);
	if (!w->base || !w->full || !w->dirs)
		return errno == EINVAL ? -EINVAL : -ENOMEM;
	slash = strrchr(w->dirs, '/');
	if (slash) {
		*slash = '\0';
		w->name = s->path + (slash - w->dirs) + 1;
	} else {
		w->dirs[0] = '\0';
		w->name = s->path;
	}
	return *w->name ? 0 : -EINVAL;
}

/* the directory of w->full (absolute), caller frees */
static char *dir_of(const struct where *w)
{
	char *d = strdup(w->full);
	char *slash = d ? strrchr(d, '/') : NULL;

	if (slash)
		*slash = '\0';
	return d;
}

/*
 * Open the directory that holds the file: the area's own directory by its
 * path (the host's layout: made with its parents when make is set), each
 * directory below it relative to the one above without following a link
 * (made when make is set). Each directory made is added to made (absolute,
 * top first). Returns the fd or -errno.
 */
static int open_dir(const struct where *w, bool make, struct strv *made)
{
	_cleanup_free_ char *path = strdup(w->base);
	_cleanup_free_ char *dirs = strdup(w->dirs);
	char *save = NULL;
	int fd, r;

	if (!path || !dirs)
		return -ENOMEM;
	if (make) {
		for (char *p = strchr(path + 1, '/');; p = strchr(p + 1, '/')) {
			if (p)
				*p = '\0';
			if (mkdir(path, 0755) == 0) {
				r = strv_push(made, path);
				if (r < 0)
					return r;
			} else if (errno != EEXIST) {
				return negative_errno();
			}
			if (!p)
				break;
			*p = '/';
		}
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	for (char *c = strtok_r(dirs, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		_cleanup_free_ char *sub = NULL;
		int nfd = openat(
			fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (nfd < 0 && errno == ENOENT && make) {
			if (mkdirat(fd, c, 0755) < 0 ||
			    asprintf(&sub, "%s/%s", path, c) < 0) {
				r = negative_errno();
				close(fd);
				return r;
			}
			r = strv_push_take(made, steal_ptr(sub));
			if (r < 0) {
				close(fd);
				return r;
			}
			nfd = openat(fd, c,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
		}
		r = nfd < 0 ? negative_errno() : 0;
		close(fd);
		if (r < 0)
			return r;
		fd = nfd;
		/* the path of the directory now open, for the next one made */
		if (asprintf(&sub, "%s/%s", path, c) < 0) {
			close(fd);
			return -ENOMEM;
		}
		free(path);
		path = steal_ptr(sub);
	}
	return fd;
}

/* rmdir the directories made, deepest first; one that is not empty (another file came) stays, with those above it */
static void remove_made(struct strv *made)
{
	for (size_t i = made->n; i-- > 0;)
		if (rmdir(made->v[i]) < 0)
			break;
	strv_clear(made);
}

/* What name in dfd is, without following a link or opening what is not a regular file. */
static int inspect(int dfd, const char *name, struct file_state *st)
{
	struct stat sb;
	mode_t mode;
	char buf[PATH_MAX];
	ssize_t n;
	int r;

	state_clear(st);
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return negative_errno();
	}
	st->uid = sb.st_uid;
	st->gid = sb.st_gid;
	if (S_ISLNK(sb.st_mode)) {
		n = readlinkat(dfd, name, buf, sizeof(buf) - 1);
		if (n < 0)
			return negative_errno();
		buf[n] = '\0';
		st->target = strdup(buf);
		if (!st->target)
			return -ENOMEM;
		st->type = FILE_SYMLINK;
		return 0;
	}
	if (!S_ISREG(sb.st_mode)) {
		st->type = FILE_OTHER;
		st->mode = sb.st_mode;
		return 0;
	}
	r = sysfs_read_regular_at(dfd, name, FILESTEP_KEEP_MAX, &st->content,
				  &st->len, &mode);
	if (r == -EINVAL && !S_ISREG(mode)) {
		/* it became something else since the fstatat */
		st->type = FILE_OTHER;
		st->mode = mode;
		return 0;
	}
	if (r < 0)
		return r;
	st->type = FILE_REGULAR;
	st->mode = sb.st_mode & 07777;
	return 0;
}

static const char *type_name(mode_t mode)
{
	return S_ISDIR(mode)  ? "a directory" :
	       S_ISFIFO(mode) ? "a FIFO" :
	       S_ISSOCK(mode) ? "a socket" :
				"a device";
}

/* a temporary name beside name that nobody has: openat with O_EXCL (which never follows a link) */
static int open_temp(int dfd, const char *name, char *tmp, size_t size)
{
	for (int i = 0; i < 100; i++) {
		unsigned int rnd = 0;
		int fd;

		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (unsigned int)getpid() * 7919u + (unsigned int)i;
		snprintf(tmp, size, "%s.virt-mdev.%08x", name, rnd);
		fd = openat(dfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC,
			    0600);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? negative_errno() : fd;
	}
	return -EEXIST;
}

/*
 * Put content at name in dfd as a new file: written beside it with mode
 * (and owner, with chown), synced, renamed into place: over what is there
 * (a link is replaced, never followed), or only where nothing is
 * (noreplace). *dev and *ino: the file written.
 */
static int write_new(int dfd, const char *name, const char *content, size_t len,
		     mode_t mode, bool chown, uid_t uid, gid_t gid,
		     bool noreplace, dev_t *dev, ino_t *ino)
{
	char tmp[NAME_MAX + 1];
	struct stat sb;
	int fd, r = 0;

	fd = open_temp(dfd, name, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	/* the owner first: fchown clears set-id bits that fchmod then sets */
	if ((chown && fchown(fd, uid, gid) < 0) || fchmod(fd, mode) < 0)
		r = negative_errno();
	for (size_t done = 0; r == 0 && done < len;) {
		ssize_t n = write(fd, content + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = negative_errno();
		else
			done += (size_t)n;
	}
	if (r == 0 && (fsync(fd) < 0 || fstat(fd, &sb) < 0))
		r = negative_errno();
	if (close(fd) < 0 && r == 0)
		r = negative_errno();
	if (r == 0 && !noreplace) {
		if (renameat(dfd, tmp, dfd, name) == 0) {
			*dev = sb.st_dev;
			*ino = sb.st_ino;
			return 0;
		}
		r = negative_errno();
	} else if (r == 0) {
		/* link(2) fails where anything is; the temporary name goes either way */
		if (linkat(dfd, tmp, dfd, name, 0) < 0)
			r = negative_errno();
		*dev = sb.st_dev;
		*ino = sb.st_ino;
	}
	unlinkat(dfd, tmp, 0);
	return r;
}

/* a symbolic link to target at name in dfd, in place of what is there (or only where nothing is) */
static int put_link(int dfd, const char *name, const char *target,
		    bool noreplace)
{
	char tmp[NAME_MAX + 1];

	if (noreplace)
		return symlinkat(target, dfd, name) < 0 ? negative_errno() : 0;
	for (int i = 0; i < 100; i++) {
		snprintf(tmp, sizeof(tmp), "%s.virt-mdev.link%d", name, i);
		if (symlinkat(target, dfd, tmp) == 0)
			break;
		if (errno != EEXIST)
			return negative_errno();
	}
	if (renameat(dfd, tmp, dfd, name) < 0) {
		int r = negative_errno();

		unlinkat(dfd, tmp, 0);
		return r;
	}
	return 0;
}

/* at plan time: the directories that do not exist yet, top first */
static int missing_dirs(const struct where *w, struct strv *out)
{
	_cleanup_free_ char *dir = dir_of(w);

	if (!dir)
		return -ENOMEM;
	for (char *p = strchr(dir + 1, '/');; p = strchr(p + 1, '/')) {
		struct stat sb;
		int r;

		if (p)
			*p = '\0';
		if (lstat(dir, &sb) < 0 && errno == ENOENT) {
			r = strv_push(out, dir);
			if (r < 0)
				return r;
		}
		if (!p)
			break;
		*p = '/';
	}
	return 0;
}

/* a delete that would leave mdevctl's parent directory empty (the run removes it then) */
static bool empties_dir(const struct step *s, const struct where *w, int fd)
{
	struct strv names = STRV_INIT;
	int dfd;
	bool one;

	if (s->kind != STEP_FILE_DELETE || s->area != SYSFS_AREA_MDEVCTL ||
	    !w->dirs[0])
		return false;
	dfd = dup(fd);
	one = dfd >= 0 && sysfs_list_fd(dfd, &names) == 0 && names.n == 1;
	if (dfd >= 0)
		close(dfd);
	strv_clear(&names);
	return one;
}

int filestep_plan(const struct sysfs *sysfs, struct step *s)
{
	struct file_record *f = calloc(1, sizeof(*f));
	struct where w;
	int fd, r;

	if (!f)
		return -ENOMEM;
	s->file = f;
	r = where_of(sysfs, s, &w);
	if (r == 0)
		r = missing_dirs(&w, &f->planned_made);
	/* what cannot be read now (a directory made later, a link in the way) the run says */
	fd = r == 0 ? open_dir(&w, false, NULL) : -1;
	if (fd >= 0) {
		r = inspect(fd, w.name, &f->planned);
		if (r != -ENOMEM)
			r = 0;
		if (f->planned.type != FILE_ABSENT)
			f->planned_rmdir = empties_dir(s, &w, fd);
		close(fd);
	}
	where_clear(&w);
	return r == -ENOMEM ? r : 0;
}

static int say(char **why, int r, const char *fmt, ...) _printf_(3, 4);
static int say(char **why, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(why, fmt, ap) < 0)
		*why = NULL;
	va_end(ap);
	return r;
}

static int run_put(struct step *s, struct where *w, int dfd, char **why)
{
	struct file_record *f = s->file;
	bool keep = f->old.type == FILE_REGULAR;
	int r;

	/* a file replaced keeps its mode and owner; a new one (also in place of a link) is 0644, ours */
	r = write_new(dfd, w->name, s->value, strlen(s->value),
		      keep ? f->old.mode : 0644, keep, f->old.uid, f->old.gid,
		      false, &f->dev, &f->ino);
	if (r < 0)
		return say(why, r, "writing %s: %s", w->full, strerror(-r));
	return 0;
}

static int run_delete(struct step *s, struct where *w, int dfd, char **why)
{
	struct file_record *f = s->file;
	_cleanup_free_ char *dir = NULL;
	struct stat sb;

	if (f->old.type == FILE_ABSENT)
		return 0;
	if (unlinkat(dfd, w->name, 0) < 0)
		return say(why, negative_errno(), "removing %s: %s", w->full,
			   strerror(errno));
	/* mdevctl's per-parent directory goes with its last definition (the undo makes it again) */
	if (s->area != SYSFS_AREA_MDEVCTL || !w->dirs[0] || fstat(dfd, &sb) < 0)
		return 0;
	dir = dir_of(w);
	if (dir && rmdir(dir) == 0) {
		f->removed_dir = steal_ptr(dir);
		f->removed_mode = sb.st_mode & 07777;
		f->removed_uid = sb.st_uid;
		f->removed_gid = sb.st_gid;
	}
	return 0;
}

int filestep_run(const struct sysfs *sysfs, struct step *s, char **why)
{
	struct file_record *f = s->file;
	bool put = s->kind == STEP_FILE_PUT;
	struct where w;
	int dfd = -1, r;

	/* a rerun of the step records afresh */
	state_clear(&f->old);
	strv_clear(&f->made);
	free(f->removed_dir);
	f->removed_dir = NULL;
	f->ran = false;
	r = where_of(sysfs, s, &w);
	if (r < 0) {
		r = say(why, r, "%s: %s", s->path, strerror(-r));
		goto out;
	}
	dfd = open_dir(&w, put, &f->made);
	if (dfd == -ENOENT && !put) {
		/* nothing to remove */
		f->ran = true;
		r = 0;
		goto out;
	}
	if (dfd < 0) {
		r = dfd == -ELOOP || dfd == -ENOTDIR ?
			    say(why, dfd,
				"a directory of %s is a symbolic link or no directory (%s): virt-mdev does not follow links there; remove it",
				w.full, strerror(-dfd)) :
			    say(why, dfd, "opening the directory of %s: %s",
				w.full, strerror(-dfd));
		goto out;
	}
	r = inspect(dfd, w.name, &f->old);
	if (r < 0) {
		r = say(why, r, "reading %s (kept for the undo): %s", w.full,
			strerror(-r));
		goto out;
	}
	if (f->old.type == FILE_OTHER) {
		r = say(why, S_ISDIR(f->old.mode) ? -EISDIR : -EEXIST,
			"%s is %s, not a file: nothing was written (move it away)",
			w.full, type_name(f->old.mode));
		goto out;
	}
	r = put ? run_put(s, &w, dfd, why) : run_delete(s, &w, dfd, why);
	if (r == 0) {
		f->ran = true;
		/* the old content, as the step has always kept it */
		free(s->undo_value);
		s->undo_value = NULL;
		if (f->old.type == FILE_REGULAR &&
		    !(s->undo_value = strdup(f->old.content)))
			r = -ENOMEM;
		free(s->made_dir);
		s->made_dir = f->made.n ? strdup(f->made.v[0]) : NULL;
	}
out:
	if (dfd >= 0)
		close(dfd);
	/* a step that failed leaves no directory it made */
	if (r < 0)
		remove_made(&f->made);
	where_clear(&w);
	return r;
}

/* Is name in dfd still the file the put wrote (the same inode, the same content)? */
static bool still_ours(const struct step *s, int dfd, const char *name)
{
	const struct file_record *f = s->file;
	_cleanup_free_ char *now = NULL;
	struct stat sb;
	size_t len;
	mode_t mode;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(sb.st_mode))
		return false;
	/* the inode is unknown only for a step a killed run journalled as running: its content says */
	if (f->ino && (sb.st_dev != f->dev || sb.st_ino != f->ino))
		return false;
	return sysfs_read_regular_at(dfd, name, FILESTEP_KEEP_MAX, &now, &len,
				     &mode) == 0 &&
	       len == strlen(s->value) && memcmp(now, s->value, len) == 0;
}

/*
 * Put back what the path was before the step (f->old): a file with its
 * content, mode and owner, or a link; over what is there now (a put's
 * file), or only where nothing is (noreplace: a delete's undo). Absent:
 * the put's file is removed.
 */
static int restore_old(const struct file_record *f, struct where *w, int dfd,
		       bool noreplace, char **why)
{
	dev_t dev;
	ino_t ino;
	int r = 0;

	switch (f->old.type) {
	case FILE_ABSENT:
		if (!noreplace && unlinkat(dfd, w->name, 0) < 0)
			r = negative_errno();
		break;
	case FILE_REGULAR:
		r = write_new(dfd, w->name, f->old.content, f->old.len,
			      f->old.mode, true, f->old.uid, f->old.gid,
			      noreplace, &dev, &ino);
		break;
	case FILE_SYMLINK:
		r = put_link(dfd, w->name, f->old.target, noreplace);
		break;
	case FILE_OTHER:
		r = -EINVAL;
		break;
	}
	if (r < 0)
		return say(why, r, "restoring %s: %s", w->full, strerror(-r));
	return 0;
}

static int undo_put(struct step *s, struct where *w, int dfd, char **why)
{
	if (!still_ours(s, dfd, w->name))
		return say(
			why, -ESTALE,
			"%s is no longer what this step wrote: another program changed it since; left as it is",
			w->full);
	return restore_old(s->file, w, dfd, false, why);
}

static int undo_delete(struct step *s, struct where *w, int dfd, char **why)
{
	struct stat sb;

	if (fstatat(dfd, w->name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return say(
			why, -EEXIST,
			"%s exists again: another program made it since this step removed it; left as it is",
			w->full);
	return restore_old(s->file, w, dfd, true, why);
}

int filestep_undo(const struct sysfs *sysfs, struct step *s, char **why)
{
	struct file_record *f = s->file;
	struct where w;
	int dfd = -1, r;

	if (!f->ran ||
	    (s->kind == STEP_FILE_DELETE && f->old.type == FILE_ABSENT))
		return 0;
	r = where_of(sysfs, s, &w);
	if (r < 0) {
		where_clear(&w);
		return say(why, r, "%s: %s", s->path, strerror(-r));
	}
	/* the directory the delete removed comes back as it was */
	if (f->removed_dir) {
		if (mkdir(f->removed_dir, f->removed_mode) == 0) {
			if (chown(f->removed_dir, f->removed_uid,
				  f->removed_gid) < 0 ||
			    chmod(f->removed_dir, f->removed_mode) < 0) {
				r = say(why, negative_errno(),
					"restoring the directory %s: %s",
					f->removed_dir, strerror(errno));
				goto out;
			}
		} else if (errno != EEXIST) {
			r = say(why, negative_errno(),
				"restoring the directory %s: %s",
				f->removed_dir, strerror(errno));
			goto out;
		}
	}
	dfd = open_dir(&w, false, NULL);
	if (dfd < 0) {
		r = say(why, dfd,
			"opening the directory of %s: %s (another program changed it since); left as it is",
			w.full, strerror(-dfd));
		goto out;
	}
	r = s->kind == STEP_FILE_PUT ? undo_put(s, &w, dfd, why) :
				       undo_delete(s, &w, dfd, why);
	close(dfd);
	if (r == 0 && s->kind == STEP_FILE_PUT && f->old.type == FILE_ABSENT)
		remove_made(&f->made);
out:
	where_clear(&w);
	return r;
}

/* ---- the journal's side: what recover needs of a file step ---- */

int filestep_prior(const struct sysfs *sysfs, struct step *s)
{
	struct file_record *f = s->file;
	struct where w;
	int dfd, r;

	if (!f)
		return -EINVAL;
	state_clear(&f->old);
	strv_clear(&f->would_make);
	f->prior_read = false;
	r = where_of(sysfs, s, &w);
	if (r == 0 && s->kind == STEP_FILE_PUT)
		r = missing_dirs(&w, &f->would_make);
	if (r == 0) {
		dfd = open_dir(&w, false, NULL);
		/* a directory not there yet: the path is absent; anything else the run itself says */
		r = dfd >= 0	   ? inspect(dfd, w.name, &f->old) :
		    dfd == -ENOENT ? 0 :
				     dfd;
		if (dfd >= 0)
			close(dfd);
	}
	where_clear(&w);
	if (r == -ELOOP || r == -ENOTDIR)
		r = 0; /* the run refuses it, naming it, before it changes anything */
	if (r == 0)
		f->prior_read = true;
	return r;
}

int filestep_present(const struct sysfs *sysfs, const struct step *s,
		     char **why)
{
	const struct file_record *f = s->file;
	struct where w;
	struct stat sb;
	int dfd, r = -ESTALE;

	if (!f || where_of(sysfs, s, &w) < 0) {
		where_clear(&w);
		return -ENODATA;
	}
	dfd = open_dir(&w, false, NULL);
	if (s->kind == STEP_FILE_PUT) {
		if (dfd >= 0 && still_ours(s, dfd, w.name))
			r = 0;
		else if (asprintf(why, "%s is no longer what this step wrote",
				  w.full) < 0)
			*why = NULL;
	} else {
		if (dfd < 0 ||
		    (fstatat(dfd, w.name, &sb, AT_SYMLINK_NOFOLLOW) < 0 &&
		     errno == ENOENT))
			r = 0;
		else if (asprintf(why, "%s exists again", w.full) < 0)
			*why = NULL;
	}
	if (dfd >= 0)
		close(dfd);
	where_clear(&w);
	return r;
}

void filestep_leftovers_remove(const struct sysfs *sysfs, const struct step *s)
{
	const struct file_record *f = s->file;
	size_t prefix;
	struct dirent *de;
	struct where w;
	DIR *d;
	int dfd;

	if (!f || where_of(sysfs, s, &w) < 0) {
		where_clear(&w);
		return;
	}
	dfd = open_dir(&w, false, NULL);
	/* open_temp's names: NAME.virt-mdev.XXXXXXXX (8 hex digits) */
	prefix = strlen(w.name) + strlen(".virt-mdev.");
	if (dfd >= 0 && (d = fdopendir(dfd))) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, w.name, strlen(w.name)) == 0 &&
			    strncmp(de->d_name + strlen(w.name), ".virt-mdev.",
				    11) == 0 &&
			    strlen(de->d_name) == prefix + 8 &&
			    strspn(de->d_name + prefix, "0123456789abcdef") ==
				    8)
				(void)unlinkat(dirfd(d), de->d_name, 0);
		}
		closedir(d);
	} else if (dfd >= 0) {
		close(dfd);
	}
	/* the directories it would make, deepest first, each only while empty (rmdir) */
	if (s->kind == STEP_FILE_PUT && access(w.full, F_OK) < 0)
		for (size_t i = f->would_make.n; i-- > 0;)
			if (rmdir(f->would_make.v[i]) < 0)
				break;
	where_clear(&w);
}

static const char *const type_names[] = {
	[FILE_ABSENT] = "absent",
	[FILE_REGULAR] = "file",
	[FILE_SYMLINK] = "link",
	[FILE_OTHER] = "other",
};

static struct json_object *strv_to_json(const struct strv *sv)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < sv->n; i++)
		json_object_array_add(a, json_object_new_string(sv->v[i]));
	return a;
}

struct json_object *filestep_to_json(const struct step *s)
{
	const struct file_record *f = s->file;
	const struct file_state *st;
	struct json_object *o = json_object_new_object();

	if (!o || !f)
		return o;
	st = &f->old;
	json_object_object_add(o, "read",
			       json_object_new_boolean(f->prior_read));
	json_object_object_add(o, "ran", json_object_new_boolean(f->ran));
	json_object_object_add(o, "type",
			       json_object_new_string(type_names[st->type]));
	if (st->type == FILE_REGULAR)
		json_object_object_add(
			o, "content",
			json_object_new_string_len(st->content, (int)st->len));
	if (st->type == FILE_SYMLINK)
		json_object_object_add(o, "target",
				       json_object_new_string(st->target));
	if (st->type != FILE_ABSENT) {
		json_object_object_add(o, "mode",
				       json_object_new_int((int)st->mode));
		json_object_object_add(o, "uid",
				       json_object_new_int64(st->uid));
		json_object_object_add(o, "gid",
				       json_object_new_int64(st->gid));
	}
	json_object_object_add(o, "would_make", strv_to_json(&f->would_make));
	json_object_object_add(o, "made", strv_to_json(&f->made));
	if (f->ino) {
		json_object_object_add(o, "dev",
				       json_object_new_int64((int64_t)f->dev));
		json_object_object_add(o, "ino",
				       json_object_new_int64((int64_t)f->ino));
	}
	if (f->removed_dir) {
		json_object_object_add(o, "removed_dir",
				       json_object_new_string(f->removed_dir));
		json_object_object_add(
			o, "removed_mode",
			json_object_new_int((int)f->removed_mode));
		json_object_object_add(o, "removed_uid",
				       json_object_new_int64(f->removed_uid));
		json_object_object_add(o, "removed_gid",
				       json_object_new_int64(f->removed_gid));
	}
	return o;
}

/* a member of the journal's prior state: absent is 0; of another type or out of range, -EINVAL */
static int int_member(struct json_object *o, const char *key, int64_t max,
		      int64_t *out)
{
	struct json_object *v;

	*out = 0;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	*out = json_object_get_int64(v);
	return *out < 0 || *out > max ? -EINVAL : 0;
}

static int strv_member(struct json_object *o, const char *key,
		       const struct where *w, struct strv *out)
{
	struct json_object *v;
	size_t n;

	strv_clear(out);
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return -EINVAL;
	n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		const char *d = json_object_get_string(e);

		/* only directories above the step's own file (each removed only while empty): nothing else */
		if (!json_object_is_type(e, json_type_string) || d[0] != '/' ||
		    strncmp(w->full, d, strlen(d)) != 0 ||
		    w->full[strlen(d)] != '/' || strstr(d, "/../") ||
		    strstr(d, "//"))
			return -EINVAL;
		if (strv_push(out, d) < 0)
			return -ENOMEM;
	}
	return 0;
}

int filestep_from_json(const struct sysfs *sysfs, struct step *s,
		       struct json_object *o)
{
	struct file_record *f = s->file;
	struct file_state *st;
	struct json_object *v;
	struct where w;
	int64_t n;
	int t = -1, r;

	if (!f || !json_object_is_type(o, json_type_object))
		return -EINVAL;
	st = &f->old;
	state_clear(st);
	if (json_object_object_get_ex(o, "type", &v) && v &&
	    json_object_is_type(v, json_type_string))
		for (int i = 0; i < (int)ARRAY_SIZE(type_names); i++)
			if (strcmp(json_object_get_string(v), type_names[i]) ==
			    0)
				t = i;
	if (t < 0 || t == FILE_OTHER)
		return -EINVAL;
	st->type = (enum file_type)t;
	if (st->type == FILE_REGULAR) {
		if (!json_object_object_get_ex(o, "content", &v) ||
		    !json_object_is_type(v, json_type_string))
			return -EINVAL;
		st->len = (size_t)json_object_get_string_len(v);
		st->content = malloc(st->len + 1);
		if (!st->content)
			return -ENOMEM;
		memcpy(st->content, json_object_get_string(v), st->len);
		st->content[st->len] = '\0';
	}
	if (st->type == FILE_SYMLINK) {
		if (!json_object_object_get_ex(o, "target", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    !(st->target = strdup(json_object_get_string(v))))
			return -EINVAL;
	}
	if ((r = int_member(o, "mode", 07777, &n)) < 0)
		return r;
	st->mode = (mode_t)n;
	if ((r = int_member(o, "uid", UINT32_MAX - 1, &n)) < 0)
		return r;
	st->uid = (uid_t)n;
	if ((r = int_member(o, "gid", UINT32_MAX - 1, &n)) < 0)
		return r;
	st->gid = (gid_t)n;
	if ((r = int_member(o, "dev", INT64_MAX, &n)) < 0)
		return r;
	f->dev = (dev_t)n;
	if ((r = int_member(o, "ino", INT64_MAX, &n)) < 0)
		return r;
	f->ino = (ino_t)n;
	f->prior_read = json_object_object_get_ex(o, "read", &v) &&
			json_object_get_boolean(v);
	/* a step loaded from the journal has run when it is done, or its change may be there */
	f->ran = true;
	r = where_of(sysfs, s, &w);
	if (r == 0)
		r = strv_member(o, "would_make", &w, &f->would_make);
	if (r == 0)
		r = strv_member(o, "made", &w, &f->made);
	/* a put killed before the journal had what it made: what it would make, each removed only while empty */
	if (r == 0 && !f->made.n && f->would_make.n)
		for (size_t i = 0; r == 0 && i < f->would_make.n; i++)
			r = strv_push(&f->made, f->would_make.v[i]);
	free(f->removed_dir);
	f->removed_dir = NULL;
	if (r == 0 && json_object_object_get_ex(o, "removed_dir", &v) && v) {
		_cleanup_free_ char *dir = dir_of(&w);

		/* only the directory of the step's own file */
		if (!json_object_is_type(v, json_type_string) || !dir ||
		    strcmp(json_object_get_string(v), dir) != 0)
			r = -EINVAL;
		else if (!(f->removed_dir = strdup(dir)))
			r = -ENOMEM;
		if (r == 0 &&
		    (r = int_member(o, "removed_mode", 07777, &n)) == 0)
			f->removed_mode = (mode_t)n;
		if (r == 0 &&
		    (r = int_member(o, "removed_uid", UINT32_MAX - 1, &n)) == 0)
			f->removed_uid = (uid_t)n;
		if (r == 0 &&
		    (r = int_member(o, "removed_gid", UINT32_MAX - 1, &n)) == 0)
			f->removed_gid = (gid_t)n;
	}
	where_clear(&w);
	return r;
}

/* ---- the shell commands ---- */

/* The command that makes qpath hold content exactly (each form writes what it shows, no more). */
static char *content_command(const char *content, size_t len, const char *qpath)
{
	_cleanup_free_ char *line = NULL, *cat = NULL, *qc = NULL;
	char *cmd = NULL;

	if (len == 0)
		return asprintf(&cmd, ": > %s", qpath) < 0 ? NULL : cmd;
	if (content[len - 1] == '\n' && !memchr(content, '\n', len - 1)) {
		/* one line: echo writes it and its newline */
		line = strndup(content, len - 1);
		return line ? plan_shell_echo(line, qpath) : NULL;
	}
	if (content[len - 1] == '\n') {
		/* lines: a here-document is them, as they are */
		if (asprintf(&cat, "cat > %s", qpath) < 0)
			return NULL;
		return plan_shell_heredoc(cat, content);
	}
	/* no newline at the end: printf writes only what it is given */
	qc = plan_shell_quote(content);
	if (!qc || asprintf(&cmd, "printf '%%s' %s > %s", qc, qpath) < 0)
		return NULL;
	return cmd;
}

/* "mkdir -p DIR && " when the file's directory is to be made, else "" (caller frees) */
static char *mkdir_prefix(bool make, const struct where *w)
{
	_cleanup_free_ char *dir = NULL, *qd = NULL;
	char *out;

	if (!make)
		return strdup("");
	dir = dir_of(w);
	qd = dir ? plan_shell_quote(dir) : NULL;
	if (!qd || asprintf(&out, "mkdir -p %s && ", qd) < 0)
		return NULL;
	return out;
}

char *filestep_command(const struct sysfs *sysfs, const struct step *s)
{
	const struct file_record *f = s->file;
	_cleanup_free_ char *qp = NULL, *pre = NULL, *body = NULL, *dir = NULL,
			    *qd = NULL;
	struct where w;
	char *cmd = NULL;

	if (where_of(sysfs, s, &w) < 0 || !(qp = plan_shell_quote(w.full)))
		goto out;
	if (s->kind == STEP_FILE_PUT) {
		pre = mkdir_prefix(f->planned_made.n > 0, &w);
		body = content_command(s->value, strlen(s->value), qp);
		if (pre && body && asprintf(&cmd, "%s%s", pre, body) < 0)
			cmd = NULL;
		goto out;
	}
	/* a delete that empties mdevctl's parent directory removes it too */
	if (f->planned_rmdir) {
		dir = dir_of(&w);
		qd = dir ? plan_shell_quote(dir) : NULL;
		if (qd && asprintf(&cmd, "rm -f %s && rmdir %s", qp, qd) < 0)
			cmd = NULL;
	} else if (asprintf(&cmd, "rm -f %s", qp) < 0) {
		cmd = NULL;
	}
out:
	where_clear(&w);
	return cmd;
}

/* " && chown UID:GID PATH && chmod MODE PATH" where a new file would not have them (caller frees) */
static char *mode_owner_suffix(const struct file_state *st, const char *qp)
{
	_cleanup_free_ char *m = NULL, *o = NULL;
	char *out;

	/* the owner first: chown clears set-id bits that chmod then sets */
	if ((st->uid != geteuid() || st->gid != getegid()) &&
	    asprintf(&o, " && chown %u:%u %s", (unsigned)st->uid,
		     (unsigned)st->gid, qp) < 0)
		return NULL;
	if (st->mode != 0644 &&
	    asprintf(&m, " && chmod %o %s", (unsigned)st->mode, qp) < 0)
		return NULL;
	if (asprintf(&out, "%s%s", o ? o : "", m ? m : "") < 0)
		return NULL;
	return out;
}

char *filestep_undo_command(const struct sysfs *sysfs, const struct step *s)
{
	const struct file_record *f = s->file;
	/* what the run found, once it ran; what the plan found before */
	const struct file_state *st = f->ran ? &f->old : &f->planned;
	const struct strv *made = f->ran ? &f->made : &f->planned_made;
	bool rmdir_ = f->ran ? f->removed_dir != NULL : f->planned_rmdir;
	_cleanup_free_ char *qp = NULL, *qt = NULL, *pre = NULL, *body = NULL,
			    *suffix = NULL;
	struct where w;
	char *cmd = NULL;

	if (where_of(sysfs, s, &w) < 0 || !(qp = plan_shell_quote(w.full)))
		goto out;
	switch (st->type) {
	case FILE_ABSENT:
		if (s->kind == STEP_FILE_DELETE)
			break; /* nothing was there: nothing to put back */
		/* remove the file, then the directories made for it, deepest first */
		cmd = NULL;
		if (asprintf(&cmd, "rm -f %s", qp) < 0) {
			cmd = NULL;
			break;
		}
		for (size_t i = made->n; i-- > 0;) {
			_cleanup_free_ char *qd = plan_shell_quote(made->v[i]);
			char *c = cmd;

			if (!qd || asprintf(&cmd, "%s%s %s", c,
					    i == made->n - 1 ? " && rmdir" : "",
					    qd) < 0)
				cmd = NULL;
			free(c);
			if (!cmd)
				break;
		}
		break;
	case FILE_REGULAR:
		/* a put keeps the mode and owner of what it replaces; a delete's undo makes the file anew */
		pre = mkdir_prefix(s->kind == STEP_FILE_DELETE && rmdir_, &w);
		body = content_command(st->content, st->len, qp);
		suffix = s->kind == STEP_FILE_DELETE ?
				 mode_owner_suffix(st, qp) :
				 strdup("");
		if (pre && body && suffix &&
		    asprintf(&cmd, "%s%s%s", pre, body, suffix) < 0)
			cmd = NULL;
		break;
	case FILE_SYMLINK:
		pre = mkdir_prefix(s->kind == STEP_FILE_DELETE && rmdir_, &w);
		qt = plan_shell_quote(st->target);
		if (pre && qt &&
		    asprintf(&cmd, "%sln -sfn %s %s", pre, qt, qp) < 0)
			cmd = NULL;
		break;
	case FILE_OTHER:
		break; /* the step refuses it: nothing to undo */
	}
out:
	where_clear(&w);
	return cmd;
}
