/* A growable, NULL-terminated vector of owned strings. */
#ifndef VIRT_MDEV_STRV_H
#define VIRT_MDEV_STRV_H

#include <stddef.h>

#include "macro.h"

struct strv {
	char **v; /* NULL-terminated once anything was added; owns each string */
	size_t n;
	size_t alloc;
};

/* clang-format off */
#define STRV_INIT { NULL, 0, 0 }
/* clang-format on */

/* Append a copy of s. Returns 0 or -ENOMEM. */
int strv_push(struct strv *sv, const char *s);
/* Append s itself: the vector takes ownership, also on failure. */
int strv_push_take(struct strv *sv, char *s);
/* Sort only the entries from index first on. */
void strv_sort_from(struct strv *sv, size_t first);
int strv_contains(const struct strv *sv, const char *s);
void strv_clear(struct strv *sv);

static inline void strv_clearp(struct strv *sv)
{
	strv_clear(sv);
}

#define _cleanup_strv_ _cleanup_(strv_clearp)

#endif
