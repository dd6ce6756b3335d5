/*
 * chzdev's persistent AP masks (41-ap.rules), parsed as s390-tools does:
 * libutil/util_udev.c splits each line at unquoted commas into
 * KEY OP VALUE entries (a line it cannot parse is skipped with a warning);
 * libap/ap.c ap_read_udev_masks takes the value of a line whose first key
 * starts with ATTR{ and names apmask or aqmask, and falls back to the
 * active mask for one it did not find; get_hexbyte_value wants at least
 * 64 hex digits after an optional 0x. (s390-tools v2.43, commit c6649588.)
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "aprules.h"
#include "cleanup.h"

#define AP_RULES_MAX (64 * 1024)

/* util_udev's parse_key: \w+(\{[^}]*\})? */
static const char *parse_key(const char *s, size_t *len)
{
	const char *e = s;

	while (*e && (isalnum((unsigned char)*e) || *e == '_'))
		e++;
	if (*e == '{') {
		while (*e && *e != '}')
			e++;
		if (*e == '}')
			e++;
	}
	*len = (size_t)(e - s);
	return e == s ? NULL : e;
}

/* util_udev's parse_op */
static const char *parse_op(const char *s)
{
	static const char *const ops[] = { "==", "!=", "=", "+=", ":=" };

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (strncmp(s, ops[i], strlen(ops[i])) == 0)
			return s + strlen(ops[i]);
	return NULL;
}

static const char *skip_space(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

/* one KEY OP VALUE entry, as util_udev's parse_util_udev_entry: key and value (quotes removed) in place */
static bool parse_entry(char *e, char **key, char **value)
{
	char *k, *ke, *v, *ve;
	const char *op;
	size_t klen;

	k = (char *)skip_space(e);
	ke = (char *)parse_key(k, &klen);
	if (!ke)
		return false;
	op = parse_op(skip_space(ke));
	if (!op)
		return false;
	v = (char *)skip_space(op);
	ve = v + strlen(v);
	while (ve > v && isspace((unsigned char)ve[-1]))
		ve--;
	if (ve - v >= 2 && (*v == '"' || *v == '\'') && ve[-1] == *v) {
		v++;
		ve--;
	}
	*ve = '\0';
	k[klen] = '\0';
	*key = k;
	*value = v;
	return true;
}

/*
 * A line's entries, split at unquoted commas as util_udev does; false when
 * one of them does not parse (the whole line is then skipped). The first
 * entry's key and value are what libap looks at.
 */
static bool parse_line(char *line, char **key, char **value)
{
	char quoted = 0, *entry = line;
	bool first = true;

	for (char *c = line;; c++) {
		char *k, *v;

		if (*c && quoted) {
			quoted = *c == quoted ? 0 : quoted;
			continue;
		}
		if (*c == '"' || *c == '\'') {
			quoted = *c;
			continue;
		}
		if (*c && *c != ',')
			continue;
		{
			char end = *c;

			*c = '\0';
			if (!parse_entry(entry, &k, &v))
				return false;
			if (first) {
				*key = k;
				*value = v;
				first = false;
			}
			if (!end)
				return true;
			entry = c + 1;
		}
	}
}

/* a mask as libap reads it: optional 0x, at least 64 hex digits, the first 64 count */
static bool parse_mask(const char *v, struct ap_mask *out)
{
	size_t n;

	if (strncmp(v, "0x", 2) == 0)
		v += 2;
	n = strspn(v, "0123456789abcdefABCDEF");
	if (n < AP_MASK_BITS / 4 || v[n])
		return false;
	ap_mask_zero(out);
	for (unsigned bit = 0; bit < AP_MASK_BITS; bit++) {
		char c = v[bit / 4];
		unsigned d = isdigit((unsigned char)c) ?
				     (unsigned)(c - '0') :
				     (unsigned)(tolower((unsigned char)c) -
						'a' + 10);

		if (d & (1u << (3 - bit % 4)))
			ap_mask_set(out, bit);
	}
	return true;
}

static bool only_space_or_comment(const char *line)
{
	line = skip_space(line);
	return !*line || *line == '#';
}

int ap_parse_boot_masks(const char *text, const char *path,
			struct ap_boot_masks *out, struct vm_error *err)
{
	_cleanup_free_ char *copy = strdup(text);
	char *next = copy, *line;
	unsigned lineno = 0;

	if (!copy)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	out->file = true;
	while ((line = strsep(&next, "\n"))) {
		char *key, *value;
		bool ap;

		lineno++;
		if (only_space_or_comment(line))
			continue;
		if (!parse_line(line, &key, &value)) {
			out->skipped_lines++;
			continue;
		}
		if (strncmp(key, "ATTR{", 5) != 0 ||
		    (!strstr(key, "apmask") && !strstr(key, "aqmask")))
			continue;
		ap = strstr(key, "apmask") != NULL;
		if (!parse_mask(value, ap ? &out->apmask : &out->aqmask))
			return vm_error_set(
				err, VM_EXIT_FAILED, EINVAL,
				"cannot read the persistent AP masks in %s, line %u: '%s' is not a mask (0x and 64 hex digits, as chzdev writes it; fix it with 'chzdev --type ap %s=... --persistent')",
				path, lineno, value, ap ? "apmask" : "aqmask");
		if (ap)
			out->from_file_apmask = true;
		else
			out->from_file_aqmask = true;
	}
	return 0;
}

int ap_read_boot_masks(const struct sysfs *s, const struct ap_mask *apmask,
		       const struct ap_mask *aqmask, struct ap_boot_masks *out,
		       struct vm_error *err)
{
	_cleanup_free_ char *text = NULL, *path = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	out->apmask = *apmask;
	out->aqmask = *aqmask;
	r = sysfs_read_config(s, SYSFS_AREA_UDEV_RULES, AP_RULES_FILE,
			      AP_RULES_MAX, &text);
	if (r == -ENOENT)
		return 0;
	path = sysfs_area_path(s, SYSFS_AREA_UDEV_RULES, AP_RULES_FILE);
	if (r < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, -r,
			"cannot read the persistent AP masks %s: %s (chzdev's rule file; 'chzdev --type ap --persistent' rewrites it)",
			path ? path : AP_RULES_FILE,
			r == -EFBIG  ? "it is larger than 64 KiB" :
			r == -EINVAL ? "it is not a regular text file" :
				       strerror(-r));
	r = ap_parse_boot_masks(text, path ? path : AP_RULES_FILE, out, err);
	/* what the file does not set stays as it is now */
	if (!out->from_file_apmask)
		out->apmask = *apmask;
	if (!out->from_file_aqmask)
		out->aqmask = *aqmask;
	return r;
}

char *ap_rules_format(const struct ap_mask *apmask,
		      const struct ap_mask *aqmask)
{
	char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN], *out = NULL;

	ap_mask_format(apmask, am);
	ap_mask_format(aqmask, qm);
	/* zdev/src/ap.c ap_write_type_udev, line for line */
	if (asprintf(&out,
		     "# Generated by chzdev\n"
		     "ACTION==\"add\", DEVPATH==\"/bus/ap\", "
		     "ATTR{bindings_complete_count}!=\"0\", GOTO=\"cfg_ap\"\n"
		     "ACTION==\"change\", SUBSYSTEM==\"ap\", "
		     "DEVPATH==\"/devices/ap\", ENV{BINDINGS}==\"complete\", "
		     "ENV{COMPLETECOUNT}==\"1\", GOTO=\"cfg_ap\"\n"
		     "GOTO=\"end_ap\"\n\n"
		     "LABEL=\"cfg_ap\"\n\n"
		     "ATTR{../../bus/ap/apmask}=\"%s\"\n"
		     "ATTR{../../bus/ap/aqmask}=\"%s\"\n"
		     "RUN{builtin}+=\"kmod load vfio_ap\"\n"
		     "\nLABEL=\"end_ap\"\n",
		     am, qm) < 0)
		return NULL;
	return out;
}
