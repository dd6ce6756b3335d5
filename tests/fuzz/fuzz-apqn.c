/* libFuzzer target: APQNs; an accepted APQN prints as AA.DDDD and parses back. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = strndup((const char *)data, size);
	struct vm_error err = { 0 };
	struct apqn q, back;
	char buf[APQN_STRLEN];

	if (!str)
		return 0;
	if (apqn_parse(str, &q, &err) == 0) {
		apqn_format(&q, buf);
		if (strlen(buf) != 7 || apqn_parse(buf, &back, NULL) < 0 ||
		    q.apid != back.apid || q.apqi != back.apqi)
			__builtin_trap();
	} else if (err.exit != VM_EXIT_USAGE || !err.msg[0]) {
		__builtin_trap();
	}
	free(str);
	return 0;
}
