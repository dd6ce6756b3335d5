/*
 * The floor for make bench: only the system calls any lister of the same
 * facts must make, and nothing else (no parsing, no output). Measured in the
 * same run as virt-mdev and mdevctl, it says how far a ratio can go down on
 * this machine.
 *   bench-floor mdev  SYS   two readlinks per mdev (its parent, its type)
 *   bench-floor types SYS   per parent: list its types, read each type's
 *                           available_instances
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int floor_mdev(const char *sys)
{
	char dir[PATH_MAX], buf[PATH_MAX], rel[512];
	struct dirent *de;
	DIR *d;
	int dfd, n = 0;

	snprintf(dir, sizeof(dir), "%s/bus/mdev/devices", sys);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = dfd < 0 ? NULL : fdopendir(dup(dfd));
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/mdev_type", de->d_name);
		if (readlinkat(dfd, de->d_name, buf, sizeof(buf)) > 0 &&
		    readlinkat(dfd, rel, buf, sizeof(buf)) > 0)
			n++;
	}
	closedir(d);
	close(dfd);
	return n;
}

static int floor_types(const char *sys)
{
	char dir[PATH_MAX], rel[512], num[32];
	struct dirent *pe;
	DIR *d;
	int dfd, n = 0;

	snprintf(dir, sizeof(dir), "%s/class/mdev_bus", sys);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = dfd < 0 ? NULL : fdopendir(dup(dfd));
	if (!d)
		return -1;
	while ((pe = readdir(d))) {
		struct dirent *te;
		DIR *td;
		int tfd;

		if (pe->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s/mdev_supported_types",
			 pe->d_name);
		tfd = openat(dfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		td = tfd < 0 ? NULL : fdopendir(tfd);
		if (!td)
			continue;
		while ((te = readdir(td))) {
			int fd;

			if (te->d_name[0] == '.')
				continue;
			snprintf(rel, sizeof(rel), "%s/available_instances",
				 te->d_name);
			fd = openat(tfd, rel, O_RDONLY | O_CLOEXEC);
			if (fd >= 0 && read(fd, num, sizeof(num)) > 0)
				n++;
			if (fd >= 0)
				close(fd);
		}
		closedir(td);
	}
	closedir(d);
	close(dfd);
	return n;
}

int main(int argc, char **argv)
{
	int n = -1;

	if (argc == 3 && strcmp(argv[1], "mdev") == 0)
		n = floor_mdev(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "types") == 0)
		n = floor_types(argv[2]);
	else {
		fprintf(stderr, "usage: bench-floor mdev|types SYSFS\n");
		return 2;
	}
	if (n < 0) {
		perror("bench-floor");
		return 1;
	}
	printf("%d\n", n);
	return 0;
}
