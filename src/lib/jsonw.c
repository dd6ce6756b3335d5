/* A streaming JSON writer (see jsonw.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <json-c/json_c_version.h>

#include "jsonw.h"
#include "output.h"

/* grow the buffer; out of line, so that the common case (room left) stays a compare */
static __attribute__((noinline)) bool grow(struct jw *w, size_t more)
{
	size_t cap = w->cap ? w->cap : 4096;
	char *b;

	while (cap < w->len + more)
		cap *= 2;
	b = realloc(w->buf, cap);
	if (!b) {
		w->oom = true;
		return false;
	}
	w->buf = b;
	w->cap = cap;
	return true;
}

static inline bool reserve(struct jw *w, size_t more)
{
	if (w->len + more <= w->cap)
		return true;
	return !w->oom && grow(w, more);
}

static inline void put(struct jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void newline(struct jw *w)
{
	size_t n = 1 + 2 * (size_t)w->depth;
	char *p;

	/* the indent 8 spaces at a time, into the room that 8 more bytes leave */
	if (!reserve(w, n + 8))
		return;
	p = w->buf + w->len;
	*p++ = '\n';
	for (size_t k = 0; k < n - 1; k += 8)
		memcpy(p + k, "        ", 8);
	w->len += n;
}

/* what comes before a value or a key: nothing after a key, else a comma and a new line */
static void before(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma)
		put(w, ",", 1);
	if (w->depth > 0)
		newline(w);
}

/* the bytes a JSON string cannot hold as they are: controls, '"' and '\' (both layouts escape the same) */
static const bool must_escape[256] = {
	[0 ... 0x1f] = true,
	['"'] = true,
	['\\'] = true,
};

static void escaped(struct jw *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"':
		put(w, "\\\"", 2);
		return;
	case '\\':
		put(w, "\\\\", 2);
		return;
	case '\n':
		put(w, "\\n", 2);
		return;
	case '\t':
		put(w, "\\t", 2);
		return;
	case '\r':
		put(w, "\\r", 2);
		return;
	case '\b':
		put(w, "\\b", 2);
		return;
	case '\f':
		put(w, "\\f", 2);
		return;
	case 0x7f:
		/* DEL: as it is where serde_json keeps it (mdevctl's files), escaped in the listings */
		if (w->style == JW_STYLE_SERDE) {
			put(w, "\x7f", 1);
			return;
		}
		break;
	}
	put(w, u, sizeof(u));
}

/*
 * Bytes that are no valid UTF-8 (a name the host gave): "\\xNN" each, the
 * same text the tables show (output_escape_to), so that the document stays
 * valid UTF-8 (RFC 8259 section 8.1); the C1 controls U+0080-U+009F as
 * \u0080-\u009f in the listings' layout. The length taken from p.
 */
static size_t non_ascii(struct jw *w, const unsigned char *p,
			const unsigned char *end)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = output_utf8_len(p, (size_t)(end - p));

	if (!len) {
		char x[5] = { '\\', '\\', 'x', hex[p[0] >> 4], hex[p[0] & 15] };

		put(w, x, sizeof(x));
		return 1;
	}
	if (p[0] == 0xc2 && p[1] < 0xa0 && w->style == JW_STYLE_JSON_C) {
		escaped(w, p[1]);
		return 2;
	}
	put(w, (const char *)p, len);
	return len;
}

/*
 * does any of the 8 bytes need a look? (bit tricks: a byte below 0x20,
 * equal to '"', '\\' or DEL, or not ASCII, which must be valid UTF-8)
 */
static inline bool word_must_escape(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t quote = v ^ (ones * '"'), bslash = v ^ (ones * '\\');
	uint64_t del = v ^ (ones * 0x7f);

	return (((v - ones * 0x20) & ~v) | ((quote - ones) & ~quote) |
		((bslash - ones) & ~bslash) | ((del - ones) & ~del) | v) &
	       high;
}

/* the bytes that stand for themselves in a JSON string: printable ASCII but '"' and '\\' */
static inline bool plain_byte(unsigned char c)
{
	return !must_escape[c] && c < 0x7f;
}

/* the rest of a string from its first byte to look at on, and the closing quote */
static void quoted_slow(struct jw *w, const unsigned char *p,
			const unsigned char *end)
{
	while (p < end) {
		const unsigned char *run;

		if (*p >= 0x80)
			p += non_ascii(w, p, end);
		else
			escaped(w, *p++);
		for (run = p; p < end && plain_byte(*p); p++)
			;
		put(w, (const char *)run, (size_t)(p - run));
	}
	put(w, "\"", 1);
}

/* s in quotes: copied 8 bytes at a time while none needs an escape (the common case) */
static void quoted(struct jw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char *d;

	if (!reserve(w, n + 2))
		return;
	d = w->buf + w->len;
	*d++ = '"';
	for (; end - p >= 8; p += 8, d += 8) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		if (word_must_escape(v))
			break;
		memcpy(d, &v, sizeof(v));
	}
	for (; p < end && plain_byte(*p); p++)
		*d++ = (char)*p;
	w->len = (size_t)(d - w->buf);
	if (p < end) {
		quoted_slow(w, p, end);
		return;
	}
	w->buf[w->len++] = '"';
}

static void open_(struct jw *w, char c)
{
	before(w);
	put(w, &c, 1);
	w->depth++;
	w->need_comma = false;
}

/*
 * json-c 0.17 and later print an empty array or object as "[]" and "{}";
 * 0.16 (Debian 12) opens it on one line and closes it on the next. The
 * listings match the json-c the build runs with, as plan JSON (json-c's own
 * text) does.
 */
static bool json_c_compact_empty(void)
{
	static int compact = -1;

	if (compact < 0)
		compact = json_c_version_num() >= 0x001100;
	return compact == 1;
}

static void close_(struct jw *w, char c)
{
	bool empty = !w->need_comma;

	w->depth--;
	/* serde_json closes an empty container on its line, as json-c 0.17+ does */
	if (!(empty && (w->style == JW_STYLE_SERDE || json_c_compact_empty())))
		newline(w);
	put(w, &c, 1);
	w->need_comma = true;
}

void jw_begin_object(struct jw *w)
{
	open_(w, '{');
}

void jw_end_object(struct jw *w)
{
	close_(w, '}');
}

void jw_begin_array(struct jw *w)
{
	open_(w, '[');
}

void jw_end_array(struct jw *w)
{
	close_(w, ']');
}

void jw_key(struct jw *w, const char *key)
{
	before(w);
	quoted(w, key, strlen(key));
	if (w->style == JW_STYLE_SERDE)
		put(w, ": ", 2);
	else
		put(w, ":", 1);
	w->after_key = true;
}

void jw_key_plain(struct jw *w, const char *key, size_t n)
{
	char *d;

	before(w);
	if (!reserve(w, n + 4))
		return;
	d = w->buf + w->len;
	*d++ = '"';
	memcpy(d, key, n);
	d += n;
	*d++ = '"';
	*d++ = ':';
	if (w->style == JW_STYLE_SERDE)
		*d++ = ' ';
	w->len = (size_t)(d - w->buf);
	w->after_key = true;
}

bool jw_is_plain(const char *key)
{
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (must_escape[*p] || *p >= 0x80)
			return false;
	return true;
}

static void scalar(struct jw *w, const char *text, size_t n)
{
	before(w);
	put(w, text, n);
	w->need_comma = true;
}

void jw_string(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	before(w);
	quoted(w, s, strlen(s));
	w->need_comma = true;
}

void jw_string_or_null(struct jw *w, const char *s)
{
	jw_string(w, s && *s ? s : NULL);
}

void jw_bool(struct jw *w, bool b)
{
	if (b)
		scalar(w, "true", 4);
	else
		scalar(w, "false", 5);
}

void jw_int(struct jw *w, int64_t v)
{
	/* digits from the right, without a format to parse (thousands of them in a listing) */
	char num[24], *p = num + sizeof(num);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	scalar(w, p, (size_t)(num + sizeof(num) - p));
}

void jw_null(struct jw *w)
{
	scalar(w, "null", 4);
}

void jw_value(struct jw *w, struct json_object *v)
{
	const char *text;

	switch (json_object_get_type(v)) {
	case json_type_null:
		jw_null(w);
		return;
	case json_type_boolean:
		jw_bool(w, json_object_get_boolean(v));
		return;
	case json_type_double:
	case json_type_int:
		/* json-c keeps the number's text as it was parsed */
		text = json_object_to_json_string_ext(v,
						      JSON_C_TO_STRING_PLAIN);
		scalar(w, text, strlen(text));
		return;
	case json_type_string:
		before(w);
		quoted(w, json_object_get_string(v),
		       (size_t)json_object_get_string_len(v));
		w->need_comma = true;
		return;
	case json_type_array:
		jw_begin_array(w);
		for (size_t i = 0; i < json_object_array_length(v); i++)
			jw_value(w, json_object_array_get_idx(v, i));
		jw_end_array(w);
		return;
	case json_type_object:
		jw_begin_object(w);
		json_object_object_foreach(v, key, val)
		{
			jw_key(w, key);
			jw_value(w, val);
		}
		jw_end_object(w);
		return;
	}
}

/* the -errno of a failed write to f (stdout keeps its first, stdio leaves it in errno), -EIO if none is known */
static int write_failed(FILE *f)
{
	if (f == stdout && output_stdout_errno())
		return -output_stdout_errno();
	return errno > 0 ? -errno : -EIO;
}

int jw_flush(struct jw *w, FILE *f)
{
	if (w->oom)
		return -ENOMEM;
	errno = 0;
	if (w->len && fwrite(w->buf, 1, w->len, f) != w->len)
		return write_failed(f);
	if (fputc('\n', f) == EOF)
		return write_failed(f);
	/* the document is out, or its write error known, before the caller says it is done */
	if (fflush(f) != 0)
		return write_failed(f);
	return 0;
}

char *jw_steal(struct jw *w)
{
	char *text = NULL;

	put(w, "\n", 2); /* the newline and the NUL */
	if (!w->oom) {
		text = w->buf;
		w->buf = NULL;
	}
	jw_free(w);
	return text;
}

void jw_free(struct jw *w)
{
	enum jw_style style = w->style;

	free(w->buf);
	*w = (struct jw)JW_INIT;
	w->style = style;
}
