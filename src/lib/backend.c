/* The choice of backend: libvirt where its node-device driver knows the parent, else sysfs on a local host. */
#include "config.h"

#include <pthread.h>
#include <time.h>

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

/*
 * The first node-device call of a connection waits inside libvirtd until
 * its node-device driver has enumerated the host's devices after the
 * daemon started (src/node_device/node_device_driver.c: nodeDeviceInitWait,
 * nodeDeviceWaitInit in older releases): on a host with thousands of
 * subchannels, tens of seconds. libvirt's client has no timeout of its
 * own for a call, so the lookup runs in a thread that the command waits
 * for at most timeout_ms; libvirt's last error is per thread, so the
 * thread keeps its message. A job the command stops waiting for is left
 * to its thread (the command ends with the failure).
 */
struct lookup_job {
	virConnectPtr conn;
	char name[128];
	virNodeDevicePtr dev;
	char error[512];
	bool done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *lookup_thread(void *arg)
{
	struct lookup_job *j = arg;
	virNodeDevicePtr dev = virt_nodedev_lookup(j->conn, j->name);

	pthread_mutex_lock(&j->mu);
	j->dev = dev;
	if (!dev)
		snprintf(j->error, sizeof(j->error), "%s", virt_last_error());
	j->done = true;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* 0 with *dev (NULL: no such device, why says libvirt's answer); -ETIMEDOUT; *waited_ms: how long it took */
static int lookup_bounded(virConnectPtr conn, const char *name,
			  unsigned timeout_ms, virNodeDevicePtr *dev, char *why,
			  size_t size, unsigned *waited_ms)
{
	struct lookup_job *j = calloc(1, sizeof(*j));
	struct timespec t0, now, until;
	pthread_t t;
	bool done;

	*dev = NULL;
	*waited_ms = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!j)
		return -ENOMEM;
	j->conn = conn;
	snprintf(j->name, sizeof(j->name), "%s", name);
	pthread_mutex_init(&j->mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&j->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (timeout_ms == 0 ||
	    pthread_create(&t, NULL, lookup_thread, j) != 0) {
		/* no bound asked, or no thread: the call as it is */
		*dev = virt_nodedev_lookup(conn, name);
		if (!*dev)
			snprintf(why, size, "%s", virt_last_error());
		pthread_cond_destroy(&j->cv);
		pthread_mutex_destroy(&j->mu);
		free(j);
		return 0;
	}
	until = t0;
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->mu);
	while (!j->done &&
	       pthread_cond_timedwait(&j->cv, &j->mu, &until) != ETIMEDOUT)
		;
	done = j->done;
	pthread_mutex_unlock(&j->mu);
	clock_gettime(CLOCK_MONOTONIC, &now);
	*waited_ms = (unsigned)((now.tv_sec - t0.tv_sec) * 1000 +
				(now.tv_nsec - t0.tv_nsec) / 1000000);
	if (!done) {
		pthread_detach(t);
		return -ETIMEDOUT;
	}
	pthread_join(t, NULL);
	*dev = j->dev;
	snprintf(why, size, "%s", j->error);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
	return 0;
}

int backend_open(struct backend *b, const struct backend_req *r,
		 const struct mdev_spec *m, struct vm_error *err)
{
	const char *uri = backend_uri_name(r->uri);
	struct vm_error e = { 0 };
	virConnectPtr conn = r->conn;
	_cleanup_nodedev_ virNodeDevicePtr parent = NULL;
	char pname[128], where[96], lverr[512] = "";

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
	if (lookup_bounded(conn, pname, b->wait_ms, &parent, lverr,
			   sizeof(lverr), &b->waited_ms) == -ETIMEDOUT) {
		backend_close(b);
		return vm_error_set(
			err, VM_EXIT_FAILED, ETIMEDOUT,
			"libvirt at '%s' did not answer within %u s (--timeout): its node-device driver enumerates the host's devices after libvirtd starts, and answers node-device calls only then (wait and run again, give a longer --timeout, or use --backend sysfs)",
			uri, r->timeout_s);
	}
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
			uri, where, pname, lverr, m->kind->prepared_hint);
		backend_close(b);
		return -1;
	}
	use(b, &backend_sysfs_ops,
	    "libvirt at '%s' has no node device %s (%s); using the sysfs backend",
	    uri, pname, lverr);
	backend_close(b);
	return 0;
}
