/*
 * One column model for a listing's table, its long form and its JSON, as
 * util-linux's libsmartcols and s390-tools' util_rec have it: a listing
 * declares each column once (heading, label, JSON key, value type, width,
 * getter), and every output is written from the same cells, so that the
 * table, "show" and --json cannot drift apart.
 *
 *   table (list):     the headings, then a row a line; each cell but the
 *                     last padded to its column's width (a longer value
 *                     pushes the rest right), one space between cells
 *   long form (show): "label: value" a line
 *   JSON (--json):    one member a column, through the streaming writer
 *
 * In text a null, absent or empty value is "-", a bool "yes" or "no", an
 * array its items joined ("-" when it has none). An absent value (the row has no such
 * thing: the APQNs of a vfio-ccw mdev) has no member in JSON and no line in
 * the long form. An invalid value (the host has one, but it cannot be read
 * or makes no sense: available_instances reads "x") is never dropped: "?"
 * in the table, "? (WHY)" in the long form, and in JSON null with a member
 * KEY_error that says why. Strings and items are escaped in text as
 * output_escape_to does (one line, no control character, valid UTF-8).
 */
#ifndef VIRT_MDEV_COLUMNS_H
#define VIRT_MDEV_COLUMNS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jw;

enum column_type {
	COLUMN_STRING, /* cell.s; NULL is null */
	COLUMN_BOOL, /* cell.b */
	COLUMN_INT, /* cell.i */
	COLUMN_ARRAY, /* strings, added with cell_add */
	COLUMN__LAST,
};

/* One value: what a getter fills in for one row. */
struct cell {
	bool absent; /* the row has no such value */
	bool null; /* it has, and it is unknown or unset */
	const char *
		invalid; /* it has, but it cannot be read or makes no sense: why; or NULL */
	const char *s;
	bool b;
	int64_t i;
	/* COLUMN_ARRAY: n items, each NUL-terminated, one after the other in items */
	size_t n;
	char *items;
	size_t items_len, items_cap;
	char *owned; /* a string the getter allocated (cell_take), freed before the next row */
	bool oom;
};

/*
 * A getter: the value of one column for row, in the listing's context (what
 * its rows share: the AP bus of the queues). It leaves c as it finds it for
 * an absent value.
 */
typedef void (*column_get_fn)(const void *ctx, const void *row, struct cell *c);

struct column {
	const char *header; /* the table's heading; NULL: not in the table */
	const char *label; /* "label: value" of the long form; NULL: not there */
	const char *key; /* the JSON member; NULL: not in JSON */
	enum column_type type;
	unsigned width; /* a table cell is padded to it (not the table's last) */
	/* COLUMN_ARRAY: between items in a table cell (no spaces there), and in the long form */
	const char *sep, *long_sep;
	/* the value; NULL: the row's NUL-terminated char array at field, "" being null */
	column_get_fn get;
	size_t field;
	/* The long form only: why the value is what it is, said after it in parentheses; or NULL. */
	const char *(*explain)(const void *ctx, const void *row);
};

/* Cell setters for getters. */
void cell_string(struct cell *c, const char *s); /* NULL: null */
void cell_string_or_null(struct cell *c, const char *s); /* NULL or "": null */
void cell_bool(struct cell *c, bool b);
void cell_int(struct cell *c, int64_t v);
void cell_null(struct cell *c);
/* The value the host has cannot be read or makes no sense; why says so (kept until the next row). */
void cell_invalid(struct cell *c, const char *why);
/* A string the getter allocated; the cell frees it. NULL: out of memory. */
void cell_take(struct cell *c, char *s);
/* An array, with no item yet; and one more item (a copy). */
void cell_array(struct cell *c);
void cell_add(struct cell *c, const char *item);

#define COLUMNS_MAX 24

/* A listing: its columns in order, its context and the cell its getters fill. */
struct columns {
	const struct column *v[COLUMNS_MAX];
	/* the length of each key that needs no escape; 0: escape it */
	size_t key_len[COLUMNS_MAX];
	size_t n;
	const void *ctx;
	struct cell cell;
	bool oom; /* a cell ran out of memory: its value is missing from what was written */
};

void columns_init(struct columns *l, const void *ctx);
/* Append n columns (a listing's own, or the ones a device kind adds). */
void columns_add(struct columns *l, const struct column *cols, size_t n);
void columns_clear(struct columns *l);

/* The table's heading line and one row's line. */
void columns_print_header(struct columns *l, FILE *f);
void columns_print_row(struct columns *l, const void *row, FILE *f);
/* Every row: rows[0..n), each size bytes, with a heading line first. */
void columns_print_table(struct columns *l, const void *rows, size_t n,
			 size_t size, FILE *f);
/* The long form of one row. */
void columns_print_long(struct columns *l, const void *row, FILE *f);
/* One row's JSON members (the caller opens and closes its object). */
void columns_json_members(struct columns *l, const void *row, struct jw *w);
/* Every row, each an object, into the array the caller opened. */
void columns_json_rows(struct columns *l, const void *rows, size_t n,
		       size_t size, struct jw *w);

#endif
