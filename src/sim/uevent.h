/* libudev-format device events on the netlink "udev" group, for libvirt's node-device driver. */
#ifndef VIRT_MDEV_SIM_UEVENT_H
#define VIRT_MDEV_SIM_UEVENT_H

#include <stddef.h>

/* Open the sender socket; -errno. Only ever inside a private network namespace. */
int uevent_open(void);
void uevent_close(int fd);

/*
 * Send one event: the 40-byte libudev header, then props (NUL-separated
 * KEY=VALUE). subsystem is hashed into the header as libudev's filters expect.
 */
int uevent_send(int fd, const char *subsystem, const char *props,
		size_t props_len);

/* The model's callback: opaque is a pointer to the socket fd. */
void uevent_model_hook(void *opaque, const char *action, const char *devpath,
		       const char *subsystem, const char *props,
		       size_t props_len);

/* MurmurHash2 with seed 0, as systemd's string_hash32 (exposed for the tests). */
unsigned uevent_string_hash32(const char *str);

#endif
