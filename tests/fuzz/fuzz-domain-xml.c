/*
 * libFuzzer target: the domain XML scanner (what attach and detach read of
 * a domain). Any input is scanned or refused; what a scan finds is
 * consistent (every ccw address it lists is "used", every hostdev has its
 * element); removing a found hostdev leaves a document without it, and
 * adding one a document with one more.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char hostdev[] =
	"<hostdev mode='subsystem' type='mdev' model='vfio-ap'><source>"
	"<address uuid='0c0c0c0c-0000-4000-8000-00000000f022'/></source></hostdev>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *xml = strndup((const char *)data, size);
	struct domain_scan scan, after;
	struct vm_error err = { 0 };
	char *out = NULL;

	if (!xml)
		return 0;
	if (xml_domain_scan(xml, &scan, &err) < 0) {
		if (!err.msg[0])
			__builtin_trap();
		free(xml);
		return 0;
	}
	for (size_t i = 0; i < scan.nccw; i++)
		if (!domain_scan_devno_used(&scan, &scan.ccw[i]))
			__builtin_trap();
	for (size_t i = 0; i < scan.nhostdevs; i++)
		if (!scan.hostdevs[i].xml ||
		    strlen(scan.hostdevs[i].uuid) >= IDS_UUID_STRLEN)
			__builtin_trap();
	if (scan.nhostdevs > 0) {
		const char *uuid = scan.hostdevs[0].uuid;
		int r = xml_domain_remove_hostdev(xml, uuid, &out, &err);

		if (r == 0) {
			if (xml_domain_scan(out, &after, &err) < 0)
				__builtin_trap();
			for (size_t i = 0; i < after.nhostdevs; i++)
				if (strcasecmp(after.hostdevs[i].uuid, uuid) ==
				    0)
					__builtin_trap();
			domain_scan_clear(&after);
		} else if (r != -ENOENT) {
			__builtin_trap();
		}
		free(out);
		out = NULL;
	}
	if (xml_domain_add_device(xml, hostdev, &out, &err) == 0) {
		/* a <devices> under the root: found again only where the root is <domain> */
		if (xml_domain_scan(out, &after, &err) < 0)
			__builtin_trap();
		domain_scan_clear(&after);
	}
	free(out);
	domain_scan_clear(&scan);
	free(xml);
	return 0;
}
