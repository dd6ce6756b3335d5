/*
 * libudev-format device events (shared/docs/real-components.md section 3):
 * a 40-byte header ("libudev\0", magic 0xfeedcafe in network order, sizes,
 * filter hashes) and NUL-separated properties, sent to netlink group 2.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/macro.h"
#include "uevent.h"

#define UDEV_MONITOR_MAGIC 0xfeedcafe
#define UDEV_GROUP 2

struct udev_netlink_header {
	char prefix[8];
	uint32_t magic;
	uint32_t header_size;
	uint32_t properties_off;
	uint32_t properties_len;
	uint32_t filter_subsystem_hash;
	uint32_t filter_devtype_hash;
	uint32_t filter_tag_bloom_hi;
	uint32_t filter_tag_bloom_lo;
};

unsigned uevent_string_hash32(const char *str)
{
	/* MurmurHash2, 32 bit, seed 0 */
	const uint32_t mix = 0x5bd1e995;
	size_t len = strlen(str);
	const unsigned char *data = (const unsigned char *)str;
	uint32_t h = (uint32_t)len;

	while (len >= 4) {
		uint32_t k;

		memcpy(&k, data, 4);
		k *= mix;
		k ^= k >> 24;
		k *= mix;
		h *= mix;
		h ^= k;
		data += 4;
		len -= 4;
	}
	switch (len) {
	case 3:
		h ^= (uint32_t)data[2] << 16;
		_fallthrough_;
	case 2:
		h ^= (uint32_t)data[1] << 8;
		_fallthrough_;
	case 1:
		h ^= data[0];
		h *= mix;
	}
	h ^= h >> 13;
	h *= mix;
	h ^= h >> 15;
	return h;
}

int uevent_open(void)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	/* nl_pid 0: the kernel assigns a port id; receivers ignore udev-group messages from port 0 */
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

void uevent_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

int uevent_send(int fd, const char *subsystem, const char *props,
		size_t props_len)
{
	struct udev_netlink_header h;
	struct sockaddr_nl dest = { .nl_family = AF_NETLINK,
				    .nl_groups = UDEV_GROUP };
	struct iovec iov[2];
	struct msghdr msg = { 0 };

	memset(&h, 0, sizeof(h));
	memcpy(h.prefix, "libudev", 8);
	h.magic = htonl(UDEV_MONITOR_MAGIC);
	h.header_size = sizeof(h);
	h.properties_off = sizeof(h);
	h.properties_len = (uint32_t)props_len;
	h.filter_subsystem_hash = htonl(uevent_string_hash32(subsystem));
	iov[0] = (struct iovec){ &h, sizeof(h) };
	iov[1] = (struct iovec){ (void *)props, props_len };
	msg.msg_name = &dest;
	msg.msg_namelen = sizeof(dest);
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	if (sendmsg(fd, &msg, 0) < 0) {
		/* nobody listening is not an error */
		if (errno == ECONNREFUSED || errno == ESRCH)
			return 0;
		return -errno;
	}
	return 0;
}

void uevent_model_hook(void *opaque, const char *action, const char *devpath,
		       const char *subsystem, const char *props,
		       size_t props_len)
{
	int fd = *(int *)opaque;

	(void)action;
	(void)devpath;
	if (fd >= 0)
		uevent_send(fd, subsystem, props, props_len);
}
