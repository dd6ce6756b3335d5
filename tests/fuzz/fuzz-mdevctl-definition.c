/*
 * libFuzzer target: mdevctl's definitions as virt-mdev reads them. Any
 * input is read or refused with a named fault (never a crash, never an
 * over-read: the input has no NUL at its end); an accepted one, written
 * back in mdevctl's layout, reads back the same and writes the same; and
 * every attribute value is applied to a vfio-ap matrix exactly when the
 * kernel's kstrtoul (the simulator's copy) takes it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mdev.h"
#include "lib/output.h"
#include "sim/apmask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* assign_domain VALUE, as the kind takes it and as the kernel does */
static void same_as_kernel(const struct mdev_kind *ap, const char *value)
{
	struct mdev_info i;
	unsigned long id;
	bool kernel = sim_kstrtoul(value, &id) == 0 && id <= AP_ID_MAX;
	int r;

	memset(&i, 0, sizeof(i));
	r = ap->read_attr(&i, "assign_domain", value);
	if (kernel != (r == 1) ||
	    (kernel && !ap_mask_test(&i.aqm, (unsigned)id)))
		__builtin_trap();
	if (kernel && (ap->read_attr(&i, "unassign_domain", value) != 1 ||
		       !ap_mask_is_empty(&i.aqm)))
		__builtin_trap();
}

/* Is s valid UTF-8 (what JSON text is, RFC 8259 section 8.1)? */
static bool valid_utf8(const char *s)
{
	size_t n = strlen(s), l;

	for (size_t i = 0; i < n; i += l)
		if (!(l = output_utf8_len((const unsigned char *)s + i, n - i)))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mdev_kind *ap = mdev_kind_by_parent("matrix");
	struct mdev_definition d, back;
	char fault[512] = "", *text, *again;
	char *copy = malloc(size ? size : 1);

	if (!copy || !ap)
		__builtin_trap();
	memcpy(copy, data, size);
	if (mdev_definition_parse(copy, size, &d, fault, sizeof(fault)) < 0) {
		if (!fault[0] || d.json)
			__builtin_trap();
		free(copy);
		return 0;
	}
	if (!d.mdev_type)
		__builtin_trap();
	for (size_t i = 0; i < d.nattrs; i++) {
		struct mdev_info m;

		memset(&m, 0, sizeof(m));
		same_as_kernel(ap, d.attrs[i].value);
		/* whatever the name, no crash; and only the six stores are modelled */
		if (ap->read_attr(&m, d.attrs[i].name, d.attrs[i].value) != 0 &&
		    !strstr(d.attrs[i].name, "assign_"))
			__builtin_trap();
	}
	/*
	 * The round trip below is for text JSON can carry: the serializer
	 * writes valid UTF-8 always (a byte of no UTF-8 sequence becomes the
	 * text \xNN, src/lib/jsonw.h), so a name or value with such a byte
	 * reads back as that text, not as the byte
	 */
	for (size_t i = 0; i < d.nattrs; i++)
		if (!valid_utf8(d.attrs[i].name) ||
		    !valid_utf8(d.attrs[i].value)) {
			mdev_definition_clear(&d);
			free(copy);
			return 0;
		}
	if (!valid_utf8(d.mdev_type) || (d.start && !valid_utf8(d.start))) {
		mdev_definition_clear(&d);
		free(copy);
		return 0;
	}
	text = mdev_definition_text(&d);
	if (!text ||
	    mdev_definition_parse(text, strlen(text), &back, fault,
				  sizeof(fault)) < 0 ||
	    back.nattrs != d.nattrs || strcmp(back.mdev_type, d.mdev_type) ||
	    (!back.start != !d.start) ||
	    (d.start && strcmp(back.start, d.start)))
		__builtin_trap();
	for (size_t i = 0; i < d.nattrs; i++)
		if (strcmp(back.attrs[i].name, d.attrs[i].name) ||
		    strcmp(back.attrs[i].value, d.attrs[i].value))
			__builtin_trap();
	again = mdev_definition_text(&back);
	if (!again || strcmp(again, text) != 0)
		__builtin_trap();
	free(again);
	free(text);
	mdev_definition_clear(&back);
	mdev_definition_clear(&d);
	free(copy);
	return 0;
}
