/* The libvirt backend: an mdev's lifecycle through libvirt's node-device API (virNodeDevice*), with a bounded wait for udev. */
#include "config.h"

#include <string.h>
#include <time.h>
#include <libvirt/virterror.h>

#include "backend.h"
#include "cleanup.h"
#include "journal.h"
#include "xml.h"

static int oom(struct vm_error *err)
{
	return vm_error_set(err, VM_EXIT_FAILED, ENOMEM, "out of memory");
}

struct nd_call {
	/* the backend as it was when the step was planned: a copy, not the caller's (its connection is borrowed) */
	struct backend b;
	struct mdev_spec spec;
	char *xml; /* for create and define */
	char *saved; /* undefine: the definition, for the undo */
	bool on; /* autostart */
	const char *
		verb; /* the virsh verb it is ("nodedev-define"): its kind in a journal */
	bool has_undo;
	char *uri; /* loaded from a journal: the URI (b.uri points here) */
};

static void nd_free(void *data)
{
	struct nd_call *c = data;

	free(c->xml);
	free(c->saved);
	free(c->uri);
	free(c);
}

/* how long a node device just defined may take to be found by name */
#define ND_LOOKUP_WAIT_MS 5000

/*
 * The mdev's node device, by either name scheme. libvirt's node-device
 * driver lists a device that mdevctl has just defined only once it has
 * noticed mdevctl's file: a lookup right after nodedev-define can miss it
 * (seen with libvirt 9.0 under load), so a miss is retried for a bounded time.
 */
static virNodeDevicePtr nd_lookup(const struct nd_call *c)
{
	struct timespec step = { 0, 20 * 1000 * 1000 };
	unsigned bound = c->b.wait_ms < ND_LOOKUP_WAIT_MS ? c->b.wait_ms :
							    ND_LOOKUP_WAIT_MS;
	char a[160], b[160];

	mdev_nodedev_names(&c->spec, a, b, sizeof(a));
	for (unsigned waited = 0;; waited += 20) {
		virNodeDevicePtr dev = virt_nodedev_lookup(c->b.conn, a);

		if (!dev)
			dev = virt_nodedev_lookup(c->b.conn, b);
		/* only a miss is retried: a closed connection (libvirtd gone) never answers */
		if (dev || waited >= bound ||
		    virt_last_error_code() != VIR_ERR_NO_NODE_DEVICE)
			return dev;
		nanosleep(&step, NULL);
	}
}

/* what failed, with libvirt's message: -EIO, or -ENOTCONN when the connection is closed */
static int nd_fail(const struct nd_call *c, char **why, const char *what)
{
	int r = virt_failed(c->b.conn, what, why);
	char *more;

	if (r == -EIO && *why && strstr(*why, "cause is unknown") &&
	    asprintf(
		    &more,
		    "%s (libvirt's node-device driver did not see the device appear: it learns of new mdevs from udev events; is systemd-udevd running?)",
		    *why) >= 0) {
		free(*why);
		*why = more;
	}
	return r;
}

static bool in_sysfs(const struct nd_call *c)
{
	return sysfs_exists(c->b.sysfs, "bus/mdev/devices/%s", c->spec.uuid);
}

/* what mdevctl left in this host's sysfs, removed there (libvirt could not, or did not); not for a remote libvirt */
static bool nd_sysfs_remove(const struct nd_call *c)
{
	return !virt_uri_is_remote(c->b.uri) &&
	       sysfs_write(c->b.sysfs, "1", "bus/mdev/devices/%s/remove",
			   c->spec.uuid) == 0;
}

/*
 * libvirt reports a started mdev active only once udev told it: wait,
 * bounded, asking after 1, 2, 4, 8 ms and then every 16 ms: each start of
 * an apply waits here (an apply of 1,064 mdevs on the simulator took 65.7 s
 * asking every 20 ms, 47.4 s so)
 */
static int nd_wait_active(const struct nd_call *c, virNodeDevicePtr dev,
			  char **why)
{
	unsigned ms = 1;
	bool lost = false;

	for (unsigned waited = 0;; waited += ms, ms = ms < 16 ? ms * 2 : 16) {
		struct timespec step = { 0, (long)ms * 1000 * 1000 };
		int active = virt_nodedev_is_active(dev);

		if (active == 1)
			return 0;
		/* a closed connection will not say it became active */
		lost = active < 0 && virt_conn_lost(c->b.conn);
		if (lost || waited >= c->b.wait_ms)
			break;
		nanosleep(&step, NULL);
	}
	if (lost) {
		/* what mdevctl made must not stay: libvirt cannot remove it now, sysfs can */
		bool removed = in_sysfs(c) && nd_sysfs_remove(c);

		if (asprintf(
			    why,
			    "the connection to libvirt closed while it started mdev %s%s",
			    c->spec.uuid,
			    removed ?
				    " (the device it left in sysfs has been removed)" :
				    "") < 0)
			*why = NULL;
		return -ENOTCONN;
	}
	{
		/* what the timed-out start made must not stay: libvirt first, then this host's sysfs */
		bool was_there = in_sysfs(c), removed = false;

		if (was_there) {
			removed = virt_nodedev_destroy(dev) == 0 &&
				  !in_sysfs(c);
			if (!removed)
				removed = nd_sysfs_remove(c);
		}
		if (asprintf(
			    why,
			    "libvirt did not report mdev %s active within %u s (%s; libvirt's node-device driver learns of new mdevs from udev events: is systemd-udevd running? --timeout sets the wait)",
			    c->spec.uuid, c->b.wait_ms / 1000,
			    !was_there ?
				    "it is not in sysfs either" :
			    removed ?
				    "it was in sysfs and has been removed again" :
				    "it is in sysfs and could not be removed: remove it by hand") <
		    0)
			*why = NULL;
	}
	return -ETIMEDOUT;
}

/*
 * libvirt's node-device driver rescans mdevctl's definitions after each
 * change it makes, and a rescan begun before a define drops the new device
 * from its list until the next one (src/node_device/node_device_driver.c:
 * removeMissingPersistentMdev): a call on the handle a lookup just returned
 * then fails with "no node device with matching name" (VIR_ERR_NO_NODE_DEVICE,
 * seen with libvirt 9.0 on nodedev-start of a vfio-ap mdev right after its
 * define, under load), and nodedev-autostart with "cannot set autostart for
 * transient device" (VIR_ERR_OPERATION_INVALID, 8 vfio-ap devices defined in
 * a row). Such an answer is retried, with a new lookup, for the same bounded
 * time as a lookup; any other fails at once. 0 on success, the device in
 * *out (the caller frees it; out NULL: freed); else -EIO, or -ENOTCONN when
 * the connection is closed, with *why naming WHAT and libvirt's message.
 */
static int nd_retry(const struct nd_call *c,
		    int (*op)(virNodeDevicePtr, const void *), const void *arg,
		    int also_retried, const char *what, char **why,
		    virNodeDevicePtr *out)
{
	struct timespec step = { 0, 20 * 1000 * 1000 };
	unsigned bound = c->b.wait_ms < ND_LOOKUP_WAIT_MS ? c->b.wait_ms :
							    ND_LOOKUP_WAIT_MS;

	for (unsigned waited = 0;; waited += 20) {
		virNodeDevicePtr dev = nd_lookup(c);
		int code;

		if (!dev)
			return nd_fail(c, why, "cannot find the node device");
		if (op(dev, arg) == 0) {
			if (out)
				*out = dev;
			else
				virt_nodedev_free(dev);
			return 0;
		}
		code = virt_last_error_code();
		if ((code != VIR_ERR_NO_NODE_DEVICE && code != also_retried) ||
		    waited >= bound) {
			/* libvirt's message, before the free resets it */
			int r = nd_fail(c, why, what);

			virt_nodedev_free(dev);
			return r;
		}
		virt_nodedev_free(dev);
		nanosleep(&step, NULL);
	}
}

static int op_start(virNodeDevicePtr dev, const void *arg)
{
	(void)arg;
	return virt_nodedev_start(dev);
}

static int op_destroy(virNodeDevicePtr dev, const void *arg)
{
	(void)arg;
	return virt_nodedev_destroy(dev);
}

static int op_undefine(virNodeDevicePtr dev, const void *arg)
{
	struct nd_call *c = (struct nd_call *)arg;

	free(c->saved);
	c->saved = virt_nodedev_xml(dev);
	return virt_nodedev_undefine(dev);
}

static int op_autostart(virNodeDevicePtr dev, const void *arg)
{
	return virt_nodedev_set_autostart(dev, *(const bool *)arg);
}

static int nd_destroy(void *data, char **why)
{
	return nd_retry(data, op_destroy, NULL, VIR_ERR_OK, "nodedev-destroy",
			why, NULL);
}

static int nd_create_transient(void *data, char **why)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = NULL;

	if (virt_nodedev_create_xml(c->b.conn, c->xml, &dev) < 0) {
		int r = nd_fail(c, why, "nodedev-create");

		/* libvirt gave up waiting; what mdevctl made must not stay */
		if (in_sysfs(c) && nd_sysfs_remove(c) && *why) {
			char *more = NULL;

			if (asprintf(
				    &more,
				    "%s; the device it left in sysfs has been removed",
				    *why) >= 0) {
				free(*why);
				*why = more;
			}
		}
		return r;
	}
	return nd_wait_active(c, dev, why);
}

static int nd_undefine(void *data, char **why)
{
	return nd_retry(data, op_undefine, data, VIR_ERR_OK, "nodedev-undefine",
			why, NULL);
}

static int nd_define(void *data, char **why)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = NULL;
	const char *xml = c->saved ? c->saved : c->xml;

	return virt_nodedev_define_xml(c->b.conn, xml, &dev) < 0 ?
		       nd_fail(c, why, "nodedev-define") :
		       0;
}

/* the undo of an undefine: define what was saved */
static int nd_redefine(void *data, char **why)
{
	struct nd_call *c = data;

	if (!c->saved) {
		if (asprintf(why, "the definition was not saved") < 0)
			*why = NULL;
		return -EIO;
	}
	return nd_define(data, why);
}

static int nd_start(void *data, char **why)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = NULL;
	int r = nd_retry(c, op_start, NULL, VIR_ERR_OK, "nodedev-start", why,
			 &dev);

	return r < 0 ? r : nd_wait_active(c, dev, why);
}

/* nodedev-autostart: a rescan may list a just-defined device as transient (nd_retry) */
static int nd_autostart(void *data, char **why, bool on)
{
	return nd_retry(data, op_autostart, &on, VIR_ERR_OPERATION_INVALID,
			"nodedev-autostart", why, NULL);
}

static int nd_autostart_run(void *data, char **why)
{
	return nd_autostart(data, why, ((struct nd_call *)data)->on);
}

static int nd_autostart_undo(void *data, char **why)
{
	return nd_autostart(data, why, !((struct nd_call *)data)->on);
}

/* ---- in a journal: {"call": "nodedev", "op": VERB, ...}, loaded by recover with a connection of its own ---- */

static struct json_object *nd_save(void *data)
{
	struct nd_call *c = data;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "call", json_object_new_string("nodedev"));
	json_object_object_add(o, "op", json_object_new_string(c->verb));
	json_object_object_add(o, "undo", json_object_new_boolean(c->has_undo));
	json_object_object_add(o, "on", json_object_new_boolean(c->on));
	json_object_object_add(o, "spec", mdev_spec_to_json(&c->spec));
	json_object_object_add(o, "xml",
			       c->xml ? json_object_new_string(c->xml) : NULL);
	json_object_object_add(
		o, "saved", c->saved ? json_object_new_string(c->saved) : NULL);
	json_object_object_add(o, "wait_ms",
			       json_object_new_int64(c->b.wait_ms));
	return o;
}

/* compare before undo: what a define, start or create made is there; what a destroy took away is still gone */
static int nd_still_defined(void *data, char **why)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = nd_lookup(c);

	if (dev)
		return 0;
	/* a closed connection knows nothing: not "changed since" */
	if (virt_conn_lost(c->b.conn))
		return -ENOTCONN;
	if (asprintf(why, "libvirt has no node device of mdev %s",
		     c->spec.uuid) < 0)
		*why = NULL;
	return -ESTALE;
}

static int nd_still_active(void *data, char **why)
{
	struct nd_call *c = data;

	if (in_sysfs(c))
		return 0;
	if (asprintf(why, "mdev %s is not in sysfs", c->spec.uuid) < 0)
		*why = NULL;
	return -ESTALE;
}

static int nd_still_gone(void *data, char **why)
{
	struct nd_call *c = data;

	if (!in_sysfs(c))
		return 0;
	if (asprintf(why, "mdev %s is in sysfs again", c->spec.uuid) < 0)
		*why = NULL;
	return -ESTALE;
}

static int (*nd_still_for(const char *verb))(void *, char **)
{
	if (strcmp(verb, "nodedev-define") == 0)
		return nd_still_defined;
	if (strcmp(verb, "nodedev-start") == 0 ||
	    strcmp(verb, "nodedev-create") == 0)
		return nd_still_active;
	if (strcmp(verb, "nodedev-destroy") == 0)
		return nd_still_gone;
	return NULL; /* autostart and undefine: the undo sets what it says either way */
}

/* each verb's run and undo, as the lv_* functions below plan them */
static const struct {
	const char *verb;
	int (*run)(void *, char **);
	int (*undo)(void *, char **);
} nd_verbs[] = {
	{ "nodedev-define", nd_define, nd_undefine },
	{ "nodedev-start", nd_start, nd_destroy },
	{ "nodedev-create", nd_create_transient, nd_destroy },
	{ "nodedev-autostart", nd_autostart_run, nd_autostart_undo },
	{ "nodedev-autostart --disable", nd_autostart_run, nd_autostart_undo },
	{ "nodedev-destroy", nd_destroy, nd_start },
	{ "nodedev-undefine", nd_undefine, nd_redefine },
};

static int nd_load(struct json_object *j, struct call_env *env,
		   struct step_call *out, char **why)
{
	struct json_object *v;
	struct nd_call *c;
	const char *op = NULL;
	size_t k;

	if (json_object_object_get_ex(j, "op", &v) &&
	    json_object_is_type(v, json_type_string))
		op = json_object_get_string(v);
	for (k = 0; op && k < sizeof(nd_verbs) / sizeof(nd_verbs[0]); k++)
		if (strcmp(nd_verbs[k].verb, op) == 0)
			break;
	if (!op || k == sizeof(nd_verbs) / sizeof(nd_verbs[0]))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->verb = nd_verbs[k].verb;
	if (!json_object_object_get_ex(j, "spec", &v) ||
	    mdev_spec_from_json(v, &c->spec) < 0) {
		nd_free(c);
		return -EINVAL;
	}
	c->b.ops = &backend_libvirt_ops;
	c->b.sysfs = env->sysfs;
	c->b.conn = call_env_conn(env, why);
	if (!c->b.conn) {
		nd_free(c);
		return -EIO;
	}
	c->b.uri = env->uri;
	c->b.wait_ms = json_object_object_get_ex(j, "wait_ms", &v) ?
			       (unsigned)json_object_get_int64(v) :
			       30000;
	c->on = json_object_object_get_ex(j, "on", &v) &&
		json_object_get_boolean(v);
	c->has_undo = json_object_object_get_ex(j, "undo", &v) &&
		      json_object_get_boolean(v);
	if (json_object_object_get_ex(j, "xml", &v) &&
	    json_object_is_type(v, json_type_string))
		c->xml = strdup(json_object_get_string(v));
	if (json_object_object_get_ex(j, "saved", &v) &&
	    json_object_is_type(v, json_type_string))
		c->saved = strdup(json_object_get_string(v));
	if (((strcmp(op, "nodedev-define") == 0 ||
	      strcmp(op, "nodedev-create") == 0) &&
	     !c->xml)) {
		nd_free(c);
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->run = nd_verbs[k].run;
	out->undo = c->has_undo ? nd_verbs[k].undo : NULL;
	out->free_data = nd_free;
	out->data = c;
	out->save = nd_save;
	out->still = nd_still_for(c->verb);
	return 0;
}

const struct call_kind call_kind_nodedev = { "nodedev", nd_load };

static char *virsh(const struct backend *b)
{
	char *v = NULL;

	if (b->uri) {
		/* quoted for sh: a URI may hold ', $, ; and spaces */
		_cleanup_free_ char *q = plan_shell_quote(b->uri);

		if (!q || asprintf(&v, "virsh -c %s", q) < 0)
			return NULL;
		return v;
	}
	return strdup("virsh");
}

static int nd_step(const struct backend *b, struct plan *p,
		   const struct mdev_spec *m, const char *desc,
		   const char *verb, const char *undo_verb, bool with_xml,
		   int (*run)(void *, char **), int (*undo)(void *, char **),
		   bool on, struct vm_error *err)
{
	struct nd_call *c = calloc(1, sizeof(*c));
	_cleanup_free_ char *v = virsh(b), *cmd = NULL, *ucmd = NULL,
			    *qname = NULL, *head = NULL;
	char name[160], other[160];
	struct step_call call = {
		run, undo, nd_free, c, NULL, nd_save, nd_still_for(verb),
	};

	if (!c || !v) {
		free(c);
		return oom(err);
	}
	c->b = *b;
	c->b.own = NULL; /* borrowed: the owner closes it */
	c->spec = *m;
	c->spec.def =
		NULL; /* borrowed from a list that goes before the steps run */
	c->on = on;
	c->verb = verb;
	c->has_undo = undo != NULL;
	mdev_nodedev_names(m, name, other, sizeof(name));
	qname = plan_shell_quote(name);
	if (with_xml) {
		if (xml_nodedev_mdev(m, b->template_dir, false, &c->xml, err) <
		    0) {
			free(c);
			return -EINVAL;
		}
		/* the XML in a here-document whose delimiter is no line of it */
		if (asprintf(&head, "%s %s /dev/stdin", v, verb) >= 0)
			cmd = plan_shell_heredoc(head, c->xml);
	} else if (qname && asprintf(&cmd, "%s %s %s", v, verb, qname) < 0) {
		cmd = NULL;
	}
	if (undo_verb && qname &&
	    asprintf(&ucmd, "%s %s %s", v, undo_verb, qname) < 0)
		ucmd = NULL;
	if (!cmd || (undo_verb && !ucmd)) {
		nd_free(c);
		return oom(err);
	}
	return plan_add_call(p, desc, cmd, ucmd, &call) ? 0 : oom(err);
}

static int lv_define(const struct backend *b, struct plan *p,
		     const struct mdev_spec *m, bool autostart,
		     struct vm_error *err)
{
	char desc[512], w[96];

	(void)autostart; /* a step of its own (autostart_in_definition is false) */
	m->kind->where(m, w, sizeof(w));
	snprintf(desc, sizeof(desc),
		 "define mdev %s (%s) on %s through libvirt", m->uuid, m->type,
		 w);
	return nd_step(b, p, m, desc, "nodedev-define", "nodedev-undefine",
		       true, nd_define, nd_undefine, false, err);
}

static int lv_start(const struct backend *b, struct plan *p,
		    const struct mdev_spec *m, bool transient,
		    struct vm_error *err)
{
	char desc[512], w[96];

	if (!transient) {
		snprintf(desc, sizeof(desc), "start mdev %s through libvirt",
			 m->uuid);
		return nd_step(b, p, m, desc, "nodedev-start",
			       "nodedev-destroy", false, nd_start, nd_destroy,
			       false, err);
	}
	m->kind->where(m, w, sizeof(w));
	snprintf(desc, sizeof(desc),
		 "create transient mdev %s (%s) on %s through libvirt", m->uuid,
		 m->type, w);
	return nd_step(b, p, m, desc, "nodedev-create", "nodedev-destroy", true,
		       nd_create_transient, nd_destroy, false, err);
}

static int lv_set_autostart(const struct backend *b, struct plan *p,
			    const struct mdev_spec *m, bool on,
			    struct vm_error *err)
{
	char desc[512];

	snprintf(desc, sizeof(desc), "%s mdev %s at boot through libvirt",
		 on ? "start" : "do not start", m->uuid);
	return nd_step(b, p, m, desc,
		       on ? "nodedev-autostart" : "nodedev-autostart --disable",
		       on ? "nodedev-autostart --disable" : "nodedev-autostart",
		       false, nd_autostart_run, nd_autostart_undo, on, err);
}

static int lv_stop(const struct backend *b, struct plan *p,
		   const struct mdev_spec *m, bool defined,
		   struct vm_error *err)
{
	char desc[512];

	snprintf(desc, sizeof(desc), "stop mdev %s through libvirt", m->uuid);
	return nd_step(b, p, m, desc, "nodedev-destroy",
		       defined ? "nodedev-start" : NULL, false, nd_destroy,
		       defined ? nd_start : NULL, false, err);
}

static int lv_undefine(const struct backend *b, struct plan *p,
		       const struct mdev_spec *m, struct vm_error *err)
{
	char desc[512];

	snprintf(desc, sizeof(desc), "undefine mdev %s through libvirt",
		 m->uuid);
	return nd_step(b, p, m, desc, "nodedev-undefine", "nodedev-define",
		       false, nd_undefine, nd_redefine, false, err);
}

const struct backend_ops backend_libvirt_ops = {
	.name = "libvirt",
	.autostart_in_definition = false,
	.concurrent_calls = true,
	.define = lv_define,
	.set_autostart = lv_set_autostart,
	.start = lv_start,
	.stop = lv_stop,
	.undefine = lv_undefine,
};
