/*
 * virt-mdev-sim's kernel, the channel subsystem's own devices: the channel
 * paths (drivers/s390/cio/chp.c), css0's attributes and its defunct pseudo
 * subchannel (css.c), and the /proc files of the common I/O layer:
 * /proc/cio_ignore (blacklist.c), /proc/cio_settle (css.c) and
 * /proc/sysinfo (arch/s390/kernel/sysinfo.c), kept in the hidden
 * directory .proc that virt-mdev-sim run binds over /proc's.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"
#include "model-internal.h"

/* ---- channel paths (chp.c) ------------------------------------------------- */

/* chp_status_show: "online" or "offline", the logical (vary) state */
static int chp_show_status(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, ((struct chp *)obj)->online ? "online" :
								 "offline");
}

/*
 * chp_status_write: the first word (sscanf "%5s"); "on..." (strncasecmp 2)
 * or "1" varies on, "off..." (3) or "0" off, else EINVAL; a write of only
 * blanks does nothing. Varying changes the paths the subchannels use (vpm).
 */
static int chp_store_status(void *model, void *obj, const char *buf, size_t len)
{
	struct chp *chp = obj;
	char cmd[6];

	(void)model;
	(void)len;
	if (sscanf(buf, "%5s", cmd) != 1)
		return 0;
	if (strncasecmp(cmd, "on", 2) == 0 || strcmp(cmd, "1") == 0)
		chp->online = true;
	else if (strncasecmp(cmd, "off", 3) == 0 || strcmp(cmd, "0") == 0)
		chp->online = false;
	else
		return -EINVAL;
	return 0;
}

/* chp_configure_show: the SCLP channel-path information's state, "%d" */
static int chp_show_configure(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%u\n", ((struct chp *)obj)->configure);
}

/*
 * chp_configure_write: sscanf "%d %c" must find exactly the number (blanks
 * after it are fine), 0 or 1, else EINVAL; the SCLP request then configures
 * (1) the path or puts it in standby (0), which configure shows.
 */
static int chp_store_configure(void *model, void *obj, const char *buf,
			       size_t len)
{
	struct chp *chp = obj;
	char delim;
	int v;

	(void)model;
	(void)len;
	if (sscanf(buf, "%d %c", &v, &delim) != 1 || (v != 0 && v != 1))
		return -EINVAL;
	chp->configure = (unsigned)v;
	return 0;
}

static int chp_show_type(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%x\n", ((struct chp *)obj)->type);
}

/* chp_cmg_show / chp_shared_show: "unknown" without channel measurement, else %d / %x */
static int chp_show_cmg(void *model, void *obj, struct strbuf *out)
{
	struct chp *chp = obj;

	(void)model;
	if (chp->cmg < 0)
		return model_show_str(out, "unknown");
	return strbuf_addf(out, "%d\n", chp->cmg);
}

static int chp_show_shared(void *model, void *obj, struct strbuf *out)
{
	struct chp *chp = obj;

	(void)model;
	if (chp->shared < 0)
		return model_show_str(out, "unknown");
	return strbuf_addf(out, "%x\n", chp->shared);
}

/* chp_chid_show / chp_chid_external_show: empty unless the fmt1 description has a chid */
static int chp_show_chid(void *model, void *obj, struct strbuf *out)
{
	struct chp *chp = obj;

	(void)model;
	if (chp->chid < 0)
		return strbuf_add(out, "", 0);
	return strbuf_addf(out, "%04x\n", (unsigned)chp->chid);
}

static int chp_show_chid_external(void *model, void *obj, struct strbuf *out)
{
	struct chp *chp = obj;

	(void)model;
	if (chp->chid < 0)
		return strbuf_add(out, "", 0);
	return strbuf_addf(out, "%x\n", chp->chid_external ? 1 : 0);
}

/* chp_esc_show "%x"; speed_bps_show "0" when the speed is not reported */
static int chp_show_zero(void *model, void *obj, struct strbuf *out)
{
	return model_show_zero(model, obj, out);
}

/* util_string: a 64-byte binary attribute, all zero when not reported */
static int chp_show_util_string(void *model, void *obj, struct strbuf *out)
{
	static const char zero[64];

	(void)model;
	(void)obj;
	return strbuf_add(out, zero, sizeof(zero));
}

/* a chp device has no bus: its uevent file is empty */
static int chp_show_uevent(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return strbuf_add(out, "", 0);
}

static int chp_store_uevent(void *model, void *obj, const char *buf, size_t len)
{
	(void)len;
	return model_uevent_store(model, ((struct chp *)obj)->dir, "", NULL,
				  buf);
}

/* chp_attrs[] and chp_bin_attrs[] (chp.c), in that order */
static const struct vfs_attr chp_attrs[] = {
	{ "status", 0644, chp_show_status, chp_store_status },
	{ "configure", 0644, chp_show_configure, chp_store_configure },
	{ "type", 0444, chp_show_type, NULL },
	{ "cmg", 0444, chp_show_cmg, NULL },
	{ "shared", 0444, chp_show_shared, NULL },
	{ "chid", 0444, chp_show_chid, NULL },
	{ "chid_external", 0444, chp_show_chid_external, NULL },
	{ "esc", 0444, chp_show_zero, NULL },
	{ "speed_bps", 0444, chp_show_zero, NULL },
	{ "util_string", 0444, chp_show_util_string, NULL },
	{ "uevent", 0644, chp_show_uevent, chp_store_uevent },
};

int model_add_chp(struct model *m, const struct chp *tmpl)
{
	struct chp *chp;
	char name[16];

	if (m->chps[tmpl->id])
		return -EEXIST;
	CHECK(chp = calloc(1, sizeof(*chp)));
	*chp = *tmpl;
	m->chps[chp->id] = chp;
	/* dev_set_name "chp%x.%02x" below css0 */
	snprintf(name, sizeof(name), "chp0.%02x", chp->id);
	CHECK(chp->dir =
		      vfs_add_dir(&m->vfs, model_dir(m, "devices/css0"), name));
	return model_add_attrs(m, chp->dir, chp_attrs, ARRAY_SIZE(chp_attrs),
			       chp);
}

/*
 * The paths a subchannel names that no <chp> described: the defaults of a
 * FICON channel (type 1a) with measurement (cmg 2, shared), online and
 * configured, as chp_new registers every installed path at boot.
 */
int model_chp_register_for(struct model *m, const struct subchannel *sch)
{
	for (int i = 0; i < 8; i++) {
		struct chp tmpl = { .id = sch->chpids[i],
				    .type = 0x1a,
				    .cmg = 2,
				    .shared = 1,
				    .chid = -1,
				    .online = true,
				    .configure = 1 };
		int r;

		if (!(sch->pim & (0x80 >> i)) || m->chps[tmpl.id])
			continue;
		r = model_add_chp(m, &tmpl);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- css0 and defunct (css.c) ---------------------------------------------- */

/* real_cssid_show: "%x" of the real channel-subsystem id (0 in an LPAR of css 0) */
static const struct vfs_attr css_real_cssid_attr = { "real_cssid", 0444,
						     model_show_zero, NULL };

static int css_store_cm_enable(void *model, void *obj, const char *buf,
			       size_t len)
{
	unsigned long v;
	int r;

	(void)model;
	(void)obj;
	(void)len;
	/* css_cm_enable_store: kstrtoul base 16, 0 or 1 */
	r = model_kstrtoul(buf, 16, &v);
	if (r < 0)
		return r;
	/* on (1) the chps would get their measurement files: not simulated, refused */
	return v == 0 ? 0 : v == 1 ? -EOPNOTSUPP : -EINVAL;
}

static const struct vfs_attr css_cm_enable_attr = { "cm_enable", 0644,
						    model_show_zero,
						    css_store_cm_enable };

static int plain_show_empty(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return strbuf_add(out, "", 0);
}

static const struct vfs_attr defunct_uevent_attr = { "uevent", 0644,
						     plain_show_empty,
						     model_store_nothing };

/* ---- /proc/cio_ignore (blacklist.c) ------------------------------------------ */

static bool ignored(const struct model *m, unsigned ssid, unsigned devno)
{
	return m->cio_ignore[ssid][devno / 8] & (1u << (devno % 8));
}

void model_cio_ignore_range(struct model *m, unsigned ssid, unsigned from,
			    unsigned to, bool add)
{
	for (unsigned d = from; d <= to && d < 0x10000; d++) {
		uint8_t bit = (uint8_t)(1u << (d % 8));

		if (add)
			m->cio_ignore[ssid][d / 8] |= bit;
		else
			m->cio_ignore[ssid][d / 8] &= (uint8_t)(0xffu ^ bit);
	}
}

/* cio_ignore_proc_seq_show: a range "0.S.FROM-0.S.TO" or a device "0.S.DEVNO", a line each; a range ends with its ssid */
static int cio_ignore_show(void *model, void *obj, struct strbuf *out)
{
	struct model *m = model;

	(void)obj;
	for (unsigned ssid = 0; ssid < 4; ssid++) {
		for (unsigned d = 0; d < 0x10000; d++) {
			unsigned to = d;

			if (!ignored(m, ssid, d))
				continue;
			while (to < 0xffff && ignored(m, ssid, to + 1))
				to++;
			if (to == d) {
				if (strbuf_addf(out, "0.%x.%04x\n", ssid, d) <
				    0)
					return -ENOMEM;
			} else if (strbuf_addf(out, "0.%x.%04x-0.%x.%04x\n",
					       ssid, d, ssid, to) < 0) {
				return -ENOMEM;
			}
			d = to;
		}
	}
	return 0;
}

/* pure_hex: min_digit..max_digit hex digits, at most max_val */
static int pure_hex(const char **cp, unsigned *val, int min_digit,
		    int max_digit, unsigned max_val)
{
	int diff = 0;

	*val = 0;
	while (diff <= max_digit && isxdigit((unsigned char)**cp)) {
		int v = isdigit((unsigned char)**cp) ?
				**cp - '0' :
				tolower((unsigned char)**cp) - 'a' + 10;

		*val = *val * 16 + (unsigned)v;
		(*cp)++;
		diff++;
	}
	if (diff < min_digit || diff > max_digit || *val > max_val)
		return 1;
	return 0;
}

/* parse_busid: a devno (strtoul base 16, "0x" allowed) or 0.S.DDDD; 0 or 1 */
static int parse_busid(const char *str, unsigned *ssid, unsigned *devno)
{
	const char *w = str;
	char *end;
	unsigned long v;
	unsigned cssid;

	/* simple_strtoul takes no blank and no sign before the digits (strtoul would) */
	if (!isxdigit((unsigned char)*str))
		return 1;
	v = strtoul(str, &end, 16);
	if (*end == '\0') {
		if (v > 0xffff)
			return 1;
		*devno = (unsigned)v;
		*ssid = 0;
		return 0;
	}
	if (pure_hex(&w, &cssid, 1, 2, 0xfe) || *w != '.')
		return 1;
	w++;
	if (pure_hex(&w, ssid, 1, 1, 3) || *w != '.')
		return 1;
	w++;
	if (pure_hex(&w, devno, 4, 4, 0xffff) || *w != '\0')
		return 1;
	return 0;
}

/*
 * blacklist_parse_parameters: comma-separated items, each "all", a busid or
 * FROM-TO, "!" reversing the action; a bad item is skipped and makes the
 * write fail with EINVAL, the good ones still apply. "ipldev" and "condev"
 * name the IPL and console devices, which the simulated host has none of.
 */
static int cio_ignore_parse(struct model *m, char *str, bool add)
{
	int total = 0;
	char *parm;

	while ((parm = strsep(&str, ","))) {
		unsigned fs = 0, fd = 0, ts = 0, td = 0;
		bool a = add;
		int bad = 0;

		if (*parm == '!') {
			a = !a;
			parm++;
		}
		if (strcmp(parm, "all") == 0) {
			ts = 3;
			td = 0xffff;
		} else if (strcmp(parm, "ipldev") == 0 ||
			   strcmp(parm, "condev") == 0) {
			bad = 1;
		} else {
			char *to = parm;
			char *from = strsep(&to, "-");

			bad = parse_busid(from, &fs, &fd);
			if (!bad) {
				if (to)
					bad = parse_busid(to, &ts, &td);
				else {
					ts = fs;
					td = fd;
				}
			}
		}
		/* blacklist_range: from must not be after to */
		if (!bad && (fs > ts || (fs == ts && fd > td)))
			bad = 1;
		if (bad) {
			total = -EINVAL;
			continue;
		}
		for (unsigned s = fs; s <= ts; s++)
			model_cio_ignore_range(m, s, s == fs ? fd : 0,
					       s == ts ? td : 0xffff, a);
	}
	return total;
}

/*
 * cio_ignore_write: trailing blanks cut, then "free LIST", "add LIST" or
 * "purge" (blacklist_parse_proc_parameters), anything else EINVAL. The
 * simulated host has no device that is ignored (a host description lists
 * only devices it has; those never were), so free finds nothing new to
 * probe and purge has nothing offline and ignored to remove.
 */
static int cio_ignore_store(void *model, void *obj, const char *buf, size_t len)
{
	_cleanup_free_ char *copy = strndup(buf, len);
	char *rest, *cmd;
	size_t n;

	(void)obj;
	if (!copy)
		return -ENOMEM;
	n = strlen(copy);
	while (n > 0 && isspace((unsigned char)copy[n - 1]))
		copy[--n] = '\0';
	rest = copy;
	cmd = strsep(&rest, " ");
	if (strcmp(cmd, "free") == 0)
		return rest ? cio_ignore_parse(model, rest, false) : 0;
	if (strcmp(cmd, "add") == 0)
		return rest ? cio_ignore_parse(model, rest, true) : 0;
	if (strcmp(cmd, "purge") == 0)
		return 0;
	return -EINVAL;
}

/* S_IFREG | 0644 (cio_ignore_proc_init) */
static const struct vfs_attr cio_ignore_attr = { "cio_ignore", 0644,
						 cio_ignore_show,
						 cio_ignore_store };

/* /proc/cio_settle (css.c cio_settle_write): any write waits for the css to settle; write-only 0200 */
static const struct vfs_attr cio_settle_attr = { "cio_settle", 0200, NULL,
						 model_store_nothing };

/* /proc/sysinfo (sysinfo.c): 0444, the text the host description gives */
static int sysinfo_show(void *model, void *obj, struct strbuf *out)
{
	struct model *m = model;

	(void)obj;
	return m->sysinfo ? strbuf_addf(out, "%s", m->sysinfo) :
			    strbuf_add(out, "", 0);
}

static const struct vfs_attr sysinfo_attr = { "sysinfo", 0444, sysinfo_show,
					      NULL };

int model_chp_init(struct model *m)
{
	struct vfs_node *css0 = model_dir(m, "devices/css0");
	struct vfs_node *n;

	CHECK(vfs_add_file(&m->vfs, css0, &css_real_cssid_attr, NULL));
	CHECK(vfs_add_file(&m->vfs, css0, &css_cm_enable_attr, NULL));
	/* setup_css: the pseudo subchannel "defunct" that orphaned ccw devices move below */
	CHECK(n = vfs_add_dir(&m->vfs, css0, "defunct"));
	CHECK(vfs_add_file(&m->vfs, n, &defunct_uevent_attr, NULL));
	CHECK(n = vfs_add_dir(&m->vfs, m->vfs.root, MODEL_PROC_PATH));
	CHECK(vfs_add_file(&m->vfs, n, &cio_ignore_attr, NULL));
	CHECK(vfs_add_file(&m->vfs, n, &cio_settle_attr, NULL));
	CHECK(vfs_add_file(&m->vfs, n, &sysinfo_attr, NULL));
	return 0;
}
