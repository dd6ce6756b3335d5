/* libFuzzer target: ccw bus ids and subchannel ids; an accepted id must print and parse back to itself. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = strndup((const char *)data, size);
	struct vm_error err = { 0 };
	struct ccw_id id, back;
	char buf[CCW_ID_STRLEN];

	if (!str)
		return 0;
	for (int kind = 0; kind < CCW_ID__LAST; kind++) {
		if (ccw_id_parse(str, (enum ccw_id_kind)kind, &id, &err) < 0) {
			if (err.exit != VM_EXIT_USAGE || !err.msg[0])
				__builtin_trap();
			continue;
		}
		ccw_id_format(&id, buf);
		if (ccw_id_parse(buf, (enum ccw_id_kind)kind, &back, NULL) <
			    0 ||
		    !ccw_id_equal(&id, &back))
			__builtin_trap();
	}
	free(str);
	return 0;
}
