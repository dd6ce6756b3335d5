/* The state file (virt-mdev-state(5)): its parser (libyaml's event API, every rule of the format, one message per error) and its writer. */
#include "config.h"

#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "output.h"
#include "state.h"

/* ---- YAML scalars: the types a reader resolves them to ---------------------- */

enum ytype { Y_STR, Y_NULL, Y_BOOL, Y_INT, Y_FLOAT, Y_SEQ, Y_MAP };

static const char *const ytype_names[] = {
	[Y_STR] = "a string",	[Y_NULL] = "null",     [Y_BOOL] = "a boolean",
	[Y_INT] = "an integer", [Y_FLOAT] = "a float", [Y_SEQ] = "a sequence",
	[Y_MAP] = "a mapping",
};

/*
 * The YAML 1.2 core schema's resolution of a plain scalar (YAML 1.2.2,
 * 10.3.2), and what YAML 1.1's types (yaml.org/type: bool, int, float,
 * merge, value) read otherwise: a plain "yes" is a string to a 1.2 reader
 * but true to a 1.1 one (PyYAML, libyaml's own examples), so a state file
 * refuses it where a string is wanted and the writer quotes it.
 */
static const char *const core_patterns[] = {
	[Y_NULL] = "^(~|null|Null|NULL)?$",
	[Y_BOOL] = "^(true|True|TRUE|false|False|FALSE)$",
	[Y_INT] = "^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
	[Y_FLOAT] =
		"^([-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
};

static const char *const yaml11_pattern =
	"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF"
	"|[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
	"|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+"
	"|[-+]?([0-9][0-9_]*)?\\.[0-9.]*([eE][-+][0-9]+)?"
	"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*"
	"|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|<<|=)$";

static bool state_re_match(const char *pattern, regex_t *re, bool *ready,
			   const char *s)
{
	if (!*ready) {
		if (regcomp(re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
			abort();
		*ready = true;
	}
	return regexec(re, s, 0, NULL, 0) == 0;
}

static enum ytype core_resolve(const char *s)
{
	static regex_t re[ARRAY_SIZE(core_patterns)];
	static bool ready[ARRAY_SIZE(core_patterns)];

	for (size_t t = Y_NULL; t <= Y_FLOAT; t++)
		if (state_re_match(core_patterns[t], &re[t], &ready[t], s))
			return (enum ytype)t;
	return Y_STR;
}

static bool yaml11_other(const char *s)
{
	static regex_t re;
	static bool ready;

	return state_re_match(yaml11_pattern, &re, &ready, s);
}

/* ---- the parser's context ------------------------------------------------ */

#define TAG_PREFIX "tag:yaml.org,2002:"
#define PATH_MAX_LEN 128

struct parser {
	yaml_parser_t y;
	yaml_event_t ev;
	bool have_ev;
	const char *file;
	const char *text;
	size_t len;
	unsigned depth;
	struct vm_error *err;
};

static struct state_pos pos_of(const yaml_mark_t *m)
{
	/* libyaml's marks count from 0 (src/scanner.c's SKIP: column = 0, line ++); an editor from 1 */
	return (struct state_pos){ (unsigned)m->line + 1,
				   (unsigned)m->column + 1 };
}

_printf_(4, 5) static int fail(struct parser *p, struct state_pos pos,
			       const char *key, const char *fmt, ...)
{
	char msg[VM_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vm_error_set(p->err, VM_EXIT_USAGE, EINVAL, "%s:%u:%u: %s: %s",
			    p->file, pos.line, pos.column,
			    *key ? key : "(document)", msg);
}

/* line and column (1-based, in characters as libyaml counts them) of a byte offset */
static struct state_pos pos_at_offset(const struct parser *p, size_t offset)
{
	struct state_pos pos = { 1, 1 };

	for (size_t i = 0; i < offset && i < p->len; i++) {
		unsigned char c = (unsigned char)p->text[i];

		if (c == '\n') {
			pos.line++;
			pos.column = 1;
		} else if ((c & 0xc0) != 0x80) {
			pos.column++;
		}
	}
	return pos;
}

static int syntax_error(struct parser *p, const char *key)
{
	const yaml_parser_t *y = &p->y;
	struct state_pos pos;

	if (y->error == YAML_MEMORY_ERROR)
		return vm_error_set(p->err, VM_EXIT_FAILED, ENOMEM,
				    "%s: out of memory", p->file);
	if (y->error == YAML_READER_ERROR) {
		pos = pos_at_offset(p, y->problem_offset);
		return fail(
			p, pos, key,
			"not a YAML character stream: %s (a state file is UTF-8 text without control characters)",
			y->problem ? y->problem : "unreadable");
	}
	pos = pos_of(&y->problem_mark);
	if (y->context)
		return fail(
			p, pos, key,
			"YAML syntax error: %s %s at line %u, column %u (fix the YAML there; virt-mdev-state(5) shows the layout)",
			y->problem ? y->problem : "invalid", y->context,
			pos_of(&y->context_mark).line,
			pos_of(&y->context_mark).column);
	return fail(
		p, pos, key,
		"YAML syntax error: %s (fix the YAML there; virt-mdev-state(5) shows the layout)",
		y->problem ? y->problem : "invalid");
}

/* The next event, refusing anchors, aliases and nesting beyond STATE_MAX_DEPTH; key: the path of the node it starts. */
static int next(struct parser *p, const char *key)
{
	const yaml_char_t *anchor = NULL;

	if (p->have_ev) {
		yaml_event_delete(&p->ev);
		p->have_ev = false;
	}
	if (!yaml_parser_parse(&p->y, &p->ev))
		return syntax_error(p, key);
	p->have_ev = true;
	switch (p->ev.type) {
	case YAML_ALIAS_EVENT:
		return fail(
			p, pos_of(&p->ev.start_mark), key,
			"an alias (*%s): anchors and aliases are refused, they let a small file expand without bound (write the value itself)",
			(const char *)p->ev.data.alias.anchor);
	case YAML_SCALAR_EVENT:
		anchor = p->ev.data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = p->ev.data.sequence_start.anchor;
		p->depth++;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = p->ev.data.mapping_start.anchor;
		p->depth++;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		p->depth--;
		break;
	case YAML_NO_EVENT:
	case YAML_STREAM_START_EVENT:
	case YAML_STREAM_END_EVENT:
	case YAML_DOCUMENT_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
		break;
	}
	if (anchor)
		return fail(
			p, pos_of(&p->ev.start_mark), key,
			"an anchor (&%s): anchors and aliases are refused, they let a small file expand without bound (write each value itself)",
			(const char *)anchor);
	if (p->depth > STATE_MAX_DEPTH)
		return fail(
			p, pos_of(&p->ev.start_mark), key,
			"nested deeper than %d levels (a state file is at most guests, devices and an id list deep)",
			STATE_MAX_DEPTH);
	return 0;
}

static struct state_pos ev_pos(const struct parser *p)
{
	return pos_of(&p->ev.start_mark);
}

/*
 * The type of the current event's node: a plain scalar by the core schema,
 * a quoted or block one a string, an explicit tag of the core schema
 * (!!str, !!int, !!bool, !!null, !!float, !!seq, !!map) as it says, any
 * other tag refused. *plain: a plain scalar without a tag.
 */
static int node_type(struct parser *p, const char *key, enum ytype *out,
		     bool *plain)
{
	static const char *const tags[] = {
		[Y_STR] = "str", [Y_NULL] = "null",   [Y_BOOL] = "bool",
		[Y_INT] = "int", [Y_FLOAT] = "float", [Y_SEQ] = "seq",
		[Y_MAP] = "map",
	};
	const char *tag = NULL, *text = NULL;
	enum ytype t;

	*plain = false;
	switch (p->ev.type) {
	case YAML_SCALAR_EVENT:
		tag = (const char *)p->ev.data.scalar.tag;
		text = (const char *)p->ev.data.scalar.value;
		if (strlen(text) != p->ev.data.scalar.length)
			return fail(
				p, ev_pos(p), key,
				"the value holds a NUL character (\\0), which no name or id has (remove it)");
		*plain = !tag &&
			 p->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		t = p->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE ?
			    core_resolve(text) :
			    Y_STR;
		break;
	case YAML_SEQUENCE_START_EVENT:
		tag = (const char *)p->ev.data.sequence_start.tag;
		t = Y_SEQ;
		break;
	case YAML_MAPPING_START_EVENT:
		tag = (const char *)p->ev.data.mapping_start.tag;
		t = Y_MAP;
		break;
	default:
		return fail(p, ev_pos(p), key, "unexpected YAML event %d",
			    (int)p->ev.type);
	}
	if (tag) {
		size_t n = strlen(TAG_PREFIX);
		size_t i;

		for (i = 0; i < ARRAY_SIZE(tags); i++)
			if (strncmp(tag, TAG_PREFIX, n) == 0 &&
			    strcmp(tag + n, tags[i]) == 0)
				break;
		if (i == ARRAY_SIZE(tags))
			return fail(
				p, ev_pos(p), key,
				"the tag '%s' is not one of the YAML core schema's (leave it out: a state file takes plain values)",
				tag);
		if (i == Y_STR && t != Y_SEQ && t != Y_MAP) {
			t = Y_STR;
		} else if ((enum ytype)i != t &&
			   !(text && core_resolve(text) == (enum ytype)i)) {
			return fail(
				p, ev_pos(p), key,
				"the tag !!%s does not fit %s (leave it out)",
				tags[i], text ? "this value" : ytype_names[t]);
		} else {
			t = (enum ytype)i;
		}
	}
	*out = t;
	return 0;
}

static int wrong_type(struct parser *p, const char *key, enum ytype t,
		      const char *want)
{
	return fail(p, ev_pos(p), key, "%s, expected %s", ytype_names[t], want);
}

/* ---- scalar values ---------------------------------------------------------- */

/* A string value (a guest's name, an alias): plain, quoted or block, never what a YAML 1.1 reader would take for another type. */
static int take_string(struct parser *p, const char *key, const char *want,
		       char **out)
{
	const char *text;
	enum ytype t;
	bool plain;
	int r = node_type(p, key, &t, &plain);

	if (r < 0)
		return r;
	if (t != Y_STR)
		return t == Y_SEQ || t == Y_MAP ?
			       wrong_type(p, key, t, want) :
			       fail(p, ev_pos(p), key,
				    "'%s' is %s to YAML, expected %s (quote it: \"%s\")",
				    (const char *)p->ev.data.scalar.value,
				    ytype_names[t], want,
				    (const char *)p->ev.data.scalar.value);
	text = (const char *)p->ev.data.scalar.value;
	if (plain && yaml11_other(text))
		return fail(
			p, ev_pos(p), key,
			"'%s' is ambiguous: YAML 1.1 readers take it for a boolean or number (quote it: \"%s\")",
			text, text);
	*out = strdup(text);
	if (!*out)
		return vm_error_set(p->err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	return 0;
}

/* true or false (the YAML 1.2 core schema's booleans); YAML 1.1's yes/no/on/off refused as ambiguous */
static int take_bool(struct parser *p, const char *key, bool *out)
{
	const char *text;
	enum ytype t;
	bool plain;
	int r = node_type(p, key, &t, &plain);

	if (r < 0)
		return r;
	if (t == Y_SEQ || t == Y_MAP)
		return wrong_type(p, key, t, "true or false");
	text = (const char *)p->ev.data.scalar.value;
	if (t != Y_BOOL) {
		if (plain && yaml11_other(text))
			return fail(
				p, ev_pos(p), key,
				"'%s' is a boolean only to YAML 1.1 readers, a string to YAML 1.2 ones (write true or false)",
				text);
		return fail(
			p, ev_pos(p), key,
			"'%s' is %s, expected true or false (write true or false, unquoted)",
			text, ytype_names[t]);
	}
	*out = text[0] == 't' || text[0] == 'T';
	return 0;
}

/* A decimal integer min..max: plain digits without a leading 0 (YAML 1.1 reads 010 as octal) */
static int take_number(struct parser *p, const char *key, unsigned long min,
		       unsigned long max, const char *rule, unsigned *out)
{
	const char *text;
	enum ytype t;
	bool plain;
	int r = node_type(p, key, &t, &plain);

	if (r < 0)
		return r;
	if (t == Y_SEQ || t == Y_MAP)
		return wrong_type(p, key, t, rule);
	text = (const char *)p->ev.data.scalar.value;
	if (t != Y_INT || strspn(text, "0123456789") != strlen(text) ||
	    (text[0] == '0' && text[1]) ||
	    ids_number_parse(text, min, max, out) < 0)
		return fail(
			p, ev_pos(p), key,
			"invalid value '%s': %s (write it in decimal, unquoted, without a leading 0)",
			text, rule);
	return 0;
}

/* An id as the CLI takes it (a busid, uuid, devno, id list): the scalar's text, as written; a string, an integer or a float to YAML. */
static int take_id_text(struct parser *p, const char *key, const char *want,
			char **out)
{
	const char *text;
	enum ytype t;
	bool plain;
	int r = node_type(p, key, &t, &plain);

	if (r < 0)
		return r;
	if (t == Y_SEQ || t == Y_MAP)
		return wrong_type(p, key, t, want);
	text = (const char *)p->ev.data.scalar.value;
	if (t == Y_NULL || t == Y_BOOL)
		return fail(p, ev_pos(p), key, "'%s' is %s, expected %s", text,
			    ytype_names[t], want);
	*out = strdup(text);
	if (!*out)
		return vm_error_set(p->err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	return 0;
}

/* The CLI parser's message, at the value's place */
static int cli_error(struct parser *p, struct state_pos pos, const char *key,
		     const struct vm_error *e)
{
	return fail(p, pos, key, "%s", e->msg);
}

/* ---- mappings ---------------------------------------------------------------- */

/* One key of a mapping, as read: where, and its value's text (a scalar) or items (an id list). */
struct raw {
	bool given;
	struct state_pos key_pos, pos;
	unsigned order;
	char *text;
	char **items;
	struct state_pos *item_pos;
	size_t nitems;
};

static void raw_clear(struct raw *r)
{
	free(r->text);
	for (size_t i = 0; i < r->nitems; i++)
		free(r->items[i]);
	free(r->items);
	free(r->item_pos);
	memset(r, 0, sizeof(*r));
}

typedef int (*map_value_fn)(struct parser *p, void *obj, size_t key,
			    const char *path);

/*
 * A mapping of the known keys (the current event is its start): each key
 * once, each value through fn, the MAPPING_END consumed; *pos: where it
 * starts; seen[i]: key i's position (line 0: absent).
 */
static int take_mapping(struct parser *p, const char *path, const char *want,
			const char *const *keys, size_t nkeys,
			const char *known, map_value_fn fn, void *obj,
			struct state_pos *pos, struct state_pos *seen)
{
	enum ytype t;
	bool plain;
	int r = node_type(p, path, &t, &plain);

	if (r < 0)
		return r;
	if (t != Y_MAP)
		return t == Y_SEQ || t == Y_MAP ||
				       p->ev.type != YAML_SCALAR_EVENT ?
			       wrong_type(p, path, t, want) :
			       fail(p, ev_pos(p), path, "%s '%s', expected %s",
				    ytype_names[t],
				    (const char *)p->ev.data.scalar.value,
				    want);
	*pos = ev_pos(p);
	for (size_t i = 0; i < nkeys; i++)
		seen[i] = (struct state_pos){ 0, 0 };
	for (;;) {
		char kpath[PATH_MAX_LEN];
		const char *name;
		struct state_pos kpos;
		size_t i;

		r = next(p, path);
		if (r < 0)
			return r;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		kpos = ev_pos(p);
		if (p->ev.type != YAML_SCALAR_EVENT)
			return fail(p, kpos, path,
				    "a key is %s (keys are names: %s)",
				    p->ev.type == YAML_SEQUENCE_START_EVENT ?
					    "a sequence" :
					    "a mapping",
				    known);
		name = (const char *)p->ev.data.scalar.value;
		for (i = 0; i < nkeys; i++)
			if (strcmp(name, keys[i]) == 0)
				break;
		if (i == nkeys)
			return fail(p, kpos, path,
				    "unknown key '%s' (the keys here are %s)",
				    name, known);
		snprintf(kpath, sizeof(kpath), "%s%s%s", path, *path ? "." : "",
			 keys[i]);
		if (seen[i].line)
			return fail(
				p, kpos, kpath,
				"given twice, first at line %u, column %u (keep one)",
				seen[i].line, seen[i].column);
		seen[i] = kpos;
		r = next(p, kpath);
		if (r < 0)
			return r;
		r = fn(p, obj, i, kpath);
		if (r < 0)
			return r;
	}
}

/* A sequence (the current event is its start): each item through fn with its index; the SEQUENCE_END consumed. */
typedef int (*seq_item_fn)(struct parser *p, void *obj, size_t index,
			   const char *path);

static int take_sequence(struct parser *p, const char *path, const char *want,
			 seq_item_fn fn, void *obj)
{
	enum ytype t;
	bool plain;
	int r = node_type(p, path, &t, &plain);

	if (r < 0)
		return r;
	if (t != Y_SEQ)
		return t == Y_MAP || p->ev.type != YAML_SCALAR_EVENT ?
			       wrong_type(p, path, t, want) :
			       fail(p, ev_pos(p), path,
				    "%s '%s', expected %s (write [] for none)",
				    ytype_names[t],
				    (const char *)p->ev.data.scalar.value,
				    want);
	for (size_t i = 0;; i++) {
		char ipath[PATH_MAX_LEN];

		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		r = next(p, ipath);
		if (r < 0)
			return r;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		r = fn(p, obj, i, ipath);
		if (r < 0)
			return r;
	}
}

static int grow(struct parser *p, void **array, size_t n, size_t size)
{
	/* doubling at powers of two */
	if (n && (n & (n - 1)))
		return 0;
	if (n > SIZE_MAX / 2 / size)
		return vm_error_set(p->err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	void *a = realloc(*array, (n ? 2 * n : 1) * size);

	if (!a)
		return vm_error_set(p->err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	*array = a;
	return 0;
}

/* ---- a device: its keys read raw, then checked once the kind is known ---------- */

enum dkey {
	DK_KIND,
	DK_DEVICE,
	DK_ADAPTERS,
	DK_DOMAINS,
	DK_CONTROL_DOMAINS,
	DK_UUID,
	DK_DEVNO,
	DK_BOOT_ORDER,
	DK_ALIAS,
	DK_PERSISTENT,
	DK_LIVE,
	DK__LAST,
};

static const char *const dkey_names[DK__LAST] = {
	[DK_KIND] = "kind",
	[DK_DEVICE] = "device",
	[DK_ADAPTERS] = "adapters",
	[DK_DOMAINS] = "domains",
	[DK_CONTROL_DOMAINS] = "control-domains",
	[DK_UUID] = "uuid",
	[DK_DEVNO] = "devno",
	[DK_BOOT_ORDER] = "boot-order",
	[DK_ALIAS] = "alias",
	[DK_PERSISTENT] = "persistent",
	[DK_LIVE] = "live",
};

#define GUEST_DEVICE_KEYS                                                                    \
	"kind, device, adapters, domains, control-domains, uuid, devno, boot-order, alias, " \
	"persistent and live"
#define MDEV_KEYS \
	"kind, device, adapters, domains, control-domains, uuid and persistent"

/* Where each device's values are, for the checks across the file. */
struct dev_ref {
	size_t guest; /* SIZE_MAX: an mdev */
	size_t index;
	char path[PATH_MAX_LEN];
	struct state_pos at[DK__LAST];
};

struct dev_read {
	bool guest;
	struct raw raw[DK__LAST];
	unsigned nkeys;
	bool persistent_value, live_value;
	unsigned boot_order;
};

/* An id list as written: a scalar's text, or each item of a sequence of scalars with its place */
static int take_ids_raw(struct parser *p, struct raw *r, const char *path)
{
	enum ytype t;
	bool plain;
	int ret = node_type(p, path, &t, &plain);

	if (ret < 0)
		return ret;
	if (t != Y_SEQ)
		return take_id_text(
			p, path,
			"an id list (5, 4,0xab, 0x10-0x1f) or a sequence of them",
			&r->text);
	for (size_t i = 0;; i++) {
		char ipath[PATH_MAX_LEN];

		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		ret = next(p, ipath);
		if (ret < 0)
			return ret;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (grow(p, (void **)&r->items, r->nitems, sizeof(*r->items)) <
			    0 ||
		    grow(p, (void **)&r->item_pos, r->nitems,
			 sizeof(*r->item_pos)) < 0)
			return -ENOMEM;
		r->item_pos[r->nitems] = ev_pos(p);
		ret = take_id_text(p, ipath,
				   "an id or range (5, 0xab, 0x10-0x1f)",
				   &r->items[r->nitems]);
		if (ret < 0)
			return ret;
		r->nitems++;
	}
}

static int dev_value(struct parser *p, void *obj, size_t key, const char *path)
{
	struct dev_read *d = obj;
	struct raw *r = &d->raw[key];

	r->given = true;
	r->pos = ev_pos(p);
	r->order = d->nkeys++;
	switch ((enum dkey)key) {
	case DK_KIND:
		return take_string(p, path, "a device kind's name or model",
				   &r->text);
	case DK_ALIAS:
		return take_string(p, path, "a user alias such as ua-dasd1",
				   &r->text);
	case DK_PERSISTENT:
		return take_bool(p, path, &d->persistent_value);
	case DK_LIVE:
		return take_bool(p, path, &d->live_value);
	case DK_BOOT_ORDER:
		return take_number(p, path, 1, GUEST_BOOT_ORDER_MAX,
				   "a boot order is a number from 1 to 65535",
				   &d->boot_order);
	case DK_DEVICE:
		return take_id_text(p, path, "a device (a busid or subchannel)",
				    &r->text);
	case DK_UUID:
		return take_id_text(p, path, "a uuid", &r->text);
	case DK_DEVNO:
		return take_id_text(
			p, path, "a guest device number (fe.0.1234)", &r->text);
	case DK_ADAPTERS:
	case DK_DOMAINS:
	case DK_CONTROL_DOMAINS:
		return take_ids_raw(p, r, path);
	case DK__LAST:
		break;
	}
	return -EINVAL;
}

/* adapters, domains, control-domains: the CLI's list parser for the text or each item */
static int dev_ids(struct parser *p, const struct raw *r, const char *path,
		   const char *what, struct ap_mask *out)
{
	struct vm_error e = { 0 };
	struct ap_mask m;

	ap_mask_zero(out);
	if (!r->items && r->text) {
		if (ap_id_list_parse(r->text, what, out, &e) < 0)
			return cli_error(p, r->pos, path, &e);
		return 0;
	}
	if (!r->nitems) {
		ap_id_list_parse("", what, &m, &e);
		return cli_error(p, r->pos, path, &e);
	}
	for (size_t i = 0; i < r->nitems; i++) {
		char ipath[PATH_MAX_LEN];

		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (ap_id_list_parse(r->items[i], what, &m, &e) < 0)
			return cli_error(p, r->item_pos[i], ipath, &e);
		ap_mask_or(out, out, &m);
	}
	return 0;
}

/* A key the kind or the place does not take: why, and what to write instead */
static int dev_refuse(struct parser *p, const struct dev_read *d,
		      const struct mdev_kind *k, enum dkey key,
		      const char *path)
{
	char kpath[PATH_MAX_LEN];
	const struct raw *r = &d->raw[key];

	snprintf(kpath, sizeof(kpath), "%s.%s", path, dkey_names[key]);
	switch (key) {
	case DK_DEVICE:
		return fail(
			p, r->key_pos, kpath,
			"kind %s is not named by a device (it takes adapters and domains: write those instead)",
			k->name);
	case DK_ADAPTERS:
	case DK_DOMAINS:
	case DK_CONTROL_DOMAINS:
		return fail(
			p, r->key_pos, kpath,
			"kind %s is named by its device, not by AP ids (leave %s out)",
			k->name, dkey_names[key]);
	case DK_DEVNO:
	case DK_BOOT_ORDER:
		if (!d->guest)
			break;
		return fail(
			p, r->key_pos, kpath,
			"a %s device has no ccw address in the guest, so no devno and no boot order (leave %s out)",
			k->model, dkey_names[key]);
	case DK_KIND:
	case DK_UUID:
	case DK_ALIAS:
	case DK_PERSISTENT:
	case DK_LIVE:
	case DK__LAST:
		break;
	}
	return fail(
		p, r->key_pos, kpath,
		"%s is for a guest's devices; an mdev without a guest has none (move the device under guests[].devices, or leave %s out)",
		dkey_names[key], dkey_names[key]);
}

/* Whether the kind (and the place: a guest's device or an mdev) takes the key */
static bool dev_takes(const struct dev_read *d, const struct mdev_kind *k,
		      enum dkey key)
{
	switch (key) {
	case DK_DEVICE:
		return k->device_parse != NULL;
	case DK_ADAPTERS:
	case DK_DOMAINS:
	case DK_CONTROL_DOMAINS:
		return k->takes_ap_ids;
	case DK_DEVNO:
	case DK_BOOT_ORDER:
		return d->guest && k->guest_ccw_address;
	case DK_ALIAS:
	case DK_LIVE:
		return d->guest;
	case DK_KIND:
	case DK_UUID:
	case DK_PERSISTENT:
	case DK__LAST:
		break;
	}
	return true;
}

static int dev_check_key(struct parser *p, struct dev_read *d,
			 const struct mdev_kind *k, enum dkey key,
			 struct state_device *out, const char *path)
{
	static const char *const ap_what[] = {
		[DK_ADAPTERS] = "adapter",
		[DK_DOMAINS] = "domain",
		[DK_CONTROL_DOMAINS] = "control domain",
	};
	char kpath[PATH_MAX_LEN], buf[64];
	struct raw *r = &d->raw[key];
	struct vm_error e = { 0 };
	uuid_t u;

	if (!dev_takes(d, k, key))
		return dev_refuse(p, d, k, key, path);
	snprintf(kpath, sizeof(kpath), "%s.%s", path, dkey_names[key]);
	switch (key) {
	case DK_DEVICE:
		if (k->device_parse(r->text, buf, sizeof(buf), &e) < 0)
			return cli_error(p, r->pos, kpath, &e);
		out->device = strdup(buf);
		if (!out->device)
			return vm_error_set(p->err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		out->target.device = out->device;
		return 0;
	case DK_ADAPTERS:
		out->target.have_adapters = true;
		return dev_ids(p, r, kpath, ap_what[key], &out->target.apm);
	case DK_DOMAINS:
		out->target.have_domains = true;
		return dev_ids(p, r, kpath, ap_what[key], &out->target.aqm);
	case DK_CONTROL_DOMAINS:
		out->target.have_control_domains = true;
		return dev_ids(p, r, kpath, ap_what[key], &out->target.adm);
	case DK_UUID:
		if (ids_uuid_parse(r->text, u, &e) < 0)
			return cli_error(p, r->pos, kpath, &e);
		ids_uuid_format(u, out->uuid);
		out->uuid_given = true;
		return 0;
	case DK_DEVNO:
		/* as --devno auto: the default, the host's number in css fe */
		if (strcmp(r->text, "auto") == 0)
			return 0;
		if (guest_devno_parse(r->text, &out->devno, &e) < 0)
			return cli_error(p, r->pos, kpath, &e);
		out->devno_given = true;
		return 0;
	case DK_BOOT_ORDER:
		out->boot_order = d->boot_order;
		return 0;
	case DK_ALIAS:
		if (!guest_alias_valid(r->text))
			return fail(p, r->pos, kpath,
				    "invalid alias '%s': " GUEST_ALIAS_RULE,
				    r->text);
		out->alias = steal_ptr(r->text);
		return 0;
	case DK_PERSISTENT:
		out->persistent = d->persistent_value;
		return 0;
	case DK_LIVE:
		out->live = d->live_value;
		return 0;
	case DK_KIND:
	case DK__LAST:
		break;
	}
	return 0;
}

static int dev_missing(struct parser *p, const struct state_device *out,
		       const char *path, const char *key, const char *why)
{
	return fail(p, out->pos, path, "%s is missing (%s)", key, why);
}

/* A device mapping (the current event), for a guest (guest) or an mdev without one. */
static int take_device(struct parser *p, const char *path, bool guest,
		       struct state_device *out, struct dev_ref *ref)
{
	struct dev_read d = { .guest = guest };
	struct state_pos seen[DK__LAST];
	const struct mdev_kind *k;
	char kpath[PATH_MAX_LEN];
	int r;

	memset(out, 0, sizeof(*out));
	out->persistent = true;
	/* an mdev without a guest is always active: persistent adds its definition */
	out->live = !guest;
	r = take_mapping(
		p, path,
		guest ? "a device (a mapping: kind, device or adapters and domains, ...)" :
			"an mdev (a mapping: kind, device or adapters and domains, ...)",
		dkey_names, DK__LAST, guest ? GUEST_DEVICE_KEYS : MDEV_KEYS,
		dev_value, &d, &out->pos, seen);
	for (size_t i = 0; i < DK__LAST; i++)
		d.raw[i].key_pos = seen[i];
	if (r < 0)
		goto out;
	snprintf(kpath, sizeof(kpath), "%s.kind", path);
	if (!d.raw[DK_KIND].given) {
		r = fail(p, out->pos, kpath, "missing (write kind: %s, or %s)",
			 mdev_kind_names(), mdev_kind_models());
		goto out;
	}
	k = mdev_kind_by_name(d.raw[DK_KIND].text);
	if (!k)
		k = mdev_kind_by_model(d.raw[DK_KIND].text);
	if (!k) {
		r = fail(p, d.raw[DK_KIND].pos, kpath,
			 "unknown kind '%s' (write %s, or %s)",
			 d.raw[DK_KIND].text, mdev_kind_names(),
			 mdev_kind_models());
		goto out;
	}
	out->kind = k;
	/* the other keys in the file's order, so the first error is the first in the file */
	for (unsigned o = 0; o < d.nkeys; o++)
		for (size_t key = DK_DEVICE; key < DK__LAST; key++) {
			if (!d.raw[key].given || d.raw[key].order != o)
				continue;
			r = dev_check_key(p, &d, k, (enum dkey)key, out, path);
			if (r < 0)
				goto out;
			ref->at[key] = d.raw[key].pos;
		}
	r = 0;
	if (k->device_parse && !out->device)
		r = dev_missing(
			p, out, path, "device",
			"write device: with its busid or subchannel, as the CLI's DEVICE");
	else if (k->takes_ap_ids && !out->target.have_adapters)
		r = dev_missing(
			p, out, path, "adapters",
			"a device of AP ids is adapters x domains: write adapters: and domains:, e.g. 5 and 4,0xab");
	else if (k->takes_ap_ids && !out->target.have_domains)
		r = dev_missing(
			p, out, path, "domains",
			"a device of AP ids is adapters x domains: write adapters: and domains:, e.g. 5 and 4,0xab");
	else if (guest && !out->persistent && !out->live)
		r = fail(
			p, out->pos, path,
			"persistent: false with live: false leaves the device nowhere (set live: true for the running guest only, or leave persistent out)");
	out->target.persistent = out->persistent;
	snprintf(ref->path, sizeof(ref->path), "%s", path);
out:
	for (size_t i = 0; i < DK__LAST; i++)
		raw_clear(&d.raw[i]);
	return r;
}

/* ---- the document ---------------------------------------------------------------- */

struct doc_read {
	struct state *s;
	struct dev_ref *refs;
	size_t nrefs;
	struct state_pos *name_pos; /* per guest */
	bool version_given;
};

static void device_clear(struct state_device *d)
{
	free(d->device);
	free(d->alias);
	memset(d, 0, sizeof(*d));
}

static int add_ref(struct parser *p, struct doc_read *dr, size_t guest,
		   size_t index, struct dev_ref **out)
{
	if (grow(p, (void **)&dr->refs, dr->nrefs, sizeof(*dr->refs)) < 0)
		return -ENOMEM;
	*out = &dr->refs[dr->nrefs++];
	memset(*out, 0, sizeof(**out));
	(*out)->guest = guest;
	(*out)->index = index;
	return 0;
}

struct guest_read {
	struct doc_read *dr;
	size_t gi;
};

static int guest_device_item(struct parser *p, void *obj, size_t index,
			     const char *path)
{
	struct guest_read *gr = obj;
	struct state_guest *g = &gr->dr->s->guests[gr->gi];
	struct dev_ref *ref;
	int r;

	if (grow(p, (void **)&g->devices, g->ndevices, sizeof(*g->devices)) <
		    0 ||
	    add_ref(p, gr->dr, gr->gi, index, &ref) < 0)
		return -ENOMEM;
	r = take_device(p, path, true, &g->devices[g->ndevices], ref);
	/* a failed device is counted, so that state_clear frees what it holds */
	g->ndevices++;
	return r;
}

static const char *const guest_keys[] = { "name", "devices" };

static int guest_value(struct parser *p, void *obj, size_t key,
		       const char *path)
{
	struct guest_read *gr = obj;
	struct state_guest *g = &gr->dr->s->guests[gr->gi];

	if (key == 0) {
		gr->dr->name_pos[gr->gi] = ev_pos(p);
		return take_string(p, path, "a libvirt domain name", &g->name);
	}
	return take_sequence(
		p, path,
		"a sequence of devices (- kind: ccw ..., or [] for none)",
		guest_device_item, gr);
}

static int guest_item(struct parser *p, void *obj, size_t index,
		      const char *path)
{
	struct doc_read *dr = obj;
	struct state *s = dr->s;
	struct guest_read gr = { dr, index };
	struct state_pos seen[ARRAY_SIZE(guest_keys)];
	struct state_guest *g;
	char kpath[PATH_MAX_LEN];
	int r;

	if (grow(p, (void **)&s->guests, s->nguests, sizeof(*s->guests)) < 0 ||
	    grow(p, (void **)&dr->name_pos, s->nguests, sizeof(*dr->name_pos)) <
		    0)
		return -ENOMEM;
	g = &s->guests[s->nguests++];
	memset(g, 0, sizeof(*g));
	r = take_mapping(p, path, "a guest (a mapping: name, devices)",
			 guest_keys, ARRAY_SIZE(guest_keys), "name and devices",
			 guest_value, &gr, &g->pos, seen);
	if (r < 0)
		return r;
	if (!g->name) {
		snprintf(kpath, sizeof(kpath), "%s.name", path);
		return fail(
			p, g->pos, kpath,
			"missing (write name: with the libvirt domain's name)");
	}
	if (!g->name[0])
		return fail(p, dr->name_pos[index], path,
			    "name is empty (write the libvirt domain's name)");
	if (!seen[1].line) {
		snprintf(kpath, sizeof(kpath), "%s.devices", path);
		return fail(
			p, g->pos, kpath,
			"missing (write devices: with the guest's devices, or devices: [] for none)");
	}
	return 0;
}

static int mdev_item(struct parser *p, void *obj, size_t index,
		     const char *path)
{
	struct doc_read *dr = obj;
	struct state *s = dr->s;
	struct dev_ref *ref;
	int r;

	if (grow(p, (void **)&s->mdevs, s->nmdevs, sizeof(*s->mdevs)) < 0 ||
	    add_ref(p, dr, SIZE_MAX, index, &ref) < 0)
		return -ENOMEM;
	r = take_device(p, path, false, &s->mdevs[s->nmdevs], ref);
	s->nmdevs++;
	return r;
}

static const char *const reserve_keys[] = { "adapters", "domains",
					    "persistent" };

static int reserve_value(struct parser *p, void *obj, size_t key,
			 const char *path)
{
	struct dev_read *d = obj;
	struct raw *r = &d->raw[key];

	r->given = true;
	r->pos = ev_pos(p);
	if (key == 2)
		return take_bool(p, path, &d->persistent_value);
	return take_ids_raw(p, r, path);
}

static int reserve_item(struct parser *p, void *obj, size_t index,
			const char *path)
{
	struct doc_read *dr = obj;
	struct state *s = dr->s;
	struct dev_read d = { .guest = false };
	struct state_pos seen[ARRAY_SIZE(reserve_keys)];
	struct state_reserve *res;
	char kpath[PATH_MAX_LEN];
	int r;

	(void)index;
	if (grow(p, (void **)&s->reserve, s->nreserve, sizeof(*s->reserve)) < 0)
		return -ENOMEM;
	res = &s->reserve[s->nreserve++];
	memset(res, 0, sizeof(*res));
	res->persistent = true;
	r = take_mapping(
		p, path,
		"an AP reservation (a mapping: adapters, domains, persistent)",
		reserve_keys, ARRAY_SIZE(reserve_keys),
		"adapters, domains and persistent", reserve_value, &d,
		&res->pos, seen);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < 2; i++) {
		struct raw *raw = &d.raw[i];
		const char *key = reserve_keys[i];

		snprintf(kpath, sizeof(kpath), "%s.%s", path, key);
		if (!raw->given) {
			r = fail(
				p, res->pos, kpath,
				"missing (an AP reservation is adapters x domains: write adapters: and domains:)");
			goto out;
		}
		r = dev_ids(p, raw, kpath, i == 0 ? "adapter" : "domain",
			    i == 0 ? &res->adapters : &res->domains);
		if (r < 0)
			goto out;
	}
	if (seen[2].line)
		res->persistent = d.persistent_value;
out:
	for (size_t i = 0; i < DK__LAST; i++)
		raw_clear(&d.raw[i]);
	return r;
}

static const char *const top_keys[] = { "version", "guests", "mdevs",
					"ap-reserve" };

static int top_value(struct parser *p, void *obj, size_t key, const char *path)
{
	struct doc_read *dr = obj;
	unsigned version;
	int r;

	switch (key) {
	case 0:
		r = take_number(p, path, 1, UINT32_MAX,
				"the version is 1 (virt-mdev-state(5))",
				&version);
		if (r < 0)
			return r;
		if (version != STATE_VERSION)
			return fail(
				p, ev_pos(p), path,
				"unsupported version %u: this virt-mdev reads version %d (write version: %d, in the layout virt-mdev-state(5) shows)",
				version, STATE_VERSION, STATE_VERSION);
		dr->version_given = true;
		return 0;
	case 1:
		return take_sequence(
			p, path,
			"a sequence of guests (- name: ... devices: ...)",
			guest_item, dr);
	case 2:
		return take_sequence(
			p, path,
			"a sequence of mdevs (- kind: ccw device: ...)",
			mdev_item, dr);
	default:
		return take_sequence(
			p, path,
			"a sequence of AP reservations (- adapters: ... domains: ...)",
			reserve_item, dr);
	}
}

/* ---- the checks across the file ------------------------------------------------ */

struct dup_entry {
	const char *key;
	struct state_pos pos;
	const char *path;
	const char *what; /* the key's name in the path */
};

static int pos_cmp(struct state_pos a, struct state_pos b)
{
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	if (a.column != b.column)
		return a.column < b.column ? -1 : 1;
	return 0;
}

static int dup_cmp(const void *a, const void *b)
{
	const struct dup_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : pos_cmp(x->pos, y->pos);
}

/*
 * The value given twice whose second place comes first in the file: its
 * two places in *first and *second; false when every key is unique.
 */
static bool find_dup(struct dup_entry *e, size_t n, struct dup_entry *first,
		     struct dup_entry *second)
{
	bool found = false;

	qsort(e, n, sizeof(*e), dup_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(e[i - 1].key, e[i].key) == 0 &&
		    (i < 2 || strcmp(e[i - 2].key, e[i].key) != 0) &&
		    (!found || pos_cmp(e[i].pos, second->pos) < 0)) {
			*first = e[i - 1];
			*second = e[i];
			found = true;
		}
	return found;
}

static int dup_fail(struct parser *p, const struct dup_entry *a,
		    const struct dup_entry *b, const char *fix)
{
	char kpath[PATH_MAX_LEN * 2];

	snprintf(kpath, sizeof(kpath), "%s%s%s", b->path, b->what ? "." : "",
		 b->what ? b->what : "");
	return fail(p, b->pos, kpath,
		    "'%s' is already %s%s%s at line %u, column %u (%s)", b->key,
		    a->path, a->what ? "." : "", a->what ? a->what : "",
		    a->pos.line, a->pos.column, fix);
}

static const struct state_device *ref_device(const struct state *s,
					     const struct dev_ref *r)
{
	return r->guest == SIZE_MAX ? &s->mdevs[r->index] :
				      &s->guests[r->guest].devices[r->index];
}

static int check_names(struct parser *p, struct doc_read *dr)
{
	const struct state *s = dr->s;
	struct dup_entry *e = calloc(s->nguests + 1, sizeof(*e));
	struct dup_entry a, b;
	char(*paths)[32] = calloc(s->nguests + 1, sizeof(*paths));
	int r = 0;

	if (!e || !paths) {
		r = vm_error_set(p->err, VM_EXIT_FAILED, ENOMEM,
				 "out of memory");
		goto out;
	}
	for (size_t i = 0; i < s->nguests; i++) {
		snprintf(paths[i], sizeof(paths[i]), "guests[%zu]", i);
		e[i] = (struct dup_entry){ s->guests[i].name, dr->name_pos[i],
					   paths[i], "name" };
	}
	if (find_dup(e, s->nguests, &a, &b))
		r = dup_fail(p, &a, &b,
			     "list each guest once, with all its devices");
out:
	free(e);
	free(paths);
	return r;
}

/* Each device, uuid (all devices) once; within a guest each devno and boot order once */
static int check_devices(struct parser *p, struct doc_read *dr, enum dkey key,
			 bool per_guest, const char *fix)
{
	const struct state *s = dr->s;
	struct dup_entry *e = calloc(dr->nrefs + 1, sizeof(*e));
	char(*vals)[GUEST_DEVNO_STRLEN + IDS_UUID_STRLEN] =
		calloc(dr->nrefs + 1, sizeof(*vals));
	struct dup_entry a, b, best_a, best_b;
	bool found = false;
	size_t n = 0;
	int r = 0;

	if (!e || !vals) {
		r = vm_error_set(p->err, VM_EXIT_FAILED, ENOMEM,
				 "out of memory");
		goto out;
	}
	for (size_t i = 0; i <= dr->nrefs; i++) {
		const struct dev_ref *ref = i < dr->nrefs ? &dr->refs[i] : NULL;
		const struct state_device *d;
		const char *key_text = NULL;

		/* a group ends at a new guest (per_guest) or at the end */
		if (n && (!ref ||
			  (per_guest && ref->guest != dr->refs[i - 1].guest))) {
			if (find_dup(e, n, &a, &b) &&
			    (!found || pos_cmp(b.pos, best_b.pos) < 0)) {
				best_a = a;
				best_b = b;
				found = true;
			}
			n = 0;
		}
		if (!ref || (per_guest && ref->guest == SIZE_MAX))
			continue;
		d = ref_device(s, ref);
		switch (key) {
		case DK_DEVICE:
			key_text = d->device;
			break;
		case DK_UUID:
			key_text = d->uuid_given ? d->uuid : NULL;
			break;
		case DK_DEVNO:
			if (d->devno_given) {
				guest_devno_format(&d->devno, vals[i]);
				key_text = vals[i];
			}
			break;
		case DK_BOOT_ORDER:
			if (d->boot_order) {
				snprintf(vals[i], sizeof(vals[i]), "%u",
					 d->boot_order);
				key_text = vals[i];
			}
			break;
		default:
			break;
		}
		if (key_text)
			e[n++] = (struct dup_entry){ key_text, ref->at[key],
						     ref->path,
						     dkey_names[key] };
	}
	if (found)
		r = dup_fail(p, &best_a, &best_b, fix);
out:
	free(e);
	free(vals);
	return r;
}

/* One APQN in two devices of AP ids (control domains excepted), in file order: at most 65536 APQNs are ever marked. */
static int check_apqns(struct parser *p, struct doc_read *dr)
{
	const struct state *s = dr->s;
	size_t *owner = calloc(AP_MASK_BITS * AP_MASK_BITS, sizeof(*owner));
	size_t *order = calloc(dr->nrefs + 1, sizeof(*order));
	size_t n = 0;
	int r = 0;

	if (!owner || !order) {
		r = vm_error_set(p->err, VM_EXIT_FAILED, ENOMEM,
				 "out of memory");
		goto out;
	}
	for (size_t i = 0; i < dr->nrefs; i++)
		if (ref_device(s, &dr->refs[i])->kind->takes_ap_ids)
			order[n++] = i;
	/* refs are in the file's order: the top-level keys are read as they come */
	for (size_t i = 0; i < n; i++) {
		const struct dev_ref *ref = &dr->refs[order[i]];
		const struct state_device *d = ref_device(s, ref);
		int a, q;

		ap_mask_for_each(a, &d->target.apm) {
			ap_mask_for_each(q, &d->target.aqm) {
				size_t *o = &owner[a * AP_MASK_BITS + q];
				const struct dev_ref *other;
				char kpath[PATH_MAX_LEN + 16],
					apqn[APQN_STRLEN];

				if (!*o) {
					*o = order[i] + 1;
					continue;
				}
				other = &dr->refs[*o - 1];
				apqn_format(&(struct apqn){ (uint8_t)a,
							    (uint8_t)q },
					    apqn);
				snprintf(kpath, sizeof(kpath), "%s.adapters",
					 ref->path);
				r = fail(
					p, ref->at[DK_ADAPTERS], kpath,
					"APQN %s is also in %s at line %u, column %u (an APQN serves one %s device: take it out of one of them)",
					apqn, other->path,
					other->at[DK_ADAPTERS].line,
					other->at[DK_ADAPTERS].column,
					d->kind->model);
				goto out;
			}
		}
	}
out:
	free(owner);
	free(order);
	return r;
}

/* A kind a guest takes once (one_per_domain): the second device of it */
static int check_one_per_guest(struct parser *p, struct doc_read *dr)
{
	const struct state *s = dr->s;

	for (size_t gi = 0; gi < s->nguests; gi++) {
		const struct state_guest *g = &s->guests[gi];

		for (size_t i = 0; i < g->ndevices; i++) {
			const struct mdev_kind *k = g->devices[i].kind;
			char a[PATH_MAX_LEN], b[PATH_MAX_LEN];

			if (!k->one_per_domain)
				continue;
			for (size_t j = i + 1; j < g->ndevices; j++) {
				if (g->devices[j].kind != k)
					continue;
				snprintf(a, sizeof(a),
					 "guests[%zu].devices[%zu]", gi, i);
				snprintf(b, sizeof(b),
					 "guests[%zu].devices[%zu]", gi, j);
				return fail(
					p, g->devices[j].pos, b,
					"guest '%s' has a second %s device, the first is %s at line %u, column %u (a guest takes one %s device: join the two into one)",
					g->name, k->model, a,
					g->devices[i].pos.line,
					g->devices[i].pos.column, k->model);
			}
		}
	}
	return 0;
}

static int check_file(struct parser *p, struct doc_read *dr)
{
	int r;

	r = check_names(p, dr);
	if (r == 0)
		r = check_devices(
			p, dr, DK_DEVICE, false,
			"a device serves one guest or one mdev: list it once");
	if (r == 0)
		r = check_devices(
			p, dr, DK_UUID, false,
			"each mdev has its own uuid: change one, or leave uuid out to have one found or made");
	if (r == 0)
		r = check_apqns(p, dr);
	if (r == 0)
		r = check_one_per_guest(p, dr);
	if (r == 0)
		r = check_devices(
			p, dr, DK_DEVNO, true,
			"each device of a guest needs its own devno: change one");
	/* libvirt's src/conf/domain_postparse.c virDomainDefCollectBootOrder: "boot order '%1$s' used for more than one device" */
	if (r == 0)
		r = check_devices(
			p, dr, DK_BOOT_ORDER, true,
			"libvirt refuses a boot order used for more than one device: give each its own");
	return r;
}

/* ---- parse, read, clear ---------------------------------------------------------- */

static int parse_stream(struct parser *p, struct doc_read *dr)
{
	struct state_pos seen[ARRAY_SIZE(top_keys)], pos;
	const yaml_version_directive_t *v;
	int r;

	r = next(p, "(document)");
	if (r < 0)
		return r;
	r = next(p, "(document)");
	if (r < 0)
		return r;
	if (p->ev.type == YAML_STREAM_END_EVENT)
		return fail(
			p, ev_pos(p), "version",
			"missing: the file is empty (a state file starts with version: 1)");
	v = p->ev.data.document_start.version_directive;
	if (v && !(v->major == 1 && v->minor == 2))
		return fail(
			p, ev_pos(p), "(document)",
			"%%YAML %d.%d: a state file is read as YAML 1.2 (remove the directive, or write %%YAML 1.2)",
			v->major, v->minor);
	r = next(p, "(document)");
	if (r < 0)
		return r;
	r = take_mapping(
		p, "", "a mapping (version: 1, then guests, mdevs, ap-reserve)",
		top_keys, ARRAY_SIZE(top_keys),
		"version, guests, mdevs and ap-reserve", top_value, dr, &pos,
		seen);
	if (r < 0)
		return r;
	if (!dr->version_given)
		return fail(p, pos, "version",
			    "missing (write version: 1 at the top)");
	r = next(p, "(document)");
	if (r < 0)
		return r;
	r = next(p, "(document)");
	if (r < 0)
		return r;
	if (p->ev.type != YAML_STREAM_END_EVENT)
		return fail(
			p, ev_pos(p), "(document)",
			"a second YAML document: a state file is one document (remove the '---' and what follows, or merge it into the first)");
	return check_file(p, dr);
}

int state_parse(const char *file, const char *text, size_t len,
		struct state *out, struct vm_error *err)
{
	struct parser p = { .file = file, .text = text, .len = len, .err = err };
	struct doc_read dr = { .s = out };
	int r;

	memset(out, 0, sizeof(*out));
	out->file = strdup(file);
	if (!out->file)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	if (len > STATE_MAX_SIZE) {
		r = vm_error_set(
			err, VM_EXIT_USAGE, EFBIG,
			"%s:1:1: (document): the file has more than %d bytes, the most a state file may have (split it)",
			file, STATE_MAX_SIZE);
		goto out;
	}
	if (!yaml_parser_initialize(&p.y)) {
		r = vm_error_set(err, VM_EXIT_FAILED, ENOMEM, "out of memory");
		goto out;
	}
	yaml_parser_set_input_string(&p.y, (const unsigned char *)text, len);
	r = parse_stream(&p, &dr);
	if (p.have_ev)
		yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.y);
out:
	free(dr.refs);
	free(dr.name_pos);
	if (r < 0) {
		state_clear(out);
		return r;
	}
	return 0;
}

int state_read(const char *file, struct state *out, struct vm_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size = 0;
	bool stdin_ = strcmp(file, "-") == 0;

	memset(out, 0, sizeof(*out));
	fd = stdin_ ? dup(STDIN_FILENO) : open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vm_error_set(
			err, VM_EXIT_USAGE, errno,
			"cannot open state file '%s': %s (name an existing file, or - for standard input)",
			file, strerror(errno));
	for (;;) {
		ssize_t n;

		if (len == size) {
			char *b;

			if (size > STATE_MAX_SIZE)
				return vm_error_set(
					err, VM_EXIT_USAGE, EFBIG,
					"%s:1:1: (document): the file has more than %d bytes, the most a state file may have (split it)",
					file, STATE_MAX_SIZE);
			size = size ? 2 * size : 65536;
			if (size > STATE_MAX_SIZE + 1)
				size = STATE_MAX_SIZE + 1;
			b = realloc(buf, size);
			if (!b)
				return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
						    "out of memory");
			buf = b;
			if (len == size)
				return vm_error_set(
					err, VM_EXIT_USAGE, EFBIG,
					"%s:1:1: (document): the file has more than %d bytes, the most a state file may have (split it)",
					file, STATE_MAX_SIZE);
		}
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vm_error_set(
				err, VM_EXIT_USAGE, errno,
				"cannot read state file '%s': %s (name a regular file, or - for standard input)",
				file, strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return state_parse(stdin_ ? "-" : file, buf ? buf : "", len, out, err);
}

void state_clear(struct state *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nguests; i++) {
		for (size_t j = 0; j < s->guests[i].ndevices; j++)
			device_clear(&s->guests[i].devices[j]);
		free(s->guests[i].devices);
		free(s->guests[i].name);
	}
	free(s->guests);
	for (size_t i = 0; i < s->nmdevs; i++)
		device_clear(&s->mdevs[i]);
	free(s->mdevs);
	free(s->reserve);
	free(s->file);
	memset(s, 0, sizeof(*s));
}

/* ---- equality ------------------------------------------------------------------------ */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool device_equal(const struct state_device *a,
			 const struct state_device *b)
{
	return a->kind == b->kind && str_eq(a->device, b->device) &&
	       str_eq(a->target.device, b->target.device) &&
	       ap_mask_equal(&a->target.apm, &b->target.apm) &&
	       ap_mask_equal(&a->target.aqm, &b->target.aqm) &&
	       ap_mask_equal(&a->target.adm, &b->target.adm) &&
	       a->target.have_adapters == b->target.have_adapters &&
	       a->target.have_domains == b->target.have_domains &&
	       a->target.have_control_domains ==
		       b->target.have_control_domains &&
	       a->target.force == b->target.force &&
	       a->target.persistent == b->target.persistent &&
	       a->uuid_given == b->uuid_given &&
	       (!a->uuid_given || strcmp(a->uuid, b->uuid) == 0) &&
	       a->devno_given == b->devno_given &&
	       (!a->devno_given || (a->devno.cssid == b->devno.cssid &&
				    a->devno.ssid == b->devno.ssid &&
				    a->devno.devno == b->devno.devno)) &&
	       a->boot_order == b->boot_order && str_eq(a->alias, b->alias) &&
	       a->persistent == b->persistent && a->live == b->live;
}

bool state_equal(const struct state *a, const struct state *b)
{
	if (a->nguests != b->nguests || a->nmdevs != b->nmdevs ||
	    a->nreserve != b->nreserve)
		return false;
	for (size_t i = 0; i < a->nguests; i++) {
		const struct state_guest *x = &a->guests[i], *y = &b->guests[i];

		if (!str_eq(x->name, y->name) || x->ndevices != y->ndevices)
			return false;
		for (size_t j = 0; j < x->ndevices; j++)
			if (!device_equal(&x->devices[j], &y->devices[j]))
				return false;
	}
	for (size_t i = 0; i < a->nmdevs; i++)
		if (!device_equal(&a->mdevs[i], &b->mdevs[i]))
			return false;
	for (size_t i = 0; i < a->nreserve; i++) {
		const struct state_reserve *x = &a->reserve[i],
					   *y = &b->reserve[i];

		if (!ap_mask_equal(&x->adapters, &y->adapters) ||
		    !ap_mask_equal(&x->domains, &y->domains) ||
		    x->persistent != y->persistent)
			return false;
	}
	return true;
}

/* ---- the writer ---------------------------------------------------------------------- */

/* The code point at s (len bytes of valid UTF-8, output_utf8_len) */
static uint32_t code_point(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t c = s[0] & lead_mask[len];

	for (size_t i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3f);
	return c;
}

/*
 * A code point written as it is inside double quotes: what libyaml's
 * reader takes (src/reader.c: #x9 | #xA | #xD | [#x20-#x7E] | #x85 |
 * [#xA0-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]), less the line
 * breaks and tab (escaped), NEL, the BOM and U+2028/U+2029, which
 * libyaml takes for line breaks (src/yaml_private.h IS_BREAK).
 */
static bool verbatim(uint32_t c)
{
	return (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') ||
	       (c >= 0xa0 && c <= 0xd7ff && c != 0x2028 && c != 0x2029) ||
	       (c >= 0xe000 && c <= 0xfffd && c != 0xfeff) ||
	       (c >= 0x10000 && c <= 0x10ffff);
}

/* A plain scalar reads back as this string, in any YAML reader */
static bool plain_safe(const char *s)
{
	size_t n = strlen(s);

	if (!n || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':' ||
	    strchr("-?:,[]{}#&*!|>'\"%@`", s[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || strchr("[]{}", c))
			return false;
	}
	if (strstr(s, ": ") || strstr(s, " #"))
		return false;
	return core_resolve(s) == Y_STR && !yaml11_other(s);
}

static int put_scalar(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t len = output_utf8_len(u + i, n - i);

		if (!len)
			return -EILSEQ;
		i += len;
	}
	if (plain_safe(s)) {
		fputs(s, f);
		return 0;
	}
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		size_t len = output_utf8_len(u + i, n - i);
		uint32_t c = code_point(u + i, len);

		if (verbatim(c))
			fwrite(u + i, 1, len, f);
		else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", (char)c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c <= 0xff)
			fprintf(f, "\\x%02x", (unsigned)c);
		else
			fprintf(f, "\\u%04x", (unsigned)c);
		i += len;
	}
	fputc('"', f);
	return 0;
}

static int put_key_scalar(FILE *f, const char *indent, const char *key,
			  const char *value)
{
	fprintf(f, "%s%s: ", indent, key);
	if (put_scalar(f, value) < 0)
		return -EILSEQ;
	fputc('\n', f);
	return 0;
}

/* An id (busid, uuid, devno, id list): plain when it is ids only, which the reader takes as text whatever YAML type it has */
static int put_key_id(FILE *f, const char *indent, const char *key,
		      const char *value)
{
	size_t n = strlen(value);

	if (n && strspn(value, "0123456789abcdefx.,-") == n &&
	    strchr("0123456789abcdef", value[0])) {
		fprintf(f, "%s%s: %s\n", indent, key, value);
		return 0;
	}
	return put_key_scalar(f, indent, key, value);
}

static int put_ids(FILE *f, const char *indent, const char *key,
		   const struct ap_mask *m)
{
	_cleanup_free_ char *list = NULL;

	if (ap_mask_is_empty(m))
		return -EINVAL;
	list = ap_mask_format_list(m);
	if (!list)
		return -ENOMEM;
	return put_key_id(f, indent, key, list);
}

/* one device: first (a sequence item's "- ") and further lines' indent */
static int put_device(FILE *f, const char *first, const char *indent,
		      const struct state_device *d, bool guest)
{
	char buf[GUEST_DEVNO_STRLEN];
	int r;

	if (!d->kind)
		return -EINVAL;
	r = put_key_scalar(f, first, "kind", d->kind->name);
	if (r == 0 && d->kind->device_parse) {
		if (!d->device)
			return -EINVAL;
		r = put_key_id(f, indent, "device", d->device);
	}
	if (r == 0 && d->kind->takes_ap_ids) {
		r = put_ids(f, indent, "adapters", &d->target.apm);
		if (r == 0)
			r = put_ids(f, indent, "domains", &d->target.aqm);
		/* the parser sets have_control_domains exactly for a list, never an empty one */
		if (r == 0 && !ap_mask_is_empty(&d->target.adm))
			r = put_ids(f, indent, "control-domains",
				    &d->target.adm);
	}
	if (r == 0 && d->uuid_given)
		r = put_key_id(f, indent, "uuid", d->uuid);
	if (r == 0 && guest && d->devno_given) {
		guest_devno_format(&d->devno, buf);
		r = put_key_id(f, indent, "devno", buf);
	}
	if (r == 0 && guest && d->boot_order)
		fprintf(f, "%sboot-order: %u\n", indent, d->boot_order);
	if (r == 0 && guest && d->alias)
		r = put_key_scalar(f, indent, "alias", d->alias);
	if (r == 0 && !d->persistent)
		fprintf(f, "%spersistent: false\n", indent);
	if (r == 0 && guest && d->live)
		fprintf(f, "%slive: true\n", indent);
	return r;
}

static int put_header(FILE *f, const char *header)
{
	const unsigned char *u = (const unsigned char *)header;
	size_t n = strlen(header);

	fputs("# ", f);
	for (size_t i = 0; i < n;) {
		size_t len = output_utf8_len(u + i, n - i);
		uint32_t c;

		if (!len)
			return -EILSEQ;
		c = code_point(u + i, len);
		if (c == '\n')
			fputs("\n# ", f);
		else if (c == '\t' || c == '"' || c == '\\' || verbatim(c))
			fwrite(u + i, 1, len, f);
		else
			return -EINVAL;
		i += len;
	}
	fputc('\n', f);
	return 0;
}

static int write_state(FILE *f, const struct state *s, const char *header)
{
	int r = put_header(
		f, header ? header :
			    "virt-mdev state file: see virt-mdev-state(5)");

	if (r < 0)
		return r;
	fprintf(f, "version: %d\n", STATE_VERSION);
	if (s->nguests)
		fputs("guests:\n", f);
	for (size_t i = 0; i < s->nguests; i++) {
		const struct state_guest *g = &s->guests[i];

		if (!g->name)
			return -EINVAL;
		r = put_key_scalar(f, "  - ", "name", g->name);
		if (r < 0)
			return r;
		if (!g->ndevices)
			fputs("    devices: []\n", f);
		else
			fputs("    devices:\n", f);
		for (size_t j = 0; j < g->ndevices; j++) {
			r = put_device(f, "      - ", "        ",
				       &g->devices[j], true);
			if (r < 0)
				return r;
		}
	}
	if (s->nmdevs)
		fputs("mdevs:\n", f);
	for (size_t i = 0; i < s->nmdevs; i++) {
		r = put_device(f, "  - ", "    ", &s->mdevs[i], false);
		if (r < 0)
			return r;
	}
	if (s->nreserve)
		fputs("ap-reserve:\n", f);
	for (size_t i = 0; i < s->nreserve; i++) {
		const struct state_reserve *res = &s->reserve[i];

		r = put_ids(f, "  - ", "adapters", &res->adapters);
		if (r == 0)
			r = put_ids(f, "    ", "domains", &res->domains);
		if (r < 0)
			return r;
		if (!res->persistent)
			fputs("    persistent: false\n", f);
	}
	return 0;
}

int state_write(FILE *f, const struct state *s, const char *header)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int r;

	if (!m)
		return -errno;
	r = write_state(m, s, header);
	if (fclose(m) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0)
		return r;
	/* nothing reaches f unless the whole state could be written */
	if (fwrite(buf, 1, len, f) != len || fflush(f) != 0)
		return errno ? -errno : -EIO;
	return 0;
}
