/*
 * An mdev as a device of a libvirt domain: the checks before attaching
 * (devno free among all ccw addresses, one vfio-ap device per domain, the
 * mdev active for a running guest) and the attach/detach plan steps, with
 * the dumpxml + edit + define fallback where a driver cannot attach.
 */
#ifndef VIRT_MDEV_ATTACH_H
#define VIRT_MDEV_ATTACH_H

#include <stdbool.h>

#include "error.h"
#include "ids.h"
#include "plan.h"
#include "users.h"
#include "virt.h"
#include "xml.h"

/* Which definitions a change touches, as virsh's --live/--config (neither: the current state). */
struct attach_target {
	virConnectPtr conn;
	virDomainPtr dom;
	const char *name; /* the domain's name */
	const char *
		uri; /* for the virsh commands of the dry run; NULL: the default */
	const char *template_dir;
	bool live, config; /* both false: as virsh, the current state */
};

struct attach_req {
	char uuid[IDS_UUID_STRLEN];
	const struct mdev_kind *kind;
	bool devno_given; /* else: mirror the host devno when free, else the first free */
	struct guest_devno devno;
	bool host_devno_known; /* the host device's number, for the mirror */
	struct guest_devno host_devno;
	unsigned boot_order;
	const char *alias;
	bool mdev_exists, mdev_active; /* on this host */
	/* --shared: another domain may hold it in its definition, if not running with it */
	bool shared;
};

/* What attach_plan found: the devno, and the other domains that reference the mdev. */
struct attach_result {
	struct guest_devno devno; /* the guest devno used (vfio-ccw) */
	struct users_others
		others; /* with --shared (owned: attach_result_clear) */
};

void attach_result_clear(struct attach_result *res);
#define _cleanup_attach_result_ _cleanup_(attach_result_clear)

/*
 * Check and add the step that attaches the mdev (nothing when it is
 * attached as asked). One mdev serves one guest: refused while another
 * domain references it (its live or persistent XML), unless r->shared, the
 * change is to the persistent definition only and no other domain runs with
 * it. Refusals are VM_EXIT_REFUSED and name the fix.
 */
int attach_plan(const struct attach_target *t, const struct attach_req *r,
		struct plan *p, struct attach_result *res,
		struct vm_error *err);

/*
 * Guest devnos (live, config: a domain's scans, NULL for none): whether d
 * can be asked for (0; -EINVAL: not channel subsystem fe; -EADDRINUSE: a
 * device of the domain has it), and the one given when none is asked: the
 * host's mirrored (0.0.2b09 -> fe.0.2b09) when mirror is given and free,
 * else the first free in fe.0 (-ENOSPC: none).
 */
int attach_devno_usable(const struct domain_scan *live,
			const struct domain_scan *config,
			const struct guest_devno *d);
int attach_devno_auto(const struct domain_scan *live,
		      const struct domain_scan *config,
		      const struct guest_devno *mirror,
		      struct guest_devno *out);

/* The step that detaches the mdev of uuid (nothing when it is not attached). */
int detach_plan(const struct attach_target *t, const char *uuid, struct plan *p,
		struct vm_error *err);

/* The step that attaches (else detaches) the hostdev xml of mdev uuid, as attach_plan adds it: no check. */
int attach_step_plan(const struct attach_target *t, struct plan *p,
		     const char *desc, const char *uuid, const char *xml,
		     bool live, bool config, bool attach, struct vm_error *err);
/*
 * The step that defines the persistent definition of t->dom again as
 * new_xml (it is old_xml now): many hostdevs added or removed in one call.
 * command and undo_command: what the dry run shows (the same change as
 * virsh commands). Journalled as the call "domain-define".
 */
int attach_define_plan(const struct attach_target *t, struct plan *p,
		       const char *desc, const char *old_xml,
		       const char *new_xml, const char *command,
		       const char *undo_command, struct vm_error *err);
/* "virsh [-c URI] attach-device|detach-device --domain NAME --file /dev/stdin --live|--config <<'EOF' ..." for xml. Caller frees. */
char *attach_virsh_command(const struct attach_target *t, bool attach,
			   bool live, bool config, const char *xml);

#endif
