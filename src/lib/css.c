/* The channel subsystem as sysfs shows it (kernel-sysfs.md section 2). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "css.h"
#include "plan.h"

static const char *const css_type_names[] = { "I/O", "CHSC", "MSG", "EADM" };

const char *css_type_name(unsigned type)
{
	return type < ARRAY_SIZE(css_type_names) ? css_type_names[type] :
						   "unknown";
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static bool is_uuid_name(const char *s)
{
	uuid_t u;

	return strlen(s) == 36 && ids_uuid_parse(s, u, NULL) == 0;
}

/*
 * why a value of the file at fmt is invalid, in why: the error r of its
 * read, or (r 0 or a parse error) what it reads, which is not rule
 */
static _printf_(6, 7) void invalid_value(const struct sysfs *s, int r,
					 char *why, size_t size,
					 const char *rule, const char *fmt, ...)
{
	_cleanup_free_ char *rel = NULL, *path = NULL, *val = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		rel = NULL;
	va_end(ap);
	if (!rel)
		return (void)snprintf(why, size, "out of memory");
	path = sysfs_path(s, "%s", rel);
	if (r < 0 && r != -EINVAL && r != -ERANGE) {
		snprintf(why, size, "cannot read %s: %s", path ? path : rel,
			 strerror(-r));
		return;
	}
	if (sysfs_read_string(s, &val, "%s", rel) < 0)
		val = NULL;
	snprintf(why, size, "%s reads '%.64s', not %s", path ? path : rel,
		 val ? val : "", rule);
}

static int read_subchannel(const struct sysfs *s, const char *name,
			   struct css_subchannel *sch);

/*
 * apply's planning looks at each subchannel in several passes (the device
 * the file names, the host it prepares, the checks): between css_memo_begin
 * and css_memo_end a subchannel is read from sysfs once, and every later
 * read is that reading. The plan is made under the lock from one reading of
 * the host; its steps compare before they act, outside the memo.
 */
#define MEMO_BUCKETS 4096

struct memo_entry {
	struct css_subchannel sch;
	int r;
	struct memo_entry *next;
};

static struct {
	const struct sysfs *s;
	struct memo_entry *bucket[MEMO_BUCKETS];
} memo;

static size_t memo_hash(const char *name)
{
	size_t h = 5381;

	while (*name)
		h = h * 33 + (unsigned char)*name++;
	return h % MEMO_BUCKETS;
}

static void busid_cache_clear(void);

void css_memo_begin(const struct sysfs *s)
{
	css_memo_end();
	busid_cache_clear(); /* the memo's reading of dev_busid is its own */
	memo.s = s;
}

void css_memo_end(void)
{
	for (size_t i = 0; i < MEMO_BUCKETS; i++)
		while (memo.bucket[i]) {
			struct memo_entry *e = memo.bucket[i];

			memo.bucket[i] = e->next;
			free(e);
		}
	memo.s = NULL;
}

int css_read_subchannel(const struct sysfs *s, const char *name,
			struct css_subchannel *sch)
{
	struct memo_entry *e;
	size_t h;

	if (memo.s != s)
		return read_subchannel(s, name, sch);
	h = memo_hash(name);
	for (e = memo.bucket[h]; e; e = e->next)
		if (strcmp(e->sch.name, name) == 0) {
			*sch = e->sch;
			return e->r;
		}
	e = calloc(1, sizeof(*e));
	if (!e)
		return read_subchannel(s, name, sch);
	e->r = read_subchannel(s, name, &e->sch);
	/* the name as asked: a spelling the parser took ("0.0.313") is found again */
	if (e->r == -EINVAL || strcmp(e->sch.name, name) != 0) {
		int r = e->r;

		*sch = e->sch;
		free(e);
		return r;
	}
	e->next = memo.bucket[h];
	memo.bucket[h] = e;
	*sch = e->sch;
	return e->r;
}

/*
 * One subchannel's attributes, read relative to its directory: a path for
 * each file walks the subchannel's link and its target's components again,
 * which on a host of thousands of subchannels is most of a plan's time (and
 * on FUSE, a round trip each).
 */
static int read_subchannel(const struct sysfs *s, const char *name,
			   struct css_subchannel *sch)
{
	_cleanup_free_ char *drv = NULL, *override = NULL, *busid = NULL;
	_cleanup_strv_ struct strv children = STRV_INIT;
	_cleanup_close_ int dfd = -1;
	unsigned long type;
	int r;

	memset(sch, 0, sizeof(*sch));
	if (ccw_id_parse(name, CCW_ID_SUBCHANNEL, &sch->schid, NULL) < 0)
		return -EINVAL;
	ccw_id_format(&sch->schid, sch->name);
	/* from bus/css/devices, which sysfs keeps open (sysfs.c sys_dir_of) */
	dfd = sysfs_open_dir(s, "bus/css/devices/%s", sch->name);
	if (dfd < 0)
		return dfd; /* -ENOENT: gone while listed */
	r = sysfs_read_unsigned_at(dfd, "type", &type);
	if (r == -ENOENT)
		return r; /* gone while read */
	/*
	 * the kernel's type attribute is "%01x\n", 0 I/O, 1 CHSC, 2 MSG, 3
	 * EADM (kernel-sysfs.md 2.2, [K-CSS]); lscss reads it base 10
	 * (2.3): anything else is shown as invalid, not as a type
	 */
	sch->type = r == 0 && type < ARRAY_SIZE(css_type_names) ?
			    (unsigned)type :
			    CSS_TYPE_INVALID;
	if (sch->type == CSS_TYPE_INVALID)
		invalid_value(
			s, r, sch->type_error, sizeof(sch->type_error),
			"a subchannel type (0 I/O, 1 CHSC, 2 MSG, 3 EADM)",
			"bus/css/devices/%s/type", sch->name);
	if (sysfs_readlink_basename_at(dfd, "driver", &drv) == 0)
		copy(sch->driver, sizeof(sch->driver), drv);
	if (sysfs_read_string_at(dfd, "driver_override", &override) == 0 &&
	    strcmp(override, "(null)") != 0)
		copy(sch->driver_override, sizeof(sch->driver_override),
		     override);
	if (sysfs_read_string_at(dfd, "dev_busid", &busid) == 0 &&
	    strcmp(busid, "none") != 0 &&
	    ccw_id_parse(busid, CCW_ID_BUSID, &sch->busid, NULL) == 0) {
		sch->has_device = true;
		ccw_id_format(&sch->busid, sch->busid_name);
	}
	r = sysfs_list_fd(dfd, &children);
	if (r < 0)
		return r;
	for (size_t i = 0; i < children.n; i++) {
		const char *c = children.v[i];
		struct ccw_id id;

		if (is_uuid_name(c) && !sch->mdev[0]) {
			copy(sch->mdev, sizeof(sch->mdev), c);
		} else if (strchr(c, '.') &&
			   ccw_id_parse(c, CCW_ID_BUSID, &id, NULL) == 0 &&
			   strlen(c) == CCW_ID_STRLEN - 1) {
			_cleanup_free_ char *val = NULL, *ddrv = NULL;
			_cleanup_close_ int cfd = -1;
			unsigned long online = 0;

			/* the ccw device is a child while the subchannel is on io_subchannel */
			sch->device_present = true;
			sch->has_device = true;
			sch->busid = id;
			ccw_id_format(&id, sch->busid_name);
			cfd = sysfs_open_dir_at(dfd, c);
			/* a ccw device's online: 0 or 1 (kernel-sysfs.md 2.2) */
			r = cfd < 0 ? cfd :
				      sysfs_read_unsigned_at(cfd, "online",
							     &online);
			sch->online = r == 0 && online == 1;
			if (r < 0 || online > 1)
				invalid_value(s, r, sch->online_error,
					      sizeof(sch->online_error),
					      "0 or 1",
					      "bus/css/devices/%s/%s/online",
					      sch->name, c);
			if (cfd < 0)
				continue;
			if (sysfs_read_string_at(cfd, "cutype", &val) == 0)
				copy(sch->cutype, sizeof(sch->cutype), val);
			free(val);
			val = NULL;
			if (sysfs_read_string_at(cfd, "devtype", &val) == 0)
				copy(sch->devtype, sizeof(sch->devtype), val);
			if (sysfs_readlink_basename_at(cfd, "driver", &ddrv) ==
			    0)
				copy(sch->device_driver,
				     sizeof(sch->device_driver), ddrv);
		}
	}
	return 0;
}

bool css_is_qdio(const struct css_subchannel *sch)
{
	static const char *const qdio_drivers[] = { "qeth", "qeth_l2",
						    "qeth_l3", "zfcp" };

	if (strncmp(sch->cutype, "1731/", 5) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(qdio_drivers); i++)
		if (strcmp(sch->device_driver, qdio_drivers[i]) == 0)
			return true;
	return false;
}

int css_device_parse(const char *what, char name[CCW_ID_STRLEN],
		     struct vm_error *err)
{
	struct ccw_id id;
	int r;

	r = ccw_id_parse(what, CCW_ID_BUSID, &id, err);
	if (r < 0) {
		/* say "device or subchannel" rather than "bus id" */
		if (err)
			snprintf(
				err->msg, sizeof(err->msg),
				"invalid ccw device or subchannel '%s': expected 0.<ssid>.<devno> with 4 hex digits (write it as e.g. 0.0.2b09, or 2b09)",
				what);
		return r;
	}
	ccw_id_format(&id, name);
	return 0;
}

/*
 * Subchannels and their dev_busid, read once per process and host: apply
 * names hundreds of devices whose ccw devices are gone (bound to vfio_ccw),
 * and a scan per device would read every subchannel's dev_busid each time.
 * Those devices' subchannels are the ones vfio_ccw drives, so they are read
 * first (bus/css/drivers/vfio_ccw lists them), and every other subchannel
 * only when the name is not among them. A busid's subchannel never changes
 * while a process runs (the steps bind and unbind, they do not move
 * devices); a hit is read again before it is believed all the same (but in
 * css_memo's one reading of the host), and a stale one scans afresh.
 */
static struct {
	const struct sysfs *s;
	char *root; /* s's root: another host at the same address is another host */
	struct strv schs, busids; /* busids[i] of schs[i], "" when unreadable */
	bool all; /* every subchannel is in, not only vfio_ccw's */
} busid_cache;

static bool busid_cache_is(const struct sysfs *s)
{
	return busid_cache.s == s && busid_cache.root &&
	       strcmp(busid_cache.root, sysfs_root(s)) == 0;
}

static void busid_cache_clear(void)
{
	strv_clear(&busid_cache.schs);
	strv_clear(&busid_cache.busids);
	busid_cache.s = NULL;
	free(busid_cache.root);
	busid_cache.root = NULL;
	busid_cache.all = false;
}

static bool busid_cached(const char *sch)
{
	for (size_t i = 0; i < busid_cache.schs.n; i++)
		if (strcmp(busid_cache.schs.v[i], sch) == 0)
			return true;
	return false;
}

/* all: every subchannel not read yet, else (a new cache) vfio_ccw's */
static int busid_scan(const struct sysfs *s, bool all, struct vm_error *err)
{
	_cleanup_strv_ struct strv schs = STRV_INIT;
	const char *dir = all ? "bus/css/devices" : "bus/css/drivers/vfio_ccw";
	bool fresh = !all || !busid_cache_is(s);
	int r;

	if (fresh) {
		busid_cache_clear();
		busid_cache.root = strdup(sysfs_root(s));
		if (!busid_cache.root)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		busid_cache.s = s;
	}
	r = sysfs_list_dir(s, &schs, "%s", dir);
	if (r < 0 && r != -ENOENT) {
		busid_cache_clear();
		return vm_error_set(
			err, VM_EXIT_FAILED, r,
			"cannot read the subchannels in %s/sys/%s: %s",
			strcmp(sysfs_root(s), "/") ? sysfs_root(s) : "", dir,
			strerror(-r));
	}
	for (size_t i = 0; i < schs.n; i++) {
		_cleanup_free_ char *busid = NULL;
		struct ccw_id id;

		/* a driver's directory also holds bind, unbind, module, uevent */
		if (ccw_id_parse(schs.v[i], CCW_ID_SUBCHANNEL, &id, NULL) < 0 ||
		    (!fresh && busid_cached(schs.v[i])))
			continue;
		if (memo.s == s && !all) {
			/* vfio_ccw's subchannels are the ones apply reads whole anyway */
			struct css_subchannel sch;

			if (css_read_subchannel(s, schs.v[i], &sch) == 0 &&
			    sch.has_device)
				busid = strdup(sch.busid_name);
		} else if (sysfs_read_string(s, &busid,
					     "bus/css/devices/%s/dev_busid",
					     schs.v[i]) < 0) {
			busid = NULL;
		}
		if (strv_push(&busid_cache.schs, schs.v[i]) < 0 ||
		    strv_push(&busid_cache.busids, busid ? busid : "") < 0) {
			busid_cache_clear();
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		}
	}
	busid_cache.all = all;
	return 0;
}

/*
 * 0 with sch when a subchannel's dev_busid is name, 1 when none is, <0 on
 * error; vfio_only: 1 when none of vfio_ccw's subchannels is
 */
static int busid_lookup(const struct sysfs *s, const char *name,
			struct css_subchannel *sch, bool vfio_only,
			struct vm_error *err)
{
	bool fresh = false;

	if (!busid_cache_is(s)) {
		if (busid_scan(s, false, err) < 0)
			return vm_error_errno(err);
		fresh = true;
	}
	for (;;) {
		size_t i = 0;
		_cleanup_free_ char *now = NULL;

		while (i < busid_cache.busids.n &&
		       strcmp(busid_cache.busids.v[i], name) != 0)
			i++;
		if (i == busid_cache.busids.n && !busid_cache.all && vfio_only)
			return 1;
		if (i == busid_cache.busids.n && !busid_cache.all) {
			/* not among vfio_ccw's: every other subchannel */
			if (busid_scan(s, true, err) < 0)
				return vm_error_errno(err);
			continue;
		}
		/* no busid: a subchannel of that name, or a scan afresh says so */
		if (i == busid_cache.busids.n &&
		    (fresh || memo.s == s ||
		     sysfs_exists(s, "bus/css/devices/%s", name)))
			return 1;
		if (i < busid_cache.busids.n &&
		    (memo.s == s ||
		     (sysfs_read_string(s, &now, "bus/css/devices/%s/dev_busid",
					busid_cache.schs.v[i]) == 0 &&
		      strcmp(now, name) == 0)) &&
		    css_read_subchannel(s, busid_cache.schs.v[i], sch) == 0)
			return 0;
		if (fresh)
			return 1;
		if (busid_scan(s, false, err) < 0)
			return vm_error_errno(err);
		fresh = true;
	}
}

int css_find(const struct sysfs *s, const char *what,
	     struct css_subchannel *sch, struct vm_error *err)
{
	_cleanup_free_ char *target = NULL;
	char name[CCW_ID_STRLEN];
	int r;

	r = css_device_parse(what, name, err);
	if (r < 0)
		return r;
	/*
	 * in the memo's one reading, vfio_ccw's subchannels first: their ccw
	 * devices are gone, and apply names hundreds of them
	 */
	if (memo.s == s) {
		r = busid_lookup(s, name, sch, true, err);
		if (r <= 0)
			return r;
	}
	/* a ccw device: its subchannel is its parent directory */
	if (sysfs_readlink(s, &target, "bus/ccw/devices/%s", name) == 0) {
		char *slash = strrchr(target, '/');

		if (slash) {
			*slash = '\0';
			slash = strrchr(target, '/');
			if (slash &&
			    css_read_subchannel(s, slash + 1, sch) == 0)
				return 0;
		}
	}
	/* a device whose subchannel left io_subchannel: dev_busid still names it */
	r = busid_lookup(s, name, sch, false, err);
	if (r <= 0)
		return r;
	/* a subchannel */
	if (sysfs_exists(s, "bus/css/devices/%s", name) &&
	    css_read_subchannel(s, name, sch) == 0)
		return 0;
	return vm_error_set(
		err, VM_EXIT_NOT_FOUND, ENODEV,
		"no ccw device or subchannel '%s' on this host (searched the ccw devices, the subchannels' dev_busid and the subchannels; 'virt-mdev list ccw' shows them)",
		name);
}

static int cmp_sch(const void *a, const void *b)
{
	const struct css_subchannel *x = a, *y = b;

	if (x->schid.ssid != y->schid.ssid)
		return x->schid.ssid < y->schid.ssid ? -1 : 1;
	return x->schid.devno < y->schid.devno ?
		       -1 :
		       x->schid.devno > y->schid.devno;
}

int css_list(const struct sysfs *s, struct css_subchannel **out, size_t *n,
	     struct vm_error *err)
{
	_cleanup_strv_ struct strv names = STRV_INIT;
	struct css_subchannel *list;
	size_t count = 0;
	int r;

	r = sysfs_list_dir(s, &names, "bus/css/devices");
	if (r == -ENOENT)
		names.n = 0;
	else if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot list the subchannels: %s",
				    strerror(-r));
	list = calloc(names.n + 1, sizeof(*list));
	if (!list)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	for (size_t i = 0; i < names.n; i++)
		if (css_read_subchannel(s, names.v[i], &list[count]) == 0)
			count++;
	qsort(list, count, sizeof(*list), cmp_sch);
	*out = list;
	*n = count;
	return 0;
}

/* ---- binding plans (ccw bind/unbind, assign/unassign) ---- */

/* driverctl keeps a persistent override as /etc/driverctl.d/<bus>-<device>, content the driver name */
static void driverctl_file(const struct css_subchannel *sch, char *buf,
			   size_t size)
{
	snprintf(buf, size, "css-%s", sch->name);
}

static int read_driverctl(const struct sysfs *s,
			  const struct css_subchannel *sch, char **out)
{
	char name[64];
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	char line[128];

	driverctl_file(sch, name, sizeof(name));
	path = sysfs_area_path(s, SYSFS_AREA_DRIVERCTL, "%s", name);
	if (!path)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return negative_errno();
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	*out = strdup(line);
	return *out ? 0 : -ENOMEM;
}

int css_driverctl_override(const struct sysfs *s,
			   const struct css_subchannel *sch, char **driver)
{
	return read_driverctl(s, sch, driver);
}

/* what vfio_ccw refuses, and an online device without force */
static int check_bind(const struct css_subchannel *sch, bool force,
		      struct vm_error *err)
{
	if (sch->type_error[0])
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot bind subchannel '%s' to vfio_ccw: its type is not known (%s); vfio_ccw drives I/O subchannels only (check the subchannel with 'lscss', or pick another, see 'virt-mdev list ccw')",
			sch->name, sch->type_error);
	if (sch->device_present && sch->online_error[0] && !force)
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot bind subchannel '%s' to vfio_ccw: whether device %s is online is not known (%s) (check it with 'lscss', set it offline with 'chccwdev -d %s', or use --force)",
			sch->name, sch->busid_name, sch->online_error,
			sch->busid_name);
	if (sch->type != CSS_TYPE_IO)
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot bind subchannel '%s' to vfio_ccw: it is a %s subchannel (type %u); vfio_ccw drives I/O subchannels only (pick a DASD or tape device, see 'virt-mdev list ccw')",
			sch->name, css_type_name(sch->type), sch->type);
	if (strcmp(sch->driver, CSS_VFIO_CCW) != 0 && css_is_qdio(sch))
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot bind subchannel '%s' to vfio_ccw: device %s is a QDIO device (control unit %s, driver %s), which vfio_ccw refuses; pass QDIO network or FCP devices to guests another way",
			sch->name, sch->busid_name,
			sch->cutype[0] ? sch->cutype : "?",
			sch->device_driver[0] ? sch->device_driver : "none");
	if (sch->device_present && sch->online && !force)
		return vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"cannot bind subchannel '%s' to vfio_ccw: device %s is online, in use by the host (use 'chccwdev -d %s' or --force)",
			sch->name, sch->busid_name, sch->busid_name);
	return 0;
}

/* driverctl's override file, unless it names vfio_ccw already */
static int persist_bind(const struct sysfs *s, const struct css_subchannel *sch,
			struct plan *p, struct vm_error *err)
{
	_cleanup_free_ char *saved = NULL;
	char desc[256], file[64];

	driverctl_file(sch, file, sizeof(file));
	if (read_driverctl(s, sch, &saved) == 0 &&
	    strcmp(saved, CSS_VFIO_CCW) == 0)
		return 0;
	snprintf(
		desc, sizeof(desc),
		"make the binding of subchannel %s persistent (driverctl override)",
		sch->name);
	if (!plan_add_file_put(p, desc, SYSFS_AREA_DRIVERCTL, file,
			       CSS_VFIO_CCW "\n"))
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	return 0;
}

int css_plan_bind(const struct sysfs *s, const struct css_subchannel *sch,
		  bool persistent, bool force, struct plan *p,
		  struct vm_error *err)
{
	char path[128], undo[128], desc[256];
	struct step *st;

	if (check_bind(sch, force, err) < 0)
		return -1;
	if (sch->device_present && sch->online) {
		snprintf(path, sizeof(path), "bus/ccw/devices/%s/online",
			 sch->busid_name);
		snprintf(desc, sizeof(desc),
			 "set ccw device %s offline (--force)",
			 sch->busid_name);
		if (!plan_add_write(p, desc, path, "0", path, "1"))
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (strcmp(sch->driver, CSS_VFIO_CCW) != 0 && sch->driver[0]) {
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver/unbind",
			 sch->name);
		snprintf(undo, sizeof(undo), "bus/css/drivers/%s/bind",
			 sch->driver);
		snprintf(desc, sizeof(desc), "unbind subchannel %s from %s",
			 sch->name, sch->driver);
		st = plan_add_write(p, desc, path, sch->name, undo, sch->name);
		/* read back: no driver (compare before undo and recover tell by it) */
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver",
			 sch->name);
		if (!st || step_verify_link(st, path, "") < 0)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (strcmp(sch->driver_override, CSS_VFIO_CCW) != 0) {
		/* after the unbind, so that undoing the unbind finds the old override in place */
		snprintf(path, sizeof(path),
			 "bus/css/devices/%s/driver_override", sch->name);
		snprintf(desc, sizeof(desc),
			 "set the driver override of subchannel %s to vfio_ccw",
			 sch->name);
		st = plan_add_write(
			p, desc, path, CSS_VFIO_CCW, path,
			sch->driver_override[0] ? sch->driver_override : "\n");
		if (!st || step_verify_value(st, path, CSS_VFIO_CCW) < 0)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (strcmp(sch->driver, CSS_VFIO_CCW) != 0) {
		snprintf(path, sizeof(path), "bus/css/drivers/%s/bind",
			 CSS_VFIO_CCW);
		snprintf(undo, sizeof(undo), "bus/css/drivers/%s/unbind",
			 CSS_VFIO_CCW);
		snprintf(desc, sizeof(desc), "bind subchannel %s to vfio_ccw",
			 sch->name);
		st = plan_add_write(p, desc, path, sch->name, undo, sch->name);
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver",
			 sch->name);
		if (!st || step_verify_link(st, path, CSS_VFIO_CCW) < 0)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	return persistent ? persist_bind(s, sch, p, err) : 0;
}

int css_plan_unbind(const struct sysfs *s, const struct css_subchannel *sch,
		    bool persistent, struct plan *p, char **kept_override,
		    struct vm_error *err)
{
	char path[128], undo[128], desc[256], file[64];
	_cleanup_free_ char *saved = NULL;
	struct step *st;

	if (sch->mdev[0])
		return vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"cannot unbind subchannel '%s' from vfio_ccw: mdev %s exists on it; remove it first ('virt-mdev remove %s')",
			sch->name, sch->mdev, sch->mdev);
	if (strcmp(sch->driver, CSS_VFIO_CCW) == 0) {
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver/unbind",
			 sch->name);
		snprintf(undo, sizeof(undo), "bus/css/drivers/%s/bind",
			 CSS_VFIO_CCW);
		snprintf(desc, sizeof(desc),
			 "unbind subchannel %s from vfio_ccw", sch->name);
		st = plan_add_write(p, desc, path, sch->name, undo, sch->name);
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver",
			 sch->name);
		if (!st || step_verify_link(st, path, "") < 0)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (sch->driver_override[0]) {
		snprintf(path, sizeof(path),
			 "bus/css/devices/%s/driver_override", sch->name);
		snprintf(desc, sizeof(desc),
			 "clear the driver override of subchannel %s",
			 sch->name);
		st = plan_add_write(p, desc, path, "\n", path,
				    sch->driver_override);
		if (!st || step_verify_value(st, path, "(null)") < 0)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (strcmp(sch->driver, CSS_IO_SUBCHANNEL) != 0) {
		snprintf(path, sizeof(path), "bus/css/drivers/%s/bind",
			 CSS_IO_SUBCHANNEL);
		snprintf(undo, sizeof(undo), "bus/css/drivers/%s/unbind",
			 CSS_IO_SUBCHANNEL);
		snprintf(desc, sizeof(desc),
			 "bind subchannel %s to io_subchannel", sch->name);
		st = plan_add_write(p, desc, path, sch->name, undo, sch->name);
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver",
			 sch->name);
		if (!st || step_verify_link(st, path, CSS_IO_SUBCHANNEL) < 0)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	driverctl_file(sch, file, sizeof(file));
	if (read_driverctl(s, sch, &saved) == 0) {
		if (persistent) {
			snprintf(
				desc, sizeof(desc),
				"remove the persistent binding of subchannel %s (driverctl override)",
				sch->name);
			if (!plan_add_file_delete(p, desc, SYSFS_AREA_DRIVERCTL,
						  file))
				return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
						    "out of memory");
		} else if (kept_override) {
			*kept_override = steal_ptr(saved);
		}
	}
	return 0;
}
