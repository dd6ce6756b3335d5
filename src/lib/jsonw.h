/*
 * A streaming JSON writer: thousands of objects written straight into one
 * buffer, without building a tree first, in one of two layouts: json-c's
 * pretty form (two spaces, "key":value), which output_json and the listings
 * use, or serde_json's pretty form ("key": value, [] and {} when empty),
 * which mdevctl writes its definitions in. The buffer goes out whole at the
 * end (jw_flush, jw_steal), so a failure half-way never leaves half a
 * document on stdout or in a file.
 *
 * Every document is valid UTF-8, whatever bytes its strings hold: a byte
 * that is part of no valid UTF-8 sequence is written as the four
 * characters \xNN (the JSON text "\\xNN"), as the tables show it
 * (output_escape_to); in json-c's layout DEL and the C1 controls are
 * \u007f and \u0080-\u009f as well.
 */
#ifndef VIRT_MDEV_JSONW_H
#define VIRT_MDEV_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"

struct json_object;

enum jw_style {
	JW_STYLE_JSON_C, /* json-c's JSON_C_TO_STRING_PRETTY */
	JW_STYLE_SERDE, /* serde_json's to_string_pretty: mdevctl's files */
	JW_STYLE__LAST,
};

struct jw {
	char *buf;
	size_t len, cap;
	unsigned depth;
	enum jw_style style;
	bool need_comma; /* a value was written at this level */
	bool after_key; /* the next value follows a key on the same line */
	bool oom;
};

/* one line each, which clang-format 14 and 19 would lay out differently */
/* clang-format off */
#define JW_INIT { 0 }
#define JW_INIT_SERDE { .style = JW_STYLE_SERDE }
/* clang-format on */

void jw_begin_object(struct jw *w);
void jw_end_object(struct jw *w);
void jw_begin_array(struct jw *w);
void jw_end_array(struct jw *w);
void jw_key(struct jw *w, const char *key);
/*
 * The same for a key of n bytes known to need no escape (jw_is_plain), as
 * the columns of a listing are: no scan of the key for every row.
 */
void jw_key_plain(struct jw *w, const char *key, size_t n);
bool jw_is_plain(const char *key);
/* A string; NULL is null. */
void jw_string(struct jw *w, const char *s);
/* A string; NULL or "" is null. */
void jw_string_or_null(struct jw *w, const char *s);
void jw_bool(struct jw *w, bool b);
void jw_int(struct jw *w, int64_t v);
void jw_null(struct jw *w);
/*
 * A json-c value and everything in it, in this writer's layout: members in
 * their order, strings as they are (also with NUL bytes), numbers as json-c
 * spells them.
 */
void jw_value(struct jw *w, struct json_object *v);

/*
 * Write the document and a newline to f, and flush f: 0, -ENOMEM if a
 * write to the buffer failed, else the -errno of the failed write to f
 * (-ENOSPC, -EPIPE; -EIO when stdio does not say), never -ENOMEM for it.
 */
int jw_flush(struct jw *w, FILE *f);
/* The document and a newline as a string (the caller frees it), NULL if out of memory; w is empty after. */
char *jw_steal(struct jw *w);
void jw_free(struct jw *w);
#define _cleanup_jw_ _cleanup_(jw_free)

#endif
