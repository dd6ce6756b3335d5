/*
 * A streaming JSON writer for the listings: thousands of objects written
 * straight into one buffer, in the same layout as output_json (json-c's
 * pretty form: two spaces, "key":value), without building a tree first.
 * The buffer goes out whole at the end (jw_flush), so a failure half-way
 * never leaves half a document on stdout.
 */
#ifndef VIRT_MDEV_JSONW_H
#define VIRT_MDEV_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"

struct jw {
	char *buf;
	size_t len, cap;
	unsigned depth;
	bool need_comma; /* a value was written at this level */
	bool after_key; /* the next value follows a key on the same line */
	bool oom;
};

#define JW_INIT   \
	{         \
		0 \
	}

void jw_begin_object(struct jw *w);
void jw_end_object(struct jw *w);
void jw_begin_array(struct jw *w);
void jw_end_array(struct jw *w);
void jw_key(struct jw *w, const char *key);
/* A string; NULL is null. */
void jw_string(struct jw *w, const char *s);
/* A string; NULL or "" is null. */
void jw_string_or_null(struct jw *w, const char *s);
void jw_bool(struct jw *w, bool b);
void jw_int(struct jw *w, int64_t v);
void jw_null(struct jw *w);

/* Write the document and a newline to f: 0, -ENOMEM if a write to the buffer failed, -EIO. */
int jw_flush(struct jw *w, FILE *f);
void jw_free(struct jw *w);
#define _cleanup_jw_ _cleanup_(jw_free)

#endif
