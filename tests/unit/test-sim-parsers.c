/* The simulator's copies of the kernel's parsers: apmask/aqmask writes and kstrtoul, case by case from kernel-sysfs.md 3.3 and 3.7. */
#include "config.h"

#include "sim/apmask.h"
#include "tap.h"

static struct ap_mask all(void)
{
	struct ap_mask m;

	ap_mask_fill(&m);
	return m;
}

static void expect_store(struct ap_mask start, const char *write,
			 int expected_rc, const char *expected_list,
			 const char *what)
{
	struct ap_mask m = start;
	int rc = sim_ap_mask_store(&m, write);
	_cleanup_free_ char *list = ap_mask_format_list(&m);

	is_int(rc, expected_rc, "%s: rc", what);
	is_str(list, expected_list, "%s: resulting ids", what);
}

static void test_absolute(void)
{
	struct ap_mask zero;

	ap_mask_zero(&zero);
	expect_store(
		all(),
		"0x0400000000000000000000000000000000000000000000000000000000000000\n",
		0, "5", "absolute 0x04... is adapter 5");
	expect_store(all(), "0x04", 0, "5",
		     "a short absolute mask is zero-padded on the right");
	expect_store(all(), "04", 0, "5", "0x is optional");
	expect_store(all(), "x04", 0, "5", "a bare x is skipped");
	expect_store(all(), "0xF", 0, "0-3", "hex digits in either case");
	expect_store(all(), "\n", 0, "",
		     "an empty write (echo > apmask) clears the mask");
	expect_store(all(), "", 0, "", "a write of nothing clears the mask");
	expect_store(zero, "0X04", -EINVAL, "", "0X (upper case) is refused");
	expect_store(zero, "0x04 ", -EINVAL, "", "a trailing blank is refused");
	expect_store(zero, "0x04\n\n", -EINVAL, "",
		     "only one newline is allowed");
	expect_store(
		zero,
		"0x00000000000000000000000000000000000000000000000000000000000000000",
		-EINVAL, "", "65 hex digits are refused");
	expect_store(
		zero,
		"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		0, "0-0xff", "64 digits set all 256 bits");
	expect_store(all(), "0xg", -EINVAL, "0-0xff",
		     "a refused write leaves the mask unchanged");
}

static void test_relative(void)
{
	struct ap_mask zero;

	ap_mask_zero(&zero);
	expect_store(all(), "-5", 0, "0-4,6-0xff", "-5 frees adapter 5");
	expect_store(all(), "-5,-6", 0, "0-4,7-0xff", "the documented -5,-6");
	expect_store(all(), "-4,-0x47,-0xab,-0xff", 0,
		     "0-3,5-0x46,0x48-0xaa,0xac-0xfe",
		     "the documented aqmask example");
	expect_store(zero, "+0-15,+32,-128,-0xFF", 0, "0-0xf,0x20",
		     "ranges, and upper-case hex after 0x");
	expect_store(zero, "+1,+2,+3,+4,-5,-7-10", 0, "1-4",
		     "the documented mixed example");
	expect_store(zero, "+010", 0, "8",
		     "a leading 0 is octal: +010 is id 8");
	expect_store(zero, "+08", -EINVAL, "", "08 is not octal: refused");
	expect_store(zero, "+0x10-0x1f\n", 0, "0x10-0x1f",
		     "a trailing newline is allowed");
	expect_store(zero, "+1,,+2", 0, "1-2", "runs of commas separate terms");
	expect_store(zero, "+1\n+2", 0, "1-2", "newlines separate terms too");
	expect_store(zero, "+1,+2,-1", 0, "2", "the last operation wins");
	expect_store(zero, "+256", -EINVAL, "", "ids above 255 are refused");
	expect_store(zero, "+5-4", -EINVAL, "", "a backwards range is refused");
	expect_store(zero, "+5-256", -EINVAL, "",
		     "a range end above 255 is refused");
	expect_store(zero, "+1,2", -EINVAL, "",
		     "a term without a sign is refused, whole write");
	expect_store(zero, "+1, +2", -EINVAL, "", "a blank is refused");
	expect_store(zero, "+", -EINVAL, "",
		     "a sign without a number is refused");
	expect_store(zero, "+0xg", -EINVAL, "",
		     "0x without hex digits is refused");
	expect_store(all(), "-5,+x", -EINVAL, "0-0xff",
		     "a refused relative write changes nothing");
}

static void test_kstrtoul(void)
{
	static const struct {
		const char *in;
		int rc;
		unsigned long value;
	} cases[] = {
		{ "5", 0, 5 },
		{ "5\n", 0, 5 },
		{ "0xab", 0, 0xab },
		{ "0XAB\n", 0, 0xab },
		{ "010", 0, 8 },
		{ "0", 0, 0 },
		{ "+7", 0, 7 },
		{ "ab", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 },
		{ "5\n\n", -EINVAL, 0 },
		{ " 5", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "08", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "18446744073709551615", 0, 18446744073709551615UL },
		{ "18446744073709551616", -ERANGE, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long v = 12345;
		int rc = sim_kstrtoul(cases[i].in, &v);

		is_int(rc, cases[i].rc, "kstrtoul('%s') returns %d",
		       cases[i].in, cases[i].rc);
		if (cases[i].rc == 0)
			is_int(v, cases[i].value, "kstrtoul('%s') reads %lu",
			       cases[i].in, cases[i].value);
	}
}

int main(void)
{
	test_absolute();
	test_relative();
	test_kstrtoul();
	return tap_done();
}
