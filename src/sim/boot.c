/*
 * virt-mdev-sim run --boot: the platform's coldplug actions, in the order a
 * real boot has them (virt-mdev-sim(8), BOOT, names each rule file and line).
 */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "lib/cleanup.h"
#include "lib/macro.h"

#define PROG "virt-mdev-sim"
#define AP_RULES "/etc/udev/rules.d/41-ap.rules"
/* the device chzdev's rule acts for: the change event of the AP bus's root device */
#define AP_DEVICE "/sys/devices/ap"
#define DRIVERCTL_DIR "/etc/driverctl.d"
#define MDEVCTL_DIR "/etc/mdevctl.d"
#define MDEV_BUS_CLASS "/sys/class/mdev_bus"

static _printf_(1, 2) void say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": boot: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* argv run to its end, its stdout to stderr (as udev's RUN output goes to the journal): 0 when it exits 0 */
static int spawn(char *const argv[])
{
	int status;
	pid_t child;

	fflush(NULL);
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, PROG ": cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* udev's ATTR{FILE}="VALUE" assignment: VALUE written to the device's FILE, as it is (no newline) */
static int write_attr(const char *file, const char *value)
{
	char path[1200];
	int fd, r = 0;
	size_t n = strlen(value);

	snprintf(path, sizeof(path), "%s/%s", AP_DEVICE, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, n) != (ssize_t)n)
		r = -errno;
	close(fd);
	return r;
}

/*
 * chzdev's rule (zdev/src/ap.c ap_write_type_udev): its two triggers jump to
 * LABEL="cfg_ap" at the AP bus's bindings complete; there every
 * ATTR{PATH}="VALUE" line is an assignment udev makes relative to the
 * device (/sys/devices/ap/../../bus/ap/apmask is /sys/bus/ap/apmask). The
 * RUN{builtin}+="kmod load vfio_ap" line needs nothing: the simulated
 * vfio_ap is loaded.
 */
int sim_boot_rule_line(char *line, bool *in, char **key, char **value)
{
	char *end, *vend;

	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, "LABEL=\"cfg_ap\"") == 0)
		*in = true;
	else if (strncmp(line, "LABEL=", 6) == 0)
		*in = false;
	if (!*in || strncmp(line, "ATTR{", 5) != 0)
		return 0;
	end = strchr(line + 5, '}');
	/* a match (==, !=), not an assignment */
	if (!end || end[1] != '=' || end[2] != '"')
		return 0;
	vend = strrchr(end + 3, '"');
	if (!vend)
		return 0;
	*end = '\0';
	*vend = '\0';
	*key = line + 5;
	*value = end + 3;
	return 1;
}

static unsigned boot_ap_rules(void)
{
	_cleanup_fclose_ FILE *f = fopen(AP_RULES, "re");
	char line[1024];
	bool in = false;
	unsigned failed = 0;

	if (!f) {
		if (errno != ENOENT) {
			say("cannot read %s: %s", AP_RULES, strerror(errno));
			return 1;
		}
		say("no %s: the AP masks stay the kernel's", AP_RULES);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *value;
		int r;

		if (!sim_boot_rule_line(line, &in, &key, &value))
			continue;
		r = write_attr(key, value);
		say("%s: ATTR{%s}=\"%s\"%s%s", AP_RULES, key, value,
		    r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
		failed += r < 0;
	}
	return failed;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * driverctl's rule (/usr/lib/udev/rules.d/05-driverctl.rules) wants
 * driverctl@BUS-DEVICE.service for each added device with a file
 * /etc/driverctl.d/BUS-DEVICE; that unit runs 'driverctl load-override %I',
 * %I the unescaped instance ('-' becomes '/': css/0.0.0313).
 */
static unsigned boot_driverctl(void)
{
	struct dirent **e = NULL;
	int n = scandir(DRIVERCTL_DIR, &e, NULL, by_name);
	unsigned failed = 0;

	for (int i = 0; i < n; i++) {
		char *name = e[i]->d_name, *dash = strchr(name, '-');
		char dev[600], path[700];
		char prog[] = "driverctl", cmd[] = "load-override";
		char *argv[] = { prog, cmd, dev, NULL };

		if (name[0] != '.' && dash) {
			snprintf(dev, sizeof(dev), "%.*s/%s",
				 (int)(dash - name), name, dash + 1);
			/* the rule acts on the device's add: only a device that is there */
			snprintf(path, sizeof(path), "/sys/bus/%.*s/devices/%s",
				 (int)(dash - name), name, dash + 1);
			if (access(path, F_OK) == 0) {
				int r = spawn(argv);

				say("driverctl load-override %s%s", dev,
				    r < 0 ? ": failed" : "");
				failed += r < 0;
			} else {
				say("%s/%s: no such device, no override loaded",
				    DRIVERCTL_DIR, name);
			}
		}
		free(e[i]);
	}
	free(e);
	return failed;
}

/*
 * mdevctl's rule (/usr/lib/udev/rules.d/60-mdevctl.rules) runs
 * 'mdevctl start-parent-mdevs %k' when a parent registers with the mdev
 * core (change, MDEV_STATE=registered) or is added, for a parent with a
 * directory /etc/mdevctl.d/PARENT: each registered parent
 * (/sys/class/mdev_bus/PARENT) with one, after driverctl's bindings.
 */
static unsigned boot_mdevctl(void)
{
	struct dirent **e = NULL;
	int n = scandir(MDEVCTL_DIR, &e, NULL, by_name);
	unsigned failed = 0;

	for (int i = 0; i < n; i++) {
		char *name = e[i]->d_name, path[700];
		char prog[] = "mdevctl", cmd[] = "start-parent-mdevs";
		char *argv[] = { prog, cmd, name, NULL };

		snprintf(path, sizeof(path), "%s/%s", MDEV_BUS_CLASS, name);
		if (name[0] != '.' && strcmp(name, "scripts.d") != 0 &&
		    access(path, F_OK) == 0) {
			int r = spawn(argv);

			say("mdevctl start-parent-mdevs %s%s", name,
			    r < 0 ? ": failed" : "");
			failed += r < 0;
		}
		free(e[i]);
	}
	free(e);
	return failed;
}

unsigned sim_boot(void)
{
	unsigned failed = boot_ap_rules();

	failed += boot_driverctl();
	failed += boot_mdevctl();
	return failed;
}
