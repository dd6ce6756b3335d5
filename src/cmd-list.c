/* virt-mdev list [ccw|ap|mdev|types] and show ID: the host's inventory, as tables or JSON. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "cmd.h"
#include "lib/ap.h"
#include "lib/cleanup.h"
#include "lib/columns.h"
#include "lib/css.h"
#include "lib/jsonw.h"
#include "lib/mdev.h"
#include "lib/output.h"
#include "lib/users.h"

/* ---- libvirt: only for what only libvirt knows (the domains using an mdev) ---- */

/* Fill in the domains; when libvirt cannot be reached, say so once and go on. */
static void scan_domains(struct ctx *ctx, struct mdev_list *l,
			 struct vm_error *unreachable)
{
	_cleanup_users_ struct users u = { 0 };

	users_scan(ctx->uri, NULL, &u);
	*unreachable = u.unreachable;
	if (u.reachable) {
		(void)users_fill(&u, l);
		return;
	}
	if (ctx->verbosity >= 0) {
		/* libvirt's message names the URI and its socket: escaped */
		fprintf(stderr, "%s: note: ", PROGRAM_NAME);
		output_escaped(stderr, unreachable->msg);
		fputs("; listing from sysfs and mdevctl's definitions only, without the domains that use each mdev\n",
		      stderr);
	}
}

static void libvirt_write(struct jw *w, const struct vm_error *unreachable)
{
	jw_key(w, "libvirt");
	jw_begin_object(w);
	jw_key(w, "reachable");
	jw_bool(w, !vm_error_is_set(unreachable));
	if (vm_error_is_set(unreachable)) {
		jw_key(w, "error");
		jw_string(w, unreachable->msg);
	}
	jw_end_object(w);
}

/* ---- the columns of each listing: table, show and JSON from one declaration ---- */

/* a column whose value is a char array of the row ("" being null) */
#define FIELD(type, member) .field = offsetof(type, member)

static void sch_device(const void *ctx, const void *row, struct cell *c)
{
	const struct css_subchannel *s = row;

	(void)ctx;
	cell_string(c, s->has_device ? s->busid_name : NULL);
}

static void sch_type(const void *ctx, const void *row, struct cell *c)
{
	const struct css_subchannel *s = row;

	(void)ctx;
	if (s->type_error[0])
		cell_invalid(c, s->type_error);
	else
		cell_string(c, css_type_name(s->type));
}

/* a ccw device is online or not only while it exists (under io_subchannel) */
static void sch_online(const void *ctx, const void *row, struct cell *c)
{
	const struct css_subchannel *s = row;

	(void)ctx;
	if (s->device_present && s->online_error[0])
		cell_invalid(c, s->online_error);
	else if (s->device_present)
		cell_bool(c, s->online);
	else
		cell_null(c);
}

static void sch_qdio(const void *ctx, const void *row, struct cell *c)
{
	(void)ctx;
	cell_bool(c, css_is_qdio(row));
}

/* rows: struct css_subchannel */
static const struct column sch_columns[] = {
	{ "SUBCHANNEL", "subchannel", "subchannel", COLUMN_STRING, 10,
	  FIELD(struct css_subchannel, name) },
	{ "DEVICE", "device", "device", COLUMN_STRING, 9, .get = sch_device },
	{ "TYPE", "type", "type", COLUMN_STRING, 5, .get = sch_type },
	{ "DRIVER", "driver", "driver", COLUMN_STRING, 14,
	  FIELD(struct css_subchannel, driver) },
	{ NULL, "driver_override", "driver_override", COLUMN_STRING, 0,
	  FIELD(struct css_subchannel, driver_override) },
	{ "ONLINE", "online", "online", COLUMN_BOOL, 6, .get = sch_online },
	{ "CUTYPE", "cutype", "cutype", COLUMN_STRING, 8,
	  FIELD(struct css_subchannel, cutype) },
	{ "DEVTYPE", "devtype", "devtype", COLUMN_STRING, 8,
	  FIELD(struct css_subchannel, devtype) },
	{ NULL, NULL, "device_driver", COLUMN_STRING, 0,
	  FIELD(struct css_subchannel, device_driver) },
	{ NULL, "qdio", "qdio", COLUMN_BOOL, 0, .get = sch_qdio },
	{ "MDEV", "mdev", "mdev", COLUMN_STRING, 0,
	  FIELD(struct css_subchannel, mdev) },
};

/* the queues' context: the AP bus (its masks, its mdevs) */
static bool queue_reserved(const void *ctx, const void *row)
{
	const struct ap_host *h = ctx;
	const struct ap_queue_info *q = row;

	return ap_reserved(&h->apmask, &h->aqmask, &q->apqn);
}

static void queue_owner(const void *ctx, const void *row, struct cell *c)
{
	cell_string(c, queue_reserved(ctx, row) ? "host" : "vfio_ap");
}

static const char *queue_owner_why(const void *ctx, const void *row)
{
	return queue_reserved(ctx, row) ? "reserved by apmask and aqmask" :
					  "freed by apmask or aqmask";
}

/* after a boot: chzdev's persistent masks (absent without its rules file) */
static bool queue_reserved_at_boot(const void *ctx, const void *row)
{
	const struct ap_host *h = ctx;
	const struct ap_queue_info *q = row;

	return ap_reserved(&h->boot.apmask, &h->boot.aqmask, &q->apqn);
}

static void queue_boot_owner(const void *ctx, const void *row, struct cell *c)
{
	const struct ap_host *h = ctx;

	if (!h->boot.file)
		return; /* absent */
	cell_string(c, queue_reserved_at_boot(ctx, row) ? "host" : "vfio_ap");
}

static const char *queue_boot_owner_why(const void *ctx, const void *row)
{
	const struct ap_host *h = ctx;

	if (h->boot_unreadable)
		return "the persistent masks cannot be read: the active ones stand in";
	return queue_reserved_at_boot(ctx, row) ?
		       "reserved by the persistent masks of /etc/udev/rules.d/" AP_RULES_FILE :
		       "freed by the persistent masks of /etc/udev/rules.d/" AP_RULES_FILE;
}

static void queue_mdev(const void *ctx, const void *row, struct cell *c)
{
	const struct ap_queue_info *q = row;
	const struct ap_mdev_info *owner = ap_owner(ctx, &q->apqn);

	cell_string(c, owner ? owner->uuid : NULL);
}

/* rows: struct ap_queue_info, context: struct ap_host (ap_read_listing) */
static const struct column queue_columns[] = {
	{ "APQN", "apqn", "apqn", COLUMN_STRING, 8,
	  FIELD(struct ap_queue_info, name) },
	{ "TYPE", NULL, "card_type", COLUMN_STRING, 6,
	  FIELD(struct ap_queue_info, card_type) },
	{ "OWNER", "owner", "owner", COLUMN_STRING, 8, .get = queue_owner,
	  .explain = queue_owner_why },
	{ "DRIVER", "driver", "driver", COLUMN_STRING, 10,
	  FIELD(struct ap_queue_info, driver) },
	{ "MDEV", "mdev", "mdev", COLUMN_STRING, 0, .get = queue_mdev },
	{ NULL, "owner at boot", "owner_at_boot", COLUMN_STRING, 0,
	  .get = queue_boot_owner, .explain = queue_boot_owner_why },
};

/* said once, on stderr: the queues that change hands at the next boot */
static void boot_note(const struct ctx *ctx, const struct ap_host *h)
{
	char moved[2048] = "";

	if (!h->boot.file || ctx->json || ctx->verbosity < 0)
		return;
	if (h->boot_unreadable) {
		fprintf(stderr, "%s: note: %s\n", PROGRAM_NAME, h->boot_why);
		return;
	}
	ap_moved_queues(h, &h->apmask, &h->aqmask, &h->boot.apmask,
			&h->boot.aqmask, moved, sizeof(moved), NULL);
	if (moved[0])
		fprintf(stderr,
			"%s: note: the persistent AP masks (/etc/udev/rules.d/%s, chzdev's) differ from the active ones: after a boot %s change%s owner ('virt-mdev show APQN' says to whom)\n",
			PROGRAM_NAME, AP_RULES_FILE, moved,
			strchr(moved, ' ') ? "" : "s");
}

static void mdev_state(const void *ctx, const void *row, struct cell *c)
{
	const struct mdev_info *m = row;

	(void)ctx;
	cell_string(c, m->active && m->defined ? "active,defined" :
		       m->active	       ? "active" :
						 "defined");
}

static void mdev_active(const void *ctx, const void *row, struct cell *c)
{
	(void)ctx;
	cell_bool(c, ((const struct mdev_info *)row)->active);
}

static void mdev_defined(const void *ctx, const void *row, struct cell *c)
{
	(void)ctx;
	cell_bool(c, ((const struct mdev_info *)row)->defined);
}

static void mdev_autostart(const void *ctx, const void *row, struct cell *c)
{
	(void)ctx;
	cell_bool(c, ((const struct mdev_info *)row)->autostart);
}

static void mdev_domains(const void *ctx, const void *row, struct cell *c)
{
	const struct mdev_info *m = row;

	(void)ctx;
	cell_array(c);
	for (size_t i = 0; i < m->domains.n; i++)
		cell_add(c, m->domains.v[i]);
}

/* rows: struct mdev_info; each kind's columns come between these two */
static const struct column mdev_columns[] = {
	{ "UUID", "uuid", "uuid", COLUMN_STRING, 36,
	  FIELD(struct mdev_info, uuid) },
	{ "PARENT", "parent", "parent", COLUMN_STRING, 9,
	  FIELD(struct mdev_info, parent) },
	{ "TYPE", "type", "type", COLUMN_STRING, 20,
	  FIELD(struct mdev_info, type) },
	{ "STATE", "state", NULL, COLUMN_STRING, 14, .get = mdev_state },
	{ NULL, NULL, "active", COLUMN_BOOL, 0, .get = mdev_active },
	{ NULL, NULL, "defined", COLUMN_BOOL, 0, .get = mdev_defined },
	{ "AUTOSTART", "autostart", "autostart", COLUMN_BOOL, 9,
	  .get = mdev_autostart },
};

static const struct column mdev_columns_last[] = {
	{ "DOMAINS", "domains", "domains", COLUMN_ARRAY, 0, .sep = ",",
	  .long_sep = " ", .get = mdev_domains },
};

static void mdev_columns_init(struct columns *l)
{
	columns_init(l, NULL);
	columns_add(l, mdev_columns, ARRAY_SIZE(mdev_columns));
	for (size_t i = 0; mdev_kinds[i]; i++)
		columns_add(l, mdev_kinds[i]->list_columns,
			    mdev_kinds[i]->nlist_columns);
	columns_add(l, mdev_columns_last, ARRAY_SIZE(mdev_columns_last));
}

static void type_available(const void *ctx, const void *row, struct cell *c)
{
	const struct mdev_type_info *t = row;

	(void)ctx;
	if (t->available_error[0])
		cell_invalid(c, t->available_error);
	else
		cell_int(c, (int64_t)t->available);
}

/* rows: struct mdev_type_info */
static const struct column type_columns[] = {
	{ "PARENT", NULL, "parent", COLUMN_STRING, 9,
	  FIELD(struct mdev_type_info, parent) },
	{ "TYPE", NULL, "type", COLUMN_STRING, 20,
	  FIELD(struct mdev_type_info, type) },
	{ "AVAILABLE", NULL, "available_instances", COLUMN_INT, 9,
	  .get = type_available },
	{ "DEVICE_API", NULL, "device_api", COLUMN_STRING, 10,
	  FIELD(struct mdev_type_info, device_api) },
	{ "NAME", NULL, "name", COLUMN_STRING, 0,
	  FIELD(struct mdev_type_info, name) },
};

/* ---- sections ---- */

/* rows[0..n) as a table, or as the JSON member key (an array of objects); clears l */
static int section_write(struct ctx *ctx, struct columns *l, const char *key,
			 const void *rows, size_t n, size_t size, struct jw *w)
{
	bool oom;

	if (!w) {
		columns_print_table(l, rows, n, size, stdout);
	} else {
		jw_key(w, key);
		jw_begin_array(w);
		columns_json_rows(l, rows, n, size, w);
		jw_end_array(w);
	}
	oom = l->oom;
	columns_clear(l);
	if (oom)
		return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
				    "cannot write the listing: %s",
				    strerror(ENOMEM));
	return 0;
}

/* the warning for a value shown as '?': why, escaped; none for "" */
static void invalid_warning(const char *why)
{
	if (!why[0])
		return;
	fprintf(stderr, "%s: warning: ", PROGRAM_NAME);
	output_escaped(stderr, why);
	fputs(": shown as '?' (null with --json)\n", stderr);
}

static int section_ccw(struct ctx *ctx, struct jw *w)
{
	_cleanup_free_ struct css_subchannel *schs = NULL;
	struct columns l;
	size_t n = 0;

	if (css_list(ctx->sysfs, &schs, &n, &ctx->err) < 0)
		return -1;
	/* a value that is not known is shown as such ("?", null): and said, also with -q */
	for (size_t i = 0; i < n; i++) {
		invalid_warning(schs[i].type_error);
		invalid_warning(schs[i].online_error);
	}
	columns_init(&l, NULL);
	columns_add(&l, sch_columns, ARRAY_SIZE(sch_columns));
	return section_write(ctx, &l, "subchannels", schs, n, sizeof(*schs), w);
}

static int section_ap(struct ctx *ctx, struct jw *w)
{
	_cleanup_ap_host_ struct ap_host h = { 0 };
	struct columns l;

	if (ap_read_listing(ctx->sysfs, &h, &ctx->err) < 0)
		return -1;
	if (w) {
		char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN];

		ap_mask_format(&h.apmask, am);
		ap_mask_format(&h.aqmask, qm);
		jw_key(w, "apmask");
		jw_string(w, am);
		jw_key(w, "aqmask");
		jw_string(w, qm);
		if (h.boot.file) {
			/* chzdev's persistent masks, as the next boot will have them */
			ap_mask_format(&h.boot.apmask, am);
			ap_mask_format(&h.boot.aqmask, qm);
			jw_key(w, "persistent_apmask");
			jw_string(w, am);
			jw_key(w, "persistent_aqmask");
			jw_string(w, qm);
		}
	}
	boot_note(ctx, &h);
	columns_init(&l, &h);
	columns_add(&l, queue_columns, ARRAY_SIZE(queue_columns));
	return section_write(ctx, &l, "queues", h.queues, h.nqueues,
			     sizeof(*h.queues), w);
}

/* the files of mdevctl's the listing skipped: a warning each, and in JSON "skipped" */
static void skipped_write(const struct mdev_list *ml, struct jw *w)
{
	/* a warning, also with -q; the host's names escaped, one line each */
	for (size_t i = 0; i < ml->nfaults; i++) {
		fprintf(stderr, "%s: warning: skipped ", PROGRAM_NAME);
		output_escaped(stderr, ml->faults[i].file);
		fputs(": ", stderr);
		output_escaped(stderr, ml->faults[i].what);
		fputs(ml->faults[i].in_sysfs ?
			      "; not listed\n" :
			      " (correct the file or remove it)\n",
		      stderr);
	}
	if (!w)
		return;
	jw_key(w, "skipped");
	jw_begin_array(w);
	for (size_t i = 0; i < ml->nfaults; i++) {
		const struct mdev_fault *f = &ml->faults[i];

		jw_begin_object(w);
		jw_key(w, "file");
		jw_string(w, f->file);
		jw_key(w, "uuid");
		jw_string_or_null(w, f->uuid);
		jw_key(w, "parent");
		jw_string_or_null(w, f->parent); /* null: an entry of sysfs */
		jw_key(w, "fault");
		jw_string(w, f->what);
		jw_end_object(w);
	}
	jw_end_array(w);
}

static int section_mdev(struct ctx *ctx, struct jw *w)
{
	_cleanup_mdev_list_ struct mdev_list ml = { 0 };
	struct vm_error unreachable;
	struct columns l;

	if (mdev_list_read(ctx->sysfs, &ml, &ctx->err) < 0)
		return -1;
	scan_domains(ctx, &ml, &unreachable);
	mdev_columns_init(&l);
	if (section_write(ctx, &l, "mdevs", ml.v, ml.n, sizeof(*ml.v), w) < 0)
		return -1;
	skipped_write(&ml, w);
	if (w)
		libvirt_write(w, &unreachable);
	return 0;
}

static int section_types(struct ctx *ctx, struct jw *w)
{
	_cleanup_free_ struct mdev_type_info *types = NULL;
	struct columns l;
	size_t n = 0;

	if (mdev_types_list(ctx->sysfs, &types, &n, &ctx->err) < 0)
		return -1;
	/* a value that is not known is shown as such ("?", null): and said, also with -q */
	for (size_t i = 0; i < n; i++)
		if (types[i].available_error[0]) {
			fprintf(stderr, "%s: warning: ", PROGRAM_NAME);
			output_escaped(stderr, types[i].available_error);
			fputs(": shown as '?' (null with --json)\n", stderr);
		}
	columns_init(&l, NULL);
	columns_add(&l, type_columns, ARRAY_SIZE(type_columns));
	return section_write(ctx, &l, "types", types, n, sizeof(*types), w);
}

static const struct {
	const char *name;
	int (*fn)(struct ctx *ctx, struct jw *w);
} sections[] = {
	{ "ccw", section_ccw },
	{ "ap", section_ap },
	{ "mdev", section_mdev },
	{ "types", section_types },
};

static int list_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		    char **argv)
{
	struct jw doc = JW_INIT;
	int which = -1, r = VM_EXIT_OK;

	if (argc > 2)
		return cmd_usage_error(
			ctx, cmd,
			"list takes at most one of ccw, ap, mdev, types");
	if (argc == 2) {
		for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
			if (strcmp(argv[1], sections[i].name) == 0)
				which = (int)i;
		if (which < 0)
			return cmd_usage_error(
				ctx, cmd,
				"unknown section '%s' (expected ccw, ap, mdev or types)",
				argv[1]);
	}
	if (ctx->json)
		jw_begin_object(&doc);
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		if (which >= 0 && (size_t)which != i)
			continue;
		if (!ctx->json && which < 0)
			printf("%s%s:\n", i ? "\n" : "", sections[i].name);
		if (sections[i].fn(ctx, ctx->json ? &doc : NULL) < 0) {
			/* a host without an AP bus still lists its channel devices */
			if (which < 0 && ctx->err.exit == VM_EXIT_NOT_FOUND) {
				vm_error_clear(&ctx->err);
				continue;
			}
			r = (int)ctx->err.exit;
			break;
		}
	}
	if (ctx->json && r == VM_EXIT_OK) {
		jw_end_object(&doc);
		int e = jw_flush(&doc, stdout);

		if (e < 0) {
			output_json_error(&ctx->err, e);
			r = VM_EXIT_FAILED;
		}
	}
	jw_free(&doc);
	if (!ctx->json && r == VM_EXIT_OK && output_check_stdout(&ctx->err) < 0)
		r = VM_EXIT_FAILED;
	return r;
}

const struct cmd cmd_list = {
	.name = "list",
	.args = "[ccw|ap|mdev|types]",
	.help = "list subchannels, AP queues, mdevs and mdev types, with who uses what",
	.flags = CMD_NEEDS_ROOT,
	.run = list_run,
	.usage =
		"ccw    subchannels: ccw device, type, driver, online, mdev\n"
		"ap     AP queues: card type, owner by apmask/aqmask (host or vfio_ap), driver,\n"
		"       the mdev that holds it\n"
		"mdev   mdevs: parent, type, state (active from sysfs, defined and autostart from\n"
		"       mdevctl's definitions), APQNs, the libvirt domains whose XML uses it; a\n"
		"       malformed definition is skipped with a warning (and listed in \"skipped\"\n"
		"       with --json), the rest listed, exit 0\n"
		"types  mdev types of every parent, with available instances\n"
		"Without a section, all four. With --json, one document.\n",
};

/* ---- show ---- */

/* one row in the long form, or as one JSON document with the members more adds */
static int show_row(struct ctx *ctx, struct columns *l, const void *row,
		    const struct vm_error *unreachable)
{
	struct jw w = JW_INIT;
	int r = 0;

	if (!ctx->json) {
		columns_print_long(l, row, stdout);
		return output_check_stdout(&ctx->err);
	}
	jw_begin_object(&w);
	columns_json_members(l, row, &w);
	if (unreachable)
		libvirt_write(&w, unreachable);
	jw_end_object(&w);
	r = jw_flush(&w, stdout);
	if (r < 0)
		output_json_error(&ctx->err, r);
	jw_free(&w);
	return r;
}

static int show_mdev(struct ctx *ctx, const char *uuid, const char *parent)
{
	_cleanup_mdev_list_ struct mdev_list ml = { 0 };
	const struct mdev_info *m;
	struct vm_error unreachable;
	struct columns l;
	int r;

	if (mdev_list_read(ctx->sysfs, &ml, &ctx->err) < 0)
		return (int)ctx->err.exit;
	if (mdev_lookup(&ml, uuid, parent, "show", &m, &ctx->err) < 0)
		return (int)ctx->err.exit;
	if (!m) {
		vm_error_set(
			&ctx->err, VM_EXIT_NOT_FOUND, ENODEV,
			"no mdev '%s'%s%s on this host (searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev list mdev' shows them)",
			uuid, parent ? " on parent " : "",
			parent ? parent : "");
		return VM_EXIT_NOT_FOUND;
	}
	scan_domains(ctx, &ml, &unreachable);
	mdev_columns_init(&l);
	r = show_row(ctx, &l, m, &unreachable);
	columns_clear(&l);
	return r < 0 ? (int)ctx->err.exit : VM_EXIT_OK;
}

static int show_apqn(struct ctx *ctx, const struct apqn *q)
{
	_cleanup_ap_host_ struct ap_host h = { 0 };
	const struct ap_queue_info *found = NULL;
	char name[APQN_STRLEN];
	struct columns l;
	int r;

	apqn_format(q, name);
	if (ap_read_listing(ctx->sysfs, &h, &ctx->err) < 0)
		return (int)ctx->err.exit;
	for (size_t i = 0; i < h.nqueues && !found; i++)
		if (strcmp(h.queues[i].name, name) == 0)
			found = &h.queues[i];
	if (!found) {
		vm_error_set(
			&ctx->err, VM_EXIT_NOT_FOUND, ENODEV,
			"no AP queue %s on this host (searched the AP bus's devices; 'virt-mdev list ap' shows them)",
			name);
		return VM_EXIT_NOT_FOUND;
	}
	columns_init(&l, &h);
	columns_add(&l, queue_columns, ARRAY_SIZE(queue_columns));
	r = show_row(ctx, &l, found, NULL);
	columns_clear(&l);
	return r < 0 ? (int)ctx->err.exit : VM_EXIT_OK;
}

static int show_subchannel(struct ctx *ctx, const char *what)
{
	struct css_subchannel sch;
	struct columns l;
	int r;

	if (css_find(ctx->sysfs, what, &sch, &ctx->err) < 0) {
		if (ctx->err.exit == VM_EXIT_USAGE)
			snprintf(
				ctx->err.msg, sizeof(ctx->err.msg),
				"invalid ID '%s': not a busid (0.0.2b09), subchannel (0.0.0313), uuid or APQN (05.0004)",
				what);
		return (int)ctx->err.exit;
	}
	columns_init(&l, NULL);
	columns_add(&l, sch_columns, ARRAY_SIZE(sch_columns));
	r = show_row(ctx, &l, &sch, NULL);
	columns_clear(&l);
	return r < 0 ? (int)ctx->err.exit : VM_EXIT_OK;
}

static const struct cmd_opt show_opts[] = {
	{ OPT_PARENT,
	  "for an mdev uuid on several parents: the one on this parent" },
	{ OPT_NONE, NULL },
};

static int show_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		    char **argv)
{
	struct vm_error ignore = { 0 };
	struct cmd_args a;
	const char *id;
	struct apqn q;
	uuid_t u;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)))
		return r;
	if (a.argc != 1)
		return cmd_usage_error(
			ctx, cmd,
			"show takes one ID: a busid (0.0.2b09), a subchannel (0.0.0313), a uuid or an APQN (05.0004)");
	id = a.argv[0];
	if (ids_uuid_parse(id, u, NULL) == 0) {
		char canon[IDS_UUID_STRLEN];

		ids_uuid_format(u, canon);
		return show_mdev(ctx, canon, a.parent);
	}
	if (a.parent)
		return cmd_usage_error(
			ctx, cmd, "--parent is for an mdev uuid, not '%s'", id);
	/* two dotted parts is an APQN, three a ccw id */
	if (strchr(id, '.') && strchr(id, '.') == strrchr(id, '.') &&
	    apqn_parse(id, &q, &ignore) == 0)
		return show_apqn(ctx, &q);
	return show_subchannel(ctx, id);
}

const struct cmd cmd_show = {
	.name = "show",
	.args = "ID",
	.help = "show one busid, subchannel, mdev uuid or APQN in full",
	.flags = CMD_NEEDS_ROOT,
	.run = show_run,
	.opts = show_opts,
	.usage =
		"ID is a ccw busid (0.0.2b09), a subchannel (0.0.0313), an mdev uuid or an APQN\n"
		"(05.0004). An ID that is not on this host is exit 3. A uuid whose mdevctl\n"
		"definition is malformed, or that is on several parents without --parent, is\n"
		"exit 2 (as mdevctl refuses it).\n",
};
