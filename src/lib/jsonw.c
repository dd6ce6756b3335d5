/* A streaming JSON writer (see jsonw.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

static bool reserve(struct jw *w, size_t more)
{
	size_t cap;
	char *b;

	if (w->oom)
		return false;
	if (w->len + more <= w->cap)
		return true;
	cap = w->cap ? w->cap : 4096;
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

static void put(struct jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void newline(struct jw *w)
{
	size_t n = 1 + 2 * (size_t)w->depth;

	if (!reserve(w, n))
		return;
	w->buf[w->len] = '\n';
	memset(w->buf + w->len + 1, ' ', n - 1);
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

static void quoted(struct jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	put(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		const char *e = NULL;
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\f':
			e = "\\f";
			break;
		default:
			e = esc;
			elen = sizeof(esc);
			break;
		}
		put(w, e, elen);
	}
	put(w, run, (size_t)(s - run));
	put(w, "\"", 1);
}

static void open_(struct jw *w, char c)
{
	before(w);
	put(w, &c, 1);
	w->depth++;
	w->need_comma = false;
}

static void close_(struct jw *w, char c)
{
	w->depth--;
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
	quoted(w, key);
	put(w, ":", 1);
	w->after_key = true;
}

static void scalar(struct jw *w, const char *text)
{
	before(w);
	put(w, text, strlen(text));
	w->need_comma = true;
}

void jw_string(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	before(w);
	quoted(w, s);
	w->need_comma = true;
}

void jw_string_or_null(struct jw *w, const char *s)
{
	jw_string(w, s && *s ? s : NULL);
}

void jw_bool(struct jw *w, bool b)
{
	scalar(w, b ? "true" : "false");
}

void jw_int(struct jw *w, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	scalar(w, num);
}

void jw_null(struct jw *w)
{
	scalar(w, "null");
}

int jw_flush(struct jw *w, FILE *f)
{
	if (w->oom)
		return -ENOMEM;
	if (w->len && fwrite(w->buf, 1, w->len, f) != w->len)
		return -EIO;
	if (fputc('\n', f) == EOF)
		return -EIO;
	return 0;
}

void jw_free(struct jw *w)
{
	free(w->buf);
	*w = (struct jw)JW_INIT;
}
