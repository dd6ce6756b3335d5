/*
 * sysfs-write PATH VALUE: one open(2) and one write(2) of VALUE (no newline
 * added; use $'..\n' for one), as "echo -n" would. Prints "ok" or the errno
 * name of the open or the write ("EBUSY"), and exits 0 either way; exit 2
 * for bad usage.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: sysfs-write PATH VALUE\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("%s\n", strerrorname_np(errno));
		return 0;
	}
	len = strlen(argv[2]);
	n = write(fd, argv[2], len);
	if (n < 0)
		printf("%s\n", strerrorname_np(errno));
	else if ((size_t)n != len)
		printf("short write %zd of %zu\n", n, len);
	else
		printf("ok\n");
	close(fd);
	return 0;
}
