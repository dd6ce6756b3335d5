/* libFuzzer target: the state file (virt-mdev-state(5)) as plan and apply read it; a file that parses writes back and reads back the same state, and writes the same text again; a refusal says why, as bad input. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *written(const struct state *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		__builtin_trap();
	/* what the parser took is valid UTF-8 and a guest name is never empty: it always writes */
	if (state_write(f, s, NULL) < 0)
		__builtin_trap();
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s, back;
	struct vm_error err = { 0 };
	char *text, *again;
	size_t len, len2;
	int r;

	r = state_parse("fuzz", (const char *)data, size, &s, &err);
	if (r < 0) {
		if (!err.msg[0] || err.exit != VM_EXIT_USAGE ||
		    strncmp(err.msg, "fuzz:", 5) != 0 || s.file || s.guests)
			__builtin_trap();
		return 0;
	}
	text = written(&s, &len);
	vm_error_clear(&err);
	if (state_parse("fuzz", text, len, &back, &err) < 0 ||
	    !state_equal(&s, &back))
		__builtin_trap();
	again = written(&back, &len2);
	if (len != len2 || memcmp(text, again, len) != 0)
		__builtin_trap();
	free(again);
	free(text);
	state_clear(&back);
	state_clear(&s);
	return 0;
}
