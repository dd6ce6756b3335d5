/* The streaming JSON writer: the same text as json-c's pretty output for the same document, strings that come back unchanged, valid UTF-8 whatever the bytes, write errors said as such; and the escape of host data in text. */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/jsonw.h"
#include "lib/output.h"
#include "tap.h"

static char *text_of(struct jw *w)
{
	char *t = malloc(w->len + 1);

	memcpy(t, w->buf, w->len);
	t[w->len] = '\0';
	return t;
}

/* a listing-shaped document, written both ways */
static void test_same_as_json_c(void)
{
	struct jw w = JW_INIT;
	struct json_object *doc = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct json_object *o = json_object_new_object();
	struct json_object *empty = json_object_new_array();
	struct json_object *apqns = json_object_new_array();
	const char *want;
	char *got;

	json_object_object_add(o, "uuid", json_object_new_string("u-1"));
	json_object_object_add(o, "type", NULL);
	json_object_object_add(o, "active", json_object_new_boolean(true));
	json_object_object_add(o, "count", json_object_new_int64(-42));
	json_object_array_add(apqns, json_object_new_string("05.0004"));
	json_object_array_add(apqns, json_object_new_string("05.00ab"));
	json_object_object_add(o, "apqns", apqns);
	json_object_object_add(o, "domains", json_object_new_array());
	json_object_array_add(arr, o);
	json_object_object_add(doc, "mdevs", arr);
	json_object_object_add(doc, "none", empty);
	json_object_object_add(doc, "path",
			       json_object_new_string("/sys/bus/mdev"));
	want = json_object_to_json_string_ext(
		doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

	jw_begin_object(&w);
	jw_key(&w, "mdevs");
	jw_begin_array(&w);
	jw_begin_object(&w);
	jw_key(&w, "uuid");
	jw_string(&w, "u-1");
	jw_key(&w, "type");
	jw_string_or_null(&w, "");
	jw_key(&w, "active");
	jw_bool(&w, true);
	jw_key(&w, "count");
	jw_int(&w, -42);
	jw_key(&w, "apqns");
	jw_begin_array(&w);
	jw_string(&w, "05.0004");
	jw_string(&w, "05.00ab");
	jw_end_array(&w);
	jw_key(&w, "domains");
	jw_begin_array(&w);
	jw_end_array(&w);
	jw_end_object(&w);
	jw_end_array(&w);
	jw_key(&w, "none");
	jw_begin_array(&w);
	jw_end_array(&w);
	jw_key(&w, "path");
	jw_string(&w, "/sys/bus/mdev");
	jw_end_object(&w);

	got = text_of(&w);
	{
		is_str(got, want,
		       "the writer's text equals json-c's pretty text, empty arrays included, as json-c %s writes them",
		       json_c_version());
	}
	ok(!w.oom, "no allocation failed");
	free(got);
	jw_free(&w);
	json_object_put(doc);
}

static void test_escapes(void)
{
	static const char *const strings[] = {
		"plain",
		"quote\" backslash\\ slash/",
		"tab\tnewline\nreturn\r",
		"\x01\x1f control",
		"ü UTF-8 ✓",
		"",
	};

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		struct jw w = JW_INIT;
		struct json_object *parsed, *v;
		char *text;

		jw_begin_object(&w);
		jw_key(&w, strings[i]);
		jw_string(&w, strings[i]);
		jw_end_object(&w);
		text = text_of(&w);
		parsed = json_tokener_parse(text);
		ok(parsed &&
			   json_object_object_get_ex(parsed, strings[i], &v) &&
			   strcmp(json_object_get_string(v), strings[i]) == 0,
		   "string %zu comes back unchanged through a JSON parser: %s",
		   i, text);
		json_object_put(parsed);
		free(text);
		jw_free(&w);
	}
}

/* serde_json's pretty form (mdevctl's files), numbers without printf, keys written without a scan */
static void test_serde_and_numbers(void)
{
	struct jw w = JW_INIT_SERDE, c = JW_INIT;
	char *got;

	jw_begin_object(&w);
	jw_key(&w, "attrs");
	jw_begin_array(&w);
	jw_end_array(&w);
	jw_key_plain(&w, "empty", 5);
	jw_begin_object(&w);
	jw_end_object(&w);
	jw_key(&w, "n");
	jw_begin_array(&w);
	jw_int(&w, 0);
	jw_int(&w, -42);
	jw_int(&w, INT64_MIN);
	jw_int(&w, INT64_MAX);
	jw_end_array(&w);
	jw_end_object(&w);
	got = jw_steal(&w);
	is_str(got,
	       "{\n  \"attrs\": [],\n  \"empty\": {},\n  \"n\": [\n    0,\n    -42,\n    -9223372036854775808,\n    9223372036854775807\n  ]\n}\n",
	       "serde layout: \"key\": value, [] and {} when empty, integers to both ends of int64");
	free(got);

	jw_begin_object(&c);
	jw_key_plain(&c, "uuid", 4);
	jw_string(&c, "u");
	jw_end_object(&c);
	got = jw_steal(&c);
	is_str(got, "{\n  \"uuid\":\"u\"\n}\n",
	       "a plain key is written as jw_key writes it");
	free(got);
	ok(jw_is_plain("control_domains") && !jw_is_plain("a\"b") &&
		   !jw_is_plain("\xc3\xbc"),
	   "only keys without escapes or non-ASCII bytes are plain");
}

/* the whole of s[0..n) is valid UTF-8 */
static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len = output_utf8_len(p + i, n - i);

		if (!len)
			return false;
		i += len;
	}
	return true;
}

/* bytes that are no UTF-8 in a JSON string: the text \xNN, and the document valid UTF-8 */
static void test_invalid_utf8(void)
{
	static const struct {
		const char *in, *json;
	} cases[] = {
		{ "a\xff"
		  "b",
		  "\"a\\\\xffb\"" },
		{ "cut \xc3", "\"cut \\\\xc3\"" },
		{ "overlong \xc0\xaf", "\"overlong \\\\xc0\\\\xaf\"" },
		{ "surrogate \xed\xa0\x80",
		  "\"surrogate \\\\xed\\\\xa0\\\\x80\"" },
		{ "too big \xf4\x90\x80\x80",
		  "\"too big \\\\xf4\\\\x90\\\\x80\\\\x80\"" },
		{ "valid \xf0\x9f\x98\x80 \xc3\xbc",
		  "\"valid \xf0\x9f\x98\x80 \xc3\xbc\"" },
		{ "csi \xc2\x9b del \x7f esc \x1b",
		  "\"csi \\u009b del \\u007f esc \\u001b\"" },
		{ "0123456789abcdef\xfe"
		  "0123456789abcdef",
		  "\"0123456789abcdef\\\\xfe0123456789abcdef\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jw w = JW_INIT;
		char *text;

		jw_string(&w, cases[i].in);
		text = text_of(&w);
		is_str(text, cases[i].json,
		       "JSON string %zu: invalid bytes as \\xNN, controls as \\u00NN",
		       i);
		ok(valid_utf8(text, strlen(text)),
		   "JSON string %zu is valid UTF-8", i);
		free(text);
		jw_free(&w);
	}
}

/* a failed write is its errno, never ENOMEM; ENOMEM only when the buffer could not grow */
static void test_write_errors(void)
{
	FILE *full = fopen("/dev/full", "w");
	struct json_object *doc = json_object_new_object();
	struct jw w = JW_INIT;
	int fds[2];
	FILE *pipe_w;

	json_object_object_add(doc, "k", json_object_new_string("v"));
	jw_begin_object(&w);
	for (int i = 0; i < 20000; i++) {
		jw_key(&w, "uuid");
		jw_string(&w, "11111111-2222-4333-8444-555555555555");
	}
	jw_end_object(&w);
	ok(w.len > 512 * 1024, "a document larger than stdio's buffer");
	is_int(jw_flush(&w, full), -ENOSPC,
	       "jw_flush to /dev/full: -ENOSPC, not -ENOMEM");
	is_int(output_json(full, doc), -ENOSPC,
	       "output_json to /dev/full: -ENOSPC");
	fclose(full);

	signal(SIGPIPE, SIG_IGN);
	if (pipe(fds) == 0) {
		close(fds[0]);
		pipe_w = fdopen(fds[1], "w");
		is_int(jw_flush(&w, pipe_w), -EPIPE,
		       "jw_flush to a pipe without a reader (SIGPIPE ignored): -EPIPE");
		fclose(pipe_w);
	} else {
		ok(0, "pipe(2)");
	}
	signal(SIGPIPE, SIG_DFL);

	w.oom = true;
	full = fopen("/dev/null", "w");
	is_int(jw_flush(&w, full), -ENOMEM,
	       "a buffer that could not grow: -ENOMEM, and nothing written");
	fclose(full);
	jw_free(&w);
	json_object_put(doc);
}

/* output_escape_to's text, byte by byte */
static void test_text_escape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain 0.0.0313", "plain 0.0.0313" },
		{ "a\nb", "a\\nb" },
		{ "\t\r", "\\t\\r" },
		{ "back\\slash", "back\\\\slash" },
		{ "\x1b]0;owned\x07", "\\x1b]0;owned\\x07" },
		{ "\x1b[31mred", "\\x1b[31mred" },
		{ "del \x7f nul-free \x01", "del \\x7f nul-free \\x01" },
		{ "\xff\xfe", "\\xff\\xfe" },
		{ "c1 \xc2\x9b\xc2\x85", "c1 \\xc2\\x9b\\xc2\\x85" },
		{ "\xc2\xa0 nbsp \xc3\xbc \xe2\x9c\x93 \xf0\x9f\x98\x80",
		  "\xc2\xa0 nbsp \xc3\xbc \xe2\x9c\x93 \xf0\x9f\x98\x80" },
		{ "cut \xe2\x82", "cut \\xe2\\x82" },
		{ "overlong \xc0\xaf \xe0\x80\xaf",
		  "overlong \\xc0\\xaf \\xe0\\x80\\xaf" },
		{ "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80" },
		{ "too big \xf4\x90\x80\x80", "too big \\xf4\\x90\\x80\\x80" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = output_escape(cases[i].in);

		is_str(got, cases[i].out, "escape %zu: %s", i, cases[i].out);
		is_int(output_needs_escape(cases[i].in, strlen(cases[i].in)),
		       strcmp(cases[i].in, cases[i].out) != 0,
		       "escape %zu: needed exactly when it changes the text",
		       i);
		free(got);
	}
}

/* \\ \n \t \r \xNN back to bytes: the escape loses nothing */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 'x':
			out[n++] = (char)strtoul((char[]){ s[1], s[2], 0 },
						 NULL, 16);
			s += 2;
			break;
		default:
			out[n++] = *s;
		}
	}
	return n;
}

/* random bytes: one line of valid UTF-8 without a control character, that unescapes to them */
static void test_text_escape_random(void)
{
	unsigned seed = 11;
	bool valid = true, printable = true, same = true;

	for (int round = 0; round < 20000; round++) {
		char in[33], out[4 * 32 + 1], back[33];
		size_t n = (size_t)(rand_r(&seed) % 32), len;

		for (size_t k = 0; k < n; k++) {
			in[k] = (char)(rand_r(&seed) % 256);
			if (!in[k])
				in[k] = '\xc2';
		}
		in[n] = '\0';
		len = output_escape_to(in, n, out);
		valid = valid && valid_utf8(out, len);
		for (size_t k = 0; k < len; k++)
			if ((unsigned char)out[k] < 0x20 ||
			    (unsigned char)out[k] == 0x7f)
				printable = false;
		same = same && unescape(out, back) == n && !memcmp(back, in, n);
	}
	ok(valid, "escaped random bytes are valid UTF-8");
	ok(printable, "and hold no control character (one line each)");
	ok(same, "and unescape to the bytes they came from");
}

int main(void)
{
	test_same_as_json_c();
	test_escapes();
	test_serde_and_numbers();
	test_invalid_utf8();
	test_write_errors();
	test_text_escape();
	test_text_escape_random();
	return tap_done();
}
