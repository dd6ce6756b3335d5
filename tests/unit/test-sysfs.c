/* The one door to the host: paths under the root, typed readers, writers that pass the kernel's errno through. */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "lib/sysfs.h"
#include "tap.h"

static char root[] = "/tmp/virt-mdev-test-sysfs.XXXXXX";

static void put(const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f || fputs(content, f) < 0 || fclose(f) != 0)
		abort();
}

static void mkdirs(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "mkdir -p '%s/%s'", root, rel);
	if (system(path) != 0)
		abort();
}

static void link_to(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path) < 0)
		abort();
}

static void make_tree(void)
{
	if (!mkdtemp(root))
		abort();
	mkdirs("sys/devices/css0/0.0.0313");
	mkdirs("sys/bus/css/drivers/vfio_ccw");
	mkdirs("sys/bus/css/devices");
	mkdirs("sys/bus/ap");
	put("sys/devices/css0/0.0.0313/type", "0\n");
	put("sys/devices/css0/0.0.0313/driver_override", "(null)\n");
	put("sys/devices/css0/0.0.0313/chpids", "2a 3a 00 00 00 00 00 00 \n");
	put("sys/devices/css0/0.0.0313/empty", "");
	put("sys/devices/css0/0.0.0313/hexval", "0x2b09\n");
	put("sys/devices/css0/0.0.0313/hexbare", "ff\n");
	put("sys/devices/css0/0.0.0313/neg", "-1\n");
	put("sys/devices/css0/0.0.0313/huge", "99999999999999999999999\n");
	put("sys/bus/ap/ap_max_domain_id", "255\n");
	link_to("../../../devices/css0/0.0.0313",
		"sys/bus/css/devices/0.0.0313");
	link_to("../../../bus/css/drivers/vfio_ccw",
		"sys/devices/css0/0.0.0313/driver");
	link_to("/dev/full", "sys/devices/css0/0.0.0313/full");
	mkdirs("sys/devices/css0/0.0.0313/0.0.2b09");
	mkdirs("sys/devices/css0/0.0.0313/mdev_supported_types");
}

static void remove_tree(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		tap_diag("could not remove the test tree");
}

static void test_paths(struct sysfs *s)
{
	_cleanup_free_ char *p1 =
		sysfs_path(s, "bus/css/devices/%s/type", "0.0.0313");
	_cleanup_free_ char *p2 =
		sysfs_area_path(s, SYSFS_AREA_MDEVCTL, "%s/%s", "matrix", "u");
	_cleanup_free_ char *p3 =
		sysfs_area_path(s, SYSFS_AREA_DRIVERCTL, "%s", "");
	_cleanup_free_ char *p4 =
		sysfs_area_path(s, SYSFS_AREA_LOCK, "s390apconfig.lock");
	_cleanup_free_ char *e1 = NULL, *e2 = NULL, *expected = NULL;
	_cleanup_sysfs_ struct sysfs *host = NULL;
	_cleanup_free_ char *h1 = NULL;

	if (asprintf(&expected, "%s/sys/bus/css/devices/0.0.0313/type", root) <
	    0)
		abort();
	is_str(p1, expected, "sysfs paths hang off ROOT/sys");
	free(expected);
	if (asprintf(&expected, "%s/etc/mdevctl.d/matrix/u", root) < 0)
		abort();
	is_str(p2, expected, "mdevctl definitions are at ROOT/etc/mdevctl.d");
	free(expected);
	if (asprintf(&expected, "%s/etc/driverctl.d", root) < 0)
		abort();
	is_str(p3, expected, "driverctl overrides are at ROOT/etc/driverctl.d");
	free(expected);
	if (asprintf(&expected, "%s/run/lock/s390apconfig.lock", root) < 0)
		abort();
	is_str(p4, expected, "locks are at ROOT/run/lock");
	is_str(sysfs_root(s), root, "the root is kept canonical");

	errno = 0;
	e1 = sysfs_path(s, "bus/css/devices/%s/type", "../../../../etc");
	ok(!e1 && errno == EINVAL, "a path climbing out with .. is refused");
	e2 = sysfs_path(s, "..");
	ok(!e2 && errno == EINVAL, "a bare .. is refused");
	{
		_cleanup_free_ char *dots = sysfs_path(s, "a..b/..c");

		ok(dots != NULL, "names containing dots are fine");
	}

	is_int(sysfs_new(&host, "/", NULL), 0, "the real root opens");
	h1 = sysfs_path(host, "bus/css/devices");
	is_str(h1, "/sys/bus/css/devices",
	       "with root / the paths are the host's own");
	is_str(sysfs_area_to_string(SYSFS_AREA_LOCK), "run/lock", "area names");
	ok(sysfs_area_to_string(SYSFS_AREA__LAST) == NULL,
	   "no area past the last");
}

static void test_root_selection(void)
{
	struct vm_error err = { 0 };
	_cleanup_sysfs_ struct sysfs *a = NULL;
	_cleanup_sysfs_ struct sysfs *b = NULL;
	_cleanup_sysfs_ struct sysfs *c = NULL;
	struct sysfs *d = NULL;
	char dotted[600];

	setenv(SYSFS_ROOT_ENV, root, 1);
	is_int(sysfs_new(&a, NULL, &err), 0, "VIRT_MDEV_ROOT names the root");
	is_str(sysfs_root(a), root, "the root comes from the environment");
	snprintf(dotted, sizeof(dotted), "%s/sys/..", root);
	is_int(sysfs_new(&b, dotted, &err), 0,
	       "--root wins over the environment");
	is_str(sysfs_root(b), root, "--root is canonicalised");
	unsetenv(SYSFS_ROOT_ENV);
	is_int(sysfs_new(&c, NULL, &err), 0, "without both the root is /");
	is_str(sysfs_root(c), "/", "the default root is /");

	ok(sysfs_new(&d, "/nonexistent/virt-mdev-root", &err) == -ENOENT && !d,
	   "a missing root is refused with ENOENT");
	is_int(err.exit, VM_EXIT_USAGE, "a bad root is a usage error");
	is_str(err.msg,
	       "cannot use root '/nonexistent/virt-mdev-root' (--root): No such file or directory (it must be an existing directory holding sys/)",
	       "the message names the value, where it came from and what it must be");
	setenv(SYSFS_ROOT_ENV, "/nonexistent/env-root", 1);
	ok(sysfs_new(&d, NULL, &err) < 0, "a bad VIRT_MDEV_ROOT is refused");
	ok(strstr(err.msg, "'/nonexistent/env-root' (VIRT_MDEV_ROOT)") != NULL,
	   "the message says the root came from VIRT_MDEV_ROOT");
	unsetenv(SYSFS_ROOT_ENV);
	snprintf(dotted, sizeof(dotted), "%s/sys/bus/ap/ap_max_domain_id",
		 root);
	ok(sysfs_new(&d, dotted, &err) == -ENOTDIR,
	   "a file as root is refused");
}

static void test_readers(struct sysfs *s)
{
	_cleanup_free_ char *str = NULL, *chpids = NULL, *empty = NULL;
	_cleanup_free_ char *drv = NULL, *target = NULL, *none = NULL;
	unsigned long v = 0;

	is_int(sysfs_read_string(s, &str, "devices/css0/%s/driver_override",
				 "0.0.0313"),
	       0, "read a string attribute");
	is_str(str, "(null)", "the trailing newline is removed");
	is_int(sysfs_read_string(s, &chpids, "devices/css0/0.0.0313/chpids"), 0,
	       "read chpids");
	is_str(chpids, "2a 3a 00 00 00 00 00 00 ",
	       "other blanks are kept (chpids' trailing blank)");
	is_int(sysfs_read_string(s, &empty, "devices/css0/0.0.0313/empty"), 0,
	       "read an empty attribute");
	is_str(empty, "", "an empty attribute is an empty string");
	is_int(sysfs_read_string(s, &none, "devices/css0/0.0.0313/nosuch"),
	       -ENOENT, "a missing attribute is -ENOENT");

	is_int(sysfs_read_unsigned(s, &v, "bus/ap/ap_max_domain_id"), 0,
	       "read a decimal");
	is_int(v, 255, "ap_max_domain_id is 255");
	is_int(sysfs_read_unsigned(s, &v, "devices/css0/0.0.0313/type"), 0,
	       "read type");
	is_int(v, 0, "type 0 is an I/O subchannel");
	is_int(sysfs_read_unsigned(s, &v, "devices/css0/0.0.0313/neg"), -EINVAL,
	       "a negative number is -EINVAL");
	is_int(sysfs_read_unsigned(s, &v, "devices/css0/0.0.0313/hexval"),
	       -EINVAL, "hex is not a decimal: -EINVAL");
	is_int(sysfs_read_unsigned(s, &v, "devices/css0/0.0.0313/huge"),
	       -ERANGE, "a number too big is -ERANGE");
	is_int(sysfs_read_unsigned(s, &v, "devices/css0/0.0.0313/empty"),
	       -EINVAL, "an empty attribute is no number");
	is_int(sysfs_read_hex(s, &v, "devices/css0/0.0.0313/hexval"), 0,
	       "read 0x-hex");
	is_int(v, 0x2b09, "0x2b09 reads as 0x2b09");
	is_int(sysfs_read_hex(s, &v, "devices/css0/0.0.0313/hexbare"), 0,
	       "read bare hex");
	is_int(v, 0xff, "ff reads as 255");
	is_int(sysfs_read_hex(s, &v, "devices/css0/0.0.0313/chpids"), -EINVAL,
	       "chpids is not one hex number");

	is_int(sysfs_readlink_basename(s, &drv, "devices/css0/0.0.0313/driver"),
	       0, "read a driver link");
	is_str(drv, "vfio_ccw", "the driver is the last component of the link");
	is_int(sysfs_readlink(s, &target, "bus/css/devices/0.0.0313"), 0,
	       "read a link");
	is_str(target, "../../../devices/css0/0.0.0313",
	       "the link target is returned as stored");
	is_int(sysfs_readlink(s, &target, "devices/css0/0.0.0313/type"),
	       -EINVAL, "readlink of a file is -EINVAL");

	ok(sysfs_exists(s, "bus/css/devices/%s", "0.0.0313"),
	   "exists follows links");
	ok(!sysfs_exists(s, "bus/css/devices/0.0.2b09"),
	   "a missing path does not exist");
}

static void test_dirs(struct sysfs *s)
{
	_cleanup_strv_ struct strv names = STRV_INIT;

	is_int(sysfs_list_dir(s, &names, "devices/css0/0.0.0313"), 0,
	       "list a device directory");
	is_int(names.n, 12, "every entry is listed, without . and ..");
	is_str(names.v[0], "0.0.2b09", "entries are sorted");
	is_str(names.v[names.n - 1], "type", "the last entry sorts last");
	ok(names.v[names.n] == NULL, "the list is NULL-terminated");
	is_int(sysfs_list_dir(s, &names, "bus/css/devices"), 0,
	       "list a second directory");
	is_int(names.n, 13, "a second listing appends");
	is_str(names.v[12], "0.0.0313",
	       "the appended part is sorted on its own");
	is_int(sysfs_list_dir(s, &names, "bus/ccw/devices"), -ENOENT,
	       "a missing directory is -ENOENT");
	is_int(sysfs_list_dir(s, &names, "bus/ap/ap_max_domain_id"), -ENOTDIR,
	       "a file is not a directory");
}

/* the readers relative to an open directory, as the listings use them */
static void test_at(struct sysfs *s)
{
	_cleanup_strv_ struct strv names = STRV_INIT;
	_cleanup_close_ int dfd = sysfs_open_dir(s, "bus/css/devices");
	_cleanup_close_ int tfd = -1;
	char buf[64], tiny[4];

	ok(dfd >= 0, "open a directory inside sys");
	is_int(sysfs_open_dir(s, "bus/ccw"), -ENOENT,
	       "a missing directory is -ENOENT");
	is_int(sysfs_readlinkat(dfd, "0.0.0313", buf, sizeof(buf)),
	       (int)strlen("../../../devices/css0/0.0.0313"),
	       "readlinkat gives the target's length");
	is_str(buf, "../../../devices/css0/0.0.0313", "and the target");
	is_int(sysfs_readlinkat(dfd, "0.0.0313", tiny, sizeof(tiny)),
	       -ENAMETOOLONG, "a target that does not fit is -ENAMETOOLONG");
	is_int(sysfs_readlinkat(dfd, "../devices", buf, sizeof(buf)), -EINVAL,
	       "a name that climbs out is refused");
	is_int(sysfs_readlinkat(dfd, "/etc/passwd", buf, sizeof(buf)), -EINVAL,
	       "an absolute name is refused");
	is_int(sysfs_read_at(dfd, "0.0.0313/type", buf, sizeof(buf)), 0,
	       "read an attribute through a link below the directory");
	is_str(buf, "0", "without its trailing newline");
	is_int(sysfs_read_at(dfd, "0.0.0313/chpids", tiny, sizeof(tiny)),
	       -EFBIG, "an attribute that does not fit is -EFBIG, not cut");
	is_int(sysfs_read_at(dfd, "0.0.0313/nothing", buf, sizeof(buf)),
	       -ENOENT, "a missing attribute is -ENOENT");
	ok(sysfs_parse_unsigned("255", &(unsigned long){ 0 }) == 0 &&
		   sysfs_parse_unsigned("-1", &(unsigned long){ 0 }) == -EINVAL,
	   "decimal text parses; a negative number is -EINVAL");
	tfd = sysfs_open_dir_at(dfd, "0.0.0313");
	ok(tfd >= 0, "open a directory below an open one");
	is_int(sysfs_list_fd(tfd, &names), 0, "list it");
	is_int(names.n, 12, "the same entries as sysfs_list_dir");
	is_str(names.v[0], "0.0.2b09", "sorted");
	is_int(sysfs_open_dir_at(dfd, "0.0.0313/type"), -ENOTDIR,
	       "a file is not a directory");
}

/*
 * paths below bus/BUS/devices and bus/BUS/drivers are walked from the
 * directory, opened once: the same answers as the whole path gives, also
 * for a bus that appears later and for a directory removed and made again
 */
static void test_bus_dirs(struct sysfs *s)
{
	_cleanup_free_ char *v = NULL, *drv = NULL, *t = NULL;
	_cleanup_close_ int dfd = -1;
	char cmd[600];
	unsigned long n;

	is_int(sysfs_read_string(s, &v, "bus/css/devices/0.0.0313/type"), 0,
	       "an attribute below bus/css/devices");
	is_str(v, "0", "its value");
	free(v);
	v = NULL;
	is_int(sysfs_read_string(s, &v, "bus/css/devices/0.0.0313/nothing"),
	       -ENOENT, "a missing one is -ENOENT");
	is_int(sysfs_read_string(s, &v, "bus/css/devices/./0.0.0313/type"), 0,
	       "a path with a '.' component is walked whole");
	free(v);
	v = NULL;
	is_int(sysfs_read_string(s, &v, "bus/zz/devices/x/type"), -ENOENT,
	       "a bus the host lacks is -ENOENT");
	mkdirs("sys/bus/zz/devices/x");
	put("sys/bus/zz/devices/x/type", "7\n");
	is_int(sysfs_read_string(s, &v, "bus/zz/devices/x/type"), 0,
	       "and found once it is there");
	is_str(v, "7", "with its value");
	free(v);
	v = NULL;
	mkdirs("sys/bus/yy/devices/x");
	put("sys/bus/yy/devices/x/type", "7\n");
	is_int(sysfs_read_string(s, &v, "bus/yy/devices/x/type"), 0,
	       "another bus, read through its directory");
	free(v);
	v = NULL;
	snprintf(
		cmd, sizeof(cmd),
		"rm -r '%s/sys/bus/yy' && mkdir -p '%s/sys/bus/yy/devices/y' && echo 8 > '%s/sys/bus/yy/devices/y/type'",
		root, root, root);
	if (system(cmd) != 0)
		abort();
	is_int(sysfs_read_string(s, &v, "bus/yy/devices/y/type"), 0,
	       "a bus directory removed and made again: found by its path");
	is_str(v, "8", "the new directory's file");
	ok(sysfs_exists(s, "bus/yy/devices/y") &&
		   !sysfs_exists(s, "bus/yy/devices/x"),
	   "exists: the new directory's entries, not the old one's");
	is_int(sysfs_readlink(s, &t, "bus/yy/devices/y"), -EINVAL,
	       "readlink of a directory: -EINVAL, as the path gives it");
	is_int(sysfs_write(s, "9", "bus/yy/devices/y/type"), 0,
	       "write through it");
	is_int(sysfs_read_unsigned(s, &n, "bus/yy/devices/y/type"), 0,
	       "read back");
	is_int((int)n, 9, "the value written");
	{
		_cleanup_strv_ struct strv names = STRV_INIT;

		is_int(sysfs_list_dir(s, &names, "bus/yy/devices/y"), 0,
		       "list a directory of it");
		is_int(names.n, 1, "its one entry");
	}
	is_int(sysfs_readlink_basename(s, &drv,
				       "bus/css/devices/0.0.0313/driver"),
	       0, "a link below bus/css/devices");
	is_str(drv, "vfio_ccw", "its last component");
	dfd = sysfs_open_dir(s, "bus/css/devices/0.0.0313");
	ok(dfd >= 0, "a directory below bus/css/devices");
	is_int(sysfs_read_string_at(dfd, "driver_override", &t), 0,
	       "read_string_at");
	is_str(t, "(null)", "as read_string gives it");
	is_int(sysfs_read_unsigned_at(dfd, "type", &n), 0, "read_unsigned_at");
	is_int(sysfs_read_unsigned_at(dfd, "neg", &n), -EINVAL,
	       "a negative number is -EINVAL, as read_unsigned gives it");
	is_int(sysfs_read_unsigned_at(dfd, "huge", &n), -ERANGE,
	       "too large is -ERANGE");
	is_int(sysfs_read_string_at(dfd, "../0.0.0313/type", &t), -EINVAL,
	       "a name that climbs is refused");
	free(drv);
	drv = NULL;
	is_int(sysfs_readlink_basename_at(dfd, "driver", &drv), 0,
	       "readlink_basename_at");
	is_str(drv, "vfio_ccw", "as readlink_basename gives it");
}

static void test_writers(struct sysfs *s)
{
	_cleanup_free_ char *back = NULL;

	is_int(sysfs_write(s, "vfio_ccw",
			   "devices/css0/0.0.0313/driver_override"),
	       0, "write an attribute");
	is_int(sysfs_read_string(s, &back,
				 "devices/css0/0.0.0313/driver_override"),
	       0, "read it back");
	is_str(back, "vfio_ccw",
	       "the value is written without a newline, as one write");
	is_int(sysfs_write(s, "1", "devices/css0/0.0.0313/full"), -ENOSPC,
	       "the errno of write(2) reaches the caller unchanged (ENOSPC from /dev/full)");
	is_int(sysfs_write(s, "1", "devices/css0/0.0.0313/nosuch"), -ENOENT,
	       "a missing attribute is -ENOENT, and nothing is created");
	ok(!sysfs_exists(s, "devices/css0/0.0.0313/nosuch"),
	   "the writer never creates files");
	is_int(sysfs_write(s, "1", "devices/css0/0.0.0313/0.0.2b09"), -EISDIR,
	       "writing to a directory is -EISDIR");
	is_int(sysfs_write(s, "1", "devices/../../etc/passwd"), -EINVAL,
	       "writing outside the tree is refused");
}

int main(void)
{
	_cleanup_sysfs_ struct sysfs *s = NULL;
	struct vm_error err = { 0 };

	make_tree();
	if (sysfs_new(&s, root, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	test_paths(s);
	test_root_selection();
	test_readers(s);
	test_dirs(s);
	test_at(s);
	test_bus_dirs(s);
	test_writers(s);
	remove_tree();
	return tap_done();
}
