/* validate --boot, plan --boot: the host after a reboot from its persistent configuration, against now. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "cleanup.h"
#include "kind.h"
#include "virt.h"

void boot_guests_scan(const char *uri, struct boot_guests *g)
{
	_cleanup_conn_ virConnectPtr conn = NULL;

	memset(g, 0, sizeof(*g));
	g->autostart = (struct strv)STRV_INIT;
	if (virt_open_readonly(uri, &conn, &g->users.unreachable) < 0)
		return; /* users.reachable false, and why */
	users_scan(uri, conn, &g->users);
	if (g->users.reachable &&
	    virt_domain_autostart_names(conn, &g->autostart) < 0) {
		g->users.reachable = false;
		vm_error_set(&g->users.unreachable, VM_EXIT_FAILED, EIO,
			     "cannot list libvirt's autostart domains: %s",
			     virt_last_error());
	}
}

void boot_guests_clear(struct boot_guests *g)
{
	users_clear(&g->users);
	strv_clear(&g->autostart);
}

/* the domains whose persistent definition references uuid: "a, b" in buf; how many */
static size_t config_users(const struct boot_guests *g, const char *uuid,
			   char *buf, size_t size)
{
	size_t n = 0, len = 0;

	buf[0] = '\0';
	if (!g || !g->users.reachable)
		return 0;
	for (size_t i = 0; i < g->users.n; i++) {
		const struct mdev_user *e = &g->users.v[i];

		if (!(e->where & VIRT_REF_CONFIG) || strcmp(e->uuid, uuid) != 0)
			continue;
		snprintf(buf + len, size - len, "%s%s", n ? ", " : "",
			 e->domain);
		len = strlen(buf);
		n++;
	}
	return n;
}

/* the arguments of create that name m's device: "ccw 0.0.2b09", "ap --adapters 5 --domains 4" */
static void create_args(const struct sysfs *s, const struct mdev_spec *m,
			char *buf, size_t size)
{
	char dev[64];

	if (m->kind->device_name &&
	    m->kind->device_name(s, m->parent, dev, sizeof(dev))) {
		snprintf(buf, size, "%s %s", m->kind->name, dev);
	} else if (m->kind->takes_ap_ids) {
		_cleanup_free_ char *a = ap_mask_format_list(&m->apm),
				    *d = ap_mask_format_list(&m->aqm),
				    *c = ap_mask_format_list(&m->adm);

		snprintf(buf, size, "%s --adapters %s --domains %s%s%s",
			 m->kind->name, a ? a : "", d ? d : "",
			 c && *c ? " --control-domains " : "", c ? c : "");
	} else {
		snprintf(buf, size, "%s", m->kind->name);
	}
}

struct boot_fate {
	bool starts; /* mdevctl starts it at boot (defined, start auto) */
	bool ready; /* and it can (boot_ready) */
	char why[VM_ERROR_MSG_MAX]; /* why not */
};

static void fate_of(const struct sysfs *s, const struct mdev_info *mi,
		    struct boot_fate *f)
{
	struct vm_error e = { 0 };
	struct mdev_spec m;

	memset(f, 0, sizeof(*f));
	f->starts = mi->kind && mi->defined && mi->autostart;
	if (!f->starts)
		return;
	mdev_spec_from_info(mi, &m);
	f->ready = mi->kind->boot_ready(s, &m, &e) == 0;
	if (!f->ready)
		snprintf(f->why, sizeof(f->why), "%s", e.msg);
}

static void one_mdev(const struct sysfs *s, const struct mdev_info *mi,
		     const struct boot_fate *f, const struct boot_guests *g,
		     struct problems *out)
{
	char doms[512], args[256], msg[2 * VM_ERROR_MSG_MAX], uses[700] = "";
	size_t nd = config_users(g, mi->uuid, doms, sizeof(doms));
	const char *reason;
	struct mdev_spec m;

	if (nd)
		snprintf(
			uses, sizeof(uses),
			"libvirt domain%s %s use%s it in %s persistent definition",
			nd > 1 ? "s" : "", doms, nd > 1 ? "" : "s",
			nd > 1 ? "their" : "its");
	if (f->starts && !f->ready) {
		snprintf(
			msg, sizeof(msg),
			"it will not start at boot, though its definition starts it then: %s%s%s",
			f->why, nd ? "; " : "", uses);
		problems_add(out, mi->uuid, NULL, false,
			     mi->active ? "active" : "defined",
			     "defined, not started", msg);
		return;
	}
	if (f->starts) {
		if (!mi->active)
			problems_add(
				out, mi->uuid, NULL, true, "defined", "active",
				"not active now; mdevctl starts it at boot (its definition's start is auto)");
		return;
	}
	if (!mi->active && !(mi->defined && nd))
		return; /* defined, manual, as now after a boot */
	mdev_spec_from_info(mi, &m);
	create_args(s, &m, args, sizeof(args));
	reason =
		mi->defined ?
			"its mdevctl definition's start is manual, so nothing starts it at boot" :
			"it is transient (no mdevctl definition), so it is gone after a boot";
	if (nd)
		snprintf(
			msg, sizeof(msg),
			"%s, but it will not be active after a boot: %s (define it to start at boot: 'virt-mdev create %s --uuid %s --autostart')",
			uses, reason, args, mi->uuid);
	else
		snprintf(
			msg, sizeof(msg),
			"active now, not after a boot: %s ('virt-mdev create %s --uuid %s --autostart' keeps it)",
			reason, args, mi->uuid);
	problems_add(out, mi->uuid, NULL, !nd,
		     mi->active ? "active" : "defined",
		     mi->defined ? "defined, not started" : "absent", msg);
}

/* an autostart domain whose persistent definition names an mdev that will not be active at boot */
static void autostart_domains(const struct mdev_list *l,
			      const struct boot_fate *fates,
			      const struct boot_guests *g, struct problems *out)
{
	for (size_t d = 0; d < g->autostart.n; d++) {
		const char *dom = g->autostart.v[d];
		char missing[1024] = "", object[300], msg[1400];
		size_t len = 0, n = 0;

		for (size_t i = 0; i < g->users.n; i++) {
			const struct mdev_user *e = &g->users.v[i];
			bool active = false, known = false;

			if (!(e->where & VIRT_REF_CONFIG) ||
			    strcmp(e->domain, dom) != 0)
				continue;
			for (size_t k = 0; k < l->n; k++)
				if (strcmp(l->v[k].uuid, e->uuid) == 0) {
					known = true;
					active |= fates[k].starts &&
						  fates[k].ready;
				}
			if (active)
				continue;
			snprintf(missing + len, sizeof(missing) - len, "%s%s%s",
				 n ? ", " : "", e->uuid,
				 known ? "" : " (not on this host)");
			len = strlen(missing);
			n++;
		}
		if (!n)
			continue;
		snprintf(object, sizeof(object), "domain %s", dom);
		snprintf(
			msg, sizeof(msg),
			"libvirt starts this guest at boot (autostart), and it will fail then: its persistent definition uses mdev%s %s, which will not be active after a boot (fix %s as said for %s, or 'virsh autostart --disable %s')",
			n > 1 ? "s" : "", missing, n > 1 ? "them" : "it",
			n > 1 ? "each" : "it", dom);
		problems_add(out, "", object, false, "", "fails to start", msg);
	}
}

static void boot_finding(void *opaque, const char *object, const char *now,
			 const char *after, const char *msg)
{
	problems_add(opaque, "", object, true, now, after, msg);
}

void boot_validate(const struct sysfs *s, const struct mdev_list *l,
		   const struct boot_guests *g, struct problems *out)
{
	_cleanup_free_ struct boot_fate *fates =
		calloc(l->n ? l->n : 1, sizeof(*fates));

	memset(out, 0, sizeof(*out));
	if (!fates) {
		out->oom = true;
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		out->checked++;
		fate_of(s, &l->v[i], &fates[i]);
		if (l->v[i].kind)
			one_mdev(s, &l->v[i], &fates[i], g, out);
	}
	for (size_t k = 0; mdev_kinds[k]; k++)
		mdev_kinds[k]->boot_host(s, boot_finding, out);
	if (g && g->users.reachable)
		autostart_domains(l, fates, g, out);
}

/* ---- plan --boot FILE ---- */

/* the mdev of l the file's device is: its uuid, else one on its parent with its configuration, else any on its parent */
static const struct mdev_info *state_mdev(const struct mdev_list *l,
					  const struct state_device *d,
					  const struct mdev_spec *m)
{
	const struct mdev_info *any = NULL;

	for (size_t i = 0; i < l->n; i++) {
		const struct mdev_info *mi = &l->v[i];
		struct mdev_spec have;

		if (d->uuid_given) {
			if (strcmp(mi->uuid, d->uuid) == 0)
				return mi;
			continue;
		}
		if (mi->kind != m->kind || strcmp(mi->parent, m->parent) != 0)
			continue;
		mdev_spec_from_info(mi, &have);
		if (m->kind->same_config(&have, m))
			return mi;
		if (!any && !m->kind->takes_ap_ids)
			any = mi;
	}
	return any;
}

static void gap(const struct state *st, const struct state_pos *pos,
		const char *what, const char *msg, struct problems *out)
{
	char object[600], full[2 * VM_ERROR_MSG_MAX];

	snprintf(object, sizeof(object), "%s:%u:%u", st->file, pos->line,
		 pos->column);
	snprintf(full, sizeof(full), "%s: %s", what, msg);
	problems_add(out, "", object, false, "", "", full);
}

static int state_device(const struct sysfs *s, const struct mdev_list *l,
			const struct boot_guests *g, const struct state *st,
			const char *guest, const struct state_device *d,
			struct problems *out, struct vm_error *err)
{
	struct mdev_spec m = { 0 };
	struct vm_error e = { 0 };
	const struct mdev_info *mi;
	char what[400], doms[512], msg[VM_ERROR_MSG_MAX + 200];

	if (!d->persistent)
		return 0;
	m.kind = d->kind;
	if (d->kind->target(s, "plan --boot", &d->target, &m, err) < 0)
		return vm_error_errno(err);
	snprintf(what, sizeof(what), "%s%s%s %s%s", guest ? "guest " : "",
		 guest ? guest : "", guest ? "'s" : "", d->kind->model,
		 d->device ? "" : " device");
	if (d->device)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 " %s", d->device);
	out->checked++;
	mi = state_mdev(l, d, &m);
	if (!mi || !mi->defined || !mi->autostart) {
		snprintf(
			msg, sizeof(msg),
			"no mdev of it starts at boot (%s), so it is not kept across a reboot ('virt-mdev apply %s' defines it to start at boot)",
			!mi	     ? "there is none" :
			!mi->defined ? "it is transient, not defined" :
				       "its definition's start is manual",
			st->file);
		gap(st, &d->pos, what, msg, out);
	}
	if (mi)
		memcpy(m.uuid, mi->uuid, sizeof(m.uuid));
	if (mi && mi->defined && mi->autostart)
		mdev_spec_from_info(mi, &m);
	if (m.kind->boot_ready(s, &m, &e) < 0)
		gap(st, &d->pos, what, e.msg, out);
	if (guest && g->users.reachable &&
	    (!mi || !config_users(g, mi->uuid, doms, sizeof(doms)) ||
	     !strstr(doms, guest))) {
		snprintf(
			msg, sizeof(msg),
			"the persistent definition of libvirt domain %s does not use %s, so the guest does not have it after a reboot ('virt-mdev apply %s' adds it)",
			guest, mi ? mi->uuid : "an mdev of it", st->file);
		gap(st, &d->pos, what, msg, out);
	}
	return 0;
}

int boot_check_state(const struct sysfs *s, const struct mdev_list *l,
		     const struct boot_guests *g, const struct state *st,
		     struct problems *out, struct vm_error *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < st->nguests; i++)
		for (size_t j = 0; j < st->guests[i].ndevices; j++)
			if (state_device(s, l, g, st, st->guests[i].name,
					 &st->guests[i].devices[j], out,
					 err) < 0)
				return vm_error_errno(err);
	for (size_t i = 0; i < st->nmdevs; i++)
		if (state_device(s, l, g, st, NULL, &st->mdevs[i], out, err) <
		    0)
			return vm_error_errno(err);
	for (size_t i = 0; i < st->nreserve; i++) {
		const struct state_reserve *r = &st->reserve[i];
		struct vm_error e = { 0 };
		struct mdev_spec m = { 0 };

		if (!r->persistent)
			continue;
		for (size_t k = 0; mdev_kinds[k] && !m.kind; k++)
			if (mdev_kinds[k]->reservable)
				m.kind = mdev_kinds[k];
		if (!m.kind)
			continue;
		m.apm = r->adapters;
		m.aqm = r->domains;
		out->checked++;
		if (m.kind->boot_ready(s, &m, &e) < 0)
			gap(st, &r->pos, "ap-reserve", e.msg, out);
	}
	return 0;
}
