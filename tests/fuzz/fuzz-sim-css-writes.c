/*
 * libFuzzer target: the simulator's parsers of writes to the css files IBM's
 * tools write (/proc/cio_ignore, a channel path's status and configure,
 * cmb_enable, the DASD driver's numbers and flags, a ccwgroup's online and
 * the qeth driver's group). The first byte picks the file, the rest is the
 * write. A refused write (other than to cio_ignore, whose good items apply as
 * the kernel's) leaves the file reading as before; cio_ignore's listing,
 * written back as an add after a free all, reads the same.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	".proc/cio_ignore",
	"devices/css0/chp0.2a/status",
	"devices/css0/chp0.2a/configure",
	"bus/ccw/devices/0.0.1000/cmb_enable",
	"bus/ccw/devices/0.0.1000/readonly",
	"bus/ccw/devices/0.0.1000/aq_mask",
	"bus/ccw/devices/0.0.1000/use_diag",
	"bus/ccw/devices/0.0.1000/reservation_policy",
	"bus/ccw/devices/0.0.1000/online",
	"devices/css0/cm_enable",
};

static char *read_all(struct model *m, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	if (model_read(m, path, &sb) < 0) {
		strbuf_release(&sb);
		return strdup("(error)");
	}
	s = strdup(sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return s;
}

static struct model *host(void)
{
	static struct model m;
	static bool made;
	struct subchannel sch = { 0 };
	struct kprofile kp;

	if (made)
		model_destroy(&m);
	kprofile_parse(KPROFILE_NEWEST, &kp);
	if (model_init(&m, &kp) < 0)
		abort();
	sch.schid = (struct ccw_id){ 0, 0, 0 };
	sch.cdev.busid = (struct ccw_id){ 0, 0, 0x1000 };
	sch.has_device = true;
	sch.chpids[0] = 0x2a;
	sch.pim = sch.pam = 0x80;
	sch.pom = 0xff;
	snprintf(sch.cdev.cutype, sizeof(sch.cdev.cutype), "3990/e9");
	snprintf(sch.cdev.devtype, sizeof(sch.cdev.devtype), "3390/0c");
	snprintf(sch.cdev.driver, sizeof(sch.cdev.driver), "dasd-eckd");
	snprintf(sch.cdev.availability, sizeof(sch.cdev.availability), "good");
	sch.cdev.cylinders = 10;
	sch.driver = CSS_DRIVER_IO;
	if (model_add_subchannel(&m, &sch, NULL) < 0)
		abort();
	made = true;
	return &m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model *m;
	const char *path;
	char *before, *after;
	int r;

	if (size < 1)
		return 0;
	m = host();
	path = files[data[0] % (sizeof(files) / sizeof(files[0]))];
	before = read_all(m, path);
	r = model_write(m, path, (const char *)data + 1, size - 1);
	after = read_all(m, path);
	if (r < 0 && data[0] % (sizeof(files) / sizeof(files[0])) != 0 &&
	    strcmp(before, after) != 0)
		__builtin_trap();
	if (path == files[0]) {
		/* the listing is the kernel's: written back, it reads the same */
		char *list = strdup(after), *cmd, *again;
		size_t n = strlen(list);

		for (size_t i = 0; i < n; i++)
			if (list[i] == '\n')
				list[i] = ',';
		if (n && list[n - 1] == ',')
			list[n - 1] = '\0';
		if (model_write(m, path, "free all", 8) < 0)
			__builtin_trap();
		if (asprintf(&cmd, "add %s", list) < 0)
			abort();
		if (*list && model_write(m, path, cmd, strlen(cmd)) < 0)
			__builtin_trap();
		again = read_all(m, path);
		if (strcmp(again, after) != 0)
			__builtin_trap();
		free(again);
		free(cmd);
		free(list);
	}
	free(before);
	free(after);
	return 0;
}
