/*
 * The one door to the host: every path to sysfs, to mdevctl's and
 * driverctl's configuration and to lock files is built here, under one root.
 */
#ifndef VIRT_MDEV_SYSFS_H
#define VIRT_MDEV_SYSFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "macro.h"
#include "strv.h"

/* Parts of the host that hang off the root, each at its fixed place. */
enum sysfs_area {
	SYSFS_AREA_SYS, /* ROOT/sys */
	SYSFS_AREA_MDEVCTL, /* ROOT/etc/mdevctl.d */
	SYSFS_AREA_DRIVERCTL, /* ROOT/etc/driverctl.d */
	SYSFS_AREA_LOCK, /* ROOT/run/lock */
	SYSFS_AREA_UDEV_RULES, /* ROOT/etc/udev/rules.d (chzdev's persistent AP masks) */
	SYSFS_AREA_JOURNAL, /* ROOT/run/virt-mdev (the journal of a run, src/lib/journal.h) */
	SYSFS_AREA_STATE, /* ROOT/var/lib/virt-mdev (apply's last-applied record) */
	SYSFS_AREA__LAST,
};

const char *sysfs_area_to_string(enum sysfs_area area);

/* Environment variable naming the root when --root is not given. */
#define SYSFS_ROOT_ENV "VIRT_MDEV_ROOT"

struct sysfs;

/*
 * Open the host under root: the --root argument if not NULL, else
 * $VIRT_MDEV_ROOT (secure_getenv), else "/". The root must be an existing
 * directory; it is canonicalised.
 */
int sysfs_new(struct sysfs **out, const char *root, struct vm_error *err);
/* Free s (NULL is fine); returns NULL, for "s = sysfs_free(s)". */
struct sysfs *sysfs_free(struct sysfs *s);
DEFINE_CLEANUP(struct sysfs *, sysfs_free);
#define _cleanup_sysfs_ _cleanup_(sysfs_freep)

/* The canonical root ("/" for the real host). */
const char *sysfs_root(const struct sysfs *s);

/*
 * The full path of fmt inside area; fmt is relative (no leading '/').
 * Returns NULL with errno set: ENOMEM, or EINVAL for a path that would climb
 * out of its area (a ".." component). The caller frees.
 */
char *sysfs_area_path(const struct sysfs *s, enum sysfs_area area,
		      const char *fmt, ...) _printf_(3, 4);
/*
 * A configuration file of another tool (area, rel): a regular file only
 * (not followed if a link, not waited on if a FIFO), at most max bytes, as
 * one NUL-terminated text. -ENOENT when absent, -EFBIG when longer, -EINVAL
 * for a file that is not a regular one or holds a NUL.
 */
int sysfs_read_config(const struct sysfs *s, enum sysfs_area area,
		      const char *rel, size_t max, char **out);
/*
 * The same for name relative to the open directory dfd (AT_FDCWD: a path),
 * NULs allowed, with its length; *mode is the file's type when -EINVAL
 * says it is not a regular file.
 */
int sysfs_read_regular_at(int dfd, const char *name, size_t max, char **out,
			  size_t *len, mode_t *mode);
/* The same inside ROOT/sys. */
char *sysfs_path(const struct sysfs *s, const char *fmt, ...) _printf_(2, 3);

/*
 * Readers, all for files inside ROOT/sys. They return 0 or -errno: the
 * errno of open/read, -EINVAL for content of the wrong form, -ERANGE for a
 * number that does not fit.
 */
/* The whole content, without one trailing newline. */
int sysfs_read_string(const struct sysfs *s, char **out, const char *fmt, ...)
	_printf_(3, 4);
/* A decimal number, as the kernel's "%u\n" / "%d\n" (not negative). */
int sysfs_read_unsigned(const struct sysfs *s, unsigned long *out,
			const char *fmt, ...) _printf_(3, 4);
/* A hex number with or without 0x, as the kernel's "%x\n" / "0x%x\n". */
int sysfs_read_hex(const struct sysfs *s, unsigned long *out, const char *fmt,
		   ...) _printf_(3, 4);

/*
 * Write value to an attribute with exactly one write(2), as "echo -n" would.
 * Returns 0 or the negative errno that the kernel answered, unchanged
 * (EBUSY, EADDRINUSE, ENODEV... are information for the caller).
 */
int sysfs_write(const struct sysfs *s, const char *value, const char *fmt, ...)
	_printf_(3, 4);

/* The target of a symbolic link, as stored. */
int sysfs_readlink(const struct sysfs *s, char **out, const char *fmt, ...)
	_printf_(3, 4);
/* The last component of a link's target: "vfio_ccw" for a driver link. */
int sysfs_readlink_basename(const struct sysfs *s, char **out, const char *fmt,
			    ...) _printf_(3, 4);

/* 1 if the path exists (links are followed), 0 if not. */
bool sysfs_exists(const struct sysfs *s, const char *fmt, ...) _printf_(2, 3);

/*
 * The names in a directory, sorted, without "." and "..". Appends to out;
 * -ENOENT when the directory does not exist.
 */
int sysfs_list_dir(const struct sysfs *s, struct strv *out, const char *fmt,
		   ...) _printf_(3, 4);

/*
 * Readers relative to an opened directory, for listings that read a few
 * files in each of thousands of directories: the kernel then walks one or
 * two path components instead of the whole path. sysfs_open_dir opens a
 * directory inside ROOT/sys and returns its fd (the caller closes it) or
 * -errno; name is relative to it and must not climb out (-EINVAL).
 */
int sysfs_open_dir(const struct sysfs *s, const char *fmt, ...) _printf_(2, 3);
/* The target of a link into buf, NUL-terminated: its length or -errno. */
int sysfs_readlinkat(int dirfd, const char *name, char *buf, size_t size);
/* An attribute into buf without one trailing newline: 0, -errno, or -EFBIG when it does not fit. */
int sysfs_read_at(int dirfd, const char *name, char *buf, size_t size);
/*
 * sysfs_read_string, sysfs_read_unsigned and sysfs_readlink_basename
 * relative to dirfd, with the same results (a long link target is
 * -ENAMETOOLONG, as sysfs_readlinkat gives it).
 */
int sysfs_read_string_at(int dirfd, const char *name, char **out);
int sysfs_read_unsigned_at(int dirfd, const char *name, unsigned long *out);
int sysfs_readlink_basename_at(int dirfd, const char *name, char **out);
/* A decimal attribute's text (as sysfs_read_at gives it) as a number: 0, -EINVAL, -ERANGE. */
int sysfs_parse_unsigned(const char *str, unsigned long *out);
/* A directory under dirfd, opened: its fd or -errno. */
int sysfs_open_dir_at(int dirfd, const char *name);
/* The names in a freshly opened directory, sorted, as sysfs_list_dir. */
int sysfs_list_fd(int fd, struct strv *out);

#endif
