/* libFuzzer target: guest device numbers in both spellings; accepted values round-trip through both. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = strndup((const char *)data, size);
	struct vm_error err = { 0 };
	struct guest_devno d, back;
	char buf[GUEST_DEVNO_STRLEN];
	char attrs[GUEST_DEVNO_ATTR_STRLEN];

	if (!str)
		return 0;
	if (guest_devno_parse(str, &d, &err) == 0) {
		if (d.cssid > GUEST_DEVNO_MAX_CSSID ||
		    d.ssid > GUEST_DEVNO_MAX_SSID)
			__builtin_trap();
		guest_devno_format(&d, buf);
		if (guest_devno_parse(buf, &back, NULL) < 0 ||
		    memcmp(&d, &back, sizeof(d)) != 0)
			__builtin_trap();
		guest_devno_format_attrs(&d, attrs);
		if (guest_devno_parse(attrs, &back, NULL) < 0 ||
		    memcmp(&d, &back, sizeof(d)) != 0)
			__builtin_trap();
	} else if (err.exit != VM_EXIT_USAGE || !err.msg[0]) {
		__builtin_trap();
	}
	free(str);
	return 0;
}
