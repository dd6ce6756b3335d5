/* The simulator's in-memory sysfs tree: directories, attribute files, links. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfs.h"

int strbuf_add(struct strbuf *sb, const char *s, size_t len)
{
	if (sb->len + len + 1 > sb->alloc) {
		size_t alloc = sb->alloc ? sb->alloc : 64;
		char *nbuf;

		while (sb->len + len + 1 > alloc)
			alloc *= 2;
		nbuf = realloc(sb->buf, alloc);
		if (!nbuf)
			return -ENOMEM;
		sb->buf = nbuf;
		sb->alloc = alloc;
	}
	memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		s = NULL;
		return -ENOMEM;
	}
	return strbuf_add(sb, s, (size_t)n);
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

static struct vfs_node *node_new(const char *name, enum vfs_kind kind)
{
	struct vfs_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strdup(name);
	if (!n->name) {
		free(n);
		return NULL;
	}
	n->kind = kind;
	return n;
}

static void node_free(struct vfs *vfs, struct vfs_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nchildren; i++)
		node_free(vfs, n->children[i]);
	free(n->children);
	free(n->name);
	free(n->target);
	free(n);
	vfs->nodes--;
}

int vfs_init(struct vfs *vfs, void *model)
{
	vfs->model = model;
	vfs->nodes = 1;
	vfs->root = node_new("", VFS_DIR);
	return vfs->root ? 0 : -ENOMEM;
}

void vfs_destroy(struct vfs *vfs)
{
	node_free(vfs, vfs->root);
	vfs->root = NULL;
}

/* Index of name in dir's sorted children, or the insertion point (negative - 1). */
static long child_index(const struct vfs_node *dir, const char *name)
{
	size_t lo = 0, hi = dir->nchildren;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(dir->children[mid]->name, name);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

struct vfs_node *vfs_child(const struct vfs_node *dir, const char *name)
{
	long i;

	if (!dir || dir->kind != VFS_DIR)
		return NULL;
	i = child_index(dir, name);
	return i >= 0 ? dir->children[i] : NULL;
}

static struct vfs_node *attach(struct vfs *vfs, struct vfs_node *dir,
			       struct vfs_node *n)
{
	long i = child_index(dir, n->name);

	if (i >= 0) {
		node_free(vfs, dir->children[i]);
		dir->children[i] = n;
	} else {
		size_t at = (size_t)(-i - 1);

		if (dir->nchildren == dir->alloc) {
			size_t alloc = dir->alloc ? dir->alloc * 2 : 8;
			struct vfs_node **c =
				realloc(dir->children, alloc * sizeof(*c));

			if (!c) {
				node_free(vfs, n);
				return NULL;
			}
			dir->children = c;
			dir->alloc = alloc;
		}
		memmove(dir->children + at + 1, dir->children + at,
			(dir->nchildren - at) * sizeof(*dir->children));
		dir->children[at] = n;
		dir->nchildren++;
	}
	n->parent = dir;
	dir->version++;
	vfs->nodes++;
	return n;
}

struct vfs_node *vfs_add_dir(struct vfs *vfs, struct vfs_node *dir,
			     const char *name)
{
	struct vfs_node *n = node_new(name, VFS_DIR);

	return n ? attach(vfs, dir, n) : NULL;
}

struct vfs_node *vfs_add_file(struct vfs *vfs, struct vfs_node *dir,
			      const struct vfs_attr *attr, void *obj)
{
	struct vfs_node *n = node_new(attr->name, VFS_FILE);

	if (!n)
		return NULL;
	n->attr = attr;
	n->obj = obj;
	return attach(vfs, dir, n);
}

struct vfs_node *vfs_add_link(struct vfs *vfs, struct vfs_node *dir,
			      const char *name, const char *fmt, ...)
{
	struct vfs_node *n = node_new(name, VFS_LINK);
	va_list ap;
	int r;

	if (!n)
		return NULL;
	va_start(ap, fmt);
	r = vasprintf(&n->target, fmt, ap);
	va_end(ap);
	if (r < 0) {
		n->target = NULL;
		node_free(vfs, n);
		vfs->nodes++; /* node_free counted a node never attached */
		return NULL;
	}
	return attach(vfs, dir, n);
}

void vfs_remove_node(struct vfs *vfs, struct vfs_node *node)
{
	struct vfs_node *dir = node->parent;
	long i;

	if (!dir)
		return;
	i = child_index(dir, node->name);
	if (i < 0 || dir->children[i] != node)
		return;
	memmove(dir->children + i, dir->children + i + 1,
		(dir->nchildren - (size_t)i - 1) * sizeof(*dir->children));
	dir->nchildren--;
	dir->version++;
	node_free(vfs, node);
}

void vfs_remove(struct vfs *vfs, struct vfs_node *dir, const char *name)
{
	struct vfs_node *n = vfs_child(dir, name);

	if (n)
		vfs_remove_node(vfs, n);
}

struct vfs_node *vfs_mkdir_p(struct vfs *vfs, const char *path)
{
	struct vfs_node *dir = vfs->root;
	_cleanup_free_ char *copy = strdup(path);
	char *save = NULL;

	if (!copy)
		return NULL;
	for (char *c = strtok_r(copy, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		struct vfs_node *next = vfs_child(dir, c);

		if (!next)
			next = vfs_add_dir(vfs, dir, c);
		if (!next || next->kind != VFS_DIR)
			return NULL;
		dir = next;
	}
	return dir;
}

#define VFS_MAX_LINKS 40

/* Walk path from start; follow links in the middle, and in the last component when follow_last. */
static struct vfs_node *walk(const struct vfs *vfs, struct vfs_node *start,
			     const char *path, bool follow_last, int *depth)
{
	struct vfs_node *cur = *path == '/' ? vfs->root : start;
	const char *p = path;

	while (*p) {
		char name[256];
		size_t len;
		struct vfs_node *next;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len >= sizeof(name)) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		while (*p == '/')
			p++;
		if (cur->kind != VFS_DIR) {
			errno = ENOTDIR;
			return NULL;
		}
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			cur = cur->parent ? cur->parent : cur;
			continue;
		}
		next = vfs_child(cur, name);
		if (!next) {
			errno = ENOENT;
			return NULL;
		}
		if (next->kind == VFS_LINK && (*p || follow_last)) {
			if (++*depth > VFS_MAX_LINKS) {
				errno = ELOOP;
				return NULL;
			}
			/* link targets are relative to the sysfs root */
			next = walk(vfs, vfs->root, next->target, true, depth);
			if (!next)
				return NULL;
		}
		cur = next;
	}
	return cur;
}

struct vfs_node *vfs_lookup(const struct vfs *vfs, const char *path)
{
	int depth = 0;

	return walk(vfs, vfs->root, path, false, &depth);
}

struct vfs_node *vfs_resolve(const struct vfs *vfs, const char *path)
{
	int depth = 0;

	return walk(vfs, vfs->root, path, true, &depth);
}

char *vfs_path(const struct vfs_node *node)
{
	size_t len = 0;
	char *buf, *p;

	for (const struct vfs_node *n = node; n->parent; n = n->parent)
		len += strlen(n->name) + 1;
	buf = malloc(len + 1);
	if (!buf)
		return NULL;
	p = buf + len;
	*p = '\0';
	for (const struct vfs_node *n = node; n->parent; n = n->parent) {
		size_t l = strlen(n->name);

		p -= l;
		memcpy(p, n->name, l);
		if (p > buf)
			*--p = '/';
	}
	if (len > 0 && buf[0] == '/')
		memmove(buf, buf + 1, len);
	return buf;
}

char *vfs_link_relative(const struct vfs_node *link)
{
	size_t depth = 0, len;
	char *buf, *p;

	/* one "../" per directory between the link and the root */
	for (const struct vfs_node *n = link->parent; n && n->parent;
	     n = n->parent)
		depth++;
	len = depth * 3 + strlen(link->target);
	buf = malloc(len + 1);
	if (!buf)
		return NULL;
	p = buf;
	for (size_t i = 0; i < depth; i++, p += 3)
		memcpy(p, "../", 3);
	strcpy(p, link->target);
	return buf;
}
