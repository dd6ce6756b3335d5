/* Small macros shared by every file: cleanup attributes, ownership moves, array sizes. */
#ifndef VIRT_MDEV_MACRO_H
#define VIRT_MDEV_MACRO_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _fallthrough_ __attribute__((fallthrough))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Move ownership out of a cleanup variable: the variable becomes NULL. */
#define steal_ptr(p)                         \
	({                                   \
		__typeof__(p) _stolen = (p); \
		(p) = NULL;                  \
		_stolen;                     \
	})

/* Move a file descriptor out of a _cleanup_close_ variable. */
#define steal_fd(fd)                   \
	({                             \
		int _stolen_fd = (fd); \
		(fd) = -1;             \
		_stolen_fd;            \
	})

/*
 * DEFINE_CLEANUP(type, func) defines funcp(type *), calling func on a
 * non-NULL value; use it as _cleanup_(funcp).
 */
#define DEFINE_CLEANUP(type, func)          \
	static inline void func##p(type *p) \
	{                                   \
		if (*p)                     \
			func(*p);           \
	}                                   \
	struct __useless_struct_to_allow_trailing_semicolon__

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

DEFINE_CLEANUP(FILE *, fclose);
DEFINE_CLEANUP(DIR *, closedir);

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)

static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

#endif
