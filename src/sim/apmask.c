/*
 * The kernel's number and AP mask parsers, reproduced for the simulator:
 * drivers/s390/crypto/ap_bus.c hex2bitmap/modify_bitmap/ap_parse_bitmap_str
 * and lib/kstrtox.c (see shared/docs/kernel-sysfs.md 3.3 and 3.7).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "apmask.h"

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return 16;
}

/* simple_strtoul(str, &end, 0): base from the prefix, no overflow check. */
static unsigned long simple_strtoul0(const char *s, const char **end)
{
	unsigned long v = 0;
	unsigned base = 10;

	if (s[0] == '0') {
		if (tolower((unsigned char)s[1]) == 'x' &&
		    isxdigit((unsigned char)s[2])) {
			base = 16;
			s += 2;
		} else {
			base = 8;
		}
	}
	while ((unsigned)digit_value(*s) < base) {
		v = v * base + (unsigned long)digit_value(*s);
		s++;
	}
	*end = s;
	return v;
}

static int hex2bitmap(const char *str, struct ap_mask *m)
{
	int i = 0;

	if (str[0] == '0' && str[1] == 'x')
		str++;
	if (*str == 'x')
		str++;
	for (; isxdigit((unsigned char)*str) && i < AP_MASK_BITS; str++) {
		int b = digit_value(*str);

		for (int n = 0; n < 4; n++)
			if (b & (0x08 >> n))
				ap_mask_set(m, (unsigned)(i + n));
		i += 4;
	}
	if (*str == '\n')
		str++;
	return *str ? -EINVAL : 0;
}

static int modify_bitmap(const char *str, struct ap_mask *m)
{
	while (*str) {
		unsigned long a, z;
		const char *np;
		char sign = *str++;

		if (sign != '+' && sign != '-')
			return -EINVAL;
		a = z = simple_strtoul0(str, &np);
		if (str == np || a >= AP_MASK_BITS)
			return -EINVAL;
		str = np;
		if (*str == '-') {
			z = simple_strtoul0(++str, &np);
			if (str == np || a > z || z >= AP_MASK_BITS)
				return -EINVAL;
			str = np;
		}
		for (unsigned long i = a; i <= z; i++) {
			if (sign == '+')
				ap_mask_set(m, (unsigned)i);
			else
				ap_mask_clear(m, (unsigned)i);
		}
		while (*str == ',' || *str == '\n')
			str++;
	}
	return 0;
}

int sim_ap_hex2bitmap(const char *buf, struct ap_mask *out)
{
	struct ap_mask m;
	int r;

	ap_mask_zero(&m);
	r = hex2bitmap(buf, &m);
	if (r < 0)
		return r;
	*out = m;
	return 0;
}

int sim_ap_mask_store(struct ap_mask *mask, const char *buf)
{
	struct ap_mask m;
	int r;

	if (*buf == '+' || *buf == '-') {
		m = *mask;
		r = modify_bitmap(buf, &m);
	} else {
		ap_mask_zero(&m);
		r = hex2bitmap(buf, &m);
	}
	if (r < 0)
		return r;
	*mask = m;
	return 0;
}

int sim_kstrtoul(const char *buf, unsigned long *out)
{
	unsigned long v = 0;
	unsigned base = 10;
	const char *s = buf;
	int digits = 0;

	if (s[0] == '+')
		s++;
	/* _parse_integer_fixup_radix: 0x + hex digit -> 16; leading 0 -> 8 */
	if (s[0] == '0') {
		if (tolower((unsigned char)s[1]) == 'x' &&
		    isxdigit((unsigned char)s[2])) {
			base = 16;
			s += 2;
		} else {
			base = 8;
		}
	}
	while ((unsigned)digit_value(*s) < base) {
		unsigned d = (unsigned)digit_value(*s);

		if (v > (ULONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
		s++;
		digits++;
	}
	if (!digits)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}
