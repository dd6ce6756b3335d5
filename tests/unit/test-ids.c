/* Table-driven tests of the identifier parsers: every accepted spelling, the canonical output, every rejection and its message. */
#include "config.h"

#include "lib/ids.h"
#include "tap.h"

struct accept_case {
	const char *in;
	const char *canonical;
};

struct reject_case {
	const char *in;
	const char *message; /* the whole message the user sees */
};

static void test_ccw_ids(void)
{
	static const struct accept_case busids[] = {
		{ "0.0.2b09", "0.0.2b09" }, { "0.0.2B09", "0.0.2b09" },
		{ "0.1.0313", "0.1.0313" }, { "0.3.ffff", "0.3.ffff" },
		{ "0.0.0000", "0.0.0000" }, { "00.0.2b09", "0.0.2b09" },
		{ "2b09", "0.0.2b09" },	    { "2B09", "0.0.2b09" },
		{ "313", "0.0.0313" },	    { "1", "0.0.0001" },
	};
	static const struct reject_case bad_busids[] = {
		{ "",
		  "invalid ccw device bus id '': empty (write it as 0.<ssid>.<devno>, e.g. 0.0.2b09)" },
		{ "0.4.2b09",
		  "invalid ccw device bus id '0.4.2b09': the subchannel set id must be 0-3 (write it as 0.<ssid>.<devno>, e.g. 0.0.2b09)" },
		{ "1.0.2b09",
		  "invalid ccw device bus id '1.0.2b09': the channel subsystem id must be 0, Linux numbers its one css 0 (write it as 0.0.<devno>)" },
		{ "fe.0.1234",
		  "invalid ccw device bus id 'fe.0.1234': the channel subsystem id must be 0, Linux numbers its one css 0 (write it as 0.0.<devno>)" },
		{ "0.0.313",
		  "invalid ccw device bus id '0.0.313': the device number must be exactly 4 hex digits (write it as 0.0.0313)" },
		{ "0.0.2b091",
		  "invalid ccw device bus id '0.0.2b091': the device number must be exactly 4 hex digits (write it as 0.<ssid>.<devno>, e.g. 0.0.2b09)" },
		{ "0.0.2b0g",
		  "invalid ccw device bus id '0.0.2b0g': the device number must be exactly 4 hex digits (write it as 0.<ssid>.<devno>, e.g. 0.0.2b09)" },
		{ "0.0.",
		  "invalid ccw device bus id '0.0.': the device number must be exactly 4 hex digits (write it as 0.<ssid>.<devno>, e.g. 0.0.2b09)" },
		{ "0.0.2b09 ",
		  "invalid ccw device bus id '0.0.2b09 ': the device number must be exactly 4 hex digits (write it as 0.<ssid>.<devno>, e.g. 0.0.2b09)" },
		{ "0.0x0.2b09",
		  "invalid ccw device bus id '0.0x0.2b09': expected 0.<ssid>.<devno> in hex (write it as e.g. 0.0.2b09)" },
		{ "0..2b09",
		  "invalid ccw device bus id '0..2b09': expected 0.<ssid>.<devno> in hex (write it as e.g. 0.0.2b09)" },
		{ "0.00.2b09",
		  "invalid ccw device bus id '0.00.2b09': expected 0.<ssid>.<devno> in hex (write it as e.g. 0.0.2b09)" },
		{ "2b091",
		  "invalid ccw device bus id '2b091': a short form is 1-4 hex digits (write it as 0.<ssid>.<devno>, e.g. 0.0.2b09, or as 2b09)" },
		{ "dasd",
		  "invalid ccw device bus id 'dasd': a short form is 1-4 hex digits (write it as 0.<ssid>.<devno>, e.g. 0.0.2b09, or as 2b09)" },
		{ "0x2b09",
		  "invalid ccw device bus id '0x2b09': a short form is 1-4 hex digits (write it as 0.<ssid>.<devno>, e.g. 0.0.2b09, or as 2b09)" },
	};
	struct vm_error err = { 0 };
	char buf[CCW_ID_STRLEN];
	struct ccw_id id;

	for (size_t i = 0; i < ARRAY_SIZE(busids); i++) {
		vm_error_clear(&err);
		is_int(ccw_id_parse(busids[i].in, CCW_ID_BUSID, &id, &err), 0,
		       "busid '%s' is accepted", busids[i].in);
		ccw_id_format(&id, buf);
		is_str(buf, busids[i].canonical, "busid '%s' is written %s",
		       busids[i].in, busids[i].canonical);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_busids); i++) {
		vm_error_clear(&err);
		is_int(ccw_id_parse(bad_busids[i].in, CCW_ID_BUSID, &id, &err),
		       -EINVAL, "busid '%s' is refused", bad_busids[i].in);
		is_int(err.exit, VM_EXIT_USAGE,
		       "busid '%s' is a usage error (exit 2)",
		       bad_busids[i].in);
		is_str(err.msg, bad_busids[i].message,
		       "busid '%s' is refused with its rule and fix",
		       bad_busids[i].in);
	}

	vm_error_clear(&err);
	is_int(ccw_id_parse("0.0.0313", CCW_ID_SUBCHANNEL, &id, &err), 0,
	       "subchannel 0.0.0313 is accepted");
	ccw_id_format(&id, buf);
	is_str(buf, "0.0.0313", "subchannel 0.0.0313 reads back");
	is_int(ccw_id_parse("0.2.0313", CCW_ID_SUBCHANNEL, &id, &err), 0,
	       "subchannel 0.2.0313 is accepted");
	is_int(id.ssid, 2, "subchannel 0.2.0313 is in subchannel set 2");
	is_int(ccw_id_parse("0.0.31", CCW_ID_SUBCHANNEL, &id, &err), -EINVAL,
	       "subchannel 0.0.31 is refused");
	is_str(err.msg,
	       "invalid subchannel id '0.0.31': the device number must be exactly 4 hex digits (write it as 0.0.0031)",
	       "a subchannel message names the subchannel and the padded form");
	is_int(ccw_id_parse("x", CCW_ID_SUBCHANNEL, &id, &err), -EINVAL,
	       "subchannel 'x' is refused");
	is_str(err.msg,
	       "invalid subchannel id 'x': a short form is 1-4 hex digits (write it as 0.<ssid>.<devno>, e.g. 0.0.0313, or as 0313)",
	       "a subchannel example is a subchannel");
	{
		struct ccw_id a = { 0, 0, 0x2b09 }, b = { 0, 1, 0x2b09 };

		ok(ccw_id_equal(&a, &a) && !ccw_id_equal(&a, &b),
		   "ccw ids in different subchannel sets differ");
	}
	ok(ccw_id_parse("nope", CCW_ID_BUSID, &id, NULL) == -EINVAL,
	   "a parser works without an error object");
}

static void test_guest_devno(void)
{
	static const struct accept_case good[] = {
		{ "fe.0.1234", "fe.0.1234" },
		{ "FE.0.1234", "fe.0.1234" },
		{ "0xfe.0x0.0x1234", "fe.0.1234" },
		{ "0xFE.0X3.0XABCD", "fe.3.abcd" },
		{ "fe.3.ffff", "fe.3.ffff" },
		{ "0.0.0", "0.0.0000" },
		{ "fe.0.1", "fe.0.0001" },
		{ "cssid='0xfe' ssid='0x0' devno='0x1234'", "fe.0.1234" },
		{ "devno=\"0x1234\" cssid=\"0xfe\" ssid=\"0x1\"", "fe.1.1234" },
		{ "cssid='254' ssid='0' devno='4660'", "fe.0.1234" },
		{ "  cssid='0xfe'\tssid='0x2'  devno='0xffff' ", "fe.2.ffff" },
	};
	static const struct reject_case bad[] = {
		{ "",
		  "invalid guest device number '': empty (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "ff.0.1234",
		  "invalid guest device number 'ff.0.1234': cssid must be 0x0-0xfe, libvirt refuses 0xff (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "100.0.1234",
		  "invalid guest device number '100.0.1234': cssid must be 0x0-0xfe, libvirt refuses 0xff (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "fe.4.1234",
		  "invalid guest device number 'fe.4.1234': ssid must be 0-3 (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "fe.10.1234",
		  "invalid guest device number 'fe.10.1234': ssid must be 0-3 (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "fe.0.12345",
		  "invalid guest device number 'fe.0.12345': devno must be 0x0000-0xffff (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "fe.0",
		  "invalid guest device number 'fe.0': expected <cssid>.<ssid>.<devno> in hex (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "fe.0.12g4",
		  "invalid guest device number 'fe.0.12g4': expected <cssid>.<ssid>.<devno> in hex (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "auto",
		  "invalid guest device number 'auto': expected <cssid>.<ssid>.<devno> in hex (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "cssid='0xff' ssid='0x0' devno='0x1234'",
		  "invalid guest device number 'cssid='0xff' ssid='0x0' devno='0x1234'': cssid must be 0x0-0xfe, libvirt refuses 0xff (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "cssid='0xfe' ssid='0x4' devno='0x1234'",
		  "invalid guest device number 'cssid='0xfe' ssid='0x4' devno='0x1234'': ssid must be 0-3 (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "cssid='0xfe' ssid='0x0' devno='0x10000'",
		  "invalid guest device number 'cssid='0xfe' ssid='0x0' devno='0x10000'': devno must be 0x0000-0xffff (write it as fe.<ssid>.<devno>, e.g. fe.0.1234)" },
		{ "cssid='0xfe' ssid='0x0'",
		  "invalid guest device number 'cssid='0xfe' ssid='0x0'': devno is missing (write it as cssid='0xfe' ssid='0x0' devno='0x1234')" },
		{ "cssid='0xfe' cssid='0xfe' ssid='0' devno='1'",
		  "invalid guest device number 'cssid='0xfe' cssid='0xfe' ssid='0' devno='1'': cssid is given twice (write each of cssid, ssid and devno once)" },
		{ "cssid=0xfe ssid='0' devno='1'",
		  "invalid guest device number 'cssid=0xfe ssid='0' devno='1'': the value of cssid must be quoted (write it as cssid='0x...')" },
		{ "cssid='0376' ssid='0' devno='1'",
		  "invalid guest device number 'cssid='0376' ssid='0' devno='1'': cssid has a leading 0, which libvirt reads as octal (write it as 0x-hex, e.g. cssid='0xfe')" },
		{ "cssid='fe' ssid='0' devno='1'",
		  "invalid guest device number 'cssid='fe' ssid='0' devno='1'': cssid must be a number, 0x-hex or decimal (write it as cssid='0x...')" },
		{ "cssid='0xfe\" ssid='0' devno='1'",
		  "invalid guest device number 'cssid='0xfe\" ssid='0' devno='1'': unexpected text in the value of cssid (write it as cssid='0x...')" },
		{ "bus='0xfe' ssid='0' devno='1'",
		  "invalid guest device number 'bus='0xfe' ssid='0' devno='1'': expected cssid=, ssid= and devno= attributes (write it as cssid='0xfe' ssid='0x0' devno='0x1234', or as fe.0.1234)" },
	};
	struct vm_error err = { 0 };
	char buf[GUEST_DEVNO_STRLEN];
	char attrs[GUEST_DEVNO_ATTR_STRLEN];
	struct guest_devno d;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		vm_error_clear(&err);
		is_int(guest_devno_parse(good[i].in, &d, &err), 0,
		       "guest devno \"%s\" is accepted", good[i].in);
		guest_devno_format(&d, buf);
		is_str(buf, good[i].canonical,
		       "guest devno \"%s\" is written %s", good[i].in,
		       good[i].canonical);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		vm_error_clear(&err);
		ok(guest_devno_parse(bad[i].in, &d, &err) < 0,
		   "guest devno \"%s\" is refused", bad[i].in);
		is_int(err.exit, VM_EXIT_USAGE,
		       "guest devno \"%s\" is a usage error", bad[i].in);
		is_str(err.msg, bad[i].message,
		       "guest devno \"%s\": rule and fix", bad[i].in);
	}
	guest_devno_parse("fe.0.1234", &d, NULL);
	guest_devno_format_attrs(&d, attrs);
	is_str(attrs, "cssid='0xfe' ssid='0x0' devno='0x1234'",
	       "libvirt's attribute form is written as libvirt writes it");
	is_int(guest_devno_parse(attrs, &d, NULL), 0,
	       "the attribute form parses back");
}

static void test_apqn(void)
{
	static const struct accept_case good[] = {
		{ "05.0004", "05.0004" },  { "5.ab", "05.00ab" },
		{ "5.AB", "05.00ab" },	   { "0x05.0x00ab", "05.00ab" },
		{ "0X5.0Xab", "05.00ab" }, { "ff.00ff", "ff.00ff" },
		{ "0.0", "00.0000" },	   { "5.4", "05.0004" },
	};
	static const struct reject_case bad[] = {
		{ "",
		  "invalid APQN '': empty (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
		{ "05",
		  "invalid APQN '05': expected <adapter>.<domain> in hex (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
		{ "05.",
		  "invalid APQN '05.': expected <adapter>.<domain> in hex (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
		{ ".0004",
		  "invalid APQN '.0004': expected <adapter>.<domain> in hex (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
		{ "05.0004.1",
		  "invalid APQN '05.0004.1': expected <adapter>.<domain> in hex (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
		{ "5,4",
		  "invalid APQN '5,4': expected <adapter>.<domain> in hex (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
		{ "100.0004",
		  "invalid APQN '100.0004': the adapter id must be 00-ff (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
		{ "05.0100",
		  "invalid APQN '05.0100': the domain id must be 0000-00ff (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
		{ "05.00004",
		  "invalid APQN '05.00004': the domain id must be 0000-00ff (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
		{ "g5.0004",
		  "invalid APQN 'g5.0004': expected <adapter>.<domain> in hex (write it as <adapter>.<domain> in hex, e.g. 05.0004)" },
	};
	struct vm_error err = { 0 };
	char buf[APQN_STRLEN];
	struct apqn q;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		vm_error_clear(&err);
		is_int(apqn_parse(good[i].in, &q, &err), 0,
		       "APQN '%s' is accepted", good[i].in);
		apqn_format(&q, buf);
		is_str(buf, good[i].canonical, "APQN '%s' is written %s",
		       good[i].in, good[i].canonical);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		vm_error_clear(&err);
		ok(apqn_parse(bad[i].in, &q, &err) < 0, "APQN '%s' is refused",
		   bad[i].in);
		is_int(err.exit, VM_EXIT_USAGE, "APQN '%s' is a usage error",
		       bad[i].in);
		is_str(err.msg, bad[i].message, "APQN '%s': rule and fix",
		       bad[i].in);
	}
}

static void test_id_lists(void)
{
	static const struct accept_case good[] = {
		{ "5", "5" },
		{ "5,6", "5-6" },
		{ "6,5", "5-6" },
		{ "4,0xab", "4,0xab" },
		{ "4,0XAB", "4,0xab" },
		{ "0x10-0x1f", "0x10-0x1f" },
		{ "16-31", "0x10-0x1f" },
		{ "0", "0" },
		{ "0-255", "0-0xff" },
		{ "5,5,5", "5" },
		{ "1,3,5-7,0xab", "1,3,5-7,0xab" },
		{ "0x5-5", "5" },
	};
	static const struct reject_case bad[] = {
		{ "",
		  "invalid domain list '': empty (write numbers and ranges separated by commas, e.g. 5,6 or 0x10-0x1f)" },
		{ "010",
		  "invalid domain list '010': '010' has a leading 0, which the kernel would read as octal (write decimal without the 0, or 0x-hex)" },
		{ "4,00",
		  "invalid domain list '4,00': '00' has a leading 0, which the kernel would read as octal (write decimal without the 0, or 0x-hex)" },
		{ "256",
		  "invalid domain list '256': '256' is out of range, domain ids are 0-255 (0x0-0xff)" },
		{ "0x100",
		  "invalid domain list '0x100': '0x100' is out of range, domain ids are 0-255 (0x0-0xff)" },
		{ "0-256",
		  "invalid domain list '0-256': '256' is out of range, domain ids are 0-255 (0x0-0xff)" },
		{ "0x1f-0x10",
		  "invalid domain list '0x1f-0x10': the range '0x1f-0x10' runs backwards (write the lower id first)" },
		{ "5,,6",
		  "invalid domain list '5,,6': an entry is empty (write numbers and ranges separated by commas, e.g. 5,6 or 0x10-0x1f)" },
		{ "5,",
		  "invalid domain list '5,': an entry is empty (write numbers and ranges separated by commas, e.g. 5,6 or 0x10-0x1f)" },
		{ "ab",
		  "invalid domain list 'ab': 'ab' is not a number; numbers are decimal, or hex with 0x (write e.g. 4,0xab or 0x10-0x1f)" },
		{ "0x",
		  "invalid domain list '0x': '0x' is not a number; numbers are decimal, or hex with 0x (write e.g. 4,0xab or 0x10-0x1f)" },
		{ "-5",
		  "invalid domain list '-5': '-' is not a number; numbers are decimal, or hex with 0x (write e.g. 4,0xab or 0x10-0x1f)" },
		{ "5-",
		  "invalid domain list '5-': an entry is empty (write numbers and ranges separated by commas, e.g. 5,6 or 0x10-0x1f)" },
		{ "5, 6",
		  "invalid domain list '5, 6': ' 6' is not a number; numbers are decimal, or hex with 0x (write e.g. 4,0xab or 0x10-0x1f)" },
		{ "5 6",
		  "invalid domain list '5 6': unexpected ' ' (write numbers and ranges separated by commas, without blanks, e.g. 4,0xab)" },
		{ "5;6",
		  "invalid domain list '5;6': unexpected ';' (write numbers and ranges separated by commas, without blanks, e.g. 4,0xab)" },
		{ "1-2-3",
		  "invalid domain list '1-2-3': unexpected '-' (write numbers and ranges separated by commas, without blanks, e.g. 4,0xab)" },
		{ "99999999999999999999",
		  "invalid domain list '99999999999999999999': '99999999999999999999' is out of range, domain ids are 0-255 (0x0-0xff)" },
	};
	struct vm_error err = { 0 };
	struct ap_mask m;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		_cleanup_free_ char *list = NULL;

		vm_error_clear(&err);
		is_int(ap_id_list_parse(good[i].in, "domain", &m, &err), 0,
		       "domain list '%s' is accepted", good[i].in);
		list = ap_mask_format_list(&m);
		is_str(list, good[i].canonical,
		       "domain list '%s' is written %s", good[i].in,
		       good[i].canonical);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		vm_error_clear(&err);
		ok(ap_id_list_parse(bad[i].in, "domain", &m, &err) < 0,
		   "domain list '%s' is refused", bad[i].in);
		is_int(err.exit, VM_EXIT_USAGE,
		       "domain list '%s' is a usage error", bad[i].in);
		is_str(err.msg, bad[i].message,
		       "domain list '%s': rule and fix", bad[i].in);
	}
	ap_id_list_parse("5,6", "adapter", &m, &err);
	ok(ap_mask_test(&m, 5) && ap_mask_test(&m, 6) && ap_mask_count(&m) == 2,
	   "adapter list 5,6 holds adapters 5 and 6 only");
	ap_id_list_parse("0-255", "adapter", &m, &err);
	is_int(ap_mask_count(&m), 256, "0-255 holds all 256 ids");
	ap_id_list_parse("x", "adapter", &m, &err);
	is_str(err.msg,
	       "invalid adapter list 'x': 'x' is not a number; numbers are decimal, or hex with 0x (write e.g. 4,0xab or 0x10-0x1f)",
	       "the message names the kind of list");
}

static const unsigned char fixed_uuid[16] = { 0x90, 0xc6, 0xc1, 0x35,
					      0xad, 0x44, 0x41, 0xd0,
					      0xb1, 0xb7, 0xba, 0xe4,
					      0x7d, 0xe4, 0x86, 0x27 };

static void fixed_generator(uuid_t out)
{
	memcpy(out, fixed_uuid, sizeof(fixed_uuid));
}

static void test_uuids(void)
{
	static const struct accept_case good[] = {
		{ "90c6c135-ad44-41d0-b1b7-bae47de48627",
		  "90c6c135-ad44-41d0-b1b7-bae47de48627" },
		{ "90C6C135-AD44-41D0-B1B7-BAE47DE48627",
		  "90c6c135-ad44-41d0-b1b7-bae47de48627" },
		{ "00000000-0000-0000-0000-000000000000",
		  "00000000-0000-0000-0000-000000000000" },
	};
	static const char *const bad[] = {
		"",
		"90c6c135ad4441d0b1b7bae47de48627",
		"90c6c135-ad44-41d0-b1b7-bae47de4862",
		"90c6c135-ad44-41d0-b1b7-bae47de486277",
		"90c6c135-ad44-41d0-b1b7_bae47de48627",
		"{90c6c135-ad44-41d0-b1b7-bae47de48627}",
		"90c6c135-ad44-41d0-b1b7-bae47de4862g",
		" 90c6c135-ad44-41d0-b1b7-bae47de4862",
	};
	struct vm_error err = { 0 };
	char buf[IDS_UUID_STRLEN], buf2[IDS_UUID_STRLEN];
	uuid_t u, u2;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		is_int(ids_uuid_parse(good[i].in, u, &err), 0,
		       "uuid '%s' is accepted", good[i].in);
		ids_uuid_format(u, buf);
		is_str(buf, good[i].canonical,
		       "uuid '%s' is written in lower case", good[i].in);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char expected[512];

		vm_error_clear(&err);
		snprintf(
			expected, sizeof(expected),
			"invalid uuid '%s': expected 8-4-4-4-12 hex digits (write it as e.g. 90c6c135-ad44-41d0-b1b7-bae47de48627, or leave it out to have one generated)",
			bad[i]);
		ok(ids_uuid_parse(bad[i], u, &err) < 0, "uuid '%s' is refused",
		   bad[i]);
		is_str(err.msg, expected, "uuid '%s': rule and fix", bad[i]);
		is_int(err.exit, VM_EXIT_USAGE, "uuid '%s' is a usage error",
		       bad[i]);
	}
	ids_uuid_generate(u);
	ids_uuid_generate(u2);
	ids_uuid_format(u, buf);
	ids_uuid_format(u2, buf2);
	ok(strcmp(buf, buf2) != 0, "two generated uuids differ (%s, %s)", buf,
	   buf2);
	is_int(ids_uuid_parse(buf, u2, NULL), 0,
	       "a generated uuid parses back");
	ok(buf[14] == '4', "a generated uuid is a random (version 4) uuid");
	ids_uuid_set_generator(fixed_generator);
	ids_uuid_generate(u);
	ids_uuid_format(u, buf);
	is_str(buf, "90c6c135-ad44-41d0-b1b7-bae47de48627",
	       "an injected generator fixes the uuid for golden tests");
	ids_uuid_set_generator(NULL);
	ids_uuid_generate(u);
	ids_uuid_format(u, buf);
	ok(strcmp(buf, "90c6c135-ad44-41d0-b1b7-bae47de48627") != 0,
	   "resetting the generator brings back random uuids");
}

int main(void)
{
	test_ccw_ids();
	test_guest_devno();
	test_apqn();
	test_id_lists();
	test_uuids();
	return tap_done();
}
