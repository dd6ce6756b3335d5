/* AP masks: the kernel's read format, set operations, and the shortest relative write checked against the kernel's own parser. */
#include "config.h"

#include "lib/ids.h"
#include "sim/apmask.h"
#include "tap.h"

static struct ap_mask mask_of(const char *list)
{
	struct ap_mask m;

	ap_mask_zero(&m);
	if (*list && ap_id_list_parse(list, "test", &m, NULL) < 0)
		abort();
	return m;
}

static void test_read_format(void)
{
	struct vm_error err = { 0 };
	char buf[AP_MASK_STRLEN];
	struct ap_mask m;

	is_int(ap_mask_parse(
		       "0x0400000000000000000000000000000000000000000000000000000000000000\n",
		       &m, &err),
	       0, "the kernel's apmask line parses");
	ok(ap_mask_test(&m, 5) && ap_mask_count(&m) == 1,
	   "0x04 then zeros is adapter 5 alone (bit 0 is the leftmost)");
	ap_mask_format(&m, buf);
	is_str(buf,
	       "0x0400000000000000000000000000000000000000000000000000000000000000",
	       "the mask is printed as the kernel prints it");

	is_int(ap_mask_parse(
		       "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		       &m, &err),
	       0, "the all-host default mask parses without a newline too");
	is_int(ap_mask_count(&m), 256, "all 256 bits are set by default");
	is_int(ap_mask_parse(
		       "0x00000000000000000000000000000000000000000000000000000000000000AB",
		       &m, &err),
	       0, "upper-case digits are read");
	ok(ap_mask_test(&m, 248) && ap_mask_test(&m, 255) &&
		   !ap_mask_test(&m, 249),
	   "0xab in the last byte is ids 248, 250, 252, 254, 255");

	ok(ap_mask_parse("0x04", &m, &err) < 0, "a short mask is refused");
	is_str(err.msg,
	       "invalid AP mask '0x04': expected 0x and 64 hex digits, as the kernel prints apmask and aqmask",
	       "the short-mask message quotes the mask");
	ok(ap_mask_parse(
		   "0400000000000000000000000000000000000000000000000000000000000000ab",
		   &m, &err) < 0,
	   "a mask without 0x is refused");
	ok(ap_mask_parse(
		   "0x040000000000000000000000000000000000000000000000000000000000000g",
		   &m, &err) < 0,
	   "a mask with a non-hex digit is refused");
	is_str(err.msg,
	       "invalid AP mask '0x040000000000000000000000000000000000000000000000000000000000000g': 'g' is not a hex digit",
	       "the message names the bad digit");
}

static void test_set_ops(void)
{
	struct ap_mask a = mask_of("1-10"), b = mask_of("5-15"), r;
	int bit, n = 0, sum = 0;

	ap_mask_or(&r, &a, &b);
	ok(ap_mask_equal(&r, &(struct ap_mask){ 0 }) == false &&
		   ap_mask_count(&r) == 15,
	   "1-10 | 5-15 has 15 ids");
	ap_mask_and(&r, &a, &b);
	ok(ap_mask_count(&r) == 6 && ap_mask_test(&r, 5) &&
		   ap_mask_test(&r, 10),
	   "1-10 & 5-15 is 5-10");
	ap_mask_andnot(&r, &a, &b);
	ok(ap_mask_count(&r) == 4 && ap_mask_test(&r, 1) &&
		   !ap_mask_test(&r, 5),
	   "1-10 & ~5-15 is 1-4");
	ap_mask_zero(&r);
	ok(ap_mask_is_empty(&r) && ap_mask_next(&r, -1) == -1,
	   "an empty mask has no next bit");
	ap_mask_fill(&r);
	ok(!ap_mask_is_empty(&r) && ap_mask_next(&r, 254) == 255 &&
		   ap_mask_next(&r, 255) == -1,
	   "a full mask ends at 255");
	r = mask_of("0,63,64,127,128,200,255");
	ap_mask_for_each(bit, &r) {
		n++;
		sum += bit;
	}
	ok(n == 7 && sum == 0 + 63 + 64 + 127 + 128 + 200 + 255,
	   "iteration visits every set bit across word boundaries");
	ap_mask_clear(&r, 63);
	ap_mask_set(&r, 300); /* out of range: ignored */
	ok(!ap_mask_test(&r, 63) && !ap_mask_test(&r, 300) &&
		   ap_mask_count(&r) == 6,
	   "clear works and out-of-range bits are ignored");
}

static void check_relative(const char *from_list, const char *to_list,
			   const char *expected)
{
	struct ap_mask from = mask_of(from_list), to = mask_of(to_list),
		       applied;
	_cleanup_free_ char *rel = ap_mask_relative(&from, &to);

	is_str(rel, expected, "relative write from {%s} to {%s}", from_list,
	       to_list);
	applied = from;
	if (rel && *rel)
		ok(sim_ap_mask_store(&applied, rel) == 0 &&
			   ap_mask_equal(&applied, &to),
		   "the kernel's parser turns {%s} into {%s} with '%s'",
		   from_list, to_list, rel);
}

static void test_relative_golden(void)
{
	check_relative("0-255", "0-4,6-255", "-5");
	check_relative("0-255", "0-3,5-0xaa,0xac-255", "-4,-0xab");
	check_relative("", "0x10-0x1f", "+0x10-0x1f");
	check_relative("0-255", "0-255", "");
	check_relative("", "", "");
	check_relative("", "0-255", "+0-0xff");
	check_relative("0-255", "", "-0-0xff");
	check_relative("5", "6", "-5,+6");
	/* bit 4 keeps its value but joins the range: "-3-5" beats "-3,-5" */
	check_relative("3,5", "", "-3-5");
	check_relative("3-5", "4", "-3,-5");
	check_relative("0-255", "0-4,6-9,11-255", "-5,-0xa");
	check_relative("", "9,10", "+9-0xa");
}

/* A small deterministic generator, so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct ap_mask random_mask(void)
{
	struct ap_mask m;
	unsigned style = (unsigned)(rng() % 4);

	for (size_t i = 0; i < ARRAY_SIZE(m.w); i++) {
		uint64_t v = rng();

		/* mix sparse, dense and run-heavy masks */
		if (style == 1)
			v &= rng() & rng();
		else if (style == 2)
			v |= rng() | rng();
		else if (style == 3)
			v = (rng() & 1) ? ~UINT64_C(0) << (rng() % 64) :
					  v >> (rng() % 64);
		m.w[i] = v;
	}
	return m;
}

/* The simple form: one term per run of changed bits. */
static size_t naive_length(const struct ap_mask *from, const struct ap_mask *to)
{
	size_t len = 0;

	for (int i = 0; i < AP_MASK_BITS;) {
		int j = i;
		bool target = ap_mask_test(to, (unsigned)i);
		char a[8], b[8];

		if (target == ap_mask_test(from, (unsigned)i)) {
			i++;
			continue;
		}
		while (j + 1 < AP_MASK_BITS &&
		       ap_mask_test(to, (unsigned)j + 1) == target &&
		       ap_mask_test(from, (unsigned)j + 1) != target)
			j++;
		snprintf(a, sizeof(a), i < 10 ? "%d" : "0x%x", i);
		snprintf(b, sizeof(b), j < 10 ? "%d" : "0x%x", j);
		len += (len ? 1 : 0) + 1 + strlen(a) +
		       (i == j ? 0 : 1 + strlen(b));
		i = j + 1;
	}
	return len;
}

static void test_relative_random(void)
{
	int wrong = 0, longer = 0, octal = 0;

	for (int round = 0; round < 3000; round++) {
		struct ap_mask from = random_mask(), to = random_mask(),
			       applied;
		_cleanup_free_ char *rel = ap_mask_relative(&from, &to);

		if (round % 5 == 0)
			to = from; /* equal masks too */
		free(rel);
		rel = ap_mask_relative(&from, &to);
		applied = from;
		if (!rel || (*rel && sim_ap_mask_store(&applied, rel) < 0) ||
		    !ap_mask_equal(&applied, &to))
			wrong++;
		if (rel && strlen(rel) > naive_length(&from, &to))
			longer++;
		for (const char *p = rel; p && *p; p++)
			if ((p == rel || strchr("+-,", p[-1])) && p[0] == '0' &&
			    p[1] >= '0' && p[1] <= '9')
				octal++;
	}
	is_int(wrong, 0,
	       "3000 random pairs: the kernel's parser always reaches the target");
	is_int(longer, 0, "never longer than one term per run of changed bits");
	is_int(octal, 0, "no number is ever written with a leading 0 (octal)");
}

static void test_format_list(void)
{
	struct ap_mask m = mask_of("1,3,5-7,0xab,0xf0-0xff");
	_cleanup_free_ char *s = ap_mask_format_list(&m);
	_cleanup_free_ char *empty = NULL;
	struct ap_mask back;

	is_str(s, "1,3,5-7,0xab,0xf0-0xff",
	       "a list is printed with ranges joined");
	is_int(ap_id_list_parse(s, "domain", &back, NULL), 0,
	       "the printed list parses back");
	ok(ap_mask_equal(&back, &m), "and gives the same mask");
	ap_mask_zero(&m);
	empty = ap_mask_format_list(&m);
	is_str(empty, "", "an empty mask prints as an empty list");
}

int main(void)
{
	test_read_format();
	test_set_ops();
	test_relative_golden();
	test_relative_random();
	test_format_list();
	return tap_done();
}
