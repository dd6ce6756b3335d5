/* One mdevctl definition file, read as mdevctl reads it: only a regular file, bounded, strict JSON (serde_json's rules), every fault named (kernel-sysfs.md 4.4). */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "cleanup.h"
#include "jsonw.h"
#include "mdev.h"

/* the fault in fault[size]; returns -errnum */
static int fail(int errnum, char *fault, size_t size, const char *fmt, ...)
	_printf_(4, 5);

static int fail(int errnum, char *fault, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fault, size, fmt, ap);
	va_end(ap);
	return -errnum;
}

static const char *type_word(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_string:
		return "a string";
	case json_type_array:
		return "an array";
	case json_type_object:
		return "an object";
	}
	return "a value";
}

/* JSON's whitespace (a NUL byte is none) */
static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* where byte off is, as editors count: line and column from 1 */
static void line_col(const char *text, size_t off, unsigned *line,
		     unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

static bool hex4(const char *p, const char *end, unsigned *v)
{
	*v = 0;
	if (end - p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) :
						    16u;

		if (d > 15)
			return false;
		*v = *v * 16 + d;
	}
	return true;
}

/*
 * The first escape that json-c takes and mdevctl's serde_json refuses (a
 * lone surrogate), or that json-c cannot keep as written (\u0000: a key is
 * cut there): its offset, or -1. Only called on text json-c parsed, where a
 * backslash is always the start of an escape inside a string.
 */
static long bad_escape(const char *t, size_t n, const char **why)
{
	const char *end = t + n;

	for (const char *p = t; p + 1 < end; p++) {
		unsigned v, w;

		if (*p != '\\')
			continue;
		if (p[1] != 'u' || !hex4(p + 2, end, &v)) {
			p++; /* a two-character escape */
			continue;
		}
		if (v == 0) {
			*why = "\\u0000 (a NUL character: no sysfs write carries it, and virt-mdev cannot keep it as written)";
			return p - t;
		}
		if (v >= 0xdc00 && v <= 0xdfff) {
			*why = "a lone trailing surrogate (mdevctl refuses it)";
			return p - t;
		}
		if (v >= 0xd800 && v <= 0xdbff) {
			if (p + 7 < end && p[6] == '\\' && p[7] == 'u' &&
			    hex4(p + 8, end, &w) && w >= 0xdc00 &&
			    w <= 0xdfff) {
				p += 11;
				continue;
			}
			*why = "a lone leading surrogate (mdevctl refuses it)";
			return p - t;
		}
		p += 5;
	}
	return -1;
}

/* serde_json reads no NaN, no Infinity and no number beyond a double; json-c takes them */
static bool finite_numbers(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_double:
		return isfinite(json_object_get_double(v));
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (!finite_numbers(json_object_array_get_idx(v, i)))
				return false;
		return true;
	case json_type_object: {
		json_object_object_foreach(v, key, val)
		{
			(void)key;
			if (!finite_numbers(val))
				return false;
		}
		return true;
	}
	case json_type_null:
	case json_type_boolean:
	case json_type_int:
	case json_type_string:
		return true;
	}
	return true;
}

/* one pass of json-c's tokener over the whole text: the document, or NULL with the error and where */
static struct json_object *tokenize(const char *text, size_t len, int flags,
				    enum json_tokener_error *e, size_t *off)
{
	struct json_tokener *tok =
		json_tokener_new_ex(MDEV_DEFINITION_MAX_DEPTH);
	struct json_object *doc;
	size_t rest;

	if (!tok) {
		*e = json_tokener_success;
		*off = SIZE_MAX; /* out of memory */
		return NULL;
	}
	json_tokener_set_flags(tok, flags);
	doc = json_tokener_parse_ex(tok, text, (int)len);
	*e = json_tokener_get_error(tok);
	*off = json_tokener_get_parse_end(tok);
	if (!doc && *e == json_tokener_continue) {
		/* the end of the text ends a last number, or is the fault */
		doc = json_tokener_parse_ex(tok, "", 1);
		*e = json_tokener_get_error(tok);
		*off = len;
	}
	json_tokener_free(tok);
	for (rest = *off; doc && rest < len && is_ws(text[rest]); rest++)
		;
	if (doc && rest < len) {
		json_object_put(doc);
		doc = NULL;
		*off = rest;
		*e = json_tokener_error_parse_unexpected;
	}
	return doc;
}

/*
 * strict JSON in UTF-8, as serde_json reads it: the document, or NULL with
 * the fault. json-c 0.18's JSON_TOKENER_STRICT refuses every non-ASCII
 * character in a string (json-c issue #892), so a text that has some is read
 * twice: in UTF-8 (validated) for its values, and strictly with each
 * non-ASCII byte put as 'x' for its syntax (only strings may hold them).
 */
static struct json_object *parse_json(const char *text, size_t len, char *fault,
				      size_t size)
{
	enum json_tokener_error e;
	struct json_object *doc;
	size_t off, i;
	unsigned line, col;

	for (i = 0; i < len && !((unsigned char)text[i] & 0x80); i++)
		;
	if (i == len) {
		doc = tokenize(text, len,
			       JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8,
			       &e, &off);
	} else {
		char *ascii = malloc(len + 1);
		struct json_object *syntax = NULL;

		doc = tokenize(text, len, JSON_TOKENER_VALIDATE_UTF8, &e, &off);
		if (doc && ascii) {
			for (i = 0; i < len; i++)
				ascii[i] = (unsigned char)text[i] & 0x80 ?
						   'x' :
						   text[i];
			ascii[len] = '\0';
			syntax = tokenize(ascii, len, JSON_TOKENER_STRICT, &e,
					  &off);
			if (!syntax) {
				json_object_put(doc);
				doc = NULL;
			}
		} else if (doc) {
			json_object_put(doc);
			doc = NULL;
			off = SIZE_MAX;
		}
		json_object_put(syntax);
		free(ascii);
	}
	if (doc)
		return doc;
	if (off == SIZE_MAX) {
		snprintf(fault, size, "%s", strerror(ENOMEM));
		return NULL;
	}
	line_col(text, off < len ? off : len, &line, &col);
	if (e == json_tokener_error_depth)
		snprintf(
			fault, size,
			"nested deeper than the %d levels mdevctl reads (line %u, column %u)",
			MDEV_DEFINITION_MAX_DEPTH, line, col);
	else
		snprintf(
			fault, size,
			"not JSON as mdevctl reads it (strict JSON in UTF-8): %s at line %u, column %u",
			json_tokener_error_desc(e), line, col);
	return NULL;
}

static int definition_attrs(struct json_object *attrs,
			    struct mdev_definition *out, char *fault,
			    size_t size)
{
	size_t n;

	if (!attrs || json_object_is_type(attrs, json_type_null))
		return 0; /* mdevctl: no attributes */
	if (!json_object_is_type(attrs, json_type_array))
		return fail(EINVAL, fault, size,
			    "\"attrs\" is %s, not an array", type_word(attrs));
	n = json_object_array_length(attrs);
	if (n == 0)
		return 0;
	out->attrs = calloc(n, sizeof(*out->attrs));
	if (!out->attrs)
		return fail(ENOMEM, fault, size, "%s", strerror(ENOMEM));
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(attrs, i);
		int members;

		if (!json_object_is_type(a, json_type_object))
			return fail(
				EINVAL, fault, size,
				"attrs[%zu] is %s, not an object of one member",
				i, type_word(a));
		members = json_object_object_length(a);
		if (members != 1)
			return fail(
				EINVAL, fault, size,
				"attrs[%zu] has %d members, not one (an attribute is {\"NAME\": \"VALUE\"})",
				i, members);
		json_object_object_foreach(a, key, val)
		{
			if (!json_object_is_type(val, json_type_string))
				return fail(
					EINVAL, fault, size,
					"attrs[%zu] \"%s\" is %s, not a string",
					i, key, type_word(val));
			out->attrs[out->nattrs].name = key;
			out->attrs[out->nattrs].value =
				json_object_get_string(val);
			out->nattrs++;
		}
	}
	return 0;
}

int mdev_definition_parse(const char *text, size_t len,
			  struct mdev_definition *out, char *fault, size_t size)
{
	struct json_object *v = NULL;
	bool has;
	const char *why;
	long at;
	unsigned line, col;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > MDEV_DEFINITION_MAX_SIZE)
		return fail(
			EINVAL, fault, size,
			"larger than %d bytes, which no definition needs (mdevctl's are a few kB)",
			MDEV_DEFINITION_MAX_SIZE);
	for (at = 0; (size_t)at < len && is_ws(text[at]); at++)
		;
	if ((size_t)at == len)
		return fail(EINVAL, fault, size,
			    "it is empty (mdevctl wants a JSON object)");
	out->json = parse_json(text, len, fault, size);
	if (!out->json)
		return -EINVAL;
	r = -EINVAL;
	if (!json_object_is_type(out->json, json_type_object)) {
		fail(EINVAL, fault, size, "it is %s, not a JSON object",
		     type_word(out->json));
		goto fault;
	}
	/* mdevctl: "invalid json" when either is missing or null */
	has = json_object_object_get_ex(out->json, "mdev_type", &v);
	if (!v) {
		fail(EINVAL, fault, size, "%s (mdevctl needs the mdev type)",
		     has ? "\"mdev_type\" is null" : "it has no \"mdev_type\"");
		goto fault;
	}
	if (!json_object_is_type(v, json_type_string)) {
		fail(EINVAL, fault, size, "\"mdev_type\" is %s, not a string",
		     type_word(v));
		goto fault;
	}
	out->mdev_type = json_object_get_string(v);
	has = json_object_object_get_ex(out->json, "start", &v);
	if (!v) {
		fail(EINVAL, fault, size,
		     "%s (mdevctl wants \"auto\" or \"manual\")",
		     has ? "\"start\" is null" : "it has no \"start\"");
		goto fault;
	}
	/* anything but "auto" is manual to mdevctl */
	if (json_object_is_type(v, json_type_string)) {
		out->start = json_object_get_string(v);
		out->autostart = strcmp(out->start, "auto") == 0;
	}
	v = NULL;
	(void)json_object_object_get_ex(out->json, "attrs", &v);
	r = definition_attrs(v, out, fault, size);
	if (r < 0)
		goto fault;
	r = -EINVAL;
	if (!finite_numbers(out->json)) {
		fail(EINVAL, fault, size,
		     "it holds a number mdevctl cannot read (NaN, Infinity or beyond a double)");
		goto fault;
	}
	at = bad_escape(text, len, &why);
	if (at >= 0) {
		line_col(text, (size_t)at, &line, &col);
		fail(EINVAL, fault, size, "it holds %s at line %u, column %u",
		     why, line, col);
		goto fault;
	}
	return 0;
fault:
	mdev_definition_clear(out);
	return r;
}

static const char *file_kind(mode_t mode)
{
	return S_ISDIR(mode)  ? "a directory" :
	       S_ISFIFO(mode) ? "a FIFO" :
	       S_ISSOCK(mode) ? "a socket" :
	       S_ISCHR(mode)  ? "a character device" :
	       S_ISBLK(mode)  ? "a block device" :
	       S_ISLNK(mode)  ? "a symbolic link" :
				"not a file";
}

static int not_regular(mode_t mode, char *fault, size_t size)
{
	return fail(
		EINVAL, fault, size,
		"%s, not a regular file (mdevctl skips what is not a regular file, and follows no link to one)",
		file_kind(mode));
}

int mdev_definition_read_at(int dfd, const char *name,
			    struct mdev_definition *out, char *fault,
			    size_t size)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	mode_t mode = 0;
	int r;

	memset(out, 0, sizeof(*out));
	r = sysfs_read_regular_at(dfd, name, MDEV_DEFINITION_MAX_SIZE, &buf,
				  &len, &mode);
	if (r == -EINVAL)
		return not_regular(mode, fault, size);
	if (r == -EFBIG)
		return fail(
			EINVAL, fault, size,
			"larger than %d bytes, which no definition needs (mdevctl's are a few kB)",
			MDEV_DEFINITION_MAX_SIZE);
	if (r == -ENOMEM)
		return fail(ENOMEM, fault, size, "%s", strerror(ENOMEM));
	if (r < 0)
		return fail(-r, fault, size, "cannot read it: %s",
			    strerror(-r));
	return mdev_definition_parse(buf, len, out, fault, size);
}

void mdev_definition_clear(struct mdev_definition *d)
{
	json_object_put(d->json);
	free(d->attrs);
	memset(d, 0, sizeof(*d));
}

char *mdev_definition_text(const struct mdev_definition *d)
{
	struct jw w = JW_INIT_SERDE;

	jw_value(&w, d->json);
	return jw_steal(&w);
}
