/* The state file (virt-mdev-state(5)): good files in every spelling read member by member, bad ones with their exact message, JSON, round trips, limits, and the man page's example. */
#include "config.h"

#include <string.h>

#include "lib/output.h"
#include "lib/state.h"
#include "tap.h"

#define UUID1 "7b4c2cf4-6c9f-4b7a-9d2e-0a1b2c3d4e5f"

/* ---- every member of a state as one text ------------------------------------- */

static void dump_mask(FILE *f, const char *name, const struct ap_mask *m)
{
	char *l = ap_mask_format_list(m);

	fprintf(f, " %s=%s", name, l ? l : "?");
	free(l);
}

static void dump_device(FILE *f, const struct state_device *d)
{
	char devno[GUEST_DEVNO_STRLEN] = "-";

	if (d->devno_given)
		guest_devno_format(&d->devno, devno);
	fprintf(f, "  @%u:%u kind=%s device=%s target.device=%s", d->pos.line,
		d->pos.column, d->kind ? d->kind->name : "-",
		d->device ? d->device : "-",
		d->target.device ? d->target.device : "-");
	dump_mask(f, "apm", &d->target.apm);
	dump_mask(f, "aqm", &d->target.aqm);
	dump_mask(f, "adm", &d->target.adm);
	fprintf(f,
		" have=%d%d%d uuid=%s devno=%s boot=%u alias=%s persistent=%d live=%d target.persistent=%d force=%d\n",
		d->target.have_adapters, d->target.have_domains,
		d->target.have_control_domains, d->uuid_given ? d->uuid : "-",
		devno, d->boot_order, d->alias ? d->alias : "-", d->persistent,
		d->live, d->target.persistent, d->target.force);
}

static char *dump(const struct state *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fprintf(f, "file=%s\n", s->file ? s->file : "-");
	for (size_t i = 0; i < s->nguests; i++) {
		fprintf(f, "guest '%s' @%u:%u\n", s->guests[i].name,
			s->guests[i].pos.line, s->guests[i].pos.column);
		for (size_t j = 0; j < s->guests[i].ndevices; j++)
			dump_device(f, &s->guests[i].devices[j]);
	}
	for (size_t i = 0; i < s->nmdevs; i++) {
		fprintf(f, "mdev\n");
		dump_device(f, &s->mdevs[i]);
	}
	for (size_t i = 0; i < s->nreserve; i++) {
		fprintf(f, "reserve @%u:%u", s->reserve[i].pos.line,
			s->reserve[i].pos.column);
		dump_mask(f, "adapters", &s->reserve[i].adapters);
		dump_mask(f, "domains", &s->reserve[i].domains);
		fprintf(f, " persistent=%d\n", s->reserve[i].persistent);
	}
	fclose(f);
	return buf;
}

static char *write_text(const struct state *s, const char *header, int *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*r = state_write(f, s, header);
	fclose(f);
	return buf;
}

/* parse, write, parse again: the same state */
static bool round_trip(const struct state *s, const char *desc)
{
	struct state back;
	struct vm_error err = { 0 };
	int r;
	char *text = write_text(s, NULL, &r);
	bool same;

	if (r < 0) {
		ok(false, "%s: written (%s)", desc, strerror(-r));
		free(text);
		return false;
	}
	if (state_parse("written", text, strlen(text), &back, &err) < 0) {
		ok(false, "%s: the written file parses", desc);
		printf("# %s\n# written:\n%s", err.msg, text);
		free(text);
		return false;
	}
	same = state_equal(s, &back);
	if (!ok(same, "%s: round trip parse(write(s)) == s", desc))
		printf("# written:\n%s", text);
	state_clear(&back);
	free(text);
	return same;
}

/* ---- good files ------------------------------------------------------------------ */

struct good {
	const char *desc, *text, *dump;
};

#define DEV_CCW_DEFAULTS "apm= aqm= adm= have=000"

static const struct good goods[] = {
	{ "the minimal file", "version: 1\n", "file=f.yaml\n" },
	{ "the reference scenario, as the man page has it",
	  "# virt-mdev state file\n"
	  "version: 1\n"
	  "guests:\n"
	  "  - name: demo\n"
	  "    devices:\n"
	  "      - kind: ccw\n"
	  "        device: 0.0.2b09\n"
	  "        devno: fe.0.1234\n"
	  "        boot-order: 1\n"
	  "      - kind: ap\n"
	  "        adapters: 5\n"
	  "        domains: 4,0xab\n",
	  "file=f.yaml\n"
	  "guest 'demo' @4:5\n"
	  "  @6:9 kind=ccw device=0.0.2b09 target.device=0.0.2b09 " DEV_CCW_DEFAULTS
	  " uuid=- devno=fe.0.1234 boot=1 alias=- persistent=1 live=0 target.persistent=1 force=0\n"
	  "  @10:9 kind=ap device=- target.device=- apm=5 aqm=4,0xab adm= have=110 uuid=- devno=- boot=0 alias=- persistent=1 live=0 target.persistent=1 force=0\n" },
	{ "every key, other spellings: models, short busid, upper-case uuid, 0x devno, sequences of ids",
	  "version: 1\n"
	  "guests:\n"
	  "- name: g1\n"
	  "  devices:\n"
	  "  - kind: vfio-ccw\n"
	  "    device: 2b09\n"
	  "    uuid: 7B4C2CF4-6C9F-4B7A-9D2E-0A1B2C3D4E5F\n"
	  "    devno: 0xfe.0x0.0x1234\n"
	  "    boot-order: 65535\n"
	  "    alias: ua-dasd1\n"
	  "    persistent: false\n"
	  "    live: true\n"
	  "  - kind: vfio-ap\n"
	  "    adapters: [5, 0x06]\n"
	  "    domains: [\"4\", 0xab, 0x10-0x12]\n"
	  "    control-domains: 4\n"
	  "    persistent: True\n"
	  "    live: FALSE\n",
	  "file=f.yaml\n"
	  "guest 'g1' @3:3\n"
	  "  @5:5 kind=ccw device=0.0.2b09 target.device=0.0.2b09 " DEV_CCW_DEFAULTS
	  " uuid=" UUID1
	  " devno=fe.0.1234 boot=65535 alias=ua-dasd1 persistent=0 live=1 target.persistent=0 force=0\n"
	  "  @13:5 kind=ap device=- target.device=- apm=5-6 aqm=4,0x10-0x12,0xab adm=4 have=111 uuid=- devno=- boot=0 alias=- persistent=1 live=0 target.persistent=1 force=0\n" },
	{ "a subchannel, libvirt's devno attributes, devno auto, quoted and tagged strings",
	  "version: 1\n"
	  "guests:\n"
	  "  - name: \"yes\"\n"
	  "    devices:\n"
	  "      - kind: !!str ccw\n"
	  "        device: '0.1.0313'\n"
	  "        devno: cssid='0xfe' ssid='0x1' devno='0x0313'\n"
	  "      - kind: ccw\n"
	  "        device: 0.0.2b0a\n"
	  "        devno: auto\n"
	  "  - name: !!str 1\n"
	  "    devices: []\n",
	  "file=f.yaml\n"
	  "guest 'yes' @3:5\n"
	  "  @5:9 kind=ccw device=0.1.0313 target.device=0.1.0313 " DEV_CCW_DEFAULTS
	  " uuid=- devno=fe.1.0313 boot=0 alias=- persistent=1 live=0 target.persistent=1 force=0\n"
	  "  @8:9 kind=ccw device=0.0.2b0a target.device=0.0.2b0a " DEV_CCW_DEFAULTS
	  " uuid=- devno=- boot=0 alias=- persistent=1 live=0 target.persistent=1 force=0\n"
	  "guest '1' @11:5\n" },
	{ "mdevs and ap-reserve, keys in any order",
	  "ap-reserve:\n"
	  "  - domains: 4\n"
	  "    adapters: 6\n"
	  "  - adapters: [7]\n"
	  "    domains: 0x10-0x1f\n"
	  "    persistent: false\n"
	  "mdevs:\n"
	  "  - device: 0.0.2b0a\n"
	  "    kind: ccw\n"
	  "    uuid: " UUID1 "\n"
	  "  - kind: ap\n"
	  "    adapters: 8\n"
	  "    domains: 1\n"
	  "    persistent: false\n"
	  "version: 1\n",
	  "file=f.yaml\n"
	  "mdev\n"
	  "  @8:5 kind=ccw device=0.0.2b0a target.device=0.0.2b0a " DEV_CCW_DEFAULTS
	  " uuid=" UUID1
	  " devno=- boot=0 alias=- persistent=1 live=1 target.persistent=1 force=0\n"
	  "mdev\n"
	  "  @11:5 kind=ap device=- target.device=- apm=8 aqm=1 adm= have=110 uuid=- devno=- boot=0 alias=- persistent=0 live=1 target.persistent=0 force=0\n"
	  "reserve @2:5 adapters=6 domains=4 persistent=1\n"
	  "reserve @4:5 adapters=7 domains=0x10-0x1f persistent=0\n" },
	{ "JSON reads the same",
	  "{\"version\": 1, \"guests\": [{\"name\": \"demo\", \"devices\": ["
	  "{\"kind\": \"ccw\", \"device\": \"0.0.2b09\", \"devno\": \"fe.0.1234\", \"boot-order\": 1},"
	  "{\"kind\": \"ap\", \"adapters\": 5, \"domains\": \"4,0xab\", \"live\": true}]}],"
	  "\"mdevs\": [], \"ap-reserve\": [{\"adapters\": [6], \"domains\": [4], \"persistent\": false}]}",
	  "file=f.yaml\n"
	  "guest 'demo' @1:27\n"
	  "  @1:56 kind=ccw device=0.0.2b09 target.device=0.0.2b09 " DEV_CCW_DEFAULTS
	  " uuid=- devno=fe.0.1234 boot=1 alias=- persistent=1 live=0 target.persistent=1 force=0\n"
	  "  @1:133 kind=ap device=- target.device=- apm=5 aqm=4,0xab adm= have=110 uuid=- devno=- boot=0 alias=- persistent=1 live=1 target.persistent=1 force=0\n"
	  "reserve @1:229 adapters=6 domains=4 persistent=0\n" },
	{ "%YAML 1.2, a document start and end, comments, a multi-byte name",
	  "%YAML 1.2\n---\nversion: 1 # the format\nguests:\n  - name: \"g\\u00e9st\" # escaped\n    devices: []\n...\n",
	  "file=f.yaml\nguest 'g\xc3\xa9st' @5:5\n" },
};

/* ---- bad files: the exact message ------------------------------------------------- */

struct bad {
	const char *desc, *text, *msg;
};

#define G "version: 1\nguests:\n  - name: demo\n    devices:\n"

static const struct bad bads[] = {
	{ "an empty file", "",
	  "f.yaml:1:1: version: missing: the file is empty (a state file starts with version: 1)" },
	{ "no version", "guests: []\n",
	  "f.yaml:1:1: version: missing (write version: 1 at the top)" },
	{ "version 2", "version: 2\n",
	  "f.yaml:1:10: version: unsupported version 2: this virt-mdev reads version 1 (write version: 1, in the layout virt-mdev-state(5) shows)" },
	{ "a quoted version", "version: \"1\"\n",
	  "f.yaml:1:10: version: invalid value '1': the version is 1 (virt-mdev-state(5)) (write it in decimal, unquoted, without a leading 0)" },
	{ "a document that is a sequence", "- version: 1\n",
	  "f.yaml:1:1: (document): a sequence, expected a mapping (version: 1, then guests, mdevs, ap-reserve)" },
	{ "a document that is a scalar", "hello\n",
	  "f.yaml:1:1: (document): a string 'hello', expected a mapping (version: 1, then guests, mdevs, ap-reserve)" },
	{ "an unknown key", "version: 1\nguest: []\n",
	  "f.yaml:2:1: (document): unknown key 'guest' (the keys here are version, guests, mdevs and ap-reserve)" },
	{ "a key twice", "version: 1\nversion: 1\n",
	  "f.yaml:2:1: version: given twice, first at line 1, column 1 (keep one)" },
	{ "two documents", "version: 1\n---\nversion: 1\n",
	  "f.yaml:2:1: (document): a second YAML document: a state file is one document (remove the '---' and what follows, or merge it into the first)" },
	{ "%YAML 1.1", "%YAML 1.1\n---\nversion: 1\n",
	  "f.yaml:1:1: (document): %YAML 1.1: a state file is read as YAML 1.2 (remove the directive, or write %YAML 1.2)" },
	{ "a YAML syntax error", "version: 1\nguests: [\n",
	  "f.yaml:3:1: guests[0]: YAML syntax error: did not find expected node content while parsing a flow node at line 3, column 1 (fix the YAML there; virt-mdev-state(5) shows the layout)" },
	{ "a tab for indentation", "version: 1\nguests:\n\t- name: x\n",
	  "f.yaml:3:1: guests: YAML syntax error: found character that cannot start any token while scanning for the next token at line 3, column 1 (fix the YAML there; virt-mdev-state(5) shows the layout)" },
	{ "invalid UTF-8", "version: 1\nguests:\n  - name: a\xff\n",
	  "f.yaml:3:12: (document): not a YAML character stream: invalid leading UTF-8 octet (a state file is UTF-8 text without control characters)" },
	{ "a control character", "version: 1\x01\n",
	  "f.yaml:1:11: (document): not a YAML character stream: control characters are not allowed (a state file is UTF-8 text without control characters)" },
	{ "an anchor", "version: &v 1\n",
	  "f.yaml:1:10: version: an anchor (&v): anchors and aliases are refused, they let a small file expand without bound (write each value itself)" },
	{ "an alias", "version: 1\nguests: *g\n",
	  "f.yaml:2:9: guests: an alias (*g): anchors and aliases are refused, they let a small file expand without bound (write the value itself)" },
	{ "a custom tag", "version: !foo 1\n",
	  "f.yaml:1:10: version: the tag '!foo' is not one of the YAML core schema's (leave it out: a state file takes plain values)" },
	{ "a tag that does not fit", "version: 1\nguests: !!map []\n",
	  "f.yaml:2:9: guests: the tag !!map does not fit a sequence (leave it out)" },
	{ "guests as a mapping", "version: 1\nguests:\n  name: demo\n",
	  "f.yaml:3:3: guests: a mapping, expected a sequence of guests (- name: ... devices: ...)" },
	{ "guests as a scalar", "version: 1\nguests: demo\n",
	  "f.yaml:2:9: guests: a string 'demo', expected a sequence of guests (- name: ... devices: ...) (write [] for none)" },
	{ "guests null", "version: 1\nguests:\n",
	  "f.yaml:2:8: guests: null '', expected a sequence of guests (- name: ... devices: ...) (write [] for none)" },
	{ "a guest without a name", "version: 1\nguests:\n  - devices: []\n",
	  "f.yaml:3:5: guests[0].name: missing (write name: with the libvirt domain's name)" },
	{ "a guest without devices", "version: 1\nguests:\n  - name: demo\n",
	  "f.yaml:3:5: guests[0].devices: missing (write devices: with the guest's devices, or devices: [] for none)" },
	{ "an empty name",
	  "version: 1\nguests:\n  - name: ''\n    devices: []\n",
	  "f.yaml:3:11: guests[0]: name is empty (write the libvirt domain's name)" },
	{ "a name YAML reads as an integer",
	  "version: 1\nguests:\n  - name: 1\n    devices: []\n",
	  "f.yaml:3:11: guests[0].name: '1' is an integer to YAML, expected a libvirt domain name (quote it: \"1\")" },
	{ "a name YAML 1.1 reads as a boolean",
	  "version: 1\nguests:\n  - name: yes\n    devices: []\n",
	  "f.yaml:3:11: guests[0].name: 'yes' is ambiguous: YAML 1.1 readers take it for a boolean or number (quote it: \"yes\")" },
	{ "a name as a sequence",
	  "version: 1\nguests:\n  - name: [a]\n    devices: []\n",
	  "f.yaml:3:11: guests[0].name: a sequence, expected a libvirt domain name" },
	{ "a name with a NUL",
	  "version: 1\nguests:\n  - name: \"a\\0b\"\n    devices: []\n",
	  "f.yaml:3:11: guests[0].name: the value holds a NUL character (\\0), which no name or id has (remove it)" },
	{ "the same guest twice",
	  "version: 1\nguests:\n  - name: demo\n    devices: []\n  - name: demo\n    devices: []\n",
	  "f.yaml:5:11: guests[1].name: 'demo' is already guests[0].name at line 3, column 11 (list each guest once, with all its devices)" },
	{ "a device without kind", G "      - device: 0.0.2b09\n",
	  "f.yaml:5:9: guests[0].devices[0].kind: missing (write kind: ccw or ap, or vfio-ccw or vfio-ap)" },
	{ "an unknown kind", G "      - kind: pci\n",
	  "f.yaml:5:15: guests[0].devices[0].kind: unknown kind 'pci' (write ccw or ap, or vfio-ccw or vfio-ap)" },
	{ "an unknown device key", G "      - kind: ccw\n        devnum: 1\n",
	  "f.yaml:6:9: guests[0].devices[0]: unknown key 'devnum' (the keys here are kind, device, adapters, domains, control-domains, uuid, devno, boot-order, alias, persistent and live)" },
	{ "a ccw device without device", G "      - kind: ccw\n",
	  "f.yaml:5:9: guests[0].devices[0]: device is missing (write device: with its busid or subchannel, as the CLI's DEVICE)" },
	{ "a bad busid", G "      - kind: ccw\n        device: 0.4.2b09\n",
	  "f.yaml:6:17: guests[0].devices[0].device: invalid ccw device or subchannel '0.4.2b09': expected 0.<ssid>.<devno> with 4 hex digits (write it as e.g. 0.0.2b09, or 2b09)" },
	{ "a busid that is a boolean",
	  G "      - kind: ccw\n        device: true\n",
	  "f.yaml:6:17: guests[0].devices[0].device: 'true' is a boolean, expected a device (a busid or subchannel)" },
	{ "a ccw device with adapters",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        adapters: 5\n",
	  "f.yaml:7:9: guests[0].devices[0].adapters: kind ccw is named by its device, not by AP ids (leave adapters out)" },
	{ "an ap device with a device",
	  G "      - kind: ap\n        device: 0.0.2b09\n",
	  "f.yaml:6:9: guests[0].devices[0].device: kind ap is not named by a device (it takes adapters and domains: write those instead)" },
	{ "an ap device without domains",
	  G "      - kind: ap\n        adapters: 5\n",
	  "f.yaml:5:9: guests[0].devices[0]: domains is missing (a device of AP ids is adapters x domains: write adapters: and domains:, e.g. 5 and 4,0xab)" },
	{ "an ap device with a devno",
	  G
	  "      - kind: ap\n        adapters: 5\n        domains: 4\n        devno: fe.0.1234\n",
	  "f.yaml:8:9: guests[0].devices[0].devno: a vfio-ap device has no ccw address in the guest, so no devno and no boot order (leave devno out)" },
	{ "a leading 0 in an adapter list",
	  G "      - kind: ap\n        adapters: 010\n        domains: 4\n",
	  "f.yaml:6:19: guests[0].devices[0].adapters: invalid adapter list '010': '010' has a leading 0, which the kernel would read as octal (write decimal without the 0, or 0x-hex)" },
	{ "a bad id in a sequence",
	  G
	  "      - kind: ap\n        adapters: [5, 256]\n        domains: 4\n",
	  "f.yaml:6:23: guests[0].devices[0].adapters[1]: invalid adapter list '256': '256' is out of range, adapter ids are 0-255 (0x0-0xff)" },
	{ "an empty id sequence",
	  G "      - kind: ap\n        adapters: []\n        domains: 4\n",
	  "f.yaml:6:19: guests[0].devices[0].adapters: invalid adapter list '': empty (write numbers and ranges separated by commas, e.g. 5,6 or 0x10-0x1f)" },
	{ "a nested id sequence",
	  G "      - kind: ap\n        adapters: [[5]]\n        domains: 4\n",
	  "f.yaml:6:20: guests[0].devices[0].adapters[0]: a sequence, expected an id or range (5, 0xab, 0x10-0x1f)" },
	{ "a bad uuid",
	  G "      - kind: ccw\n        device: 0.0.2b09\n        uuid: 1234\n",
	  "f.yaml:7:15: guests[0].devices[0].uuid: invalid uuid '1234': expected 8-4-4-4-12 hex digits (write it as e.g. 90c6c135-ad44-41d0-b1b7-bae47de48627, or leave it out to have one generated)" },
	{ "a bad devno",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        devno: ff.0.1234\n",
	  "f.yaml:7:16: guests[0].devices[0].devno: invalid guest device number 'ff.0.1234': cssid must be 0x0-0xfe, libvirt refuses 0xff (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
	{ "boot order 0",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        boot-order: 0\n",
	  "f.yaml:7:21: guests[0].devices[0].boot-order: invalid value '0': a boot order is a number from 1 to 65535 (write it in decimal, unquoted, without a leading 0)" },
	{ "boot order with a leading 0",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        boot-order: 010\n",
	  "f.yaml:7:21: guests[0].devices[0].boot-order: invalid value '010': a boot order is a number from 1 to 65535 (write it in decimal, unquoted, without a leading 0)" },
	{ "boot order too big",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        boot-order: 65536\n",
	  "f.yaml:7:21: guests[0].devices[0].boot-order: invalid value '65536': a boot order is a number from 1 to 65535 (write it in decimal, unquoted, without a leading 0)" },
	{ "a bad alias",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        alias: dasd1\n",
	  "f.yaml:7:16: guests[0].devices[0].alias: invalid alias 'dasd1': libvirt takes user aliases 'ua-' followed by letters, digits, '_' and '-' (e.g. ua-dasd1)" },
	{ "persistent: yes",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        persistent: yes\n",
	  "f.yaml:7:21: guests[0].devices[0].persistent: 'yes' is a boolean only to YAML 1.1 readers, a string to YAML 1.2 ones (write true or false)" },
	{ "live: \"true\"",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        live: \"true\"\n",
	  "f.yaml:7:15: guests[0].devices[0].live: 'true' is a string, expected true or false (write true or false, unquoted)" },
	{ "a device nowhere",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        persistent: false\n",
	  "f.yaml:5:9: guests[0].devices[0]: persistent: false with live: false leaves the device nowhere (set live: true for the running guest only, or leave persistent out)" },
	{ "a device key twice",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        device: 0.0.2b0a\n",
	  "f.yaml:7:9: guests[0].devices[0].device: given twice, first at line 6, column 9 (keep one)" },
	{ "the same device twice, spelt two ways",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\nmdevs:\n  - kind: vfio-ccw\n    device: 2B09\n",
	  "f.yaml:9:13: mdevs[0].device: '0.0.2b09' is already guests[0].devices[0].device at line 6, column 17 (a device serves one guest or one mdev: list it once)" },
	{ "the same uuid twice",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        uuid: " UUID1
	  "\n      - kind: ap\n        adapters: 5\n        domains: 4\n        uuid: 7B4C2CF4-6C9F-4B7A-9D2E-0A1B2C3D4E5F\n",
	  "f.yaml:11:15: guests[0].devices[1].uuid: '" UUID1
	  "' is already guests[0].devices[0].uuid at line 7, column 15 (each mdev has its own uuid: change one, or leave uuid out to have one found or made)" },
	{ "an APQN in two devices",
	  G
	  "      - kind: ap\n        adapters: 5-6\n        domains: 4\n  - name: other\n    devices:\n      - kind: ap\n        adapters: 6\n        domains: 3-4\n        control-domains: 4\n",
	  "f.yaml:11:19: guests[1].devices[0].adapters: APQN 06.0004 is also in guests[0].devices[0] at line 6, column 19 (an APQN serves one vfio-ap device: take it out of one of them)" },
	{ "two vfio-ap devices in a guest",
	  G
	  "      - kind: ap\n        adapters: 5\n        domains: 4\n      - kind: ap\n        adapters: 6\n        domains: 4\n",
	  "f.yaml:8:9: guests[0].devices[1]: guest 'demo' has a second vfio-ap device, the first is guests[0].devices[0] at line 5, column 9 (a guest takes one vfio-ap device: join the two into one)" },
	{ "one devno twice in a guest",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        devno: fe.0.1234\n      - kind: ccw\n        device: 0.0.2b0a\n        devno: 0xfe.0.0x1234\n",
	  "f.yaml:10:16: guests[0].devices[1].devno: 'fe.0.1234' is already guests[0].devices[0].devno at line 7, column 16 (each device of a guest needs its own devno: change one)" },
	{ "one boot order twice in a guest",
	  G
	  "      - kind: ccw\n        device: 0.0.2b09\n        boot-order: 1\n      - kind: ccw\n        device: 0.0.2b0a\n        boot-order: 1\n",
	  "f.yaml:10:21: guests[0].devices[1].boot-order: '1' is already guests[0].devices[0].boot-order at line 7, column 21 (libvirt refuses a boot order used for more than one device: give each its own)" },
	{ "an mdev with live",
	  "version: 1\nmdevs:\n  - kind: ccw\n    device: 0.0.2b09\n    live: true\n",
	  "f.yaml:5:5: mdevs[0].live: live is for a guest's devices; an mdev without a guest has none (move the device under guests[].devices, or leave live out)" },
	{ "an mdev with a devno",
	  "version: 1\nmdevs:\n  - kind: ccw\n    device: 0.0.2b09\n    devno: fe.0.1234\n",
	  "f.yaml:5:5: mdevs[0].devno: devno is for a guest's devices; an mdev without a guest has none (move the device under guests[].devices, or leave devno out)" },
	{ "a reservation without domains",
	  "version: 1\nap-reserve:\n  - adapters: 6\n",
	  "f.yaml:3:5: ap-reserve[0].domains: missing (an AP reservation is adapters x domains: write adapters: and domains:)" },
	{ "a reservation's unknown key",
	  "version: 1\nap-reserve:\n  - adapters: 6\n    domains: 4\n    live: true\n",
	  "f.yaml:5:5: ap-reserve[0]: unknown key 'live' (the keys here are adapters, domains and persistent)" },
	{ "a reservation's bad domain",
	  "version: 1\nap-reserve:\n  - adapters: 6\n    domains: [4, x]\n",
	  "f.yaml:4:18: ap-reserve[0].domains[1]: invalid domain list 'x': 'x' is not a number; numbers are decimal, or hex with 0x (write e.g. 4,0xab or 0x10-0x1f)" },
	{ "JSON with an unknown key",
	  "{\"version\": 1, \"guests\": [{\"name\": \"demo\", \"devices\": [], \"x\": 1}]}",
	  "f.yaml:1:59: guests[0]: unknown key 'x' (the keys here are name and devices)" },
};

/* ---- the man page's EXAMPLE parses, and reads as the reference scenario ---------- */

/* the n-th (from 0) .EX/.EE block after .SH EXAMPLE */
static char *man_example(int n)
{
	FILE *f = fopen(SRCDIR "/doc/virt-mdev-state.5", "r");
	char line[1024], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int in = 0;

	if (!f) {
		fclose(out);
		free(buf);
		return NULL;
	}
	/* troff's \- and \(aq read as - and ' */
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, ".SH EXAMPLE", 11) == 0)
			in = 1;
		else if (in == 1 && strncmp(line, ".EX", 3) == 0 && n-- == 0)
			in = 2;
		else if (in == 2 && strncmp(line, ".EE", 3) == 0)
			break;
		else if (in == 2)
			for (char *p = line; *p; p++) {
				if (p[0] == '\\' && p[1] == '-') {
					fputc('-', out);
					p++;
				} else if (strncmp(p, "\\(aq", 4) == 0) {
					fputc('\'', out);
					p += 3;
				} else if (p[0] == '\\' && p[1] == 'e') {
					fputc('\\', out);
					p++;
				} else {
					fputc(*p, out);
				}
			}
	}
	fclose(f);
	fclose(out);
	return buf;
}

static void test_man_example(void)
{
	char *text = man_example(0);
	struct state s;
	struct vm_error err = { 0 };
	const struct state_guest *g;

	if (!ok(text && *text, "the man page has an EXAMPLE")) {
		free(text);
		return;
	}
	if (!ok(state_parse("virt-mdev-state.5", text, strlen(text), &s,
			    &err) == 0,
		"the man page's EXAMPLE parses")) {
		printf("# %s\n", err.msg);
		free(text);
		return;
	}
	g = s.nguests ? &s.guests[0] : NULL;
	ok(g && strcmp(g->name, "demo") == 0 && g->ndevices == 2 &&
		   strcmp(g->devices[0].device, "0.0.2b09") == 0 &&
		   g->devices[0].devno_given &&
		   g->devices[0].devno.cssid == 0xfe &&
		   g->devices[0].devno.devno == 0x1234 &&
		   g->devices[0].boot_order == 1 &&
		   ap_mask_test(&g->devices[1].target.apm, 5) &&
		   ap_mask_count(&g->devices[1].target.apm) == 1 &&
		   ap_mask_test(&g->devices[1].target.aqm, 4) &&
		   ap_mask_test(&g->devices[1].target.aqm, 0xab) &&
		   ap_mask_count(&g->devices[1].target.aqm) == 2,
	   "the EXAMPLE is the reference scenario: guest demo, DASD 0.0.2b09 as fe.0.1234 boot order 1, adapter 5 domains 4,0xab");
	round_trip(&s, "the man page's EXAMPLE");
	state_clear(&s);
	free(text);

	text = man_example(2);
	vm_error_clear(&err);
	if (!ok(text && state_parse("virt-mdev-state.5", text, strlen(text), &s,
				    &err) == 0,
		"the man page's JSON EXAMPLE parses"))
		printf("# %s\n", err.msg);
	else
		ok(s.nguests == 1 && s.guests[0].ndevices == 2 &&
			   s.guests[0].devices[0].live &&
			   s.guests[0].devices[0].uuid_given &&
			   s.guests[0].devices[1].target.have_control_domains &&
			   s.nmdevs == 1 && !s.mdevs[0].persistent &&
			   s.nreserve == 1,
		   "and holds every optional key, an mdev and a reservation");
	state_clear(&s);
	free(text);
}

/* ---- the writer ---------------------------------------------------------------------- */

static void test_writer(void)
{
	static const char *const names[] = {
		"yes",
		"No",
		"on",
		"1",
		"0x10",
		"1.5",
		"1e3",
		".inf",
		"null",
		"~",
		"",
		"true",
		"a: b",
		"a #b",
		"#a",
		" lead",
		"trail ",
		"-x",
		"a\nb",
		"tab\t",
		"q\"uote",
		"back\\",
		"\x01\x7f",
		"\xc2\x85nel",
		"\xe2\x80\xa8ls",
		"\xef\xbb\xbf"
		"bom",
		"\xc3\xa9t\xc3\xa9",
		"\xf0\x9f\x98\x80",
		"1:20",
		"0b11",
		"1_000",
		"<<",
		"=",
		"[a]",
		"{a}",
		"a,b",
		"*x",
		"&x",
		"!x",
		"%x",
		"@x",
		"`x",
		"|",
		">",
		"'",
		"a:",
		"-",
		"?",
		"0o17",
		"+1",
		".5",
		"plain-name_1.0",
	};
	const char *expect_ref =
		"# virt-mdev state file: see virt-mdev-state(5)\n"
		"version: 1\n"
		"guests:\n"
		"  - name: demo\n"
		"    devices:\n"
		"      - kind: ccw\n"
		"        device: 0.0.2b09\n"
		"        devno: fe.0.1234\n"
		"        boot-order: 1\n"
		"      - kind: ap\n"
		"        adapters: 5\n"
		"        domains: 4,0xab\n"
		"  - name: \"yes\"\n"
		"    devices: []\n"
		"mdevs:\n"
		"  - kind: ccw\n"
		"    device: 0.0.1234\n"
		"    uuid: " UUID1 "\n"
		"    persistent: false\n"
		"ap-reserve:\n"
		"  - adapters: 0x10-0x1f\n"
		"    domains: 4\n"
		"    persistent: false\n";
	const char *in = "version: 1\n"
			 "guests:\n"
			 "  - name: demo\n"
			 "    devices:\n"
			 "      - kind: vfio-ccw\n"
			 "        device: 2b09\n"
			 "        devno: 0xfe.0x0.0x1234\n"
			 "        boot-order: 1\n"
			 "        persistent: true\n"
			 "        live: false\n"
			 "      - kind: ap\n"
			 "        adapters: 0x05\n"
			 "        domains: [0xab, 4]\n"
			 "  - name: 'yes'\n"
			 "    devices: []\n"
			 "mdevs:\n"
			 "  - kind: ccw\n"
			 "    device: 1234\n"
			 "    uuid: 7B4C2CF4-6C9F-4B7A-9D2E-0A1B2C3D4E5F\n"
			 "    persistent: false\n"
			 "ap-reserve:\n"
			 "  - adapters: 16-31\n"
			 "    domains: 4\n"
			 "    persistent: false\n";
	struct state s;
	struct vm_error err = { 0 };
	char *text;
	int r;

	if (!ok(state_parse("f.yaml", in, strlen(in), &s, &err) == 0,
		"a file in other spellings parses"))
		printf("# %s\n", err.msg);
	text = write_text(&s, NULL, &r);
	is_int(r, 0, "it is written");
	is_str(text, expect_ref,
	       "written in the man page's layout: canonical spellings, defaults left out, a string YAML would read otherwise quoted");
	free(text);
	text = write_text(&s, "line one\nline two", &r);
	ok(r == 0 && strncmp(text, "# line one\n# line two\nversion: 1\n",
			     33) == 0,
	   "a header of two lines is two comment lines");
	free(text);
	round_trip(&s, "the reference state");

	/* every hostile name: written so that it reads back as itself */
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct state_guest g = { .name = (char *)names[i] };
		struct state one = { .guests = &g, .nguests = 1 };
		char desc[128];
		char *esc = calloc(1, 4 * strlen(names[i]) + 1);

		output_escape_to(names[i], strlen(names[i]), esc);
		snprintf(desc, sizeof(desc), "a guest named '%s'", esc);
		free(esc);
		if (!names[i][0]) {
			/* an empty name is no libvirt domain: it cannot round trip */
			text = write_text(&one, NULL, &r);
			ok(r == 0 && strstr(text, "name: \"\"\n"),
			   "an empty name is written quoted");
			free(text);
			continue;
		}
		round_trip(&one, desc);
	}
	text = write_text(&s, NULL, &r);
	free(text);
	{
		struct state_guest g = { .name = (char *)"bad\xff" };
		struct state one = { .guests = &g, .nguests = 1 };
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		is_int(state_write(f, &one, NULL), -EILSEQ,
		       "a name that is not valid UTF-8 cannot be written: -EILSEQ");
		fclose(f);
		is_int(len, 0, "and nothing was written");
		free(buf);
	}
	{
		struct state_device ap = { .kind = mdev_kind_by_name("ap"),
					   .persistent = true };
		struct state_guest g = { .name = (char *)"demo",
					 .devices = &ap,
					 .ndevices = 1 };
		struct state one = { .guests = &g, .nguests = 1 };
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ap_mask_set(&ap.target.apm, 5);
		is_int(state_write(f, &one, NULL), -EINVAL,
		       "an AP device without domains cannot be written: -EINVAL");
		fclose(f);
		is_int(len, 0, "and nothing was written");
		free(buf);
	}
	state_clear(&s);
}

/* ---- many states: generated files, each parsed and round-tripped ------------------------- */

static void gen_ids(FILE *f, const char *key, unsigned base, unsigned n)
{
	/* a list, a range or a YAML sequence, in decimal or 0x */
	switch (rand() % 3) {
	case 0:
		fprintf(f, "%s: %u", key, base);
		for (unsigned i = 1; i < n; i++)
			fprintf(f, ",0x%x", base + i);
		break;
	case 1:
		fprintf(f, "%s: 0x%x-0x%x", key, base, base + n - 1);
		break;
	default:
		fprintf(f, "%s: [", key);
		for (unsigned i = 0; i < n; i++)
			fprintf(f, "%s%u", i ? ", " : "", base + i);
		fputs("]", f);
	}
	fputs("\n", f);
}

static void gen_device(FILE *f, const char *ind, bool guest, unsigned *ccw,
		       unsigned *adapter, unsigned *uuid, unsigned n, bool ap)
{
	static const char *const persist[] = { "", "persistent: true",
					       "persistent: false" };
	int p = rand() % 3;

	if (ap) {
		fprintf(f, "%s- kind: %s\n", ind,
			rand() % 2 ? "ap" : "vfio-ap");
		fprintf(f, "%s  ", ind);
		gen_ids(f, "adapters", (*adapter)++, 1);
		fprintf(f, "%s  ", ind);
		gen_ids(f, "domains", (unsigned)(rand() % 200), 1 + rand() % 4);
		if (rand() % 2) {
			fprintf(f, "%s  ", ind);
			gen_ids(f, "control-domains", (unsigned)(rand() % 250),
				1 + rand() % 3);
		}
	} else {
		fprintf(f, "%s- kind: %s\n", ind,
			rand() % 2 ? "ccw" : "vfio-ccw");
		if (rand() % 2)
			fprintf(f, "%s  device: %x\n", ind, (*ccw)++);
		else
			fprintf(f, "%s  device: 0.%u.%04X\n", ind,
				(unsigned)(rand() % 4), (*ccw)++);
		if (guest && rand() % 2)
			fprintf(f, "%s  devno: fe.%u.%04x\n", ind,
				(unsigned)(rand() % 4), 0x1000 + n);
		if (guest && rand() % 2)
			fprintf(f, "%s  boot-order: %u\n", ind, n + 1);
		if (guest && rand() % 3 == 0)
			fprintf(f, "%s  alias: ua-d%u\n", ind, n);
	}
	if (rand() % 2)
		fprintf(f, "%s  uuid: %08X-0000-4000-8000-%012x\n", ind,
			(*uuid)++, n);
	if (persist[p][0])
		fprintf(f, "%s  %s\n", ind, persist[p]);
	if (guest && (p == 2 || rand() % 2))
		fprintf(f, "%s  live: true\n", ind);
}

static void test_generated(void)
{
	unsigned failed = 0, total = 0;

	for (unsigned seed = 1; seed <= 300; seed++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		unsigned ccw = 0x100, adapter = 0, uuid = 1;
		unsigned ng, nm, nr;
		struct state s;
		struct vm_error err = { 0 };

		srand(seed);
		ng = (unsigned)(rand() % 4);
		nm = (unsigned)(rand() % 3);
		nr = (unsigned)(rand() % 3);
		fputs("version: 1\n", f);
		if (ng)
			fputs("guests:\n", f);
		for (unsigned g = 0; g < ng; g++) {
			unsigned nd = (unsigned)(rand() % 5);
			bool ap = false;

			if (rand() % 2)
				fprintf(f, "  - name: guest%u\n", g);
			else
				fprintf(f, "  - name: \"g \\u00e9 #%u\"\n", g);
			fprintf(f, "    devices:%s\n", nd ? "" : " []");
			for (unsigned d = 0; d < nd; d++) {
				bool this_ap = !ap && rand() % 3 == 0;

				ap = ap || this_ap;
				gen_device(f, "      ", true, &ccw, &adapter,
					   &uuid, d, this_ap);
			}
		}
		if (nm)
			fputs("mdevs:\n", f);
		for (unsigned m = 0; m < nm; m++)
			gen_device(f, "  ", false, &ccw, &adapter, &uuid, m,
				   rand() % 2);
		if (nr)
			fputs("ap-reserve:\n", f);
		for (unsigned r = 0; r < nr; r++) {
			fputs("  - ", f);
			gen_ids(f, "adapters", (unsigned)(rand() % 200), 2);
			fputs("    ", f);
			gen_ids(f, "domains", (unsigned)(rand() % 200), 2);
			if (rand() % 2)
				fputs("    persistent: false\n", f);
		}
		fclose(f);
		total++;
		if (state_parse("gen.yaml", buf, len, &s, &err) < 0) {
			if (!failed++)
				printf("# seed %u: %s\n%s", seed, err.msg, buf);
		} else {
			char *text;
			int r;
			struct state back;

			text = write_text(&s, NULL, &r);
			vm_error_clear(&err);
			if (r < 0 || state_parse("w", text, strlen(text), &back,
						 &err) < 0) {
				if (!failed++)
					printf("# seed %u: written: %s\n%s",
					       seed, err.msg, text);
			} else {
				if (!state_equal(&s, &back) && !failed++)
					printf("# seed %u: not equal\n%s", seed,
					       text);
				state_clear(&back);
			}
			free(text);
			state_clear(&s);
		}
		free(buf);
	}
	ok(failed == 0,
	   "%u generated files (every spelling, both kinds, guests, mdevs, reservations) parse and round trip",
	   total);
}

static void test_json_same(void)
{
	const char *yaml = goods[1].text;
	const char *json =
		"{\"version\": 1, \"guests\": [{\"name\": \"demo\", \"devices\": ["
		"{\"kind\": \"ccw\", \"device\": \"0.0.2b09\", \"devno\": \"fe.0.1234\", \"boot-order\": 1},"
		"{\"kind\": \"ap\", \"adapters\": 5, \"domains\": \"4,0xab\"}]}]}";
	struct state a, b;
	struct vm_error err = { 0 };

	ok(state_parse("a", yaml, strlen(yaml), &a, &err) == 0 &&
		   state_parse("b", json, strlen(json), &b, &err) == 0 &&
		   state_equal(&a, &b),
	   "the reference scenario in JSON is the same state as in YAML");
	state_clear(&a);
	state_clear(&b);
}

/* ---- limits ------------------------------------------------------------------------------ */

static void test_limits(void)
{
	struct state s;
	struct vm_error err = { 0 };
	size_t n = STATE_MAX_SIZE + 1;
	char *big = malloc(n + 1);
	char *deep;
	int r;

	memset(big, ' ', n);
	memcpy(big, "version: 1\n", 11);
	big[n] = '\0';
	r = state_parse("f.yaml", big, n, &s, &err);
	is_int(r, -EFBIG, "a file over STATE_MAX_SIZE is refused");
	is_str(err.msg,
	       "f.yaml:1:1: (document): the file has more than 16777216 bytes, the most a state file may have (split it)",
	       "with the limit named");
	free(big);

	/* a million nested sequences: refused at the first, without reading them all */
	n = 1000000;
	deep = malloc(n + 32);
	strcpy(deep, "version: 1\nguests: [");
	memset(deep + strlen("version: 1\nguests: ["), '[', n);
	deep[strlen("version: 1\nguests: [") + n] = '\0';
	vm_error_clear(&err);
	r = state_parse("f.yaml", deep, strlen(deep), &s, &err);
	ok(r < 0 && err.exit == VM_EXIT_USAGE, "deep nesting is refused");
	is_str(err.msg,
	       "f.yaml:2:10: guests[0]: a sequence, expected a guest (a mapping: name, devices)",
	       "at the first collection the layout does not have");
	free(deep);

	/* the alias bomb ("billion laughs"): refused at its first anchor */
	vm_error_clear(&err);
	r = state_parse(
		"f.yaml", "version: 1\na: &a [x, x, x]\nb: &b [*a, *a, *a]\n",
		strlen("version: 1\na: &a [x, x, x]\nb: &b [*a, *a, *a]\n"), &s,
		&err);
	is_str(err.msg,
	       "f.yaml:2:1: (document): unknown key 'a' (the keys here are version, guests, mdevs and ap-reserve)",
	       "an alias bomb under unknown keys stops at the first key");
	vm_error_clear(&err);
	{
		const char *bomb =
			"version: 1\nguests:\n  - &g {name: a, devices: []}\n  - *g\n";

		r = state_parse("f.yaml", bomb, strlen(bomb), &s, &err);
		is_str(err.msg,
		       "f.yaml:3:5: guests[0]: an anchor (&g): anchors and aliases are refused, they let a small file expand without bound (write each value itself)",
		       "an anchored guest is refused at its anchor");
	}

	/* a large but fine file: 1,000 guests of 10 devices */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		fputs("version: 1\nguests:\n", f);
		for (unsigned g = 0; g < 1000; g++) {
			fprintf(f, "  - name: guest%u\n    devices:\n", g);
			for (unsigned d = 0; d < 10; d++)
				fprintf(f,
					"      - kind: ccw\n        device: 0.%u.%04x\n        devno: fe.0.%04x\n",
					(g * 10 + d) / 0x10000,
					(g * 10 + d) % 0x10000, d);
		}
		fclose(f);
		vm_error_clear(&err);
		r = state_parse("f.yaml", buf, len, &s, &err);
		ok(r == 0 && s.nguests == 1000 && s.guests[999].ndevices == 10,
		   "1,000 guests of 10 devices parse");
		if (r == 0)
			round_trip(&s, "1,000 guests of 10 devices");
		state_clear(&s);
		free(buf);
	}
}

static void test_read(void)
{
	char path[] = "/tmp/test-state-XXXXXX";
	int fd = mkstemp(path);
	struct state s;
	struct vm_error err = { 0 };
	const char *text =
		"version: 1\nguests:\n  - name: demo\n    devices: []\n";

	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text),
	   "a state file is written");
	close(fd);
	ok(state_read(path, &s, &err) == 0 && s.nguests == 1 &&
		   strcmp(s.file, path) == 0,
	   "state_read reads it");
	state_clear(&s);
	unlink(path);
	vm_error_clear(&err);
	ok(state_read(path, &s, &err) == -ENOENT && err.exit == VM_EXIT_USAGE,
	   "a missing file: -ENOENT, a usage error");
	ok(strstr(err.msg, "cannot open state file '/tmp/test-state-") != NULL,
	   "naming the file");
	vm_error_clear(&err);
	ok(state_read("/dev/zero", &s, &err) == -EFBIG, "/dev/zero is too big");
	vm_error_clear(&err);
	ok(state_read("/tmp", &s, &err) == -EISDIR,
	   "a directory cannot be read");
}

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(goods); i++) {
		struct state s;
		struct vm_error err = { 0 };
		char *d;

		if (!ok(state_parse("f.yaml", goods[i].text,
				    strlen(goods[i].text), &s, &err) == 0,
			"good: %s: parses", goods[i].desc)) {
			printf("# %s\n", err.msg);
			continue;
		}
		d = dump(&s);
		is_str(d, goods[i].dump, "good: %s: every member",
		       goods[i].desc);
		free(d);
		round_trip(&s, goods[i].desc);
		state_clear(&s);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
		struct state s;
		struct vm_error err = { 0 };
		int r = state_parse("f.yaml", bads[i].text,
				    strlen(bads[i].text), &s, &err);

		ok(r < 0 && err.exit == VM_EXIT_USAGE && s.nguests == 0 &&
			   s.guests == NULL && s.file == NULL,
		   "bad: %s: refused as a usage error, nothing kept",
		   bads[i].desc);
		is_str(err.msg, bads[i].msg, "bad: %s: the message",
		       bads[i].desc);
	}
	test_writer();
	test_generated();
	test_json_same();
	test_limits();
	test_read();
	test_man_example();
	return tap_done();
}
