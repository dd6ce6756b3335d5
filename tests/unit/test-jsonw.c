/* The streaming JSON writer: the same text as json-c's pretty output for the same document, and strings that come back unchanged. */
#include "config.h"

#include <json-c/json.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/jsonw.h"
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

int main(void)
{
	test_same_as_json_c();
	test_escapes();
	test_serde_and_numbers();
	return tap_done();
}
