/* virt-mdev list [ccw|ap|mdev|types] and show ID: the host's inventory, as tables or JSON. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/ap.h"
#include "lib/cleanup.h"
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

	users_scan(ctx->uri, ctx->conn, &u);
	*unreachable = u.unreachable;
	if (u.reachable) {
		(void)users_fill(&u, l);
		return;
	}
	if (ctx->verbosity >= 0)
		fprintf(stderr,
			"%s: note: %s; listing from sysfs and mdevctl's definitions only, without the domains that use each mdev\n",
			PROGRAM_NAME, unreachable->msg);
}

/* ---- JSON, written as it goes (a listing has thousands of objects) ---- */

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

static void sch_write(struct jw *w, const struct css_subchannel *s)
{
	jw_begin_object(w);
	jw_key(w, "subchannel");
	jw_string(w, s->name);
	jw_key(w, "device");
	jw_string(w, s->has_device ? s->busid_name : NULL);
	jw_key(w, "type");
	jw_string(w, css_type_name(s->type));
	jw_key(w, "driver");
	jw_string_or_null(w, s->driver);
	jw_key(w, "driver_override");
	jw_string_or_null(w, s->driver_override);
	jw_key(w, "online");
	if (s->device_present)
		jw_bool(w, s->online);
	else
		jw_null(w);
	jw_key(w, "cutype");
	jw_string_or_null(w, s->cutype);
	jw_key(w, "devtype");
	jw_string_or_null(w, s->devtype);
	jw_key(w, "device_driver");
	jw_string_or_null(w, s->device_driver);
	jw_key(w, "qdio");
	jw_bool(w, css_is_qdio(s));
	jw_key(w, "mdev");
	jw_string_or_null(w, s->mdev);
	jw_end_object(w);
}

/* the members of an mdev's object; the caller opens and closes it */
static void mdev_members(struct jw *w, const struct mdev_info *m)
{
	jw_key(w, "uuid");
	jw_string(w, m->uuid);
	jw_key(w, "parent");
	jw_string(w, m->parent);
	jw_key(w, "type");
	jw_string_or_null(w, m->type);
	jw_key(w, "active");
	jw_bool(w, m->active);
	jw_key(w, "defined");
	jw_bool(w, m->defined);
	jw_key(w, "autostart");
	jw_bool(w, m->autostart);
	if (m->kind)
		m->kind->list_json(w, m);
	jw_key(w, "domains");
	jw_begin_array(w);
	for (size_t i = 0; i < m->domains.n; i++)
		jw_string(w, m->domains.v[i]);
	jw_end_array(w);
}

/* ---- sections ---- */

static const char *state_of(const struct mdev_info *m)
{
	return m->active && m->defined ? "active,defined" :
	       m->active	       ? "active" :
					 "defined";
}

static void apqns_text(const struct mdev_info *m, char *buf, size_t size)
{
	if (m->kind)
		m->kind->apqns_text(m, buf, size);
	else
		snprintf(buf, size, "-");
}

static int section_ccw(struct ctx *ctx, struct jw *w)
{
	struct css_subchannel *schs = NULL;
	size_t n = 0;

	if (css_list(ctx->sysfs, &schs, &n, &ctx->err) < 0)
		return -1;
	if (w) {
		jw_key(w, "subchannels");
		jw_begin_array(w);
		for (size_t i = 0; i < n; i++)
			sch_write(w, &schs[i]);
		jw_end_array(w);
	} else {
		printf("%-10s %-9s %-5s %-14s %-6s %-8s %-8s %s\n",
		       "SUBCHANNEL", "DEVICE", "TYPE", "DRIVER", "ONLINE",
		       "CUTYPE", "DEVTYPE", "MDEV");
		for (size_t i = 0; i < n; i++) {
			const struct css_subchannel *s = &schs[i];

			printf("%-10s %-9s %-5s %-14s %-6s %-8s %-8s %s\n",
			       s->name, s->has_device ? s->busid_name : "-",
			       css_type_name(s->type),
			       s->driver[0] ? s->driver : "-",
			       s->device_present ? (s->online ? "yes" : "no") :
						   "-",
			       s->cutype[0] ? s->cutype : "-",
			       s->devtype[0] ? s->devtype : "-",
			       s->mdev[0] ? s->mdev : "-");
		}
	}
	free(schs);
	return 0;
}

static void queue_row(const struct ctx *ctx, const struct ap_host *h,
		      const struct ap_queue_info *q, struct jw *w)
{
	_cleanup_free_ char *type = NULL;
	const struct ap_mdev_info *owner = ap_owner(h, &q->apqn);
	bool host = ap_reserved(&h->apmask, &h->aqmask, &q->apqn);
	char card[8];

	snprintf(card, sizeof(card), "card%02x", q->apqn.apid);
	sysfs_read_string(ctx->sysfs, &type, "bus/ap/devices/%s/type", card);
	if (w) {
		jw_begin_object(w);
		jw_key(w, "apqn");
		jw_string(w, q->name);
		jw_key(w, "card_type");
		jw_string_or_null(w, type);
		jw_key(w, "owner");
		jw_string(w, host ? "host" : "vfio_ap");
		jw_key(w, "driver");
		jw_string_or_null(w, q->driver);
		jw_key(w, "mdev");
		jw_string(w, owner ? owner->uuid : NULL);
		jw_end_object(w);
		return;
	}
	printf("%-8s %-6s %-8s %-10s %s\n", q->name, type ? type : "-",
	       host ? "host" : "vfio_ap", q->driver[0] ? q->driver : "-",
	       owner ? owner->uuid : "-");
}

static int section_ap(struct ctx *ctx, struct jw *w)
{
	struct ap_host h;

	if (ap_read_host(ctx->sysfs, &h, &ctx->err) < 0)
		return -1;
	if (w) {
		char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN];

		ap_mask_format(&h.apmask, am);
		ap_mask_format(&h.aqmask, qm);
		jw_key(w, "apmask");
		jw_string(w, am);
		jw_key(w, "aqmask");
		jw_string(w, qm);
		jw_key(w, "queues");
		jw_begin_array(w);
	} else {
		printf("%-8s %-6s %-8s %-10s %s\n", "APQN", "TYPE", "OWNER",
		       "DRIVER", "MDEV");
	}
	for (size_t i = 0; i < h.nqueues; i++)
		queue_row(ctx, &h, &h.queues[i], w);
	if (w)
		jw_end_array(w);
	ap_host_clear(&h);
	return 0;
}

static int section_mdev(struct ctx *ctx, struct jw *w)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	struct mdev_info *mdevs;
	struct vm_error unreachable;
	size_t n;

	if (mdev_list_read(ctx->sysfs, &l, &ctx->err) < 0)
		return -1;
	scan_domains(ctx, &l, &unreachable);
	mdevs = l.v;
	n = l.n;
	if (w) {
		jw_key(w, "mdevs");
		jw_begin_array(w);
		for (size_t i = 0; i < n; i++) {
			jw_begin_object(w);
			mdev_members(w, &mdevs[i]);
			jw_end_object(w);
		}
		jw_end_array(w);
		libvirt_write(w, &unreachable);
	} else {
		printf("%-36s %-9s %-20s %-14s %-9s %-16s %s\n", "UUID",
		       "PARENT", "TYPE", "STATE", "AUTOSTART", "APQNS",
		       "DOMAINS");
		for (size_t i = 0; i < n; i++) {
			const struct mdev_info *m = &mdevs[i];
			char apqns[4096], doms[1024] = "";

			apqns_text(m, apqns, sizeof(apqns));
			for (size_t j = 0; j < m->domains.n; j++)
				snprintf(doms + strlen(doms),
					 sizeof(doms) - strlen(doms), "%s%s",
					 j ? "," : "", m->domains.v[j]);
			printf("%-36s %-9s %-20s %-14s %-9s %-16s %s\n",
			       m->uuid, m->parent, m->type[0] ? m->type : "-",
			       state_of(m), m->autostart ? "yes" : "no", apqns,
			       doms[0] ? doms : "-");
		}
	}
	return 0;
}

static int section_types(struct ctx *ctx, struct jw *w)
{
	struct mdev_type_info *types = NULL;
	size_t n = 0;

	if (mdev_types_list(ctx->sysfs, &types, &n, &ctx->err) < 0)
		return -1;
	if (w) {
		jw_key(w, "types");
		jw_begin_array(w);
		for (size_t i = 0; i < n; i++) {
			jw_begin_object(w);
			jw_key(w, "parent");
			jw_string(w, types[i].parent);
			jw_key(w, "type");
			jw_string(w, types[i].type);
			jw_key(w, "available_instances");
			jw_int(w, (int64_t)types[i].available);
			jw_key(w, "device_api");
			jw_string_or_null(w, types[i].device_api);
			jw_key(w, "name");
			jw_string_or_null(w, types[i].name);
			jw_end_object(w);
		}
		jw_end_array(w);
	} else {
		printf("%-9s %-20s %-9s %-10s %s\n", "PARENT", "TYPE",
		       "AVAILABLE", "DEVICE_API", "NAME");
		for (size_t i = 0; i < n; i++)
			printf("%-9s %-20s %-9lu %-10s %s\n", types[i].parent,
			       types[i].type, types[i].available,
			       types[i].device_api, types[i].name);
	}
	free(types);
	return 0;
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
		if (jw_flush(&doc, stdout) < 0) {
			vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
				     "cannot write the listing: %s",
				     strerror(ENOMEM));
			r = VM_EXIT_FAILED;
		}
	}
	jw_free(&doc);
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
		"       mdevctl's definitions), APQNs, the libvirt domains whose XML uses it\n"
		"types  mdev types of every parent, with available instances\n"
		"Without a section, all four. With --json, one document.\n",
};

/* ---- show ---- */

static int show_mdev(struct ctx *ctx, const char *uuid)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	struct mdev_info *mdevs;
	struct vm_error unreachable;
	size_t n;
	int r = VM_EXIT_NOT_FOUND;

	if (mdev_list_read(ctx->sysfs, &l, &ctx->err) < 0)
		return (int)ctx->err.exit;
	scan_domains(ctx, &l, &unreachable);
	mdevs = l.v;
	n = l.n;
	for (size_t i = 0; i < n; i++) {
		const struct mdev_info *m = &mdevs[i];

		if (strcmp(m->uuid, uuid) != 0)
			continue;
		if (ctx->json) {
			struct jw w = JW_INIT;

			jw_begin_object(&w);
			mdev_members(&w, m);
			libvirt_write(&w, &unreachable);
			jw_end_object(&w);
			jw_flush(&w, stdout);
			jw_free(&w);
		} else {
			printf("uuid: %s\nparent: %s\ntype: %s\nstate: %s\nautostart: %s\n",
			       m->uuid, m->parent, m->type, state_of(m),
			       m->autostart ? "yes" : "no");
			if (m->kind)
				m->kind->show_text(stdout, m);
			printf("domains:");
			for (size_t j = 0; j < m->domains.n; j++)
				printf(" %s", m->domains.v[j]);
			printf("%s\n", m->domains.n ? "" : " -");
		}
		r = VM_EXIT_OK;
		break;
	}
	if (r != VM_EXIT_OK)
		vm_error_set(
			&ctx->err, VM_EXIT_NOT_FOUND, ENODEV,
			"no mdev '%s' on this host (searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev list mdev' shows them)",
			uuid);
	return r;
}

static int show_apqn(struct ctx *ctx, const struct apqn *q)
{
	struct ap_host h;
	char name[APQN_STRLEN];
	int r = VM_EXIT_NOT_FOUND;

	apqn_format(q, name);
	if (ap_read_host(ctx->sysfs, &h, &ctx->err) < 0)
		return (int)ctx->err.exit;
	for (size_t i = 0; i < h.nqueues; i++) {
		if (strcmp(h.queues[i].name, name) != 0)
			continue;
		if (ctx->json) {
			struct jw w = JW_INIT;

			queue_row(ctx, &h, &h.queues[i], &w);
			jw_flush(&w, stdout);
			jw_free(&w);
		} else {
			const struct ap_mdev_info *owner =
				ap_owner(&h, &h.queues[i].apqn);

			printf("apqn: %s\nowner: %s\ndriver: %s\nmdev: %s\n",
			       name,
			       ap_reserved(&h.apmask, &h.aqmask, q) ?
				       "host (reserved by apmask and aqmask)" :
				       "vfio_ap (freed by apmask or aqmask)",
			       h.queues[i].driver[0] ? h.queues[i].driver : "-",
			       owner ? owner->uuid : "-");
		}
		r = VM_EXIT_OK;
	}
	ap_host_clear(&h);
	if (r != VM_EXIT_OK)
		vm_error_set(
			&ctx->err, VM_EXIT_NOT_FOUND, ENODEV,
			"no AP queue %s on this host (searched the AP bus's devices; 'virt-mdev list ap' shows them)",
			name);
	return r;
}

static int show_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		    char **argv)
{
	struct css_subchannel sch;
	struct vm_error ignore = { 0 };
	struct apqn q;
	uuid_t u;

	if (argc != 2)
		return cmd_usage_error(
			ctx, cmd,
			"show takes one ID: a busid (0.0.2b09), a subchannel (0.0.0313), a uuid or an APQN (05.0004)");
	if (ids_uuid_parse(argv[1], u, NULL) == 0) {
		char canon[IDS_UUID_STRLEN];

		ids_uuid_format(u, canon);
		return show_mdev(ctx, canon);
	}
	/* two dotted parts is an APQN, three a ccw id */
	if (strchr(argv[1], '.') &&
	    strchr(argv[1], '.') == strrchr(argv[1], '.') &&
	    apqn_parse(argv[1], &q, &ignore) == 0)
		return show_apqn(ctx, &q);
	if (css_find(ctx->sysfs, argv[1], &sch, &ctx->err) < 0) {
		if (ctx->err.exit == VM_EXIT_USAGE)
			snprintf(
				ctx->err.msg, sizeof(ctx->err.msg),
				"invalid ID '%s': not a busid (0.0.2b09), subchannel (0.0.0313), uuid or APQN (05.0004)",
				argv[1]);
		return (int)ctx->err.exit;
	}
	if (ctx->json) {
		struct jw w = JW_INIT;

		sch_write(&w, &sch);
		jw_flush(&w, stdout);
		jw_free(&w);
	} else {
		printf("subchannel: %s\ndevice: %s\ntype: %s\ndriver: %s\ndriver_override: %s\n",
		       sch.name, sch.has_device ? sch.busid_name : "-",
		       css_type_name(sch.type),
		       sch.driver[0] ? sch.driver : "-",
		       sch.driver_override[0] ? sch.driver_override : "-");
		printf("online: %s\ncutype: %s\ndevtype: %s\nqdio: %s\nmdev: %s\n",
		       sch.device_present ? (sch.online ? "yes" : "no") : "-",
		       sch.cutype[0] ? sch.cutype : "-",
		       sch.devtype[0] ? sch.devtype : "-",
		       css_is_qdio(&sch) ? "yes" : "no",
		       sch.mdev[0] ? sch.mdev : "-");
	}
	return VM_EXIT_OK;
}

const struct cmd cmd_show = {
	.name = "show",
	.args = "ID",
	.help = "show one busid, subchannel, mdev uuid or APQN in full",
	.flags = CMD_NEEDS_ROOT,
	.run = show_run,
	.usage =
		"ID is a ccw busid (0.0.2b09), a subchannel (0.0.0313), an mdev uuid or an APQN\n"
		"(05.0004). An ID that is not on this host is exit 3.\n",
};
