/* libvirt: backends and the connection. */
#ifndef VIRT_MDEV_VIRT_H
#define VIRT_MDEV_VIRT_H

#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "error.h"
#include "strv.h"

/* Which way mdevs are created: libvirt's node-device API or sysfs itself. */
enum backend_choice {
	BACKEND_AUTO,
	BACKEND_LIBVIRT,
	BACKEND_SYSFS,
	BACKEND__LAST,
};

const char *backend_to_string(enum backend_choice b);
/* -EINVAL for an unknown name, with a message naming the accepted ones. */
int backend_from_string(const char *str, enum backend_choice *out,
			struct vm_error *err);

/*
 * Open a connection: uri NULL means libvirt's default (which honours
 * LIBVIRT_DEFAULT_URI). On failure the message carries libvirt's own.
 */
int virt_open(const char *uri, virConnectPtr *out, struct vm_error *err);

/* The same, read-only (enough to list). */
int virt_open_readonly(const char *uri, virConnectPtr *out,
		       struct vm_error *err);

/*
 * For every domain of the connection, every mdev uuid its XML (live and
 * persistent) references in a <hostdev type='mdev'>: fn(uuid, domain name).
 */
int virt_domain_mdevs(virConnectPtr conn,
		      void (*fn)(const char *uuid, const char *domain,
				 void *opaque),
		      void *opaque, struct vm_error *err);

/* Where a domain references an mdev (virt_domain_mdev_refs). */
enum virt_ref {
	VIRT_REF_LIVE = 1 << 0, /* the live XML of a running domain */
	VIRT_REF_CONFIG = 1 << 1, /* the persistent definition */
};

/* The same, saying where each reference is: fn(uuid, domain name, VIRT_REF_*). */
int virt_domain_mdev_refs(virConnectPtr conn,
			  void (*fn)(const char *uuid, const char *domain,
				     unsigned where, void *opaque),
			  void *opaque, struct vm_error *err);

/* Close or free what libvirt gave (libvirt is loaded on demand); NULL is fine. */
void virt_conn_close(virConnectPtr conn);
void virt_domain_free(virDomainPtr dom);
void virt_nodedev_free(virNodeDevicePtr dev);

/* libvirt's last error message, or "unknown libvirt error". */
const char *virt_last_error(void);
/* Its code (virErrorNumber), VIR_ERR_OK when there is none. */
int virt_last_error_code(void);
/* Codes that mean "this driver does not do that" rather than "it failed". */
bool virt_error_is_unsupported(int code);

/* A URI with a host other than localhost ("qemu+ssh://kvmhost/system"); NULL: LIBVIRT_DEFAULT_URI. */
bool virt_uri_is_remote(const char *uri);

/*
 * Node devices. The calls return 0 or -EIO with libvirt's message in
 * virt_last_error(); the predicates 1, 0 or -1.
 */
/*
 * The connection is closed (libvirtd died or restarted, the socket went):
 * no call on it can succeed, so none is retried (virConnectIsAlive).
 */
bool virt_conn_lost(virConnectPtr conn);
/*
 * A call on conn failed: *why = "WHAT: libvirt's message", and " (the
 * connection to libvirt is closed)" when it is. Returns -ENOTCONN then,
 * else -EIO. Call it right after the failed call: any libvirt call resets
 * libvirt's message.
 */
int virt_failed(virConnectPtr conn, const char *what, char **why);
virNodeDevicePtr virt_nodedev_lookup(virConnectPtr conn, const char *name);
char *virt_nodedev_xml(virNodeDevicePtr dev);
int virt_nodedev_is_active(virNodeDevicePtr dev);
int virt_nodedev_create_xml(virConnectPtr conn, const char *xml,
			    virNodeDevicePtr *out);
int virt_nodedev_define_xml(virConnectPtr conn, const char *xml,
			    virNodeDevicePtr *out);
int virt_nodedev_start(virNodeDevicePtr dev);
int virt_nodedev_destroy(virNodeDevicePtr dev);
int virt_nodedev_undefine(virNodeDevicePtr dev);
int virt_nodedev_set_autostart(virNodeDevicePtr dev, bool on);

/* Domains: by name (or uuid); XML live or inactive; attach/detach with virDomainModificationImpact flags. */
virDomainPtr virt_domain_lookup(virConnectPtr conn, const char *name);
const char *virt_domain_name(virDomainPtr dom);
char *virt_domain_xml(virDomainPtr dom, bool inactive);
/* The persistent XML with its secrets (VIR_DOMAIN_XML_SECURE), as a define that keeps them needs it. */
char *virt_domain_xml_to_define(virDomainPtr dom);
int virt_domain_is_active(virDomainPtr dom);
/*
 * virt_xml_memo(true): until virt_xml_memo(false), the XML the scan of every
 * domain's references read is kept, and virt_domain_xml of that domain
 * answers from it (one reading of libvirt for a plan; the defines read
 * their own with VIR_DOMAIN_XML_SECURE).
 */
void virt_xml_memo(bool on);
/* Whether it was running when libvirt gave the handle (no call to libvirt: its id). */
bool virt_domain_was_active(virDomainPtr dom);
int virt_domain_is_persistent(virDomainPtr dom);
int virt_domain_attach(virDomainPtr dom, const char *xml, unsigned flags);
int virt_domain_detach(virDomainPtr dom, const char *xml, unsigned flags);
int virt_domain_define(virConnectPtr conn, const char *xml);
/* Every domain's name, sorted. */
int virt_domain_names(virConnectPtr conn, struct strv *out);
/* The names of the domains libvirt starts at its start (autostart), sorted; -EIO (virt_last_error), -ENOMEM. */
int virt_domain_autostart_names(virConnectPtr conn, struct strv *out);

#endif
