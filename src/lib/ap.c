/* The AP bus as sysfs shows it (kernel-sysfs.md section 3), and mdevctl's vfio-ap definitions. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "ap.h"
#include "cleanup.h"
#include "mdev.h"

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

/* Every vfio_ap mdev, active (its matrix from sysfs) or defined (its attrs in mdevctl's definition). */
static int read_ap_mdevs(const struct sysfs *s, struct ap_host *h,
			 struct vm_error *err)
{
	struct mdev_info *mdevs = NULL;
	size_t n = 0;

	if (mdev_list(s, &mdevs, &n, err) < 0)
		return -EIO;
	h->mdevs = calloc(n + 1, sizeof(*h->mdevs));
	if (!h->mdevs) {
		mdev_list_free(mdevs, n);
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct ap_mdev_info *m;

		if (!mdevs[i].is_ap)
			continue;
		m = &h->mdevs[h->nmdevs++];
		snprintf(m->uuid, sizeof(m->uuid), "%s", mdevs[i].uuid);
		m->active = mdevs[i].active;
		m->defined = mdevs[i].defined;
		m->autostart = mdevs[i].autostart;
		m->apm = mdevs[i].apm;
		m->aqm = mdevs[i].aqm;
		m->adm = mdevs[i].adm;
	}
	mdev_list_free(mdevs, n);
	return 0;
}

int ap_read_host(const struct sysfs *s, struct ap_host *h, struct vm_error *err)
{
	_cleanup_free_ char *apmask = NULL, *aqmask = NULL;
	_cleanup_strv_ struct strv devs = STRV_INIT;
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
	return read_ap_mdevs(s, h, err);
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
	if (fd < 0 && errno == ENOENT) {
		/* /run/lock exists on every host; a --root tree may lack it */
		_cleanup_free_ char *dir =
			sysfs_area_path(s, SYSFS_AREA_LOCK, "%s", "");

		char *slash = dir ? strrchr(dir, '/') : NULL;

		/* ROOT/run, then ROOT/run/lock */
		if (slash && slash != dir) {
			*slash = '\0';
			(void)mkdir(dir, 0755);
			*slash = '/';
		}
		if (dir && mkdir(dir, 0755) == 0)
			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		else
			errno = ENOENT;
	}
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
