/* The one door to the host: path building and typed sysfs access under one root. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sysfs.h"

/*
 * The bus directories a command reads and writes below (bus/css/devices,
 * bus/css/drivers, bus/mdev/devices...), opened once (O_PATH) when first
 * used: each attribute's path is then walked from there, which spares the
 * kernel the same three components for each of thousands of files (a round
 * trip each on FUSE, the simulator's sysfs). A directory that cannot be
 * opened is walked to as before, and gives the error the whole path gives;
 * a name the opened directory does not have (ENOENT: the directory may have
 * been removed and made again since) is looked for by its whole path too.
 */
#define SYSFS_DIR_CACHE 16

struct sysfs_dir_cache {
	struct {
		char rel[64]; /* "bus/css/devices" */
		int fd; /* -1: not opened; walk the whole path */
	} e[SYSFS_DIR_CACHE];
	size_t n;
	/* the plan's lane threads look up and add entries at once (plan.h, lane) */
	pthread_mutex_t mu;
};

struct sysfs {
	char *root; /* canonical, without trailing '/' except for "/" itself */
	struct sysfs_dir_cache *dirs; /* mutable behind a const struct sysfs */
};

/* Where each area sits below the root (the kernel's and the tools' own places). */
static const char *const sysfs_area_dirs[SYSFS_AREA__LAST] = {
	[SYSFS_AREA_SYS] = "sys",
	[SYSFS_AREA_MDEVCTL] = "etc/mdevctl.d",
	[SYSFS_AREA_DRIVERCTL] = "etc/driverctl.d",
	[SYSFS_AREA_LOCK] = "run/lock",
	[SYSFS_AREA_UDEV_RULES] = "etc/udev/rules.d",
	[SYSFS_AREA_JOURNAL] = "run/virt-mdev",
	[SYSFS_AREA_STATE] = "var/lib/virt-mdev",
};

const char *sysfs_area_to_string(enum sysfs_area area)
{
	if ((unsigned)area >= SYSFS_AREA__LAST)
		return NULL;
	return sysfs_area_dirs[area];
}

/* The largest attribute we read: sysfs pages are 4 KiB, a bin attribute more. */
#define SYSFS_READ_MAX (1024 * 1024)

int sysfs_new(struct sysfs **out, const char *root, struct vm_error *err)
{
	_cleanup_free_ char *canon = NULL;
	struct sysfs *s;
	const char *origin = "--root";
	struct stat st;

	if (!root) {
		root = secure_getenv(SYSFS_ROOT_ENV);
		origin = SYSFS_ROOT_ENV;
	}
	if (!root || !*root) {
		root = "/";
		origin = "default root";
	}
	canon = realpath(root, NULL);
	if (!canon || stat(canon, &st) < 0)
		return vm_error_set(
			err, VM_EXIT_USAGE, errno,
			"cannot use root '%s' (%s): %s (it must be an existing directory holding sys/)",
			root, origin, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return vm_error_set(
			err, VM_EXIT_USAGE, ENOTDIR,
			"cannot use root '%s' (%s): not a directory (it must be an existing directory holding sys/)",
			root, origin);
	s = calloc(1, sizeof(*s));
	if (!s)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	s->dirs = calloc(1, sizeof(*s->dirs));
	if (!s->dirs) {
		free(s);
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	pthread_mutex_init(&s->dirs->mu, NULL);
	s->root = steal_ptr(canon);
	*out = s;
	return 0;
}

struct sysfs *sysfs_free(struct sysfs *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; s->dirs && i < s->dirs->n; i++)
		if (s->dirs->e[i].fd >= 0)
			close(s->dirs->e[i].fd);
	if (s->dirs)
		pthread_mutex_destroy(&s->dirs->mu);
	free(s->dirs);
	free(s->root);
	free(s);
	return NULL;
}

const char *sysfs_root(const struct sysfs *s)
{
	return s->root;
}

/* A relative path may not climb out of its area: no ".." component. */
static bool path_climbs(const char *rel)
{
	const char *p = rel;

	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += len;
		while (*p == '/')
			p++;
	}
	return false;
}

static _printf_(3, 0) char *sysfs_vpath(const struct sysfs *s,
					enum sysfs_area area, const char *fmt,
					va_list ap)
{
	char rel[PATH_MAX];
	const char *root_sep;
	char *path;
	size_t len;
	int n;

	if ((unsigned)area >= SYSFS_AREA__LAST) {
		errno = EINVAL;
		return NULL;
	}
	/* on the stack: this runs for every attribute a listing reads */
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(rel)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (path_climbs(rel)) {
		errno = EINVAL;
		return NULL;
	}
	/* "/" + "sys" -> "/sys"; "/tmp/r" + "sys" -> "/tmp/r/sys" */
	root_sep = strcmp(s->root, "/") == 0 ? "" : s->root;
	len = strlen(root_sep) + 1 + strlen(sysfs_area_dirs[area]) + 1 +
	      (size_t)n + 1;
	path = malloc(len);
	if (!path) {
		errno = ENOMEM;
		return NULL;
	}
	snprintf(path, len, "%s/%s%s%s", root_sep, sysfs_area_dirs[area],
		 *rel && rel[0] != '/' ? "/" : "", rel);
	return path;
}

char *sysfs_area_path(const struct sysfs *s, enum sysfs_area area,
		      const char *fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, fmt);
	path = sysfs_vpath(s, area, fmt, ap);
	va_end(ap);
	return path;
}

char *sysfs_path(const struct sysfs *s, const char *fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, fmt);
	path = sysfs_vpath(s, SYSFS_AREA_SYS, fmt, ap);
	va_end(ap);
	return path;
}

/*
 * Where path (sysfs_vpath's, inside ROOT/sys) is opened from: the cached fd
 * of its bus/BUS/devices or bus/BUS/drivers directory and *name the rest,
 * or AT_FDCWD and *name the path itself. Only plain components (no ".",
 * no "//") are taken apart; anything else is walked whole, as before.
 */
static int dir_of_locked(const struct sysfs *s, const char *path,
			 const char **name)
{
	struct sysfs_dir_cache *c = s->dirs;
	size_t rootlen = strcmp(s->root, "/") == 0 ? 0 : strlen(s->root);
	const char *rel, *rest;
	size_t len;

	*name = path;
	if (strncmp(path, s->root, rootlen) != 0 ||
	    strncmp(path + rootlen, "/sys/bus/", 9) != 0)
		return AT_FDCWD;
	rel = path + rootlen + 5; /* "bus/..." */
	rest = strchr(rel + 4, '/'); /* after BUS */
	if (!rest || rest == rel + 4 ||
	    (strncmp(rest, "/devices/", 9) != 0 &&
	     strncmp(rest, "/drivers/", 9) != 0))
		return AT_FDCWD;
	rest += 9;
	len = (size_t)(rest - 1 - rel);
	if (!*rest || *rest == '/' || len >= sizeof(c->e[0].rel) ||
	    memchr(rel, '.', len) ||
	    (rest[0] == '.' && (rest[1] == '/' || !rest[1])))
		return AT_FDCWD;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->e[i].rel) == len &&
		    memcmp(c->e[i].rel, rel, len) == 0) {
			if (c->e[i].fd < 0)
				return AT_FDCWD;
			*name = rest;
			return c->e[i].fd;
		}
	if (c->n == SYSFS_DIR_CACHE)
		return AT_FDCWD;
	memcpy(c->e[c->n].rel, rel, len);
	c->e[c->n].rel[len] = '\0';
	{
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%.*s", (int)(rest - 1 - path),
			 path);
		c->e[c->n].fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (c->e[c->n++].fd < 0)
		return AT_FDCWD;
	*name = rest;
	return c->e[c->n - 1].fd;
}

/* dir_of_locked under the cache's lock (sysfs_new always makes the cache) */
static int sys_dir_of(const struct sysfs *s, const char *path,
		      const char **name)
{
	int fd;

	pthread_mutex_lock(&s->dirs->mu);
	fd = dir_of_locked(s, path, name);
	pthread_mutex_unlock(&s->dirs->mu);
	return fd;
}

/*
 * Open path (sysfs_vpath's) from its cached bus directory (sys_dir_of), and
 * by the whole path when that directory does not have it: an fd or -errno.
 */
static int sys_open(const struct sysfs *s, const char *path, int flags)
{
	const char *name;
	int dfd = sys_dir_of(s, path, &name);
	int fd = openat(dfd, name, flags);

	if (fd < 0 && errno == ENOENT && dfd != AT_FDCWD)
		fd = open(path, flags);
	return fd < 0 ? negative_errno() : fd;
}

/* Read a whole open file into a NUL-terminated buffer. */
static int read_fd(int fd, char **out, size_t *len_out)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, alloc = 4096;

	buf = malloc(alloc + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == alloc) {
			char *nbuf;

			if (alloc >= SYSFS_READ_MAX)
				return -EFBIG;
			alloc *= 2;
			nbuf = realloc(buf, alloc + 1);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
		}
		n = read(fd, buf + len, alloc - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		len += (size_t)n;
		/* an attribute comes whole in one read: a short read is its end */
		if (len < alloc)
			break;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		return -EINVAL; /* attributes are text */
	*out = steal_ptr(buf);
	if (len_out)
		*len_out = len;
	return 0;
}

/* An open attribute's whole text without one trailing newline; fd: its fd, closed here, or -errno. */
static int read_text_fd(int fd, char **out)
{
	_cleanup_close_ int owned = fd;
	char *buf;
	size_t len;
	int r;

	if (fd < 0)
		return fd;
	r = read_fd(owned, &buf, &len);
	if (r < 0)
		return r;
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	*out = buf;
	return 0;
}

int sysfs_read_regular_at(int dfd, const char *name, size_t max, char **out,
			  size_t *len_out, mode_t *mode)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0, cap;

	/* what is not a regular file is not opened: a device may act on open */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return negative_errno();
	*mode = st.st_mode;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	/* and what turned into one since is never waited for nor followed */
	fd = openat(dfd, name,
		    O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return negative_errno();
	*mode = st.st_mode;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((size_t)st.st_size > max)
		return -EFBIG;
	/* the file's size and one byte, to see a file that grew; more only if it did */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *b;

			if (cap > max)
				return -EFBIG; /* it grew while read */
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			b = realloc(buf, cap + 1);
			if (!b)
				return -ENOMEM;
			buf = b;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = steal_ptr(buf);
	*len_out = len;
	return 0;
}

int sysfs_read_config(const struct sysfs *s, enum sysfs_area area,
		      const char *rel, size_t max, char **out)
{
	_cleanup_free_ char *path = sysfs_area_path(s, area, "%s", rel);
	_cleanup_free_ char *buf = NULL;
	size_t len;
	mode_t mode;
	int r;

	if (!path)
		return negative_errno();
	r = sysfs_read_regular_at(AT_FDCWD, path, max, &buf, &len, &mode);
	if (r < 0)
		return r;
	if (memchr(buf, '\0', len))
		return -EINVAL;
	*out = steal_ptr(buf);
	return 0;
}

static _printf_(3, 0) int vread_string(const struct sysfs *s, char **out,
				       const char *fmt, va_list ap)
{
	_cleanup_free_ char *path = sysfs_vpath(s, SYSFS_AREA_SYS, fmt, ap);

	if (!path)
		return negative_errno();
	return read_text_fd(sys_open(s, path, O_RDONLY | O_CLOEXEC | O_NOCTTY),
			    out);
}

int sysfs_read_string(const struct sysfs *s, char **out, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vread_string(s, out, fmt, ap);
	va_end(ap);
	return r;
}

/* Parse the whole string as an unsigned number in base 10 or 16. */
static int parse_ulong(const char *str, int base, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (base == 16 && str[0] == '0' && (str[1] == 'x' || str[1] == 'X'))
		str += 2;
	if (!*str || !(base == 16 ? strchr("0123456789abcdefABCDEF", *str) :
				    strchr("0123456789", *str)))
		return -EINVAL;
	errno = 0;
	v = strtoul(str, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int sysfs_parse_unsigned(const char *str, unsigned long *out)
{
	return parse_ulong(str, 10, out);
}

static _printf_(4, 0) int vread_number(const struct sysfs *s,
				       unsigned long *out, int base,
				       const char *fmt, va_list ap)
{
	_cleanup_free_ char *str = NULL;
	int r;

	r = vread_string(s, &str, fmt, ap);
	if (r < 0)
		return r;
	return parse_ulong(str, base, out);
}

int sysfs_read_unsigned(const struct sysfs *s, unsigned long *out,
			const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vread_number(s, out, 10, fmt, ap);
	va_end(ap);
	return r;
}

int sysfs_read_hex(const struct sysfs *s, unsigned long *out, const char *fmt,
		   ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vread_number(s, out, 16, fmt, ap);
	va_end(ap);
	return r;
}

int sysfs_write(const struct sysfs *s, const char *value, const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL;
	size_t len = strlen(value);
	ssize_t n;
	va_list ap;
	int fd;

	va_start(ap, fmt);
	path = sysfs_vpath(s, SYSFS_AREA_SYS, fmt, ap);
	va_end(ap);
	if (!path)
		return negative_errno();
	fd = sys_open(s, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fd;
	/* One write(2): the kernel's store function sees the value once, whole. */
	do {
		n = write(fd, value, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		int r = negative_errno();

		close(fd);
		return r;
	}
	if (close(fd) < 0 && errno != EINTR)
		return negative_errno();
	if ((size_t)n != len)
		return -EIO; /* the attribute took only part of the value */
	return 0;
}

static _printf_(3, 0) int vreadlink(const struct sysfs *s, char **out,
				    const char *fmt, va_list ap)
{
	_cleanup_free_ char *path = sysfs_vpath(s, SYSFS_AREA_SYS, fmt, ap);
	char buf[PATH_MAX];
	ssize_t n;

	if (!path)
		return negative_errno();
	{
		const char *name;
		int dfd = sys_dir_of(s, path, &name);

		n = readlinkat(dfd, name, buf, sizeof(buf) - 1);
		if (n < 0 && errno == ENOENT && dfd != AT_FDCWD)
			n = readlink(path, buf, sizeof(buf) - 1);
	}
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}

int sysfs_readlink(const struct sysfs *s, char **out, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vreadlink(s, out, fmt, ap);
	va_end(ap);
	return r;
}

/* a link target's last component, trailing '/'s dropped, as a copy in *out */
static int link_basename(char *target, char **out)
{
	size_t len = strlen(target);
	const char *base;

	while (len > 1 && target[len - 1] == '/')
		target[--len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base)
		return -EINVAL;
	*out = strdup(base);
	return *out ? 0 : -ENOMEM;
}

int sysfs_readlink_basename(const struct sysfs *s, char **out, const char *fmt,
			    ...)
{
	_cleanup_free_ char *target = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vreadlink(s, &target, fmt, ap);
	va_end(ap);
	if (r < 0)
		return r;
	return link_basename(target, out);
}

bool sysfs_exists(const struct sysfs *s, const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL;
	va_list ap;

	va_start(ap, fmt);
	path = sysfs_vpath(s, SYSFS_AREA_SYS, fmt, ap);
	va_end(ap);
	if (!path)
		return false;
	{
		const char *name;
		int dfd = sys_dir_of(s, path, &name);

		return faccessat(dfd, name, F_OK, 0) == 0 ||
		       (errno == ENOENT && dfd != AT_FDCWD &&
			access(path, F_OK) == 0);
	}
}

static _printf_(2, 0) int vopen_dir(const struct sysfs *s, const char *fmt,
				    va_list ap)
{
	_cleanup_free_ char *path = sysfs_vpath(s, SYSFS_AREA_SYS, fmt, ap);

	if (!path)
		return negative_errno();
	return sys_open(s, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int sysfs_list_dir(const struct sysfs *s, struct strv *out, const char *fmt,
		   ...)
{
	_cleanup_close_ int fd = -1;
	va_list ap;

	va_start(ap, fmt);
	fd = vopen_dir(s, fmt, ap);
	va_end(ap);
	if (fd < 0)
		return fd;
	return sysfs_list_fd(fd, out);
}

int sysfs_open_dir(const struct sysfs *s, const char *fmt, ...)
{
	va_list ap;
	int fd;

	va_start(ap, fmt);
	fd = vopen_dir(s, fmt, ap);
	va_end(ap);
	return fd;
}

static bool bad_relative(const char *name)
{
	return !*name || name[0] == '/' || path_climbs(name);
}

int sysfs_readlinkat(int dirfd, const char *name, char *buf, size_t size)
{
	ssize_t n;

	if (bad_relative(name) || size < 2)
		return -EINVAL;
	n = readlinkat(dirfd, name, buf, size - 1);
	if (n < 0)
		return negative_errno();
	if ((size_t)n == size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return (int)n;
}

int sysfs_read_at(int dirfd, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (bad_relative(name) || size < 2)
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return negative_errno();
	/* an attribute comes whole in one read: a full buffer may be cut */
	if ((size_t)n == size - 1)
		return -EFBIG;
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n))
		return -EINVAL;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int sysfs_read_string_at(int dirfd, const char *name, char **out)
{
	int fd;

	if (bad_relative(name))
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return read_text_fd(fd < 0 ? negative_errno() : fd, out);
}

int sysfs_read_unsigned_at(int dirfd, const char *name, unsigned long *out)
{
	_cleanup_free_ char *str = NULL;
	int r;

	r = sysfs_read_string_at(dirfd, name, &str);
	if (r < 0)
		return r;
	return parse_ulong(str, 10, out);
}

int sysfs_readlink_basename_at(int dirfd, const char *name, char **out)
{
	char target[PATH_MAX];
	int n = sysfs_readlinkat(dirfd, name, target, sizeof(target));

	return n < 0 ? n : link_basename(target, out);
}

/* the layout getdents64(2) fills in */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int sysfs_open_dir_at(int dirfd, const char *name)
{
	int fd;

	if (bad_relative(name))
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? negative_errno() : fd;
}

int sysfs_list_fd(int fd, struct strv *out)
{
	/* a sysfs directory's entries fit in one or two calls */
	char buf[16384] __attribute__((aligned(8)));
	size_t first = out->n;

	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));

		if (n < 0)
			return negative_errno();
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *de = (void *)(buf + off);
			int r;

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			r = strv_push(out, de->d_name);
			if (r < 0)
				return r;
		}
	}
	strv_sort_from(out, first);
	return 0;
}
