/* libvirt: backend names, connection, error capture. */
#include "config.h"

#include <string.h>
#include <libvirt/virterror.h>

#include "virt.h"

static const char *const backend_names[BACKEND__LAST] = {
	[BACKEND_AUTO] = "auto",
	[BACKEND_LIBVIRT] = "libvirt",
	[BACKEND_SYSFS] = "sysfs",
};

const char *backend_to_string(enum backend b)
{
	if ((unsigned)b >= BACKEND__LAST)
		return NULL;
	return backend_names[b];
}

int backend_from_string(const char *str, enum backend *out,
			struct vm_error *err)
{
	for (unsigned i = 0; i < BACKEND__LAST; i++) {
		if (strcmp(str, backend_names[i]) == 0) {
			*out = (enum backend)i;
			return 0;
		}
	}
	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"invalid backend '%s': must be auto, libvirt or sysfs", str);
}

/* libvirt calls this for every error; the error object carries it instead. */
static void virt_quiet_error(void *opaque, virErrorPtr error)
{
	(void)opaque;
	(void)error;
}

void virt_init(void)
{
	virSetErrorFunc(NULL, virt_quiet_error);
}

const char *virt_last_error(void)
{
	const char *msg = virGetLastErrorMessage();

	return msg && *msg ? msg : "unknown libvirt error";
}

int virt_open(const char *uri, virConnectPtr *out, struct vm_error *err)
{
	virConnectPtr conn;

	virt_init();
	conn = virConnectOpen(uri);
	if (!conn)
		return vm_error_set(
			err, VM_EXIT_FAILED, ECONNREFUSED,
			"cannot connect to libvirt at '%s': %s (check -c/--connect or LIBVIRT_DEFAULT_URI, and that the daemon runs)",
			uri ? uri :
			      (getenv("LIBVIRT_DEFAULT_URI") ?
				       getenv("LIBVIRT_DEFAULT_URI") :
				       "the default URI"),
			virt_last_error());
	*out = conn;
	return 0;
}
