/* libFuzzer target: chzdev's 41-ap.rules as s390-tools parses it; a mask that is read is one chzdev could have written. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/aprules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size);
	struct ap_boot_masks m = { 0 };
	struct vm_error err = { 0 };
	int r;

	if (!text)
		return 0;
	r = ap_parse_boot_masks(text, "41-ap.rules", &m, &err);
	/* a refusal always says why; an accepted file found its masks or none */
	if ((r < 0 && (!err.msg[0] || err.exit != VM_EXIT_FAILED)) ||
	    (r == 0 && !m.file))
		__builtin_trap();
	free(text);
	return 0;
}
