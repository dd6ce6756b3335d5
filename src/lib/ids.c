/* Parse and format the identifiers of s390 channel devices, crypto queues and mdevs. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"

/* ---- helpers ------------------------------------------------------- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Read hex digits from *p (at most max_digits, at least one), skipping an
 * optional "0x"/"0X" when allow_0x. Advances *p. Returns the number of
 * digits read (0 when none) or -1 when there were more than max_digits.
 */
static int take_hex(const char **p, bool allow_0x, int max_digits,
		    unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	int n = 0;

	if (allow_0x && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (hex_value(*s) >= 0) {
		if (n == max_digits)
			return -1;
		v = v * 16 + (unsigned long)hex_value(*s);
		s++;
		n++;
	}
	*p = s;
	*out = v;
	return n;
}

/* ---- ccw ids ------------------------------------------------------- */

static const char *const ccw_id_names[CCW_ID__LAST] = {
	[CCW_ID_BUSID] = "ccw device bus id",
	[CCW_ID_SUBCHANNEL] = "subchannel id",
};

static const char *const ccw_id_examples[CCW_ID__LAST] = {
	[CCW_ID_BUSID] = "0.0.2b09",
	[CCW_ID_SUBCHANNEL] = "0.0.0313",
};

int ccw_id_parse(const char *str, enum ccw_id_kind kind, struct ccw_id *out,
		 struct vm_error *err)
{
	const char *what = ccw_id_names[kind];
	const char *example = ccw_id_examples[kind];
	const char *p = str;
	unsigned long cssid, ssid, devno;
	int n;

	if (!*str)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid %s '': empty (write it as 0.<ssid>.<devno>, e.g. %s)",
			what, example);
	if (!strchr(str, '.')) {
		/* shorthand: the device number alone, in subchannel set 0 */
		n = take_hex(&p, false, 4, &devno);
		if (n <= 0 || *p)
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"invalid %s '%s': a short form is 1-4 hex digits (write it as 0.<ssid>.<devno>, e.g. %s, or as %s)",
				what, str, example, example + 4);
		*out = (struct ccw_id){ 0, 0, (uint16_t)devno };
		return 0;
	}
	if (take_hex(&p, false, 2, &cssid) <= 0 || *p++ != '.' ||
	    take_hex(&p, false, 1, &ssid) <= 0 || *p++ != '.')
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid %s '%s': expected 0.<ssid>.<devno> in hex (write it as e.g. %s)",
			what, str, example);
	if (cssid != 0)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid %s '%s': the channel subsystem id must be 0, Linux numbers its one css 0 (write it as 0.%lx.<devno>)",
			what, str, ssid);
	if (ssid > 3)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid %s '%s': the subchannel set id must be 0-3 (write it as 0.<ssid>.<devno>, e.g. %s)",
			what, str, example);
	n = take_hex(&p, false, 4, &devno);
	if (n > 0 && n < 4 && !*p)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid %s '%s': the device number must be exactly 4 hex digits (write it as 0.%lx.%04lx)",
			what, str, ssid, devno);
	if (n != 4 || *p)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid %s '%s': the device number must be exactly 4 hex digits (write it as 0.<ssid>.<devno>, e.g. %s)",
			what, str, example);
	*out = (struct ccw_id){ 0, (uint8_t)ssid, (uint16_t)devno };
	return 0;
}

void ccw_id_format(const struct ccw_id *id, char buf[CCW_ID_STRLEN])
{
	snprintf(buf, CCW_ID_STRLEN, "%x.%x.%04x", id->cssid & 0xfu,
		 id->ssid & 0x3u, id->devno);
}

bool ccw_id_equal(const struct ccw_id *a, const struct ccw_id *b)
{
	return a->cssid == b->cssid && a->ssid == b->ssid &&
	       a->devno == b->devno;
}

/* ---- numbers as admins write them: decimal or 0x-hex ------------------- */

enum number_status {
	NUMBER_OK,
	NUMBER_NONE, /* no digit at all */
	NUMBER_LEADING_ZERO, /* "010": octal to the kernel, decimal to a human */
	NUMBER_EMPTY_HEX, /* "0x" without digits */
	NUMBER_TOO_BIG,
};

/*
 * Read one number at *p: 0x-prefixed hex, or decimal without a leading 0.
 * Stops at the first character that cannot continue it; advances *p.
 */
static enum number_status take_number(const char **p, unsigned long limit,
				      unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
		if (hex_value(*s) < 0)
			return NUMBER_EMPTY_HEX;
	} else if (s[0] == '0' && isdigit((unsigned char)s[1])) {
		return NUMBER_LEADING_ZERO;
	} else if (!isdigit((unsigned char)*s)) {
		return NUMBER_NONE;
	}
	for (;;) {
		int d = base == 16 ?
				hex_value(*s) :
				(isdigit((unsigned char)*s) ? *s - '0' : -1);

		if (d < 0)
			break;
		v = v * (unsigned long)base + (unsigned long)d;
		if (v > limit)
			return NUMBER_TOO_BIG;
		s++;
	}
	*p = s;
	*out = v;
	return NUMBER_OK;
}

/* ---- guest device numbers --------------------------------------------- */

#define GUEST_DEVNO_FIX "write it as fe.<ssid>.<devno>, e.g. fe.0.1234"

static int guest_devno_check(const char *str, unsigned long cssid,
			     unsigned long ssid, unsigned long devno,
			     struct guest_devno *out, struct vm_error *err)
{
	if (cssid > GUEST_DEVNO_MAX_CSSID)
		return vm_error_set(
			err, VM_EXIT_USAGE, ERANGE,
			"invalid guest device number '%s': cssid must be 0x0-0xfe, libvirt refuses 0xff (" GUEST_DEVNO_FIX
			")",
			str);
	if (ssid > GUEST_DEVNO_MAX_SSID)
		return vm_error_set(
			err, VM_EXIT_USAGE, ERANGE,
			"invalid guest device number '%s': ssid must be 0-3 (" GUEST_DEVNO_FIX
			")",
			str);
	if (devno > 0xffff)
		return vm_error_set(
			err, VM_EXIT_USAGE, ERANGE,
			"invalid guest device number '%s': devno must be 0x0000-0xffff (" GUEST_DEVNO_FIX
			")",
			str);
	*out = (struct guest_devno){ (uint8_t)cssid, (uint8_t)ssid,
				     (uint16_t)devno };
	return 0;
}

/* libvirt's form: cssid='0xfe' ssid='0x0' devno='0x1234', any order, ' or " quotes. */
static int guest_devno_parse_attrs(const char *str, struct guest_devno *out,
				   struct vm_error *err)
{
	static const char *const names[3] = { "cssid", "ssid", "devno" };
	static const unsigned long limits[3] = { 0xffff, 0xffff, 0xfffff };
	unsigned long val[3];
	bool seen[3] = { false, false, false };
	const char *p = str;

	for (;;) {
		size_t len;
		char quote;
		int i;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		for (i = 0; i < 3; i++) {
			len = strlen(names[i]);
			if (strncmp(p, names[i], len) == 0 && p[len] == '=')
				break;
		}
		if (i == 3)
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"invalid guest device number '%s': expected cssid=, ssid= and devno= attributes (write it as cssid='0xfe' ssid='0x0' devno='0x1234', or as fe.0.1234)",
				str);
		if (seen[i])
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"invalid guest device number '%s': %s is given twice (write each of cssid, ssid and devno once)",
				str, names[i]);
		p += len + 1;
		quote = *p;
		if (quote != '\'' && quote != '"')
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"invalid guest device number '%s': the value of %s must be quoted (write it as %s='0x...')",
				str, names[i], names[i]);
		p++;
		switch (take_number(&p, limits[i], &val[i])) {
		case NUMBER_OK:
			break;
		case NUMBER_LEADING_ZERO:
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"invalid guest device number '%s': %s has a leading 0, which libvirt reads as octal (write it as 0x-hex, e.g. %s='0x%s')",
				str, names[i], names[i],
				i == 0 ? "fe" :
				i == 1 ? "0" :
					 "1234");
		case NUMBER_TOO_BIG:
			return guest_devno_check(str, i == 0 ? 0x100 : 0,
						 i == 1 ? 4 : 0,
						 i == 2 ? 0x10000 : 0, out,
						 err);
		case NUMBER_NONE:
		case NUMBER_EMPTY_HEX:
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"invalid guest device number '%s': %s must be a number, 0x-hex or decimal (write it as %s='0x...')",
				str, names[i], names[i]);
		}
		if (*p != quote)
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"invalid guest device number '%s': unexpected text in the value of %s (write it as %s='0x...')",
				str, names[i], names[i]);
		p++;
		seen[i] = true;
	}
	for (int i = 0; i < 3; i++)
		if (!seen[i])
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"invalid guest device number '%s': %s is missing (write it as cssid='0xfe' ssid='0x0' devno='0x1234')",
				str, names[i]);
	return guest_devno_check(str, val[0], val[1], val[2], out, err);
}

int guest_devno_parse(const char *str, struct guest_devno *out,
		      struct vm_error *err)
{
	unsigned long cssid, ssid, devno;
	const char *p = str;
	int n;

	if (strchr(str, '='))
		return guest_devno_parse_attrs(str, out, err);
	if (!*str)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid guest device number '': empty (" GUEST_DEVNO_FIX
			")");
	n = take_hex(&p, true, 2, &cssid);
	if (n < 0)
		return guest_devno_check(str, 0x100, 0, 0, out, err);
	if (n == 0 || *p++ != '.')
		goto bad_form;
	n = take_hex(&p, true, 1, &ssid);
	if (n < 0)
		return guest_devno_check(str, 0, 4, 0, out, err);
	if (n == 0 || *p++ != '.')
		goto bad_form;
	n = take_hex(&p, true, 4, &devno);
	if (n < 0)
		return guest_devno_check(str, 0, 0, 0x10000, out, err);
	if (n == 0 || *p)
		goto bad_form;
	return guest_devno_check(str, cssid, ssid, devno, out, err);

bad_form:
	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"invalid guest device number '%s': expected <cssid>.<ssid>.<devno> in hex (" GUEST_DEVNO_FIX
		")",
		str);
}

void guest_devno_format(const struct guest_devno *d,
			char buf[GUEST_DEVNO_STRLEN])
{
	snprintf(buf, GUEST_DEVNO_STRLEN, "%x.%x.%04x", d->cssid,
		 d->ssid & 0x3u, d->devno);
}

void guest_devno_format_attrs(const struct guest_devno *d,
			      char buf[GUEST_DEVNO_ATTR_STRLEN])
{
	snprintf(buf, GUEST_DEVNO_ATTR_STRLEN,
		 "cssid='0x%x' ssid='0x%x' devno='0x%04x'", d->cssid,
		 d->ssid & 0x3u, d->devno);
}

/* ---- APQNs ------------------------------------------------------------ */

#define APQN_FIX "write it as <adapter>.<domain> in hex, e.g. 05.0004"

int apqn_parse(const char *str, struct apqn *out, struct vm_error *err)
{
	unsigned long apid, apqi;
	const char *p = str;
	int n;

	if (!*str)
		return vm_error_set(err, VM_EXIT_USAGE, EINVAL,
				    "invalid APQN '': empty (" APQN_FIX ")");
	n = take_hex(&p, true, 2, &apid);
	if (n < 0)
		return vm_error_set(
			err, VM_EXIT_USAGE, ERANGE,
			"invalid APQN '%s': the adapter id must be 00-ff (" APQN_FIX
			")",
			str);
	if (n == 0 || *p++ != '.')
		goto bad_form;
	n = take_hex(&p, true, 4, &apqi);
	if (n == 0 || (n > 0 && *p))
		goto bad_form;
	if (n < 0 || apqi > AP_ID_MAX)
		return vm_error_set(
			err, VM_EXIT_USAGE, ERANGE,
			"invalid APQN '%s': the domain id must be 0000-00ff (" APQN_FIX
			")",
			str);
	*out = (struct apqn){ (uint8_t)apid, (uint8_t)apqi };
	return 0;

bad_form:
	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"invalid APQN '%s': expected <adapter>.<domain> in hex (" APQN_FIX
		")",
		str);
}

void apqn_format(const struct apqn *q, char buf[APQN_STRLEN])
{
	snprintf(buf, APQN_STRLEN, "%02x.%04x", q->apid, q->apqi);
}

/* ---- 256-bit AP masks --------------------------------------------------- */

static inline uint64_t mask_bit(unsigned bit)
{
	return UINT64_C(1) << (63 - bit % 64);
}

void ap_mask_zero(struct ap_mask *m)
{
	memset(m, 0, sizeof(*m));
}

void ap_mask_fill(struct ap_mask *m)
{
	memset(m, 0xff, sizeof(*m));
}

void ap_mask_set(struct ap_mask *m, unsigned bit)
{
	if (bit < AP_MASK_BITS)
		m->w[bit / 64] |= mask_bit(bit);
}

void ap_mask_clear(struct ap_mask *m, unsigned bit)
{
	if (bit < AP_MASK_BITS)
		m->w[bit / 64] &= ~mask_bit(bit);
}

bool ap_mask_test(const struct ap_mask *m, unsigned bit)
{
	return bit < AP_MASK_BITS && (m->w[bit / 64] & mask_bit(bit));
}

void ap_mask_or(struct ap_mask *r, const struct ap_mask *a,
		const struct ap_mask *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(r->w); i++)
		r->w[i] = a->w[i] | b->w[i];
}

void ap_mask_and(struct ap_mask *r, const struct ap_mask *a,
		 const struct ap_mask *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(r->w); i++)
		r->w[i] = a->w[i] & b->w[i];
}

void ap_mask_andnot(struct ap_mask *r, const struct ap_mask *a,
		    const struct ap_mask *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(r->w); i++)
		r->w[i] = a->w[i] & ~b->w[i];
}

bool ap_mask_equal(const struct ap_mask *a, const struct ap_mask *b)
{
	return memcmp(a->w, b->w, sizeof(a->w)) == 0;
}

bool ap_mask_is_empty(const struct ap_mask *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(m->w); i++)
		if (m->w[i])
			return false;
	return true;
}

unsigned ap_mask_count(const struct ap_mask *m)
{
	unsigned n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(m->w); i++)
		n += (unsigned)__builtin_popcountll(m->w[i]);
	return n;
}

int ap_mask_next(const struct ap_mask *m, int after)
{
	for (int bit = after + 1; bit < AP_MASK_BITS; bit++) {
		uint64_t rest = m->w[bit / 64] << (bit % 64);

		if (!rest) {
			bit |= 63; /* nothing more in this word */
			continue;
		}
		return bit + __builtin_clzll(rest);
	}
	return -1;
}

int ap_mask_parse(const char *str, struct ap_mask *out, struct vm_error *err)
{
	struct ap_mask m;
	const char *p = str + 2;
	size_t len = strlen(str);

	if (len > 0 && str[len - 1] == '\n')
		len--;
	if (len != AP_MASK_STRLEN - 1 || str[0] != '0' || str[1] != 'x')
		return vm_error_set(
			err, VM_EXIT_FAILED, EINVAL,
			"invalid AP mask '%.*s': expected 0x and 64 hex digits, as the kernel prints apmask and aqmask",
			(int)len, str);
	ap_mask_zero(&m);
	for (unsigned i = 0; i < 64; i++) {
		int v = hex_value(p[i]);

		if (v < 0)
			return vm_error_set(
				err, VM_EXIT_FAILED, EINVAL,
				"invalid AP mask '%.*s': '%c' is not a hex digit",
				(int)len, str, p[i]);
		m.w[i / 16] |= (uint64_t)v << (4 * (15 - i % 16));
	}
	*out = m;
	return 0;
}

void ap_mask_format(const struct ap_mask *m, char buf[AP_MASK_STRLEN])
{
	snprintf(buf, AP_MASK_STRLEN, "0x%016llx%016llx%016llx%016llx",
		 (unsigned long long)m->w[0], (unsigned long long)m->w[1],
		 (unsigned long long)m->w[2], (unsigned long long)m->w[3]);
}

/* An id as written to sysfs and shown to admins: 0-9 in decimal, else 0x-hex. */
static int format_id(char *buf, size_t size, unsigned id)
{
	id &= AP_ID_MAX;
	return snprintf(buf, size, id < 10 ? "%u" : "0x%x", id);
}

/* strlen of format_id's output, without printing: 5, 0xa, 0xab */
static size_t id_len(unsigned id)
{
	return id < 10 ? 1 : id < 16 ? 3 : 4;
}

/* "+a" or "+a-b": the length of one term. */
static size_t term_len(unsigned a, unsigned b)
{
	return 1 + id_len(a) + (a == b ? 0 : 1 + id_len(b));
}

/* Append ",<sign><a>[-<b>]" (no comma for the first term). */
static void append_term(char *buf, size_t size, char sign, unsigned a,
			unsigned b)
{
	size_t len = strlen(buf);
	char ids[16], idb[16];

	format_id(ids, sizeof(ids), a);
	format_id(idb, sizeof(idb), b);
	if (a == b)
		snprintf(buf + len, size - len, "%s%c%s", len ? "," : "", sign,
			 ids);
	else
		snprintf(buf + len, size - len, "%s%c%s-%s", len ? "," : "",
			 sign, ids, idb);
}

/*
 * Dynamic programme over the 256 bits. A term "+a-b" may cover only bits
 * whose target is 1, "-a-b" only bits whose target is 0; every bit that
 * changes must be covered; a bit that keeps its value may be covered (to
 * join two runs into one range) or not. score[i] ranks the ways to write
 * bits [0, i): the text length (one comma counted per term) first, then, to
 * keep terms tight, the number of unchanged bits covered.
 */
#define SCORE_LEN 1024 /* > AP_MASK_BITS: length dominates */

char *ap_mask_relative(const struct ap_mask *from, const struct ap_mask *to)
{
	size_t score[AP_MASK_BITS + 1];
	/* start[i]: first bit of the term ending at bit i-1 on the best way to i; -1: bit i-1 uncovered */
	int start[AP_MASK_BITS + 1];
	int ends[AP_MASK_BITS];
	int nterms = 0;
	size_t size;
	char *buf;
	int i;

	score[0] = 0;
	for (i = 1; i <= AP_MASK_BITS; i++)
		score[i] = SIZE_MAX;
	for (i = 0; i < AP_MASK_BITS; i++) {
		bool target = ap_mask_test(to, (unsigned)i);
		size_t unchanged = 0;

		if (score[i] == SIZE_MAX)
			continue;
		if (target == ap_mask_test(from, (unsigned)i) &&
		    score[i] < score[i + 1]) {
			score[i + 1] = score[i];
			start[i + 1] = -1;
		}
		for (int j = i; j < AP_MASK_BITS &&
				ap_mask_test(to, (unsigned)j) == target;
		     j++) {
			size_t s;

			if (ap_mask_test(from, (unsigned)j) == target)
				unchanged++;
			s = score[i] + unchanged +
			    SCORE_LEN *
				    (term_len((unsigned)i, (unsigned)j) + 1);
			if (s < score[j + 1]) {
				score[j + 1] = s;
				start[j + 1] = i;
			}
		}
	}
	/* Walk back from the end to find where the terms end, then print them ascending. */
	for (i = AP_MASK_BITS; i > 0; i = start[i] < 0 ? i - 1 : start[i])
		if (start[i] >= 0)
			ends[nterms++] = i - 1;
	size = score[AP_MASK_BITS] / SCORE_LEN + 1;
	buf = calloc(1, size);
	if (!buf)
		return NULL;
	while (nterms-- > 0) {
		unsigned b = (unsigned)ends[nterms];
		unsigned a = (unsigned)start[b + 1];

		append_term(buf, size, ap_mask_test(to, a) ? '+' : '-', a, b);
	}
	return buf;
}

char *ap_mask_format_list(const struct ap_mask *m)
{
	/* worst case: every other id, "0xab," each */
	size_t size = AP_MASK_BITS * 6 + 1;
	char *buf = calloc(1, size);
	int bit;

	if (!buf)
		return NULL;
	ap_mask_for_each(bit, m) {
		int last = bit;
		size_t len = strlen(buf);
		char ida[16], idb[16];

		while (last + 1 < AP_MASK_BITS &&
		       ap_mask_test(m, (unsigned)last + 1))
			last++;
		format_id(ida, sizeof(ida), (unsigned)bit);
		format_id(idb, sizeof(idb), (unsigned)last);
		snprintf(buf + len, size - len, "%s%s%s%s", len ? "," : "", ida,
			 last == bit ? "" : "-", last == bit ? "" : idb);
		bit = last;
	}
	return buf;
}

/* ---- adapter / domain lists --------------------------------------------- */

static int list_number(const char *str, const char *what, const char **p,
		       unsigned long *out, struct vm_error *err)
{
	const char *at = *p;

	switch (take_number(p, AP_ID_MAX, out)) {
	case NUMBER_OK:
		return 0;
	case NUMBER_LEADING_ZERO:
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid %s list '%s': '%.*s' has a leading 0, which the kernel would read as octal (write decimal without the 0, or 0x-hex)",
			what, str, (int)strspn(at, "0123456789"), at);
	case NUMBER_TOO_BIG:
		return vm_error_set(
			err, VM_EXIT_USAGE, ERANGE,
			"invalid %s list '%s': '%.*s' is out of range, %s ids are 0-255 (0x0-0xff)",
			what, str, (int)strcspn(at, ",-"), at, what);
	case NUMBER_NONE:
	case NUMBER_EMPTY_HEX:
		break;
	}
	if (!*at || *at == ',')
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid %s list '%s': an entry is empty (write numbers and ranges separated by commas, e.g. 5,6 or 0x10-0x1f)",
			what, str);
	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"invalid %s list '%s': '%.*s' is not a number; numbers are decimal, or hex with 0x (write e.g. 4,0xab or 0x10-0x1f)",
		what, str, (int)strcspn(at, ",-") ? (int)strcspn(at, ",-") : 1,
		at);
}

int ap_id_list_parse(const char *str, const char *what, struct ap_mask *out,
		     struct vm_error *err)
{
	struct ap_mask m;
	const char *p = str;
	int r;

	ap_mask_zero(&m);
	if (!*str)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid %s list '': empty (write numbers and ranges separated by commas, e.g. 5,6 or 0x10-0x1f)",
			what);
	for (;;) {
		const char *item = p;
		unsigned long lo, hi;

		r = list_number(str, what, &p, &lo, err);
		if (r < 0)
			return r;
		hi = lo;
		if (*p == '-') {
			p++;
			r = list_number(str, what, &p, &hi, err);
			if (r < 0)
				return r;
			if (hi < lo)
				return vm_error_set(
					err, VM_EXIT_USAGE, EINVAL,
					"invalid %s list '%s': the range '%.*s' runs backwards (write the lower id first)",
					what, str, (int)(p - item), item);
		}
		for (unsigned long id = lo; id <= hi; id++)
			ap_mask_set(&m, (unsigned)id);
		if (!*p)
			break;
		if (*p != ',')
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"invalid %s list '%s': unexpected '%c' (write numbers and ranges separated by commas, without blanks, e.g. 4,0xab)",
				what, str, *p);
		p++;
	}
	*out = m;
	return 0;
}

/* ---- a guest device's alias and boot order ---------------------------------- */

bool guest_alias_valid(const char *alias)
{
	return strncmp(alias, "ua-", 3) == 0 && alias[3] &&
	       strspn(alias + 3,
		      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
		       strlen(alias + 3);
}

int ids_number_parse(const char *str, unsigned long min, unsigned long max,
		     unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(str, &end, 10);
	if (!*str || *end || errno || *str == '-')
		return -EINVAL;
	if (n < min || n > max)
		return -ERANGE;
	*out = (unsigned)n;
	return 0;
}

/* ---- uuids ---------------------------------------------------------------- */

static void libuuid_generate(uuid_t out)
{
	uuid_generate_random(out);
}

static void (*uuid_generator)(uuid_t out) = libuuid_generate;

int ids_uuid_parse(const char *str, uuid_t out, struct vm_error *err)
{
	size_t len = strlen(str);

	for (size_t i = 0; i < len && len == 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? str[i] != '-' : hex_value(str[i]) < 0) {
			len = 0;
			break;
		}
	}
	if (len != 36 || uuid_parse(str, out) < 0)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid uuid '%s': expected 8-4-4-4-12 hex digits (write it as e.g. 90c6c135-ad44-41d0-b1b7-bae47de48627, or leave it out to have one generated)",
			str);
	return 0;
}

void ids_uuid_format(const uuid_t u, char buf[IDS_UUID_STRLEN])
{
	uuid_unparse_lower(u, buf);
}

void ids_uuid_generate(uuid_t out)
{
	uuid_generator(out);
}

void ids_uuid_set_generator(void (*gen)(uuid_t out))
{
	uuid_generator = gen ? gen : libuuid_generate;
}
