/* The column model: a table, its long form and its JSON written from the same rows cannot disagree. */
#include "config.h"

#include <json-c/json.h>
#include <stddef.h>
#include <string.h>

#include "lib/columns.h"
#include "lib/jsonw.h"
#include "lib/kind.h"
#include "lib/mdev.h"
#include "lib/macro.h"
#include "tap.h"

/*
 * The JSON a test expects, written in json-c 0.16's layout (an empty array
 * or object over two lines), as the json-c the build runs with writes it:
 * 0.17 and later write "[]" and "{}" (jsonw follows the json-c in use).
 * Returns a static buffer.
 */
static const char *as_json_c(const char *want)
{
	static char buf[8192];
	size_t o = 0;

	if (json_c_version_num() < 0x001100)
		return want;
	for (const char *c = want; *c && o + 1 < sizeof(buf); c++) {
		const char *n = c + 1;

		if (*c == '[' || *c == '{') {
			if (*n == '\n')
				n++;
			while (*n == ' ')
				n++;
			if ((*c == '[' && *n == ']') ||
			    (*c == '{' && *n == '}')) {
				buf[o++] = *c;
				buf[o++] = *n;
				c = n;
				continue;
			}
		}
		buf[o++] = *c;
	}
	buf[o] = '\0';
	return buf;
}

/* a listing-shaped row: strings, an unknown value, a bool, a number, a list, something only some rows have */
struct row {
	char name[16];
	const char *note; /* NULL: unknown */
	bool on;
	int count;
	const char *items[3];
	bool has_extra;
};

static void get_note(const void *ctx, const void *row, struct cell *c)
{
	(void)ctx;
	cell_string(c, ((const struct row *)row)->note);
}

static void get_on(const void *ctx, const void *row, struct cell *c)
{
	(void)ctx;
	cell_bool(c, ((const struct row *)row)->on);
}

static void get_count(const void *ctx, const void *row, struct cell *c)
{
	const int *offset = ctx;

	cell_int(c, ((const struct row *)row)->count + *offset);
}

static void get_items(const void *ctx, const void *row, struct cell *c)
{
	const struct row *r = row;

	(void)ctx;
	cell_array(c);
	for (size_t i = 0; i < ARRAY_SIZE(r->items) && r->items[i]; i++)
		cell_add(c, r->items[i]);
}

static void get_extra(const void *ctx, const void *row, struct cell *c)
{
	const struct row *r = row;

	(void)ctx;
	if (r->has_extra)
		cell_take(c, strdup("extra"));
}

static const char *why_on(const void *ctx, const void *row)
{
	(void)ctx;
	return ((const struct row *)row)->on ? "switched on" : "switched off";
}

static const struct column test_columns[] = {
	{ "NAME", "name", "name", COLUMN_STRING, 6,
	  .field = offsetof(struct row, name) },
	{ "NOTE", "note", "note", COLUMN_STRING, 8, .get = get_note },
	{ "ON", "on", "on", COLUMN_BOOL, 3, .get = get_on, .explain = why_on },
	{ "COUNT", NULL, "count", COLUMN_INT, 5, .get = get_count },
	{ NULL, "hidden", "hidden", COLUMN_STRING, 0, .get = get_extra },
	{ "ITEMS", "items", "items", COLUMN_ARRAY, 0, .sep = ",",
	  .long_sep = " ", .get = get_items },
};

static const struct row rows[] = {
	{ "a", "first", true, 1, { "x", "y", NULL }, true },
	{ "longname", NULL, false, -20, { NULL }, false },
	{ "c", "", true, 123456, { "only", NULL }, false },
};

static const int offset = 0;

static char *capture_table(struct columns *l)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	columns_print_table(l, rows, ARRAY_SIZE(rows), sizeof(rows[0]), f);
	fclose(f);
	return text;
}

static char *capture_long(struct columns *l, const struct row *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	columns_print_long(l, r, f);
	fclose(f);
	return text;
}

static char *capture_json(struct columns *l)
{
	struct jw w = JW_INIT;

	jw_begin_array(&w);
	columns_json_rows(l, rows, ARRAY_SIZE(rows), sizeof(rows[0]), &w);
	jw_end_array(&w);
	return jw_steal(&w);
}

static void test_table(struct columns *l)
{
	char *t = capture_table(l);

	/* each cell padded to its width, one space between, the last not padded; a long value pushes on */
	is_str(t,
	       "NAME   NOTE     ON  COUNT ITEMS\n"
	       "a      first    yes 1     x,y\n"
	       "longname -        no  -20   -\n"
	       "c      -        yes 123456 only\n",
	       "the table: headings and cells padded to the widths, null and empty lists as -, bools as yes/no");
	free(t);
}

static void test_json(struct columns *l)
{
	char *j = capture_json(l);

	is_str(j,
	       as_json_c("[\n"
			 "  {\n"
			 "    \"name\":\"a\",\n"
			 "    \"note\":\"first\",\n"
			 "    \"on\":true,\n"
			 "    \"count\":1,\n"
			 "    \"hidden\":\"extra\",\n"
			 "    \"items\":[\n"
			 "      \"x\",\n"
			 "      \"y\"\n"
			 "    ]\n"
			 "  },\n"
			 "  {\n"
			 "    \"name\":\"longname\",\n"
			 "    \"note\":null,\n"
			 "    \"on\":false,\n"
			 "    \"count\":-20,\n"
			 "    \"items\":[\n"
			 "    ]\n"
			 "  },\n"
			 "  {\n"
			 "    \"name\":\"c\",\n"
			 "    \"note\":\"\",\n"
			 "    \"on\":true,\n"
			 "    \"count\":123456,\n"
			 "    \"items\":[\n"
			 "      \"only\"\n"
			 "    ]\n"
			 "  }\n"
			 "]\n"),
	       "the JSON of the same rows: a null value is null, an absent one has no member, keys in column order");
	free(j);
}

static void test_long(struct columns *l)
{
	char *a = capture_long(l, &rows[0]), *b = capture_long(l, &rows[1]);

	is_str(a,
	       "name: a\nnote: first\non: yes (switched on)\nhidden: extra\nitems: x y\n",
	       "the long form: one labelled line a column, the explanation after the value, the list joined by its long separator");
	is_str(b, "name: longname\nnote: -\non: no (switched off)\nitems: -\n",
	       "an absent value has no line, a null one is -");
	free(a);
	free(b);
}

/* the text a JSON value has in the table */
static void text_of(struct json_object *v, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!v || json_object_is_type(v, json_type_null)) {
		snprintf(buf, size, "-");
	} else if (json_object_is_type(v, json_type_boolean)) {
		snprintf(buf, size, "%s",
			 json_object_get_boolean(v) ? "yes" : "no");
	} else if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
				 i ? "," : "",
				 json_object_get_string(
					 json_object_array_get_idx(v, i)));
		if (!buf[0])
			snprintf(buf, size, "-");
	} else {
		snprintf(buf, size, "%s", json_object_get_string(v));
	}
}

/* every cell of the table, read back by words, is the text of the JSON member of the same row and column */
static void test_agree(struct columns *l)
{
	static const char *const keys[] = { "name", "note", "on", "count",
					    "items" };
	char *t = capture_table(l), *j = capture_json(l);
	struct json_object *doc = json_tokener_parse(j);
	char *save = NULL, *line = strtok_r(t, "\n", &save);
	size_t r = 0;
	bool same = doc != NULL;

	/* the empty note of row 3 is "" in JSON: the table shows it as - (null), which is the one difference allowed */
	for (line = strtok_r(NULL, "\n", &save); line && same;
	     line = strtok_r(NULL, "\n", &save), r++) {
		char *wsave = NULL, *word = strtok_r(line, " ", &wsave);

		for (size_t k = 0; k < ARRAY_SIZE(keys) && same; k++) {
			struct json_object *v = NULL;
			char want[256];

			json_object_object_get_ex(
				json_object_array_get_idx(doc, r), keys[k], &v);
			text_of(v, want, sizeof(want));
			if (v && json_object_is_type(v, json_type_string) &&
			    !*json_object_get_string(v))
				snprintf(want, sizeof(want), "-");
			same = word && strcmp(word, want) == 0;
			if (!same)
				printf("# row %zu %s: table '%s', JSON '%s'\n",
				       r, keys[k], word ? word : "(none)",
				       want);
			word = strtok_r(NULL, " ", &wsave);
		}
	}
	ok(same && r == ARRAY_SIZE(rows),
	   "every table cell says what the JSON member of its row says");
	json_object_put(doc);
	free(t);
	free(j);
}

static void test_context(void)
{
	static const int ten = 10;
	struct columns l;
	struct jw w = JW_INIT;
	char *j;

	columns_init(&l, &ten);
	columns_add(&l, &test_columns[3], 1);
	columns_json_members(&l, &rows[0], &w);
	j = jw_steal(&w);
	is_str(j, "\"count\":11\n",
	       "a getter reads the listing's context (what its rows share)");
	free(j);
	columns_clear(&l);
}

/* the mdev listing takes every kind's columns; a kind's getter leaves another kind's mdev absent */
static void test_kind_columns(void)
{
	struct mdev_info m[2] = { { .kind = mdev_kind_by_name("ccw") },
				  { .kind = mdev_kind_by_name("ap") } };
	struct columns l;
	struct jw w = JW_INIT;
	char *text = NULL, *j;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ap_mask_set(&m[1].apm, 5);
	ap_mask_set(&m[1].aqm, 4);
	ap_mask_set(&m[1].aqm, 0xab);
	columns_init(&l, NULL);
	for (size_t i = 0; mdev_kinds[i]; i++)
		columns_add(&l, mdev_kinds[i]->list_columns,
			    mdev_kinds[i]->nlist_columns);
	columns_print_table(&l, m, ARRAY_SIZE(m), sizeof(m[0]), f);
	fclose(f);
	is_str(text, "APQNS\n-\n05.0004,05.00ab\n",
	       "list mdev: the APQNS column from the vfio-ap kind, - for a vfio-ccw mdev");
	jw_begin_array(&w);
	columns_json_rows(&l, m, ARRAY_SIZE(m), sizeof(m[0]), &w);
	jw_end_array(&w);
	j = jw_steal(&w);
	is_str(j,
	       as_json_c(
		       "[\n  {\n  },\n  {\n    \"apqns\":[\n      \"05.0004\",\n      \"05.00ab\"\n    ],\n    \"control_domains\":null\n  }\n]\n"),
	       "and in JSON: no apqns or control_domains member for the vfio-ccw mdev");
	free(text);
	free(j);
	columns_clear(&l);
}

int main(void)
{
	struct columns l;

	columns_init(&l, &offset);
	columns_add(&l, test_columns, ARRAY_SIZE(test_columns));
	test_table(&l);
	test_json(&l);
	test_long(&l);
	test_agree(&l);
	ok(!l.oom, "no cell ran out of memory");
	columns_clear(&l);
	test_context();
	test_kind_columns();
	return tap_done();
}
