/* libFuzzer target: host data escaped for text and JSON; both always valid UTF-8 without a control character, the text one line that unescapes to the input. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonw.h"
#include "lib/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8_no_controls(const char *s, size_t n, bool json)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len = output_utf8_len(p + i, n - i);

		/* JSON's layout has newlines between members, none inside a string */
		if (!len || p[i] == 0x7f ||
		    (p[i] < 0x20 && !(json && p[i] == '\n')))
			__builtin_trap();
		if (len == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			__builtin_trap();
		i += len;
	}
}

/* "\\", "\n", "\t", "\r", "\xNN" back to bytes */
static size_t unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (++i >= n)
			__builtin_trap();
		switch (s[i]) {
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case '\\':
			out[o++] = '\\';
			break;
		case 'x':
			if (i + 2 >= n)
				__builtin_trap();
			out[o++] = (char)strtoul(
				(char[]){ s[i + 1], s[i + 2], 0 }, NULL, 16);
			i += 2;
			break;
		default:
			__builtin_trap();
		}
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = strndup((const char *)data, size), *text, *back, *doc;
	size_t n, len;
	struct jw w = JW_INIT;

	if (!in)
		return 0;
	n = strlen(in);
	text = malloc(4 * n + 1);
	back = malloc(n + 1);
	if (!text || !back)
		goto out;
	len = output_escape_to(in, n, text);
	if (text[len] || strlen(text) != len)
		__builtin_trap();
	check_utf8_no_controls(text, len, false);
	if (unescape(text, len, back) != n || memcmp(back, in, n) != 0)
		__builtin_trap();
	if (output_needs_escape(in, n) != (len != n || memcmp(text, in, n)))
		__builtin_trap();

	jw_begin_object(&w);
	jw_key(&w, in);
	jw_string(&w, in);
	jw_end_object(&w);
	doc = jw_steal(&w);
	if (doc) {
		check_utf8_no_controls(doc, strlen(doc), true);
		free(doc);
	}
out:
	free(text);
	free(back);
	free(in);
	return 0;
}
