/* virt-mdev-sim: a simulated s390 host (css, vfio_ccw, AP bus, vfio_ap, mdev core) as sysfs. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/error.h"
#include "boot.h"
#include "host.h"
#include "simfs.h"
#include "uevent.h"

#define PROG "virt-mdev-sim"

/* A command of virt-mdev-sim, as the product's struct cmd (src/cmd.h). */
struct sim_cmd {
	const char *name;
	const char *usage; /* the synopsis after the name, as --help shows it */
	const char *help; /* one line, lower case, no full stop */
	/* argv[0] is the command name; returns the exit code */
	int (*run)(int argc, char **argv);
};

/* --help: the synopsis, the commands of sim_cmd_table, the options. */
static void print_help(FILE *f);

static _printf_(1, 2) int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	return VM_EXIT_USAGE;
}

static int fail(const struct vm_error *err)
{
	fprintf(stderr, PROG ": %s\n", err->msg);
	return err->exit ? (int)err->exit : VM_EXIT_FAILED;
}

struct opts {
	const char *host;
	const char *kernel;
	const char *faults;
	unsigned generate;
	unsigned ap_mdevs;
	bool udev;
	const char *persist; /* run --persist DIR */
	bool boot; /* run --boot */
};

enum {
	OPT_HOST = 0x100,
	OPT_KERNEL,
	OPT_FAULTS,
	OPT_GENERATE,
	OPT_AP_MDEVS,
	OPT_UDEV,
	OPT_PERSIST,
	OPT_BOOT,
};

static const struct option sim_options[] = {
	{ "host", required_argument, NULL, OPT_HOST },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "faults", required_argument, NULL, OPT_FAULTS },
	{ "generate", required_argument, NULL, OPT_GENERATE },
	{ "ap-mdevs", required_argument, NULL, OPT_AP_MDEVS },
	{ "udev", no_argument, NULL, OPT_UDEV },
	{ "persist", required_argument, NULL, OPT_PERSIST },
	{ "boot", no_argument, NULL, OPT_BOOT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_count(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Parse the command's options; returns -1 to go on, else an exit code. */
static int parse_opts(const char *cmd, int argc, char **argv, struct opts *o)
{
	int c;

	o->ap_mdevs = 16;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:h", sim_options, NULL)) != -1) {
		switch (c) {
		case OPT_HOST:
			o->host = optarg;
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_FAULTS:
			if (strcmp(cmd, "render") == 0)
				return usage_error(
					"--faults is for mount and run, not render");
			o->faults = optarg;
			break;
		case OPT_GENERATE:
			if (parse_count(optarg, 262144, &o->generate) < 0 ||
			    !o->generate)
				return usage_error(
					"invalid --generate '%s': a number of subchannels, 1-262144",
					optarg);
			break;
		case OPT_AP_MDEVS:
			if (parse_count(optarg, 256, &o->ap_mdevs) < 0)
				return usage_error(
					"invalid --ap-mdevs '%s': a number 0-256",
					optarg);
			break;
		case OPT_UDEV:
			if (strcmp(cmd, "run") != 0)
				return usage_error(
					"--udev is only for run (events must stay in its private network namespace)");
			o->udev = true;
			break;
		case OPT_PERSIST:
			if (strcmp(cmd, "run") != 0)
				return usage_error(
					"--persist is only for run (it keeps the persistent configuration of its namespace)");
			o->persist = optarg;
			break;
		case OPT_BOOT:
			if (strcmp(cmd, "run") != 0)
				return usage_error(
					"--boot is only for run (it runs the boot's programs in its namespace)");
			o->boot = true;
			break;
		case 'h':
			print_help(stdout);
			return VM_EXIT_OK;
		case ':':
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (o->generate && o->host)
		return usage_error("--host and --generate exclude each other");
	return -1;
}

static const char *default_host(void)
{
	static const char *const candidates[] = {
		HOSTDIR "/demo.xml", SRCDIR "/xml-templates/hosts/demo.xml"
	};

	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return candidates[0];
}

static int build_model(struct model *m, const struct opts *o,
		       struct vm_error *err)
{
	if (o->generate) {
		if (o->kernel)
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"--kernel does not apply to --generate (a generated host is the newest kernel)");
		return host_generate(m, o->generate, true, o->ap_mdevs, err);
	}
	return host_load(m, o->host ? o->host : default_host(), o->kernel, err);
}

static int setup_faults(struct simfs *fs, const struct opts *o,
			struct vm_error *err)
{
	if (!o->faults)
		return 0;
	fs->faults.file = realpath(o->faults, NULL);
	if (!fs->faults.file)
		return vm_error_set(
			err, VM_EXIT_USAGE, errno,
			"cannot use fault file '%s': %s (create it first; it may be empty)",
			o->faults, strerror(errno));
	fs->faults.size = -1;
	fault_rules_refresh(&fs->faults);
	return 0;
}

static int cmd_render(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vm_error err = { 0 };
	struct model m = { 0 };
	int r = parse_opts("render", argc, argv, &o);

	if (r >= 0)
		return r;
	if (argc - optind != 1)
		return usage_error("render takes one directory");
	if (build_model(&m, &o, &err) < 0) {
		model_destroy(&m);
		return fail(&err);
	}
	r = simfs_render(&m, argv[optind], &err);
	model_destroy(&m);
	return r < 0 ? fail(&err) : VM_EXIT_OK;
}

static int cmd_mount(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vm_error err = { 0 };
	struct simfs fs = { 0 };
	struct model m = { 0 };
	int r = parse_opts("mount", argc, argv, &o);

	if (r >= 0)
		return r;
	if (argc - optind != 1)
		return usage_error("mount takes one directory");
	if (build_model(&m, &o, &err) < 0 || setup_faults(&fs, &o, &err) < 0) {
		model_destroy(&m);
		fault_rules_clear(&fs.faults);
		return fail(&err);
	}
	fs.model = &m;
	if (simfs_mount(&fs, argv[optind], &err) < 0) {
		model_destroy(&m);
		fault_rules_clear(&fs.faults);
		return fail(&err);
	}
	r = simfs_loop(&fs, true);
	simfs_unmount(&fs);
	model_destroy(&m);
	fault_rules_clear(&fs.faults);
	return r < 0 ? VM_EXIT_FAILED : VM_EXIT_OK;
}

/* ---- run: private namespaces with the simulated tree at /sys ------------------- */

static void *serve(void *arg)
{
	simfs_loop(arg, false);
	return NULL;
}

static _printf_(1, 2) int run_cmd(const char *fmt, ...)
{
	char cmd[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * A fresh tmpfs over dir, as a host's /run is (Debian mounts /run and
 * /run/lock as tmpfs): what a tool writes there (virt-mdev's journal, the
 * locks) lives in memory as on a host, not on this machine's disk, where
 * each of the journal's fdatasyncs would cost what no host pays.
 */
static int private_tmpfs(const char *dir, const char *mode,
			 struct vm_error *err)
{
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, mode) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot mount a tmpfs over '%s': %s", dir,
				    strerror(errno));
	return 0;
}

static int bind(const char *from, const char *to, struct vm_error *err)
{
	if (mount(from, to, NULL, MS_BIND | MS_REC, NULL) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot bind '%s' over '%s': %s", from, to,
				    strerror(errno));
	return 0;
}

/*
 * A private, empty copy of dir (keeping keep/, e.g. mdevctl's scripts.d)
 * bound over it: tmp/name, or with run --persist for the persistent
 * configuration (persist_dir) DIR/name, made so at the first run and bound
 * as the runs leave it.
 */
static const char *persist_dir;
static bool run_boot; /* run --boot: the coldplug actions before the command */

static int private_dir(const char *tmp, const char *dir, const char *name,
		       const char *keep, struct vm_error *err)
{
	char priv[512], src[512];
	struct stat st;
	bool kept = persist_dir && tmp == persist_dir;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return vm_error_set(
			err, VM_EXIT_FAILED, ENOENT,
			"'%s' does not exist: install its package (mdevctl, driverctl, udev) or create it, so that run can put a private one over it",
			dir);
	snprintf(priv, sizeof(priv), "%s/%s", tmp, name);
	if (kept && stat(priv, &st) == 0 && S_ISDIR(st.st_mode))
		return bind(priv, dir, err); /* as the last run left it */
	if (mkdir(priv, 0755) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot create '%s': %s", priv,
				    strerror(errno));
	snprintf(src, sizeof(src), "%s/%s", dir, keep ? keep : "");
	if (keep && access(src, F_OK) == 0 &&
	    run_cmd("cp -a '%s' '%s'", src, priv) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, EIO,
				    "cannot copy '%s'", src);
	return bind(priv, dir, err);
}

/* Private mount and network namespaces: what run mounts stays in them. */
static int run_unshare(struct vm_error *err)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, errno,
			"cannot make private mount and network namespaces: %s",
			strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot make mounts private: %s",
				    strerror(errno));
	return 0;
}

/* Keep the real sysfs reachable at realsys (below tmp) for what is bound back. */
static int run_keep_realsys(const char *tmp, char *realsys, size_t size,
			    struct vm_error *err)
{
	snprintf(realsys, size, "%s/realsys", tmp);
	if (mkdir(realsys, 0755) < 0 || bind("/sys", realsys, err) < 0) {
		if (!vm_error_is_set(err))
			vm_error_set(err, VM_EXIT_FAILED, errno,
				     "cannot create '%s'", realsys);
		return -1;
	}
	return 0;
}

/* /dev is a devtmpfs (the last mount on /dev in mountinfo, the one seen) */
static bool dev_is_devtmpfs(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	bool devtmpfs = false;

	while (f && getline(&line, &cap, f) > 0) {
		char mnt[256];
		const char *sep = strstr(line, " - ");

		if (sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1 &&
		    strcmp(mnt, "/dev") == 0 && sep)
			devtmpfs = strncmp(sep + 3, "devtmpfs ", 9) == 0;
	}
	return devtmpfs;
}

/*
 * libudev subscribes a monitor to udev's events only where udev runs
 * (/run/udev/control is there) or /dev is a devtmpfs (systemd's
 * sd-device-monitor): in a chroot or container with a /dev of its own, libvirt
 * would never hear of an active mdev. In run --udev the simulator is that
 * udev, so a private /run/udev with a 'control' file says so, in run's
 * namespace only. It needs the directory /run/udev to bind over.
 */
static int run_udev_control(const char *tmp, bool *bound, struct vm_error *err)
{
	char priv[512];
	struct stat st;
	int fd;

	if (access("/run/udev/control", F_OK) == 0 || dev_is_devtmpfs())
		return 0;
	if (stat("/run/udev", &st) < 0 || !S_ISDIR(st.st_mode))
		return vm_error_set(
			err, VM_EXIT_FAILED, ENOENT,
			"libudev would not listen for the simulator's events here: /dev is not a devtmpfs and no udev runs (no /run/udev/control); create the directory /run/udev, and run binds a private one over it");
	snprintf(priv, sizeof(priv), "%s/udev", tmp);
	if (mkdir(priv, 0755) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot create '%s': %s", priv,
				    strerror(errno));
	snprintf(priv, sizeof(priv), "%s/udev/control", tmp);
	fd = open(priv, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot create '%s': %s", priv,
				    strerror(errno));
	close(fd);
	snprintf(priv, sizeof(priv), "%s/udev", tmp);
	if (bind(priv, "/run/udev", err) < 0)
		return -1;
	*bound = true;
	return 0;
}

/* With --udev: the netlink socket the model's events go to, and a udev libudev listens to. */
static int run_open_udev(const struct opts *o, struct model *m, const char *tmp,
			 bool *udev_bound, int *udev_fd, struct vm_error *err)
{
	if (!o->udev)
		return 0;
	if (run_udev_control(tmp, udev_bound, err) < 0)
		return -1;
	*udev_fd = uevent_open();
	if (*udev_fd < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, -*udev_fd,
			"cannot open the netlink socket for udev events: %s",
			strerror(-*udev_fd));
	m->uevent = uevent_model_hook;
	m->uevent_opaque = udev_fd;
	return 0;
}

/*
 * libvirt's persistent state for a private libvirtd (tests/sim/
 * private-libvirtd.sh binds DIR/libvirt/etc over /etc/libvirt and
 * DIR/libvirt/lib over /var/lib/libvirt when VIRT_MDEV_SIM_PERSIST is set):
 * the domains' definitions and autostart links, kept across runs.
 */
static int persist_libvirt(struct vm_error *err)
{
	static const char *const dirs[] = { "libvirt", "libvirt/etc",
					    "libvirt/lib" };
	char path[600];

	if (!persist_dir)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", persist_dir, dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return vm_error_set(err, VM_EXIT_FAILED, errno,
					    "cannot create '%s': %s", path,
					    strerror(errno));
	}
	if (setenv("VIRT_MDEV_SIM_PERSIST", persist_dir, 1) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot set VIRT_MDEV_SIM_PERSIST: %s",
				    strerror(errno));
	return 0;
}

/* Over the simulated /sys, the real cgroup and devices/system; private mdevctl, driverctl, udev rules (chzdev's 41-ap.rules), lock, journal and apply's record directories. */
static int run_bind_around(const char *tmp, const char *realsys,
			   struct vm_error *err)
{
	const char *etc = persist_dir ? persist_dir : tmp;
	char path[700];

	snprintf(path, sizeof(path), "%s/fs/cgroup", realsys);
	if (bind(path, "/sys/fs/cgroup", err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/devices/system", realsys);
	if (bind(path, "/sys/devices/system", err) < 0 ||
	    private_dir(etc, "/etc/mdevctl.d", "mdevctl.d", "scripts.d", err) <
		    0 ||
	    private_dir(etc, "/etc/driverctl.d", "driverctl.d", NULL, err) <
		    0 ||
	    private_dir(etc, "/etc/udev/rules.d", "udev-rules.d", NULL, err) <
		    0 ||
	    private_tmpfs("/run/lock", "mode=1777", err) < 0 ||
	    persist_libvirt(err) < 0)
		return -1;
	/*
	 * virt-mdev's journal (ROOT/run/virt-mdev/journal.json): private too,
	 * or a run elsewhere on the machine would block this one's changes.
	 * The directory is virt-mdev's own, made as its first run makes it.
	 */
	if (mkdir("/run/virt-mdev", 0755) < 0 && errno != EEXIST)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot create '/run/virt-mdev': %s",
				    strerror(errno));
	if (private_tmpfs("/run/virt-mdev", "mode=0755", err) < 0)
		return -1;
	/* apply's last-applied record (ROOT/var/lib/virt-mdev): the machine's stays untouched */
	if (mkdir("/var/lib/virt-mdev", 0755) < 0 && errno != EEXIST)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot create '/var/lib/virt-mdev': %s",
				    strerror(errno));
	/* kept with --persist: a real host's /var/lib survives its reboots */
	return private_dir(etc, "/var/lib/virt-mdev", "virt-mdev-state", NULL,
			   err);
}

static void run_unbind_around(void)
{
	umount2("/var/lib/virt-mdev", MNT_DETACH);
	umount2("/run/virt-mdev", MNT_DETACH);
	umount2("/run/lock", MNT_DETACH);
	umount2("/etc/udev/rules.d", MNT_DETACH);
	umount2("/etc/driverctl.d", MNT_DETACH);
	umount2("/etc/mdevctl.d", MNT_DETACH);
	umount2("/sys/devices/system", MNT_DETACH);
	umount2("/sys/fs/cgroup", MNT_DETACH);
}

/*
 * The kernel's s390 files in /proc (cio_ignore, cio_settle, sysinfo): the
 * real procfs is kept at tmp/realproc, and the model's hidden .proc
 * directory is bound over /proc; simfs shows there, beside the model's
 * files, every entry of the real procfs as a link into it (simfs.c,
 * proc_through_name: why neither a bind nor an overlay onto procfs can).
 * The FUSE thread never looks at /proc itself.
 */
static int run_proc(const char *tmp, const char *served, struct vm_error *err)
{
	char realproc[600], path[700];

	snprintf(realproc, sizeof(realproc), "%s/realproc", tmp);
	if (bind("/proc", realproc, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/" MODEL_PROC_PATH, served);
	if (bind(path, "/proc", err) < 0) {
		umount2(realproc, MNT_DETACH);
		return -1;
	}
	return 0;
}

static void run_unproc(const char *tmp)
{
	char realproc[600];

	umount2("/proc", MNT_DETACH);
	snprintf(realproc, sizeof(realproc), "%s/realproc", tmp);
	umount2(realproc, MNT_DETACH);
}

/* Run argv and wait for it; *status is its wait status. */
static int run_child(char **argv, int *status, struct vm_error *err)
{
	pid_t child = fork();

	if (child < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot fork: %s", strerror(errno));
	if (child == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, PROG ": cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(child, status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/*
 * Serve the simulated tree at /sys from a thread while argv runs. It is
 * mounted on a private directory first and bound over /sys only once the
 * thread serves it: as root, libfuse 3.17 and later run 'mount -i -f' from
 * fuse_mount to note the mount, and that program statfs()es /sys/fs/selinux
 * (libselinux, as it starts) before fuse_mount returns; were the new mount
 * /sys already, nobody would answer, and run would hang for ever.
 */
static int run_serving(struct simfs *fs, const char *tmp, const char *realsys,
		       char **argv, int *status, struct vm_error *err)
{
	char served[600], realproc[600];
	pthread_t thread;
	bool serving, bound = false, proc_bound = false;
	int r;

	snprintf(served, sizeof(served), "%s/sys", tmp);
	if (mkdir(served, 0755) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot create '%s': %s", served,
				    strerror(errno));
	snprintf(realproc, sizeof(realproc), "%s/realproc", tmp);
	if (mkdir(realproc, 0755) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot create '%s': %s", realproc,
				    strerror(errno));
	/* set before the FUSE thread starts: it reads it */
	fs->proc_through = realproc;
	if (simfs_mount(fs, served, err) < 0)
		return -1;
	serving = pthread_create(&thread, NULL, serve, fs) == 0;
	if (!serving)
		r = vm_error_set(err, VM_EXIT_FAILED, EAGAIN,
				 "cannot start the FUSE thread");
	else
		r = bind(served, "/sys", err);
	bound = serving && r == 0;
	if (r == 0)
		r = run_bind_around(tmp, realsys, err);
	if (r == 0)
		r = run_proc(tmp, served, err);
	proc_bound = r == 0;
	if (r == 0 && run_boot) {
		unsigned failed = sim_boot();

		if (failed)
			fprintf(stderr,
				PROG
				": boot: %u action%s failed (as on a real boot, the others were done)\n",
				failed, failed > 1 ? "s" : "");
	}
	if (r == 0)
		r = run_child(argv, status, err);
	if (proc_bound)
		run_unproc(tmp);
	run_unbind_around();
	if (bound)
		umount2("/sys", MNT_DETACH);
	simfs_stop(fs);
	if (serving)
		pthread_join(thread, NULL);
	simfs_unmount(fs);
	fs->proc_through = NULL;
	return r;
}

/* --persist DIR: made when missing, by its absolute path (run binds from it after chdir-free mounts) */
static int run_persist(const struct opts *o, struct vm_error *err)
{
	static char abs[PATH_MAX];
	struct stat st;

	run_boot = o->boot;
	if (!o->persist)
		return 0;
	if (mkdir(o->persist, 0755) < 0 && errno != EEXIST)
		return vm_error_set(err, VM_EXIT_USAGE, errno,
				    "cannot create --persist '%s': %s",
				    o->persist, strerror(errno));
	if (!realpath(o->persist, abs) || stat(abs, &st) < 0 ||
	    !S_ISDIR(st.st_mode))
		return vm_error_set(
			err, VM_EXIT_USAGE, ENOTDIR,
			"invalid --persist '%s': not a directory (name a directory for the persistent configuration; an absent one is made)",
			o->persist);
	persist_dir = abs;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vm_error err = { 0 };
	struct simfs fs = { 0 };
	char tmp[] = "/tmp/virt-mdev-sim.XXXXXX";
	char realsys[600] = "";
	int udev_fd = -1, status = 0;
	bool udev_bound = false;
	struct model m;
	int r = parse_opts("run", argc, argv, &o);

	memset(&m, 0, sizeof(m));
	if (r >= 0)
		return r;
	if (optind >= argc)
		return usage_error(
			"run needs a command: run [OPTIONS] -- CMD [ARGS]");
	if (geteuid() != 0)
		return usage_error(
			"run needs root (private mount and network namespaces, FUSE at /sys)");
	/*
	 * One malloc arena: glibc shrinks a thread's own arena (malloc/arena.c
	 * shrink_heap) only after reading /proc/sys/vm/overcommit_memory once
	 * (sysdeps/unix/sysv/linux/malloc-sysdep.h check_may_shrink_heap), and
	 * in run /proc is a directory of this very FUSE tree: the FUSE thread's
	 * first free that shrinks its arena would wait for its own answer, for
	 * ever (seen with make bench-apply's 1,000 mdevctl definitions). The
	 * main arena is trimmed with sbrk, which reads nothing.
	 */
	mallopt(M_ARENA_MAX, 1);
	if (build_model(&m, &o, &err) < 0 || setup_faults(&fs, &o, &err) < 0 ||
	    run_persist(&o, &err) < 0)
		goto out;
	fs.model = &m;
	if (!mkdtemp(tmp)) {
		vm_error_set(&err, VM_EXIT_FAILED, errno,
			     "cannot create a private directory: %s",
			     strerror(errno));
		goto out;
	}
	if (run_unshare(&err) == 0 &&
	    run_keep_realsys(tmp, realsys, sizeof(realsys), &err) == 0 &&
	    run_open_udev(&o, &m, tmp, &udev_bound, &udev_fd, &err) == 0)
		run_serving(&fs, tmp, realsys, argv + optind, &status, &err);
	if (udev_bound)
		umount2("/run/udev", MNT_DETACH);
	if (realsys[0])
		umount2(realsys, MNT_DETACH);
	/* never into a mount left behind: the real sysfs, or the FUSE tree */
	run_cmd("rm -rf --one-file-system '%s'", tmp);
out:
	uevent_close(udev_fd);
	model_destroy(&m);
	fault_rules_clear(&fs.faults);
	if (vm_error_is_set(&err))
		return fail(&err);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* ---- the commands ------------------------------------------------------------- */

/* one command a line, in the order --help lists them */
static const struct sim_cmd sim_cmd_table[] = {
	{ "mount", "[HOST] [--faults FILE] DIR",
	  "serve the simulated sysfs at DIR (FUSE, foreground)", cmd_mount },
	{ "render", "[HOST] DIR",
	  "write a static snapshot of the tree into DIR", cmd_render },
	{ "run",
	  "[HOST] [--faults FILE] [--udev] [--persist DIR [--boot]] -- CMD [ARGS]",
	  "run CMD in private namespaces with the simulated tree at /sys",
	  cmd_run },
};

#define HELP_HEAD_WIDTH 36

static void print_help(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " COMMAND [OPTIONS] ...\n"
		"\n"
		"A simulated s390 host: the kernel's sysfs for css/vfio_ccw, the AP bus/vfio_ap\n"
		"and the mdev core, so that mdevctl, libvirt and virt-mdev work as on an LPAR.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(sim_cmd_table); i++) {
		const struct sim_cmd *cmd = &sim_cmd_table[i];
		char head[80];

		snprintf(head, sizeof(head), "%s %s", cmd->name, cmd->usage);
		/* a long synopsis gets a line of its own */
		if (strlen(head) > HELP_HEAD_WIDTH)
			fprintf(f, "  %s\n  %-*s %s\n", head, HELP_HEAD_WIDTH,
				"", cmd->help);
		else
			fprintf(f, "  %-*s %s\n", HELP_HEAD_WIDTH, head,
				cmd->help);
	}
	fprintf(f,
		"\n"
		"HOST options:\n"
		"  --host FILE        host description (default: the reference host, demo.xml)\n"
		"  --kernel VERSION   kernel behaviour: 5.15 ... 6.12, or newest (default: the\n"
		"                     description's kernel attribute, else newest)\n"
		"  --generate N       instead of a description: N subchannels with DASDs, every\n"
		"                     second one bound to vfio_ccw with an mdev, and a vfio_ap matrix\n"
		"  --ap-mdevs N       with --generate: vfio_ap mdevs (default 16, at most 256)\n"
		"\n"
		"  --faults FILE      fault injection: lines 'PATH N ERRNO' make the Nth write to\n"
		"                     PATH (below /sys, wildcards allowed) fail with ERRNO\n"
		"  --udev             send libudev-format events on device changes (run only:\n"
		"                     they stay inside its private network namespace)\n"
		"  --persist DIR      run only: keep /etc/mdevctl.d, /etc/driverctl.d,\n"
		"                     /etc/udev/rules.d and libvirt's persistent state in DIR\n"
		"                     across runs (each run is a new boot of the host)\n"
		"  --boot             run only: first do what the boot's udev rules do (chzdev's\n"
		"                     41-ap.rules, driverctl's overrides, mdevctl's autostart)\n"
		"\n"
		"  -h, --help         print this help;  -V, --version  print the version\n"
		"\n"
		"See virt-mdev-sim(8).\n");
}

static const struct sim_cmd *sim_cmd_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(sim_cmd_table); i++)
		if (strcmp(sim_cmd_table[i].name, name) == 0)
			return &sim_cmd_table[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct sim_cmd *cmd;

	if (argc < 2)
		return usage_error("no command given");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_help(stdout);
		return VM_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf(PROG " %s\n", PACKAGE_VERSION);
		return VM_EXIT_OK;
	}
	cmd = sim_cmd_find(argv[1]);
	if (!cmd)
		return usage_error("unknown command '%s'", argv[1]);
	return cmd->run(argc - 1, argv + 1);
}
