/*
 * The simulator's sysfs: an in-memory tree of directories, attribute files
 * and symbolic links, like the kernel's kernfs. Files call back into the
 * model to show and store; links hold absolute targets inside /sys.
 */
#ifndef VIRT_MDEV_SIM_VFS_H
#define VIRT_MDEV_SIM_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/macro.h"

struct vfs_node;
struct strbuf;

/* An attribute's behaviour, as the kernel's struct device_attribute. */
struct vfs_attr {
	const char *name;
	mode_t mode; /* 0444, 0200, 0644 */
	/* Append the content to out; returns 0 or -errno (a read fails with it). */
	int (*show)(void *model, void *obj, struct strbuf *out);
	/* Consume a write of len bytes (buf is NUL-terminated); returns 0 or -errno. */
	int (*store)(void *model, void *obj, const char *buf, size_t len);
};

enum vfs_kind {
	VFS_DIR,
	VFS_FILE,
	VFS_LINK,
	VFS__LAST,
};

struct vfs_node {
	char *name;
	enum vfs_kind kind;
	struct vfs_node *parent;
	/* VFS_DIR: children sorted by name */
	struct vfs_node **children;
	size_t nchildren, alloc;
	/* VFS_FILE */
	const struct vfs_attr *attr;
	void *obj;
	/* VFS_LINK: target path relative to the sysfs root, e.g. "devices/css0/0.0.0313" */
	char *target;
	/* bumped on every change of the node, for the FUSE glue's timestamps */
	unsigned long version;
};

struct vfs {
	struct vfs_node *root;
	void *model; /* passed to the attribute callbacks */
	size_t nodes;
};

int vfs_init(struct vfs *vfs, void *model);
void vfs_destroy(struct vfs *vfs);

/* Make (or find) the directory at path ("devices/css0/0.0.0313"); NULL on ENOMEM. */
struct vfs_node *vfs_mkdir_p(struct vfs *vfs, const char *path);
/* Add a child to dir; an existing child of that name is replaced. NULL on ENOMEM. */
struct vfs_node *vfs_add_dir(struct vfs *vfs, struct vfs_node *dir,
			     const char *name);
struct vfs_node *vfs_add_file(struct vfs *vfs, struct vfs_node *dir,
			      const struct vfs_attr *attr, void *obj);
struct vfs_node *vfs_add_link(struct vfs *vfs, struct vfs_node *dir,
			      const char *name, const char *fmt, ...)
	_printf_(4, 5);
/* Remove a child (and everything below it); no-op when missing. */
void vfs_remove(struct vfs *vfs, struct vfs_node *dir, const char *name);
void vfs_remove_node(struct vfs *vfs, struct vfs_node *node);

struct vfs_node *vfs_child(const struct vfs_node *dir, const char *name);

/*
 * Resolve a path below the root without following links in the last
 * component (lstat semantics). Links in the middle are followed, as the
 * kernel's path walk does. NULL with errno ENOENT / ENOTDIR / ELOOP.
 */
struct vfs_node *vfs_lookup(const struct vfs *vfs, const char *path);
/* The same, following a link in the last component too (stat semantics). */
struct vfs_node *vfs_resolve(const struct vfs *vfs, const char *path);

/* A node's path relative to the root: "devices/css0". Caller frees. */
char *vfs_path(const struct vfs_node *node);
/* A link's target relative to the link's directory: "../../../devices/css0/0.0.0313". Caller frees. */
char *vfs_link_relative(const struct vfs_node *link);

/* ---- strbuf: an append-only string for show() ---- */
struct strbuf {
	char *buf;
	size_t len, alloc;
};

/* clang-format off */
#define STRBUF_INIT { NULL, 0, 0 }
/* clang-format on */
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
int strbuf_add(struct strbuf *sb, const char *s, size_t len);
void strbuf_release(struct strbuf *sb);

#endif
