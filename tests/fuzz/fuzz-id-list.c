/* libFuzzer target: adapter/domain lists; an accepted list prints as a list that parses to the same mask. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = strndup((const char *)data, size);
	struct vm_error err = { 0 };
	struct ap_mask m, back;
	char *list;

	if (!str)
		return 0;
	if (ap_id_list_parse(str, "domain", &m, &err) == 0) {
		list = ap_mask_format_list(&m);
		if (!list ||
		    ap_id_list_parse(list, "domain", &back, NULL) < 0 ||
		    !ap_mask_equal(&m, &back))
			__builtin_trap();
		free(list);
	} else if (err.exit != VM_EXIT_USAGE || !err.msg[0]) {
		__builtin_trap();
	}
	free(str);
	return 0;
}
