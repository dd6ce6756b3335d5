/*
 * libFuzzer target: the simulator's host description parser
 * (virt-mdev-sim --host FILE). Any input builds a host or is refused with a
 * message; never a crash, a leak or a model half freed.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[] = "/tmp/virt-mdev-fuzz-host.XXXXXX";
static int fd = -1;

static void remove_file(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_error err = { 0 };
	struct model m;
	int r;

	if (fd < 0) {
		fd = mkstemp(path);
		if (fd < 0)
			__builtin_trap();
		atexit(remove_file);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		__builtin_trap();
	memset(&m, 0, sizeof(m));
	r = host_load(&m, path, NULL, &err);
	if (r < 0 && !err.msg[0])
		__builtin_trap();
	model_destroy(&m);
	return 0;
}
