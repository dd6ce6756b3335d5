/*
 * libFuzzer target: AP masks. The input is parsed as the kernel's read
 * format, and written to the simulator's copy of the kernel's apmask parser;
 * from the first 64 bytes two masks are made, and the relative write between
 * them must bring the kernel's parser from one to the other.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/ids.h"
#include "sim/apmask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = strndup((const char *)data, size);
	struct ap_mask m, from, to, applied;
	char buf[AP_MASK_STRLEN];
	char *rel;

	if (!str)
		return 0;
	if (ap_mask_parse(str, &m, NULL) == 0) {
		ap_mask_format(&m, buf);
		applied = m;
		if (sim_ap_mask_store(&applied, buf) < 0 ||
		    !ap_mask_equal(&applied, &m))
			__builtin_trap();
	}
	/* any write: the kernel parser must not crash, and must leave the mask alone on error */
	ap_mask_fill(&m);
	applied = m;
	if (sim_ap_mask_store(&applied, str) < 0 &&
	    !ap_mask_equal(&applied, &m))
		__builtin_trap();

	memset(&from, 0, sizeof(from));
	memset(&to, 0, sizeof(to));
	memcpy(&from, data, size < sizeof(from) ? size : sizeof(from));
	if (size > sizeof(from))
		memcpy(&to, data + sizeof(from),
		       size - sizeof(from) < sizeof(to) ? size - sizeof(from) :
							  sizeof(to));
	rel = ap_mask_relative(&from, &to);
	if (!rel)
		__builtin_trap();
	applied = from;
	if ((*rel && sim_ap_mask_store(&applied, rel) < 0) ||
	    !ap_mask_equal(&applied, &to))
		__builtin_trap();
	free(rel);
	free(str);
	return 0;
}
