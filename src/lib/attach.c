/* Attaching an mdev to a libvirt domain, and detaching it, as plan steps with the checks first. */
#include "config.h"

#include <string.h>
#include <libvirt/virterror.h>

#include "attach.h"
#include "cleanup.h"
#include "journal.h"

/* the definitions the change touches: live and/or config, resolved from the current state */
static int resolve(const struct attach_target *t, bool *live, bool *config,
		   struct vm_error *err)
{
	int active = virt_domain_is_active(t->dom);

	if (active < 0)
		return vm_error_set(err, VM_EXIT_FAILED, EIO,
				    "cannot read the state of domain '%s': %s",
				    t->name, virt_last_error());
	*live = t->live || (!t->live && !t->config && active == 1);
	*config = t->config || (!t->live && !t->config && active != 1);
	if (*live && active != 1)
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot change the running domain '%s': it is not running (use --config for its persistent definition)",
			t->name);
	if (*config && virt_domain_is_persistent(t->dom) != 1)
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot change the persistent definition of domain '%s': it is transient (use --live)",
			t->name);
	return 0;
}

static unsigned flags_of(bool live, bool config)
{
	return (live ? VIR_DOMAIN_AFFECT_LIVE : 0) |
	       (config ? VIR_DOMAIN_AFFECT_CONFIG : 0);
}

/* the domain's XML of one kind, scanned */
static int scan(const struct attach_target *t, bool inactive,
		struct domain_scan *out, struct vm_error *err)
{
	_cleanup_free_ char *xml = virt_domain_xml(t->dom, inactive);

	if (!xml)
		return vm_error_set(err, VM_EXIT_FAILED, EIO,
				    "cannot read the XML of domain '%s': %s",
				    t->name, virt_last_error());
	return xml_domain_scan(xml, out, err);
}

static const struct domain_hostdev *find(const struct domain_scan *d,
					 const char *uuid)
{
	for (size_t i = 0; i < d->nhostdevs; i++)
		if (strcmp(d->hostdevs[i].uuid, uuid) == 0)
			return &d->hostdevs[i];
	return NULL;
}

static bool devno_equal(const struct guest_devno *a,
			const struct guest_devno *b)
{
	return a->cssid == b->cssid && a->ssid == b->ssid &&
	       a->devno == b->devno;
}

/* ---- the steps ---- */

struct dom_call {
	virConnectPtr conn;
	virDomainPtr dom;
	char uuid[IDS_UUID_STRLEN]; /* the mdev's */
	char *xml; /* the hostdev */
	unsigned flags;
	bool fallback; /* the define path was taken */
	char driver_error[256]; /* then: why the driver's call failed */
	char note[512];
	bool attach; /* an attach (else a detach): its kind in a journal */
	bool own_dom; /* loaded from a journal: dom is this call's */
};

static void dom_call_free(void *data)
{
	struct dom_call *c = data;

	if (c->own_dom)
		virt_domain_free(c->dom);
	free(c->xml);
	free(c);
}

/*
 * The define fallback, for drivers that cannot attach a device to, or detach
 * it from, a persistent definition (libvirt's test driver): edit the
 * persistent definition and define it again. Only for the persistent
 * definition.
 */
static int redefine(struct dom_call *c, bool add, char **why)
{
	/* with its secrets (a VNC password): the define would drop what the XML leaves out */
	_cleanup_free_ char *xml = virt_domain_xml_to_define(c->dom),
			    *edited = NULL, *now = NULL;
	struct vm_error err = { 0 };
	struct domain_scan have;
	bool there;

	if (!xml)
		return virt_failed(c->conn, "dumpxml --inactive", why);
	if ((add ? xml_domain_add_device(xml, c->xml, &edited, &err) :
		   xml_domain_remove_hostdev(xml, c->uuid, &edited, &err)) <
	    0) {
		if (asprintf(why, "%s",
			     err.msg[0] ? err.msg :
					  "cannot edit the domain XML") < 0)
			*why = NULL;
		return -EIO;
	}
	if (virt_domain_define(c->conn, edited) < 0)
		return virt_failed(c->conn, "define", why);
	/* read back: the definition holds the device, or no longer does */
	now = virt_domain_xml(c->dom, true);
	if (!now || xml_domain_scan(now, &have, &err) < 0)
		there = !add;
	else {
		there = find(&have, c->uuid) != NULL;
		domain_scan_clear(&have);
	}
	if (there != add) {
		if (asprintf(
			    why,
			    "the domain was defined again, but its definition %s the device",
			    add ? "does not hold" : "still holds") < 0)
			*why = NULL;
		return -EIO;
	}
	return 0;
}

/*
 * A change of the persistent definition alone that the driver cannot make, by
 * what each supported libvirt answers (codes only: the messages change between
 * versions and are translated):
 *  - no such call (virt_error_is_unsupported): libvirt 9's test driver for
 *    attach and detach, 11's for detach;
 *  - VIR_ERR_INVALID_ARG, the flags refused: libvirt 11's test driver attaches
 *    only to a running domain ("unsupported flags (0x2) in function
 *    testDomainAttachDeviceLiveAndConfig");
 *  - VIR_ERR_CONFIG_UNSUPPORTED: "persistent attach of device ... is not
 *    supported" (the QEMU and test drivers, for device types they cannot add
 *    to a definition).
 * The fallback's define validates the edited definition again: a change that
 * is wrong fails there too, and its read-back proves one that is done.
 */
static bool unsupported_for_config(const struct dom_call *c)
{
	int code = virt_last_error_code();

	return c->flags == VIR_DOMAIN_AFFECT_CONFIG &&
	       (virt_error_is_unsupported(code) ||
		code == VIR_ERR_INVALID_ARG ||
		code == VIR_ERR_CONFIG_UNSUPPORTED);
}

/* the fallback failed too: both reasons, the driver's first */
static int fallback_failed(const struct dom_call *c, const char *call,
			   char **why)
{
	char *fb = *why;

	if (asprintf(why, "%s: %s (then dumpxml, edit, define: %s)", call,
		     c->driver_error, fb ? fb : "failed") < 0)
		*why = NULL;
	free(fb);
	return -EIO;
}

static int do_attach(void *data, char **why)
{
	struct dom_call *c = data;

	if (virt_domain_attach(c->dom, c->xml, c->flags) == 0)
		return 0;
	if (!unsupported_for_config(c))
		return virt_failed(c->conn, "attach-device", why);
	c->fallback = true;
	snprintf(c->driver_error, sizeof(c->driver_error), "%s",
		 virt_last_error());
	snprintf(
		c->note, sizeof(c->note),
		"this libvirt driver cannot attach devices (%s); the device was added to the persistent definition instead (dumpxml, edit, define)",
		c->driver_error);
	return redefine(c, true, why) == 0 ?
		       0 :
		       fallback_failed(c, "attach-device", why);
}

static int do_detach(void *data, char **why)
{
	struct dom_call *c = data;

	if (virt_domain_detach(c->dom, c->xml, c->flags) == 0)
		return 0;
	if (!unsupported_for_config(c))
		return virt_failed(c->conn, "detach-device", why);
	c->fallback = true;
	snprintf(c->driver_error, sizeof(c->driver_error), "%s",
		 virt_last_error());
	snprintf(
		c->note, sizeof(c->note),
		"this libvirt driver cannot detach devices (%s); the device was removed from the persistent definition instead (dumpxml, edit, define)",
		c->driver_error);
	return redefine(c, false, why) == 0 ?
		       0 :
		       fallback_failed(c, "detach-device", why);
}

/* the undo takes the way the change took */
static int undo_attach(void *data, char **why)
{
	struct dom_call *c = data;

	if (c->fallback)
		return redefine(c, false, why);
	return virt_domain_detach(c->dom, c->xml, c->flags) == 0 ?
		       0 :
		       virt_failed(c->conn, "detach-device", why);
}

static int undo_detach(void *data, char **why)
{
	struct dom_call *c = data;

	if (c->fallback)
		return redefine(c, true, why);
	return virt_domain_attach(c->dom, c->xml, c->flags) == 0 ?
		       0 :
		       virt_failed(c->conn, "attach-device", why);
}

static const char *dom_note(void *data)
{
	struct dom_call *c = data;

	return c->note[0] ? c->note : NULL;
}

/* ---- in a journal: {"call": "domain", "op": "attach"|"detach", ...}, loaded by recover with a connection of its own ---- */

static struct json_object *dom_save(void *data)
{
	struct dom_call *c = data;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "call", json_object_new_string("domain"));
	json_object_object_add(o, "op",
			       json_object_new_string(c->attach ? "attach" :
								  "detach"));
	json_object_object_add(
		o, "domain", json_object_new_string(virt_domain_name(c->dom)));
	json_object_object_add(o, "mdev", json_object_new_string(c->uuid));
	json_object_object_add(o, "xml", json_object_new_string(c->xml));
	json_object_object_add(o, "flags", json_object_new_int64(c->flags));
	json_object_object_add(o, "fallback",
			       json_object_new_boolean(c->fallback));
	return o;
}

/* whether the domain's XML the call changed (live, else persistent) holds the mdev: 1, 0, or -1 */
static int dom_holds(const struct dom_call *c)
{
	bool inactive = !(c->flags & VIR_DOMAIN_AFFECT_LIVE);
	_cleanup_free_ char *xml = virt_domain_xml(c->dom, inactive);
	struct vm_error err = { 0 };
	struct domain_scan d;
	int r;

	if (!xml || xml_domain_scan(xml, &d, &err) < 0)
		return -1;
	r = find(&d, c->uuid) != NULL;
	domain_scan_clear(&d);
	return r;
}

/* compare before undo: the attached device is still in the domain, the detached one still not */
static int dom_still(struct dom_call *c, bool there, char **why)
{
	int r = dom_holds(c);

	if (r < 0)
		return -ENODATA;
	if (r == there)
		return 0;
	if (asprintf(why, "domain %s %s mdev %s", virt_domain_name(c->dom),
		     there ? "no longer holds" : "holds", c->uuid) < 0)
		*why = NULL;
	return -ESTALE;
}

static int dom_still_there(void *data, char **why)
{
	return dom_still(data, true, why);
}

static int dom_still_gone(void *data, char **why)
{
	return dom_still(data, false, why);
}

static const char *member(struct json_object *j, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(j, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int dom_load(struct json_object *j, struct call_env *env,
		    struct step_call *out, char **why)
{
	const char *op = member(j, "op"), *name = member(j, "domain"),
		   *uuid = member(j, "mdev"), *xml = member(j, "xml");
	struct json_object *v;
	struct dom_call *c;

	if (!op || !name || !uuid || !xml || strlen(uuid) >= IDS_UUID_STRLEN ||
	    (strcmp(op, "attach") != 0 && strcmp(op, "detach") != 0))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->attach = strcmp(op, "attach") == 0;
	c->conn = call_env_conn(env, why);
	c->dom = c->conn ? virt_domain_lookup(c->conn, name) : NULL;
	c->own_dom = true;
	c->xml = strdup(xml);
	snprintf(c->uuid, sizeof(c->uuid), "%s", uuid);
	c->flags = json_object_object_get_ex(j, "flags", &v) ?
			   (unsigned)json_object_get_int64(v) :
			   VIR_DOMAIN_AFFECT_CONFIG;
	c->fallback = json_object_object_get_ex(j, "fallback", &v) &&
		      json_object_get_boolean(v);
	if (!c->dom || !c->xml) {
		if (c->conn && !c->dom &&
		    asprintf(why, "no domain '%s' at the journal's URI", name) <
			    0)
			*why = NULL;
		dom_call_free(c);
		return -EIO;
	}
	memset(out, 0, sizeof(*out));
	out->run = c->attach ? do_attach : do_detach;
	out->undo = c->attach ? undo_attach : undo_detach;
	out->free_data = dom_call_free;
	out->data = c;
	out->note = dom_note;
	out->save = dom_save;
	out->still = c->attach ? dom_still_there : dom_still_gone;
	return 0;
}

const struct call_kind call_kind_domain = { "domain", dom_load };

static int add_step(const struct attach_target *t, struct plan *p,
		    const char *desc, const char *uuid, const char *xml,
		    bool live, bool config, bool attach, struct vm_error *err)
{
	struct dom_call *c = calloc(1, sizeof(*c));
	_cleanup_free_ char *cmd = NULL, *undo = NULL, *virsh = NULL,
			    *qname = NULL, *quri = NULL, *head = NULL,
			    *uhead = NULL;
	const char *where = live && config ? " --live --config" :
			    live	   ? " --live" :
					     " --config";
	struct step_call call = { attach ? do_attach : do_detach,
				  attach ? undo_attach : undo_detach,
				  dom_call_free,
				  c,
				  dom_note,
				  dom_save,
				  attach ? dom_still_there : dom_still_gone };

	if (!c)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	c->attach = attach;
	c->conn = t->conn;
	c->dom = t->dom;
	snprintf(c->uuid, sizeof(c->uuid), "%s", uuid);
	c->flags = flags_of(live, config);
	c->xml = strdup(xml);
	/*
	 * pasteable: the URI and the domain name quoted for sh (libvirt's
	 * names may hold $(...), `, ;, quotes, a leading '-': virsh 9.0's
	 * test driver defines them all, refusing only '/' and control
	 * characters), the name given as --domain (virsh takes the next word
	 * as its value, also one that reads like an option: libvirt's
	 * tools/vsh.c vshCommandParse, a non-bool option's data is the next
	 * argv word; positionally 'attach-device --config FILE' is refused,
	 * "requires <file> option"), the XML in a here-document whose
	 * delimiter is no line of it
	 */
	qname = plan_shell_quote(t->name);
	quri = t->uri ? plan_shell_quote(t->uri) : NULL;
	if (!qname || (t->uri && !quri) ||
	    asprintf(&virsh, "virsh%s%s", quri ? " -c " : "",
		     quri ? quri : "") < 0)
		virsh = NULL;
	if (virsh &&
	    (asprintf(&head, "%s %s --domain %s --file /dev/stdin%s", virsh,
		      attach ? "attach-device" : "detach-device", qname,
		      where) < 0 ||
	     asprintf(&uhead, "%s %s --domain %s --file /dev/stdin%s", virsh,
		      attach ? "detach-device" : "attach-device", qname,
		      where) < 0))
		head = uhead = NULL;
	if (head && uhead) {
		cmd = plan_shell_heredoc(head, xml);
		undo = plan_shell_heredoc(uhead, xml);
	}
	if (!c->xml || !cmd || !undo) {
		dom_call_free(c);
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	return plan_add_call(p, desc, cmd, undo, &call) ?
		       0 :
		       vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
}

int attach_step_plan(const struct attach_target *t, struct plan *p,
		     const char *desc, const char *uuid, const char *xml,
		     bool live, bool config, bool attach, struct vm_error *err)
{
	return add_step(t, p, desc, uuid, xml, live, config, attach, err);
}

/* ---- attach ---- */

/* libvirt accepts a second vfio-ap device on attach and refuses the next define */
static int one_per_domain(const struct attach_target *t,
			  const struct attach_req *r,
			  const struct domain_scan *lsp,
			  const struct domain_scan *csp, struct vm_error *err)
{
	for (int k = 0; k < 2; k++) {
		const struct domain_scan *d = k ? csp : lsp;

		for (size_t i = 0; d && i < d->nhostdevs; i++) {
			const struct domain_hostdev *h = &d->hostdevs[i];

			if (h->kind != r->kind || strcmp(h->uuid, r->uuid) == 0)
				continue;
			return vm_error_set(
				err, VM_EXIT_REFUSED, EBUSY,
				"cannot attach %s mdev %s to domain '%s': it has %s mdev %s already, and a guest takes one %s device (put the APQNs into that mdev, or detach it: 'virt-mdev detach %s %s')",
				r->kind->model, r->uuid, t->name,
				r->kind->model, h->uuid, r->kind->model,
				t->name, h->uuid);
		}
	}
	return 0;
}

static bool devno_free(const struct domain_scan *live,
		       const struct domain_scan *config,
		       const struct guest_devno *d)
{
	return !(live && domain_scan_devno_used(live, d)) &&
	       !(config && domain_scan_devno_used(config, d));
}

int attach_devno_usable(const struct domain_scan *live,
			const struct domain_scan *config,
			const struct guest_devno *d)
{
	if (d->cssid != 0xfe)
		return -EINVAL;
	return devno_free(live, config, d) ? 0 : -EADDRINUSE;
}

int attach_devno_auto(const struct domain_scan *live,
		      const struct domain_scan *config,
		      const struct guest_devno *mirror, struct guest_devno *out)
{
	if (mirror && devno_free(live, config, mirror)) {
		*out = *mirror;
		return 0;
	}
	for (unsigned v = 0; v <= 0xffff; v++) {
		*out = (struct guest_devno){ 0xfe, 0, (uint16_t)v };
		if (devno_free(live, config, out))
			return 0;
	}
	return -ENOSPC;
}

/*
 * Attached already: the same devno, or none asked; 1 when nothing is to do
 * for the definitions asked, 0 when something is, -1 refused.
 */
static int attached(const struct attach_target *t, const struct attach_req *r,
		    const struct domain_scan *lsp,
		    const struct domain_scan *csp,
		    struct guest_devno *devno_out, struct vm_error *err)
{
	bool need = false;

	for (int k = 0; k < 2; k++) {
		const struct domain_scan *d = k ? csp : lsp;
		const struct domain_hostdev *h = d ? find(d, r->uuid) : NULL;
		char have[GUEST_DEVNO_STRLEN] = "none", dn[GUEST_DEVNO_STRLEN];

		need |= d && !h;
		if (!h)
			continue;
		if (r->devno_given &&
		    (!h->has_devno || !devno_equal(&h->devno, &r->devno))) {
			if (h->has_devno)
				guest_devno_format(&h->devno, have);
			guest_devno_format(&r->devno, dn);
			return vm_error_set(
				err, VM_EXIT_REFUSED, EEXIST,
				"cannot attach mdev %s to domain '%s' as devno %s: it is attached already, as devno %s (detach it first: 'virt-mdev detach %s %s')",
				r->uuid, t->name, dn, have, t->name, r->uuid);
		}
		if (h->has_devno)
			*devno_out = h->devno;
	}
	return need ? 0 : 1;
}

/*
 * One mdev serves one guest: another domain that references it (live or
 * persistent XML, from the one scan of every domain stop and remove use)
 * refuses the attach; --shared lets a stand-by guest's definition hold it too,
 * while no other domain runs with it and only in the persistent definition.
 */
static int check_sharing(const struct attach_target *t,
			 const struct attach_req *r, bool need_live,
			 struct users_others *o, struct vm_error *err)
{
	_cleanup_users_ struct users u = { 0 };
	char doing[256], fix[768];

	snprintf(doing, sizeof(doing), "attach mdev %s to domain '%s'", r->uuid,
		 t->name);
	if (users_scan_for(t->uri, t->conn, true, doing, &u, err) < 0)
		return vm_error_errno(err);
	if (users_others(&u, r->uuid, t->name, o) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	if (o->n == 0)
		return 0;
	if (!r->shared) {
		/* --shared would be refused too while another runs with it */
		snprintf(
			fix, sizeof(fix),
			"or, for a stand-by guest that runs only while %s %s off, add --shared --config",
			o->names, o->n > 1 ? "are" : "is");
		return users_refuse_used(o, r->uuid, doing,
					 ", and one mdev serves one guest",
					 o->nlive ? NULL : fix, err);
	}
	if (need_live)
		return vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"cannot %s with --shared: libvirt domain%s %s use%s it, and --shared puts it only into the persistent definition of a stand-by guest, never into a running one (add --config, and start %s only while %s %s off)",
			doing, o->n > 1 ? "s" : "", o->names,
			o->n > 1 ? "" : "s", t->name, o->names,
			o->n > 1 ? "are" : "is");
	if (o->nlive)
		return vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"cannot %s with --shared: libvirt domain%s %s run%s with it, and two running guests never share an mdev (shut %s down first, or detach it: 'virt-mdev detach %s %s')",
			doing, o->nlive > 1 ? "s" : "", o->live,
			o->nlive > 1 ? "" : "s", o->live,
			o->nlive > 1 ? "DOMAIN" : o->live, r->uuid);
	return 0;
}

void attach_result_clear(struct attach_result *res)
{
	users_others_clear(&res->others);
}

/* the guest devno: as asked (css fe, free), else the host's mirrored when free, else the first free */
static int pick_devno(const struct attach_target *t, const struct attach_req *r,
		      const struct domain_scan *lsp,
		      const struct domain_scan *csp, struct guest_devno *d,
		      struct vm_error *err)
{
	char dn[GUEST_DEVNO_STRLEN];
	int usable;

	if (r->devno_given) {
		*d = r->devno;
		guest_devno_format(d, dn);
		usable = attach_devno_usable(lsp, csp, d);
		if (usable == -EINVAL)
			return vm_error_set(
				err, VM_EXIT_REFUSED, EINVAL,
				"cannot attach mdev %s as devno %s: guests see only channel subsystem 0xfe (write fe.%x.%04x)",
				r->uuid, dn, d->ssid, d->devno);
		if (usable < 0)
			return vm_error_set(
				err, VM_EXIT_REFUSED, EADDRINUSE,
				"cannot attach mdev %s to domain '%s' as devno %s: a device of the domain has that ccw address already (pick another --devno, or --devno auto)",
				r->uuid, t->name, dn);
		return 0;
	}
	if (attach_devno_auto(lsp, csp,
			      r->host_devno_known ? &r->host_devno : NULL,
			      d) == 0)
		return 0;
	return vm_error_set(err, VM_EXIT_REFUSED, ENOSPC,
			    "domain '%s' has no free ccw devno in fe.0",
			    t->name);
}

/* the mdev must exist, and be active for a running guest */
static int check_mdev(const struct attach_target *t, const struct attach_req *r,
		      bool live, struct vm_error *err)
{
	if (!r->mdev_exists)
		return vm_error_set(
			err, VM_EXIT_NOT_FOUND, ENODEV,
			"no mdev '%s' on this host (searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev create' makes one)",
			r->uuid);
	if (live && !r->mdev_active)
		return vm_error_set(
			err, VM_EXIT_REFUSED, ENODEV,
			"cannot attach mdev %s to the running domain '%s': it is defined but not active (run 'virt-mdev start %s' first)",
			r->uuid, t->name, r->uuid);
	return 0;
}

int attach_plan(const struct attach_target *t, const struct attach_req *r,
		struct plan *p, struct attach_result *res, struct vm_error *err)
{
	struct guest_devno *devno_out = &res->devno;
	_cleanup_domain_scan_ struct domain_scan ls = { 0 }, cs = { 0 };
	const struct domain_scan *lsp, *csp;
	bool live, config, need_live, need_config;
	struct hostdev_opts o = { .uuid = r->uuid,
				  .kind = r->kind,
				  .boot_order = r->boot_order,
				  .alias = r->alias };
	_cleanup_free_ char *xml = NULL;
	char desc[512], dn[GUEST_DEVNO_STRLEN] = "";
	int r_att;

	if (resolve(t, &live, &config, err) < 0 ||
	    check_mdev(t, r, live, err) < 0 ||
	    (live && scan(t, false, &ls, err) < 0) ||
	    (config && scan(t, true, &cs, err) < 0))
		return vm_error_errno(err);
	lsp = live ? &ls : NULL;
	csp = config ? &cs : NULL;
	r_att = attached(t, r, lsp, csp, devno_out, err);
	if (r_att != 0)
		return r_att < 0 ? vm_error_errno(err) : 0;
	need_live = live && !find(&ls, r->uuid);
	need_config = config && !find(&cs, r->uuid);
	if (check_sharing(t, r, need_live, &res->others, err) < 0)
		return vm_error_errno(err);
	if (r->kind->one_per_domain && one_per_domain(t, r, lsp, csp, err) < 0)
		return vm_error_errno(err);
	if (r->kind->guest_ccw_address) {
		if (pick_devno(t, r, lsp, csp, &o.devno, err) < 0)
			return vm_error_errno(err);
		o.has_devno = true;
		*devno_out = o.devno;
		guest_devno_format(&o.devno, dn);
	}
	if (xml_hostdev(&o, t->template_dir, &xml, err) < 0)
		return vm_error_errno(err);
	snprintf(desc, sizeof(desc), "attach %s mdev %s to domain %s%s%s (%s)",
		 r->kind->model, r->uuid, t->name,
		 r->kind->guest_ccw_address ? " as devno " : "", dn,
		 need_live && need_config ? "live and persistent definition" :
		 need_live		  ? "live" :
					    "persistent definition");
	return add_step(t, p, desc, r->uuid, xml, need_live, need_config, true,
			err);
}

/* ---- detach ---- */

int detach_plan(const struct attach_target *t, const char *uuid, struct plan *p,
		struct vm_error *err)
{
	_cleanup_domain_scan_ struct domain_scan ls = { 0 }, cs = { 0 };
	const struct domain_hostdev *hl = NULL, *hc = NULL;
	bool live, config;
	char desc[512];

	if (resolve(t, &live, &config, err) < 0 ||
	    (live && scan(t, false, &ls, err) < 0) ||
	    (config && scan(t, true, &cs, err) < 0))
		return vm_error_errno(err);
	if (live)
		hl = find(&ls, uuid);
	if (config)
		hc = find(&cs, uuid);
	/* one step when both hold the same element, else one each */
	if (hl && hc && strcmp(hl->xml, hc->xml) == 0) {
		snprintf(
			desc, sizeof(desc),
			"detach mdev %s from domain %s (live and persistent definition)",
			uuid, t->name);
		return add_step(t, p, desc, uuid, hc->xml, true, true, false,
				err);
	}
	if (hl) {
		snprintf(desc, sizeof(desc),
			 "detach mdev %s from domain %s (live)", uuid, t->name);
		if (add_step(t, p, desc, uuid, hl->xml, true, false, false,
			     err) < 0)
			return vm_error_errno(err);
	}
	if (hc) {
		snprintf(
			desc, sizeof(desc),
			"detach mdev %s from domain %s (persistent definition)",
			uuid, t->name);
		if (add_step(t, p, desc, uuid, hc->xml, false, true, false,
			     err) < 0)
			return vm_error_errno(err);
	}
	return 0;
}

/* ---- many devices of one persistent definition in one define (apply) ---- */

/*
 * The persistent definition defined again with many hostdevs added or
 * removed: one call instead of one attach-device --config per device (a
 * QEMU driver's attach parses, checks and saves the whole definition each
 * time). The undo defines the definition as it was, only while it is still
 * the one this step defined (compare before undo: libvirt's own rendering,
 * read back after the define).
 */
struct define_call {
	virConnectPtr conn;
	virDomainPtr dom;
	char *old_xml, *new_xml;
	char *after; /* the persistent XML as libvirt renders it after the define */
	bool own_dom;
};

static void define_call_free(void *data)
{
	struct define_call *c = data;

	if (c->own_dom)
		virt_domain_free(c->dom);
	free(c->old_xml);
	free(c->new_xml);
	free(c->after);
	free(c);
}

static int define_as(struct define_call *c, const char *xml, char **why)
{
	if (virt_domain_define(c->conn, xml) < 0)
		return virt_failed(c->conn, "define", why);
	free(c->after);
	c->after = virt_domain_xml(c->dom, true);
	return 0;
}

static int do_define(void *data, char **why)
{
	struct define_call *c = data;

	return define_as(c, c->new_xml, why);
}

static int undo_define(void *data, char **why)
{
	struct define_call *c = data;

	return define_as(c, c->old_xml, why);
}

static int define_still(void *data, char **why)
{
	struct define_call *c = data;
	_cleanup_free_ char *now = virt_domain_xml(c->dom, true);

	if (!now || !c->after)
		return -ENODATA;
	if (strcmp(now, c->after) == 0)
		return 0;
	if (asprintf(why,
		     "the persistent definition of domain %s changed since",
		     virt_domain_name(c->dom)) < 0)
		*why = NULL;
	return -ESTALE;
}

static struct json_object *define_save(void *data)
{
	struct define_call *c = data;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "call",
			       json_object_new_string("domain-define"));
	json_object_object_add(
		o, "domain", json_object_new_string(virt_domain_name(c->dom)));
	json_object_object_add(o, "old", json_object_new_string(c->old_xml));
	json_object_object_add(o, "new", json_object_new_string(c->new_xml));
	if (c->after)
		json_object_object_add(o, "after",
				       json_object_new_string(c->after));
	return o;
}

static int define_load(struct json_object *j, struct call_env *env,
		       struct step_call *out, char **why)
{
	const char *name = member(j, "domain"), *old = member(j, "old"),
		   *new = member(j, "new"), *after = member(j, "after");
	struct define_call *c;

	if (!name || !old || !new)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->conn = call_env_conn(env, why);
	c->dom = c->conn ? virt_domain_lookup(c->conn, name) : NULL;
	c->own_dom = true;
	c->old_xml = strdup(old);
	c->new_xml = strdup(new);
	c->after = after ? strdup(after) : NULL;
	if (!c->dom || !c->old_xml || !c->new_xml) {
		if (c->conn && !c->dom &&
		    asprintf(why, "no domain '%s' at the journal's URI", name) <
			    0)
			*why = NULL;
		define_call_free(c);
		return -EIO;
	}
	memset(out, 0, sizeof(*out));
	out->run = do_define;
	out->undo = undo_define;
	out->free_data = define_call_free;
	out->data = c;
	out->save = define_save;
	out->still = define_still;
	return 0;
}

const struct call_kind call_kind_domain_define = { "domain-define",
						   define_load };

int attach_define_plan(const struct attach_target *t, struct plan *p,
		       const char *desc, const char *old_xml,
		       const char *new_xml, const char *command,
		       const char *undo_command, struct vm_error *err)
{
	struct define_call *c = calloc(1, sizeof(*c));
	struct step_call call = { do_define, undo_define, define_call_free, c,
				  NULL,	     define_save, define_still };

	if (!c)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	c->conn = t->conn;
	c->dom = t->dom;
	c->old_xml = strdup(old_xml);
	c->new_xml = strdup(new_xml);
	if (!c->old_xml || !c->new_xml) {
		define_call_free(c);
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	return plan_add_call(p, desc, command, undo_command, &call) ?
		       0 :
		       vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
}

/* The virsh command of one device's change of the persistent definition, for the dry run of a define. */
char *attach_virsh_command(const struct attach_target *t, bool attach,
			   bool live, bool config, const char *xml)
{
	_cleanup_free_ char *qname = plan_shell_quote(t->name),
			    *quri = t->uri ? plan_shell_quote(t->uri) : NULL,
			    *head = NULL;
	const char *where = live && config ? " --live --config" :
			    live	   ? " --live" :
					     " --config";

	if (!qname || (t->uri && !quri) ||
	    asprintf(&head, "virsh%s%s %s --domain %s --file /dev/stdin%s",
		     quri ? " -c " : "", quri ? quri : "",
		     attach ? "attach-device" : "detach-device", qname,
		     where) < 0)
		return NULL;
	return plan_shell_heredoc(head, xml);
}
