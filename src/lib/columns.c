/* One column model for a listing's table, long form and JSON (see columns.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "jsonw.h"
#include "output.h"

/* ---- cells ---- */

static void cell_reset(struct cell *c)
{
	if (c->owned) {
		free(c->owned);
		c->owned = NULL;
	}
	c->absent = true;
	c->null = false;
	c->invalid = NULL;
	c->s = NULL;
	c->n = 0;
	c->items_len = 0;
}

void cell_string(struct cell *c, const char *s)
{
	c->absent = false;
	c->s = s;
	c->null = !s;
}

void cell_string_or_null(struct cell *c, const char *s)
{
	cell_string(c, s && *s ? s : NULL);
}

void cell_bool(struct cell *c, bool b)
{
	c->absent = false;
	c->b = b;
}

void cell_int(struct cell *c, int64_t v)
{
	c->absent = false;
	c->i = v;
}

void cell_null(struct cell *c)
{
	c->absent = false;
	c->null = true;
}

void cell_invalid(struct cell *c, const char *why)
{
	c->absent = false;
	c->null = true;
	c->invalid = why ? why : "unknown";
}

void cell_take(struct cell *c, char *s)
{
	free(c->owned);
	c->owned = s;
	if (!s)
		c->oom = true;
	cell_string(c, s);
}

void cell_array(struct cell *c)
{
	c->absent = false;
}

void cell_add(struct cell *c, const char *item)
{
	size_t n = strlen(item) + 1;

	c->absent = false;
	if (c->items_len + n > c->items_cap) {
		size_t cap = c->items_cap ? c->items_cap : 256;
		char *p;

		while (cap < c->items_len + n)
			cap *= 2;
		p = realloc(c->items, cap);
		if (!p) {
			c->oom = true;
			return;
		}
		c->items = p;
		c->items_cap = cap;
	}
	memcpy(c->items + c->items_len, item, n);
	c->items_len += n;
	c->n++;
}

/* ---- a listing ---- */

void columns_init(struct columns *l, const void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->ctx = ctx;
}

void columns_add(struct columns *l, const struct column *cols, size_t n)
{
	for (size_t i = 0; i < n && l->n < COLUMNS_MAX; i++) {
		const char *key = cols[i].key;

		l->key_len[l->n] = key && jw_is_plain(key) ? strlen(key) : 0;
		l->v[l->n++] = &cols[i];
	}
}

void columns_clear(struct columns *l)
{
	cell_reset(&l->cell);
	free(l->cell.items);
	memset(l, 0, sizeof(*l));
}

/* the cell of column col for row, filled afresh */
static const struct cell *fill(struct columns *l, const struct column *col,
			       const void *row)
{
	struct cell *c = &l->cell;

	cell_reset(c);
	c->oom = false;
	if (col->get)
		col->get(l->ctx, row, c);
	else
		cell_string_or_null(c, (const char *)row + col->field);
	if (c->oom)
		l->oom = true;
	return c;
}

/* ---- text ---- */

/* write s to f; its length */
static size_t put(FILE *f, const char *s)
{
	size_t n = strlen(s);

	fwrite(s, 1, n, f);
	return n;
}

/* a cell's text, array items joined by sep; its length */
static size_t put_text(const struct column *col, const struct cell *c,
		       const char *sep, FILE *f)
{
	const char *item = c->items;
	size_t len = 0;

	if (c->invalid)
		return put(f, "?");
	if (c->absent || c->null)
		return put(f, "-");
	switch (col->type) {
	case COLUMN_STRING:
		/* an empty cell would shift the columns; host data is escaped */
		return *c->s ? output_escaped(f, c->s) : put(f, "-");
	case COLUMN_BOOL:
		return put(f, c->b ? "yes" : "no");
	case COLUMN_INT:
		return (size_t)fprintf(f, "%" PRId64, c->i);
	case COLUMN_ARRAY:
		if (!c->n)
			return put(f, "-");
		for (size_t k = 0; k < c->n; k++) {
			if (k)
				len += put(f, sep);
			len += output_escaped(f, item);
			item += strlen(item) + 1;
		}
		return len;
	case COLUMN__LAST:
		break;
	}
	return 0;
}

static void pad(FILE *f, size_t len, unsigned width)
{
	for (; len < width; len++)
		putc(' ', f);
}

/* the table's columns: the ones with a heading */
static bool in_table(const struct column *col)
{
	return col->header != NULL;
}

/* the last column of the table is neither padded nor followed by a space */
static size_t last_in_table(const struct columns *l)
{
	size_t last = 0;

	for (size_t i = 0; i < l->n; i++)
		if (in_table(l->v[i]))
			last = i;
	return last;
}

void columns_print_header(struct columns *l, FILE *f)
{
	size_t last = last_in_table(l), len;

	for (size_t i = 0; i < l->n; i++) {
		if (!in_table(l->v[i]))
			continue;
		len = put(f, l->v[i]->header);
		if (i != last) {
			pad(f, len, l->v[i]->width);
			putc(' ', f);
		}
	}
	putc('\n', f);
}

void columns_print_row(struct columns *l, const void *row, FILE *f)
{
	size_t last = last_in_table(l), len;

	for (size_t i = 0; i < l->n; i++) {
		const struct column *col = l->v[i];

		if (!in_table(col))
			continue;
		len = put_text(col, fill(l, col, row), col->sep, f);
		if (i != last) {
			pad(f, len, col->width);
			putc(' ', f);
		}
	}
	putc('\n', f);
}

void columns_print_table(struct columns *l, const void *rows, size_t n,
			 size_t size, FILE *f)
{
	columns_print_header(l, f);
	for (size_t i = 0; i < n; i++)
		columns_print_row(l, (const char *)rows + i * size, f);
}

void columns_print_long(struct columns *l, const void *row, FILE *f)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct column *col = l->v[i];
		const struct cell *c;

		if (!col->label)
			continue;
		c = fill(l, col, row);
		if (c->absent)
			continue;
		fprintf(f, "%s: ", col->label);
		put_text(col, c, col->long_sep, f);
		if (c->invalid) {
			fputs(" (", f);
			output_escaped(f, c->invalid);
			putc(')', f);
		} else if (col->explain) {
			fprintf(f, " (%s)", col->explain(l->ctx, row));
		}
		putc('\n', f);
	}
}

/* ---- JSON ---- */

static void json_value(const struct column *col, const struct cell *c,
		       struct jw *w)
{
	const char *item = c->items;

	if (c->null) {
		jw_null(w);
		return;
	}
	switch (col->type) {
	case COLUMN_STRING:
		jw_string(w, c->s);
		return;
	case COLUMN_BOOL:
		jw_bool(w, c->b);
		return;
	case COLUMN_INT:
		jw_int(w, c->i);
		return;
	case COLUMN_ARRAY:
		jw_begin_array(w);
		for (size_t k = 0; k < c->n; k++) {
			jw_string(w, item);
			item += strlen(item) + 1;
		}
		jw_end_array(w);
		return;
	case COLUMN__LAST:
		break;
	}
	jw_null(w);
}

void columns_json_members(struct columns *l, const void *row, struct jw *w)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct column *col = l->v[i];
		const struct cell *c;

		if (!col->key)
			continue;
		c = fill(l, col, row);
		if (c->absent)
			continue;
		if (l->key_len[i])
			jw_key_plain(w, col->key, l->key_len[i]);
		else
			jw_key(w, col->key);
		json_value(col, c, w);
		if (c->invalid) {
			char key[128];

			snprintf(key, sizeof(key), "%s_error", col->key);
			jw_key(w, key);
			jw_string(w, c->invalid);
		}
	}
	if (l->oom)
		w->oom = true; /* jw_flush says so */
}

void columns_json_rows(struct columns *l, const void *rows, size_t n,
		       size_t size, struct jw *w)
{
	for (size_t i = 0; i < n; i++) {
		jw_begin_object(w);
		columns_json_members(l, (const char *)rows + i * size, w);
		jw_end_object(w);
	}
}
