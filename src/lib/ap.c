/* The AP bus as sysfs shows it (kernel-sysfs.md section 3), and mdevctl's vfio-ap definitions. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "ap.h"
#include "cleanup.h"

bool ap_reserved(const struct ap_mask *apmask, const struct ap_mask *aqmask,
		 const struct apqn *q)
{
	return ap_mask_test(apmask, q->apid) && ap_mask_test(aqmask, q->apqi);
}

const struct ap_mdev_info *ap_owner(const struct ap_host *h,
				    const struct apqn *q)
{
	for (size_t i = 0; i < h->nmdevs; i++)
		if (ap_mask_test(&h->mdevs[i].apm, q->apid) &&
		    ap_mask_test(&h->mdevs[i].aqm, q->apqi))
			return &h->mdevs[i];
	return NULL;
}

int ap_parse_matrix(const char *text, struct ap_mask *apm, struct ap_mask *aqm)
{
	ap_mask_zero(apm);
	ap_mask_zero(aqm);
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		unsigned a, d;
		char buf[32];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		if (sscanf(buf, "%2x.%4x", &a, &d) == 2) {
			ap_mask_set(apm, a);
			ap_mask_set(aqm, d);
		} else if (buf[0] == '.' && sscanf(buf + 1, "%4x", &d) == 1) {
			ap_mask_set(aqm, d);
		} else if (sscanf(buf, "%2x.", &a) == 1) {
			ap_mask_set(apm, a);
		} else if (len) {
			return -EINVAL;
		}
		line += len;
		if (*line)
			line++;
	}
	return 0;
}

static struct ap_mdev_info *mdev_slot(struct ap_host *h, const char *uuid)
{
	struct ap_mdev_info *m;

	for (size_t i = 0; i < h->nmdevs; i++)
		if (strcmp(h->mdevs[i].uuid, uuid) == 0)
			return &h->mdevs[i];
	m = realloc(h->mdevs, (h->nmdevs + 1) * sizeof(*m));
	if (!m)
		return NULL;
	h->mdevs = m;
	m = &h->mdevs[h->nmdevs++];
	memset(m, 0, sizeof(*m));
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	return m;
}

/* A value as the kernel's kstrtoul(base 0) reads what mdevctl writes verbatim. */
static int attr_id(const char *v, unsigned *out)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 0);
	if (!*v || *end || errno || x > AP_ID_MAX)
		return -EINVAL;
	*out = (unsigned)x;
	return 0;
}

/* mdevctl's definitions of vfio_ap devices: /etc/mdevctl.d/matrix/<uuid>, JSON with ordered attrs. */
static int read_definitions(const struct sysfs *s, struct ap_host *h)
{
	_cleanup_free_ char *dir =
		sysfs_area_path(s, SYSFS_AREA_MDEVCTL, "matrix");
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(d))) {
		_cleanup_json_ struct json_object *def = NULL;
		struct json_object *attrs, *start;
		struct ap_mdev_info *m;
		uuid_t u;
		char path[PATH_MAX];

		if (ids_uuid_parse(de->d_name, u, NULL) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		def = json_object_from_file(path);
		if (!def)
			continue; /* mdevctl too ignores what it cannot read */
		m = mdev_slot(h, de->d_name);
		if (!m)
			return -ENOMEM;
		m->defined = true;
		if (json_object_object_get_ex(def, "start", &start))
			m->autostart = strcmp(json_object_get_string(start),
					      "auto") == 0;
		if (m->active ||
		    !json_object_object_get_ex(def, "attrs", &attrs))
			continue; /* an active device's matrix is what sysfs says */
		for (size_t i = 0; i < json_object_array_length(attrs); i++) {
			json_object_object_foreach(
				json_object_array_get_idx(attrs, i), key, val)
			{
				unsigned id;

				if (attr_id(json_object_get_string(val), &id) <
				    0)
					continue;
				if (strcmp(key, "assign_adapter") == 0)
					ap_mask_set(&m->apm, id);
				else if (strcmp(key, "assign_domain") == 0)
					ap_mask_set(&m->aqm, id);
				else if (strcmp(key, "assign_control_domain") ==
					 0)
					ap_mask_set(&m->adm, id);
			}
		}
	}
	return 0;
}

int ap_read_host(const struct sysfs *s, struct ap_host *h, struct vm_error *err)
{
	_cleanup_free_ char *apmask = NULL, *aqmask = NULL;
	_cleanup_strv_ struct strv devs = STRV_INIT;
	_cleanup_strv_ struct strv mdevs = STRV_INIT;
	unsigned long max;
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = sysfs_read_string(s, &apmask, "bus/ap/apmask")) < 0 ||
	    (r = sysfs_read_string(s, &aqmask, "bus/ap/aqmask")) < 0)
		return vm_error_set(
			err, r == -ENOENT ? VM_EXIT_NOT_FOUND : VM_EXIT_FAILED,
			r,
			"cannot read the AP bus masks (%s/sys/bus/ap/apmask, aqmask): %s (is this an s390 host with the ap bus, and vfio_ap loaded?)",
			strcmp(sysfs_root(s), "/") ? sysfs_root(s) : "",
			strerror(-r));
	if (ap_mask_parse(apmask, &h->apmask, err) < 0 ||
	    ap_mask_parse(aqmask, &h->aqmask, err) < 0)
		return -EINVAL;
	h->max_adapter_id =
		sysfs_read_unsigned(s, &max, "bus/ap/ap_max_adapter_id") == 0 ?
			(unsigned)max :
			63;
	h->max_domain_id =
		sysfs_read_unsigned(s, &max, "bus/ap/ap_max_domain_id") == 0 ?
			(unsigned)max :
			15;
	if (sysfs_list_dir(s, &devs, "bus/ap/devices") == 0) {
		h->queues = calloc(devs.n + 1, sizeof(*h->queues));
		if (!h->queues)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		for (size_t i = 0; i < devs.n; i++) {
			struct ap_queue_info *q = &h->queues[h->nqueues];
			_cleanup_free_ char *drv = NULL;

			if (!strchr(devs.v[i], '.') ||
			    apqn_parse(devs.v[i], &q->apqn, NULL) < 0)
				continue; /* a card */
			apqn_format(&q->apqn, q->name);
			if (sysfs_readlink_basename(s, &drv,
						    "bus/ap/devices/%s/driver",
						    devs.v[i]) == 0)
				snprintf(q->driver, sizeof(q->driver), "%s",
					 drv);
			h->nqueues++;
		}
	}
	/* active vfio_ap mdevs: children of the matrix device with a matrix file */
	if (sysfs_list_dir(s, &mdevs, "devices/vfio_ap/matrix") == 0) {
		for (size_t i = 0; i < mdevs.n; i++) {
			_cleanup_free_ char *matrix = NULL, *cdoms = NULL;
			struct ap_mdev_info *m;
			uuid_t u;

			if (ids_uuid_parse(mdevs.v[i], u, NULL) < 0 ||
			    sysfs_read_string(s, &matrix,
					      "devices/vfio_ap/matrix/%s/matrix",
					      mdevs.v[i]) < 0)
				continue;
			m = mdev_slot(h, mdevs.v[i]);
			if (!m)
				return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
						    "out of memory");
			m->active = true;
			ap_parse_matrix(matrix, &m->apm, &m->aqm);
			if (sysfs_read_string(
				    s, &cdoms,
				    "devices/vfio_ap/matrix/%s/control_domains",
				    mdevs.v[i]) == 0) {
				for (char *p = cdoms; *p;) {
					unsigned long d = strtoul(p, &p, 16);

					ap_mask_set(&m->adm, (unsigned)d);
					while (*p == '\n')
						p++;
				}
			}
		}
	}
	r = read_definitions(s, h);
	if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot read mdevctl's definitions: %s",
				    strerror(-r));
	return 0;
}

void ap_host_clear(struct ap_host *h)
{
	free(h->queues);
	free(h->mdevs);
	memset(h, 0, sizeof(*h));
}

int ap_lock(const struct sysfs *s, struct vm_error *err)
{
	_cleanup_free_ char *path =
		sysfs_area_path(s, SYSFS_AREA_LOCK, "s390apconfig.lock");
	int fd;

	if (!path)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, errno,
			"cannot open the AP configuration lock %s: %s", path,
			strerror(errno));
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;

		close(fd);
		return vm_error_set(err, VM_EXIT_FAILED, e,
				    "cannot lock %s: %s", path, strerror(e));
	}
	return fd;
}
