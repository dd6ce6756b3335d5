/* The s390-tools AP configuration lock in s390-tools' own protocol (libutil/util_lockfile.c), not flock(2). */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aplock.h"

/*
 * libap's back-off (libap/ap.c random_delay(), include/lib/ap.h
 * AP_LOCK_DELAY_US and AP_LOCK_VARIANCE_US): one delay of 30 ms plus up to
 * 3 ms, drawn once per take and slept between tries (ap_get_lock passes it
 * to util_lockfile_lock_cw as both the increment and the maximum, so the
 * sleep does not grow). libap gives up after 3000 tries (~95 s); a take
 * here gives up after its timeout.
 */
#define LOCK_DELAY_US 30000L
#define LOCK_VARIANCE_US 3000L
/* util_lockfile.c BUFSIZE: a PID with its newline fits */
#define PID_BUF 40
/* tries without a sleep when the lock vanished or was stale, per take */
#define QUICK_TRIES 16

enum lock_seen {
	LOCK_GONE, /* no file any more: try again at once */
	LOCK_STALE, /* it was stale and has been removed: try again at once */
	LOCK_HELD, /* another process holds it (or is writing its PID) */
};

void ap_lock_init(struct ap_lock *l, const struct sysfs *s, unsigned timeout_s,
		  ap_lock_say_fn say, void *opaque)
{
	memset(l, 0, sizeof(*l));
	l->sysfs = s;
	l->timeout_s = timeout_s;
	l->say = say;
	l->opaque = opaque;
}

static void say(const struct ap_lock *l, const char *fmt, ...) _printf_(2, 3);

static void say(const struct ap_lock *l, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!l->say)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->say(l->opaque, msg);
}

/*
 * A PID as util_lockfile.c reads one (atoi of the first bytes: leading
 * blanks, then digits, the rest ignored), or 0 for none: an empty file, or
 * text that is no positive PID (where util_lockfile would call kill(2) with
 * 0 or a negative number, this waits as for an empty file).
 */
static pid_t parse_pid(const char *buf)
{
	unsigned long v = 0;
	const char *c = buf + strspn(buf, " \t\n");

	for (; *c >= '0' && *c <= '9'; c++) {
		v = v * 10 + (unsigned long)(*c - '0');
		if (v > INT_MAX)
			return 0;
	}
	return (pid_t)v;
}

/* The lock file at path: 1 with its PID (0 for none) and its stat, 0 when there is none, -errno. */
static int read_lock_file(const char *path, pid_t *pid, struct stat *st)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[PID_BUF];
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? 0 : negative_errno();
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	/* util_lockfile.c: a file that cannot be stat'ed any more is tried again at once */
	if (fstat(fd, st) < 0)
		return 0;
	*pid = parse_pid(buf);
	return 1;
}

/* The holder's command name, from /proc (the PIDs in the file are this host's). */
static void read_comm(struct ap_lock_holder *h)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	h->comm[0] = '\0';
	if (h->pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)h->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, h->comm, sizeof(h->comm) - 1);
	h->comm[n > 0 ? n : 0] = '\0';
	h->comm[strcspn(h->comm, "\n")] = '\0';
}

/* "PID 1234 (chzdev)", or what an empty lock file means. */
static const char *holder_words(const struct ap_lock_holder *h, char *buf,
				size_t size)
{
	if (h->pid > 0 && h->comm[0])
		snprintf(buf, size, "PID %d (%s)", (int)h->pid, h->comm);
	else if (h->pid > 0)
		snprintf(buf, size, "PID %d", (int)h->pid);
	else
		snprintf(
			buf, size,
			"a process that has not written its PID into it yet (an empty lock file, stale %d s after it was made)",
			AP_LOCK_WAITPID_S);
	return buf;
}

/*
 * Remove a stale lock, but only the file that was judged: util_lockfile.c
 * unlinks the path, so a lock another process made in between would go too;
 * comparing the inode first narrows that window to the unlink itself.
 */
static void remove_stale(const char *path, const struct stat *judged)
{
	struct stat now;

	if (lstat(path, &now) == 0 && now.st_dev == judged->st_dev &&
	    now.st_ino == judged->st_ino)
		(void)unlink(path);
}

/*
 * An existing lock file, judged as util_lockfile.c's handle_stale_lock()
 * does: a PID that no longer runs (kill(pid, 0) fails with ESRCH) is stale;
 * a live one (or EPERM: "assume PID exists") holds it; a file without a PID
 * is being written until AP_LOCK_WAITPID_S after its mtime, then stale.
 */
static int judge(const struct ap_lock *l, struct ap_lock_holder *h,
		 struct vm_error *err)
{
	struct stat st;
	pid_t pid = 0;
	int r = read_lock_file(l->path, &pid, &st);

	if (r < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, -r,
			"cannot take the s390-tools AP configuration lock %s: cannot read who holds it: %s",
			l->path, strerror(-r));
	if (r == 0)
		return LOCK_GONE;
	h->pid = pid;
	if (pid > 0) {
		if (kill(pid, 0) == 0 || errno != ESRCH) {
			read_comm(h);
			return LOCK_HELD;
		}
		remove_stale(l->path, &st);
		say(l,
		    "note: removed the stale s390-tools AP configuration lock %s: its PID %d no longer runs",
		    l->path, (int)pid);
		return LOCK_STALE;
	}
	h->comm[0] = '\0';
	if (time(NULL) <= st.st_mtime + AP_LOCK_WAITPID_S)
		return LOCK_HELD;
	remove_stale(l->path, &st);
	say(l,
	    "note: removed the stale s390-tools AP configuration lock %s: it had no PID in it for more than %d s",
	    l->path, AP_LOCK_WAITPID_S);
	return LOCK_STALE;
}

/* ROOT/run and ROOT/run/lock, for a --root tree without them (a host has /run/lock). */
static int make_lock_dir(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	char *up;

	if (!slash || slash == dir)
		return -ENOENT;
	*slash = '\0';
	up = strrchr(dir, '/');
	if (up && up != dir) {
		*up = '\0';
		(void)mkdir(dir, 0755);
		*up = '/';
	}
	return mkdir(dir, 0755) == 0 || errno == EEXIST ? 0 : negative_errno();
}

/*
 * The temporary file with our PID ("%d\n"), next to the lock and named as
 * util_lockfile.c names its own (the lock's path, the PID in five digits,
 * the low byte of the time in hex), made with O_EXCL.
 */
static int make_temp(struct ap_lock *l, char **tmp, struct vm_error *err)
{
	char pid[PID_BUF];
	int fd = -1, len;
	ssize_t n;

	len = snprintf(pid, sizeof(pid), "%d\n", (int)l->pid);
	if (asprintf(tmp, "%s%05d%02x", l->path, (int)l->pid,
		     (unsigned)time(NULL) & 255) < 0) {
		*tmp = NULL;
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	for (int tries = 0; fd < 0 && tries < 3; tries++) {
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0)
			break;
		if (errno == EEXIST)
			(void)unlink(
				*tmp); /* left by a dead process that had our PID */
		else if (errno != ENOENT || make_lock_dir(l->path) < 0)
			break;
	}
	if (fd < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, errno,
			"cannot take the s390-tools AP configuration lock %s: cannot create %s: %s",
			l->path, *tmp, strerror(errno));
	n = write(fd, pid, (size_t)len);
	if (close(fd) < 0 || n != len) {
		int e = n < 0 ? errno : EIO;

		(void)unlink(*tmp);
		return vm_error_set(
			err, VM_EXIT_FAILED, e,
			"cannot take the s390-tools AP configuration lock %s: cannot write our PID into %s: %s",
			l->path, *tmp, strerror(e));
	}
	return 0;
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L +
	       (now.tv_nsec - start->tv_nsec) / 1000000L;
}

static void sleep_us(long us)
{
	struct timespec t = { us / 1000000L, (us % 1000000L) * 1000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* libap's delay: 30 ms and a random part of up to 3 ms, per process */
static long back_off_us(void)
{
	struct timespec ts;
	unsigned long x;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 12);
	x ^= x >> 7;
	return LOCK_DELAY_US + (long)(x % (unsigned long)LOCK_VARIANCE_US);
}

static int timed_out(const struct ap_lock *l, const struct ap_lock_holder *h,
		     struct vm_error *err)
{
	char who[200];

	if (h->pid < 0)
		snprintf(who, sizeof(who), "another process");
	else
		holder_words(h, who, sizeof(who));
	if (l->timeout_s == 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, ETIMEDOUT,
			"cannot take the s390-tools AP configuration lock %s: %s holds it, and --lock-timeout 0 does not wait (give it the seconds to wait)",
			l->path, who);
	return vm_error_set(
		err, VM_EXIT_FAILED, ETIMEDOUT,
		"cannot take the s390-tools AP configuration lock %s: %s held it for all of the %u s --lock-timeout allows (let it finish, or give --lock-timeout more seconds)",
		l->path, who, l->timeout_s);
}

int ap_lock_take(struct ap_lock *l, struct vm_error *err)
{
	_cleanup_free_ char *tmp = NULL;
	struct ap_lock_holder h = { .pid = -1 }, told = { .pid = -1 };
	struct timespec start;
	unsigned quick = 0;
	long delay_us;
	int r;

	if (l->held)
		return 0;
	if (!l->path) {
		l->path = sysfs_area_path(l->sysfs, SYSFS_AREA_LOCK, "%s",
					  AP_LOCK_FILE);
		if (!l->path)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	l->pid = getpid();
	r = make_temp(l, &tmp, err);
	if (r < 0)
		return r;
	delay_us = back_off_us();
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long left_ms;

		/* link(2) is atomic: it makes the lock, or fails with EEXIST */
		if (link(tmp, l->path) == 0) {
			l->held = true;
			r = 0;
			break;
		}
		if (errno != EEXIST) {
			r = vm_error_set(
				err, VM_EXIT_FAILED, errno,
				"cannot take the s390-tools AP configuration lock %s: cannot link %s to it: %s",
				l->path, tmp, strerror(errno));
			break;
		}
		r = judge(l, &h, err);
		if (r < 0)
			break;
		if (r != LOCK_HELD && ++quick <= QUICK_TRIES)
			continue;
		left_ms = (long)l->timeout_s * 1000L - elapsed_ms(&start);
		if (left_ms <= 0) {
			r = timed_out(l, &h, err);
			break;
		}
		/* said once per holder: the first one, and each that follows */
		if (r == LOCK_HELD && h.pid != told.pid) {
			char who[200];

			say(l,
			    "waiting for the s390-tools AP configuration lock %s: %s holds it (at most %u s, --lock-timeout)",
			    l->path, holder_words(&h, who, sizeof(who)),
			    l->timeout_s);
			told = h;
		}
		sleep_us(delay_us < left_ms * 1000L ? delay_us :
						      left_ms * 1000L);
	}
	(void)unlink(tmp);
	return r;
}

void ap_lock_release(struct ap_lock *l)
{
	struct stat st;
	pid_t pid = 0;

	if (!l->held)
		return;
	l->held = false;
	/* util_lockfile.c do_lockfile_release: only a lock that holds our PID */
	if (read_lock_file(l->path, &pid, &st) == 1 && pid == l->pid)
		(void)unlink(l->path);
}

void ap_lock_clear(struct ap_lock *l)
{
	ap_lock_release(l);
	free(l->path);
	l->path = NULL;
}

int ap_lock_peek(const struct sysfs *s, struct ap_lock_holder *h)
{
	_cleanup_free_ char *path =
		sysfs_area_path(s, SYSFS_AREA_LOCK, "%s", AP_LOCK_FILE);
	struct stat st;
	pid_t pid = 0;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_lock_file(path, &pid, &st);
	if (r <= 0)
		return r;
	h->pid = pid;
	read_comm(h);
	return 1;
}
