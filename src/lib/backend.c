/* The choice of backend: libvirt where its node-device driver knows the parent, else sysfs on a local host. */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "backend.h"
#include "cleanup.h"

const char *backend_uri_name(const char *uri)
{
	const char *env = getenv("LIBVIRT_DEFAULT_URI");

	return uri ? uri : env ? env : "the default URI";
}

void backend_close(struct backend *b)
{
	virt_conn_close(b->own);
	b->own = NULL;
	b->conn = NULL;
}

static void use(struct backend *b, const struct backend_ops *ops,
		const char *fmt, ...) _printf_(3, 4);

static void use(struct backend *b, const struct backend_ops *ops,
		const char *fmt, ...)
{
	va_list ap;

	b->ops = ops;
	va_start(ap, fmt);
	vsnprintf(b->note, sizeof(b->note), fmt, ap);
	va_end(ap);
}

int backend_open(struct backend *b, const struct backend_req *r,
		 const struct mdev_spec *m, struct vm_error *err)
{
	const char *uri = backend_uri_name(r->uri);
	struct vm_error e = { 0 };
	virConnectPtr conn = r->conn;
	_cleanup_nodedev_ virNodeDevicePtr parent = NULL;
	char pname[128], where[96];

	memset(b, 0, sizeof(*b));
	b->sysfs = r->sysfs;
	b->uri = r->uri;
	b->template_dir = r->template_dir;
	b->wait_ms = r->timeout_s * 1000;
	b->ops = &backend_sysfs_ops;
	if (r->choice == BACKEND_SYSFS)
		return 0;
	if (!conn) {
		if (virt_open(r->uri, &b->own, &e) < 0) {
			if (r->choice == BACKEND_LIBVIRT)
				return vm_error_set(err, e.exit, e.errnum,
						    "%s (--backend libvirt)",
						    e.msg);
			if (virt_uri_is_remote(r->uri))
				return vm_error_set(
					err, VM_EXIT_FAILED, e.errnum,
					"%s; the sysfs backend reaches only this host, so a remote host needs its libvirtd running",
					e.msg);
			use(b, &backend_sysfs_ops,
			    "%s; using the sysfs backend", e.msg);
			return 0;
		}
		conn = b->own;
	}
	m->kind->nodedev_parent(m, pname, sizeof(pname));
	parent = virt_nodedev_lookup(conn, pname);
	if (parent) {
		b->conn = conn;
		use(b, &backend_libvirt_ops,
		    "using the libvirt backend: libvirt at '%s' has node device %s",
		    uri, pname);
		return 0;
	}
	if (r->choice == BACKEND_LIBVIRT || virt_uri_is_remote(r->uri)) {
		m->kind->where(m, where, sizeof(where));
		vm_error_set(
			err, VM_EXIT_FAILED, EOPNOTSUPP,
			"libvirt at '%s' cannot create mdevs on %s: its node-device driver has no device %s (%s); the host needs libvirt 7.3 or later with its node-device driver and mdevctl, and %s",
			uri, where, pname, virt_last_error(),
			m->kind->prepared_hint);
		backend_close(b);
		return -1;
	}
	use(b, &backend_sysfs_ops,
	    "libvirt at '%s' has no node device %s (%s); using the sysfs backend",
	    uri, pname, virt_last_error());
	backend_close(b);
	return 0;
}
