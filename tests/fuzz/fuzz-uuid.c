/* libFuzzer target: uuids; an accepted uuid prints in lower case and parses back. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "lib/ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = strndup((const char *)data, size);
	struct vm_error err = { 0 };
	char buf[IDS_UUID_STRLEN];
	uuid_t u, back;

	if (!str)
		return 0;
	if (ids_uuid_parse(str, u, &err) == 0) {
		ids_uuid_format(u, buf);
		if (strcasecmp(buf, str) != 0 ||
		    ids_uuid_parse(buf, back, NULL) < 0 ||
		    uuid_compare(u, back) != 0)
			__builtin_trap();
		for (const char *p = buf; *p; p++)
			if (isupper((unsigned char)*p))
				__builtin_trap();
	} else if (err.exit != VM_EXIT_USAGE || !err.msg[0]) {
		__builtin_trap();
	}
	free(str);
	return 0;
}
