/* Mediated devices and types: sysfs (kernel-sysfs.md section 1) and the host's mdevctl definitions (section 4.4; one file is definition.c's). */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "ap.h"
#include "cleanup.h"
#include "jsonw.h"
#include "mdev.h"

static void copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * The entry for (uuid, parent): found among the first 'sorted' entries (the
 * active ones, in uuid order as sysfs_list_dir gives them) by binary search,
 * or appended. The active ones are appended without a search: sysfs names
 * each uuid once.
 */
static struct mdev_info *slot(struct mdev_info **list, size_t *n, size_t *alloc,
			      size_t sorted, const char *uuid,
			      const char *parent)
{
	struct mdev_info *m;
	size_t lo = 0, hi = sorted;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp((*list)[mid].uuid, uuid);

		if (c == 0) {
			if (strcmp((*list)[mid].parent, parent) == 0)
				return &(*list)[mid];
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (*n == *alloc) {
		size_t a = *alloc ? *alloc * 2 : 64;
		struct mdev_info *l = realloc(*list, a * sizeof(*l));

		if (!l)
			return NULL;
		*list = l;
		*alloc = a;
	}
	m = &(*list)[(*n)++];
	memset(m, 0, sizeof(*m));
	copy(m->uuid, sizeof(m->uuid), uuid);
	copy(m->parent, sizeof(m->parent), parent);
	return m;
}

static const char *basename_of(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* ---- the definitions of a host ---- */

struct fault_vec {
	struct mdev_fault *v;
	size_t n, alloc;
};

static void faults_free(struct mdev_fault *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].file);
		free(v[i].what);
	}
	free(v);
}

/* the next fault of f, zeroed: NULL when out of memory */
static struct mdev_fault *fault_slot(struct fault_vec *f)
{
	struct mdev_fault *e;

	if (f->n == f->alloc) {
		size_t a = f->alloc ? f->alloc * 2 : 8;
		struct mdev_fault *v = realloc(f->v, a * sizeof(*v));

		if (!v)
			return NULL;
		f->v = v;
		f->alloc = a;
	}
	e = &f->v[f->n];
	memset(e, 0, sizeof(*e));
	return e;
}

/* an entry of bus/mdev/devices that is no mdev: a fault of the list, not listed */
static int add_sysfs_fault(const struct sysfs *s, struct fault_vec *f,
			   const char *name, const char *what)
{
	struct mdev_fault *e = fault_slot(f);

	if (!e)
		return -ENOMEM;
	e->in_sysfs = true;
	e->file = sysfs_path(s, "bus/mdev/devices/%s", name);
	e->what = strdup(what);
	if (!e->file || !e->what) {
		free(e->file);
		free(e->what);
		return -ENOMEM;
	}
	f->n++;
	return 0;
}

/*
 * the name the kernel gives an mdev: its uuid as "%pUl" prints it, lower
 * case with hyphens (drivers/vfio/mdev/mdev_core.c, mdev_device_create:
 * dev_set_name(&mdev->dev, "%pUl", uuid); kernel-sysfs.md section 1)
 */
static bool kernel_uuid_name(const char *name)
{
	char canon[IDS_UUID_STRLEN];
	uuid_t u;

	if (strlen(name) != IDS_UUID_STRLEN - 1 ||
	    ids_uuid_parse(name, u, NULL) < 0)
		return false;
	ids_uuid_format(u, canon);
	return strcmp(canon, name) == 0;
}

static int add_fault(const struct sysfs *s, struct fault_vec *f,
		     const char *parent, const char *name, const char *uuid,
		     const char *what)
{
	struct mdev_fault *e = fault_slot(f);

	if (!e)
		return -ENOMEM;
	copy(e->uuid, sizeof(e->uuid), uuid);
	copy(e->parent, sizeof(e->parent), parent);
	e->file = sysfs_area_path(s, SYSFS_AREA_MDEVCTL, "%s/%s", parent, name);
	e->what = strdup(what);
	if (!e->file || !e->what) {
		free(e->file);
		free(e->what);
		return -ENOMEM;
	}
	f->n++;
	return 0;
}

/*
 * The uuid a file's name spells as mdevctl reads it (uuid's parse_str:
 * hyphenated or 32 digits, any case, "urn:uuid:" first): true, in its
 * canonical spelling.
 */
static bool name_uuid(const char *name, char canon[IDS_UUID_STRLEN])
{
	char h[IDS_UUID_STRLEN];
	size_t len;
	uuid_t u;

	if (strncasecmp(name, "urn:uuid:", 9) == 0)
		name += 9;
	len = strlen(name);
	if (len == 32 && strspn(name, "0123456789abcdefABCDEF") == 32)
		snprintf(h, sizeof(h), "%.8s-%.4s-%.4s-%.4s-%.12s", name,
			 name + 8, name + 12, name + 16, name + 20);
	else if (len == 36)
		memcpy(h, name, 37);
	else
		return false;
	if (ids_uuid_parse(h, u, NULL) < 0)
		return false;
	ids_uuid_format(u, canon);
	return true;
}

/* one file of a parent's directory: a definition, or a fault */
static int read_definition(const struct sysfs *s, int pfd, const char *parent,
			   const char *name, struct mdev_info **list, size_t *n,
			   size_t *alloc, size_t sorted, struct fault_vec *f)
{
	struct mdev_definition d, *def;
	char uuid[IDS_UUID_STRLEN], fault[512];
	struct mdev_info *m;
	int r;

	if (!name_uuid(name, uuid))
		return add_fault(
			s, f, parent, name, "",
			"its name is not a uuid, so it defines no mdev (mdevctl warns about it too)");
	if (strcmp(uuid, name) != 0) {
		snprintf(
			fault, sizeof(fault),
			"its name spells uuid %s, but not as mdevctl names definitions (lower case, with hyphens), so mdevctl finds it only in part (rename it to %s)",
			uuid, uuid);
		return add_fault(s, f, parent, name, uuid, fault);
	}
	r = mdev_definition_read_at(pfd, name, &d, fault, sizeof(fault));
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return add_fault(s, f, parent, name, uuid, fault);
	def = malloc(sizeof(*def));
	m = def ? slot(list, n, alloc, sorted, uuid, parent) : NULL;
	if (!m) {
		free(def);
		mdev_definition_clear(&d);
		return -ENOMEM;
	}
	*def = d;
	m->def = def;
	m->defined = true;
	if (!m->type[0])
		copy(m->type, sizeof(m->type), def->mdev_type);
	m->autostart = def->autostart;
	m->kind = mdev_kind_by_parent(parent);
	/* an active mdev's configuration is the one sysfs shows */
	if (m->kind && !m->active)
		for (size_t i = 0; i < def->nattrs; i++)
			(void)m->kind->read_attr(m, def->attrs[i].name,
						 def->attrs[i].value);
	return 0;
}

static int cmp_fault(const void *a, const void *b)
{
	return strcmp(((const struct mdev_fault *)a)->file,
		      ((const struct mdev_fault *)b)->file);
}

static int read_definitions(const struct sysfs *s, struct mdev_info **list,
			    size_t *n, size_t *alloc, size_t sorted,
			    struct fault_vec *f)
{
	_cleanup_free_ char *dir =
		sysfs_area_path(s, SYSFS_AREA_MDEVCTL, "%s", "");
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *pe;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 :
							     negative_errno();
	while ((pe = readdir(d))) {
		_cleanup_closedir_ DIR *pd = NULL;
		struct dirent *de;
		int pfd;

		if (pe->d_name[0] == '.' ||
		    strcmp(pe->d_name, "scripts.d") == 0)
			continue;
		/* a parent is a directory, not a link to one (as mdevctl: it skips the rest) */
		pfd = openat(dirfd(d), pe->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (pfd < 0)
			continue;
		pd = fdopendir(pfd);
		if (!pd) {
			close(pfd);
			continue;
		}
		while ((de = readdir(pd))) {
			int r;

			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			r = read_definition(s, pfd, pe->d_name, de->d_name,
					    list, n, alloc, sorted, f);
			if (r < 0)
				return r;
		}
	}
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), cmp_fault);
	return 0;
}

static int cmp_mdev(const void *a, const void *b)
{
	const struct mdev_info *x = a, *y = b;
	int c = strcmp(x->parent, y->parent);

	return c ? c : strcmp(x->uuid, y->uuid);
}

static int list_read(const struct sysfs *s, struct mdev_list *out,
		     struct vm_error *err);

/* mdev_list_memo's reading of the host, while it is on */
static struct {
	const struct sysfs *s;
	bool have;
	struct mdev_list l;
} list_memo;

/* a copy of from that shares nothing with it but the definitions' parsed JSON (read only, counted) */
static int list_copy(const struct mdev_list *from, struct mdev_list *to)
{
	memset(to, 0, sizeof(*to));
	to->v = calloc(from->n ? from->n : 1, sizeof(*to->v));
	to->faults =
		calloc(from->nfaults ? from->nfaults : 1, sizeof(*to->faults));
	if (!to->v || !to->faults)
		goto oom;
	for (size_t i = 0; i < from->n; i++) {
		const struct mdev_info *f = &from->v[i];
		struct mdev_info *t = &to->v[to->n++];

		*t = *f;
		t->def = NULL;
		t->domains = (struct strv)STRV_INIT;
		for (size_t k = 0; k < f->domains.n; k++)
			if (strv_push(&t->domains, f->domains.v[k]) < 0)
				goto oom;
		if (f->def) {
			t->def = calloc(1, sizeof(*t->def));
			if (!t->def)
				goto oom;
			*t->def = *f->def;
			t->def->attrs = NULL;
			t->def->json = json_object_get(f->def->json);
			if (f->def->nattrs) {
				t->def->attrs = malloc(f->def->nattrs *
						       sizeof(*t->def->attrs));
				if (!t->def->attrs)
					goto oom;
				memcpy(t->def->attrs, f->def->attrs,
				       f->def->nattrs * sizeof(*t->def->attrs));
			}
		}
	}
	for (size_t i = 0; i < from->nfaults; i++) {
		const struct mdev_fault *f = &from->faults[i];
		struct mdev_fault *t = &to->faults[to->nfaults++];

		*t = *f;
		t->file = f->file ? strdup(f->file) : NULL;
		t->what = f->what ? strdup(f->what) : NULL;
		if ((f->file && !t->file) || (f->what && !t->what))
			goto oom;
	}
	return 0;
oom:
	mdev_list_clear(to);
	return -ENOMEM;
}

void mdev_list_memo(const struct sysfs *s, bool on)
{
	if (list_memo.have)
		mdev_list_clear(&list_memo.l);
	list_memo.have = false;
	list_memo.s = on ? s : NULL;
}

int mdev_list_read(const struct sysfs *s, struct mdev_list *out,
		   struct vm_error *err)
{
	int r;

	if (list_memo.s == s && list_memo.have) {
		if (list_copy(&list_memo.l, out) < 0)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		return 0;
	}
	r = list_read(s, out, err);
	if (r == 0 && list_memo.s == s && list_copy(out, &list_memo.l) == 0)
		list_memo.have = true;
	return r;
}

static int list_read(const struct sysfs *s, struct mdev_list *out,
		     struct vm_error *err)
{
	_cleanup_strv_ struct strv uuids = STRV_INIT;
	_cleanup_close_ int dfd = -1;
	struct mdev_info *list = NULL;
	struct fault_vec faults = { 0 };
	size_t count = 0, alloc = 0;
	int r;

	memset(out, 0, sizeof(*out));
	r = sysfs_list_dir(s, &uuids, "bus/mdev/devices");
	if (r < 0 && r != -ENOENT)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot list the mdevs: %s", strerror(-r));
	/*
	 * active: two readlinks each (parent, type), relative to the open
	 * bus/mdev/devices, and the matrix of a vfio-ap one
	 */
	if (uuids.n > 0) {
		dfd = sysfs_open_dir(s, "bus/mdev/devices");
		if (dfd < 0)
			return vm_error_set(err, VM_EXIT_FAILED, -dfd,
					    "cannot open the mdevs: %s",
					    strerror(-dfd));
	}
	for (size_t i = 0; i < uuids.n; i++) {
		char target[PATH_MAX], type_rel[PATH_MAX];
		struct mdev_info *m;
		char *slash;
		ssize_t n;

		if (!kernel_uuid_name(uuids.v[i])) {
			r = add_sysfs_fault(
				s, &faults, uuids.v[i],
				"its name is not a uuid as the kernel names mdevs (lower case, with hyphens): it is no mdev the kernel made");
			if (r < 0)
				goto oom;
			continue;
		}
		if (sysfs_readlinkat(dfd, uuids.v[i], target, sizeof(target)) <
			    0 ||
		    !(slash = strrchr(target, '/'))) {
			r = add_sysfs_fault(
				s, &faults, uuids.v[i],
				"it is no link to a device, as the kernel makes each mdev's entry: it is no mdev the kernel made");
			if (r < 0)
				goto oom;
			continue;
		}
		/*
		 * its type link, through the entry's target as the kernel
		 * follows the entry (from bus/mdev/devices, where the target
		 * is relative, as sysfs makes it): not the entry, then its
		 * target's components again
		 */
		if (target[0] != '/' &&
		    strlen(target) + sizeof("/mdev_type") <= sizeof(type_rel))
			snprintf(type_rel, sizeof(type_rel), "%s/mdev_type",
				 target);
		else
			snprintf(type_rel, sizeof(type_rel), "%s/mdev_type",
				 uuids.v[i]);
		*slash = '\0';
		m = slot(&list, &count, &alloc, 0, uuids.v[i],
			 basename_of(target));
		if (!m)
			goto oom;
		m->active = true;
		n = readlinkat(dfd, type_rel, target, sizeof(target) - 1);
		if (n > 0 && (size_t)n < sizeof(target) - 1) {
			target[n] = '\0';
			copy(m->type, sizeof(m->type), basename_of(target));
		}
		m->kind = mdev_kind_by_parent(m->parent);
		if (m->kind)
			m->kind->read_active(s, m);
	}
	/* the definitions' faults are sorted with these */
	r = read_definitions(s, &list, &count, &alloc, count, &faults);
	if (r < 0) {
		mdev_list_clear(
			&(struct mdev_list){ list, count, faults.v, faults.n });
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot read mdevctl's definitions: %s",
				    strerror(-r));
	}
	if (count > 1)
		qsort(list, count, sizeof(*list), cmp_mdev);
	out->v = list;
	out->n = count;
	out->faults = faults.v;
	out->nfaults = faults.n;
	return 0;
oom:
	mdev_list_clear(&(struct mdev_list){ list, count, faults.v, faults.n });
	return vm_error_set(err, VM_EXIT_FAILED, ENOMEM, "out of memory");
}

const struct mdev_info *mdev_find(const struct mdev_list *l, const char *uuid)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (strcmp(l->v[i].uuid, uuid) == 0)
			return &l->v[i];
	return NULL;
}

const struct mdev_fault *mdev_fault_of(const struct mdev_list *l,
				       const char *uuid, const char *parent)
{
	for (size_t i = 0; l && i < l->nfaults; i++)
		if (strcmp(l->faults[i].uuid, uuid) == 0 &&
		    (!parent || strcmp(l->faults[i].parent, parent) == 0))
			return &l->faults[i];
	return NULL;
}

/* how many entries uuid has (on parent, when not NULL); *first: the first */
static size_t entries_of(const struct mdev_list *l, const char *uuid,
			 const char *parent, const struct mdev_info **first)
{
	size_t n = 0;

	*first = NULL;
	for (size_t i = 0; l && i < l->n; i++) {
		if (strcmp(l->v[i].uuid, uuid) != 0 ||
		    (parent && strcmp(l->v[i].parent, parent) != 0))
			continue;
		if (!n++)
			*first = &l->v[i];
	}
	return n;
}

static int malformed(const struct mdev_list *l, const struct mdev_fault *f,
		     const char *verb, const char *uuid, const char *parent,
		     struct vm_error *err)
{
	const struct mdev_info *other;

	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"cannot %s mdev %s: its mdevctl definition %s is malformed: %s (correct the file or remove it%s)",
		verb, uuid, f->file, f->what,
		!parent && entries_of(l, uuid, NULL, &other) ?
			", or name another parent with --parent" :
			"");
}

static int several_parents(const struct mdev_list *l, const char *verb,
			   const char *uuid, struct vm_error *err)
{
	char parents[512] = "";
	size_t len = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct mdev_info *m = &l->v[i];

		if (strcmp(m->uuid, uuid) != 0)
			continue;
		snprintf(parents + len, sizeof(parents) - len, "%s%s (%s)",
			 len ? ", " : "", m->parent,
			 m->active && m->defined ? "active, defined" :
			 m->active		 ? "active" :
						   "defined");
		len = strlen(parents);
	}
	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"cannot %s mdev %s: it is on several parents, %s: name one with --parent (mdevctl refuses such a uuid too)",
		verb, uuid, parents);
}

int mdev_lookup(const struct mdev_list *l, const char *uuid, const char *parent,
		const char *verb, const struct mdev_info **out,
		struct vm_error *err)
{
	const struct mdev_fault *f = mdev_fault_of(l, uuid, parent);

	*out = NULL;
	if (f)
		return malformed(l, f, verb, uuid, parent, err);
	if (entries_of(l, uuid, parent, out) > 1)
		return several_parents(l, verb, uuid, err);
	return 0;
}

int mdev_resolve(struct mdev_spec *m, bool uuid_given, const char *verb,
		 const struct mdev_list *list, const struct mdev_info **out,
		 struct vm_error *err)
{
	const struct mdev_info *have = NULL;
	const struct mdev_fault *f;

	if (uuid_given) {
		f = mdev_fault_of(list, m->uuid, NULL);
		if (f)
			return malformed(list, f, verb, m->uuid, "", err);
		/* on several parents: the one this command names */
		if (entries_of(list, m->uuid, NULL, &have) > 1 &&
		    entries_of(list, m->uuid, m->parent, &have) != 1)
			return several_parents(list, verb, m->uuid, err);
	}
	for (size_t i = 0; !uuid_given && i < list->n && !have; i++) {
		const struct mdev_info *o = &list->v[i];
		struct mdev_spec os;

		mdev_spec_from_info(o, &os);
		if (strcmp(o->parent, m->parent) == 0 &&
		    strcmp(o->type, m->type) == 0 &&
		    (!m->kind || m->kind->same_config(&os, m)))
			have = o;
	}
	*out = have;
	if (have) {
		struct mdev_spec old;
		char diff[1024];

		mdev_spec_from_info(have, &old);
		copy(m->uuid, sizeof(m->uuid), have->uuid);
		mdev_spec_diff(&old, m, diff, sizeof(diff));
		if (diff[0])
			return vm_error_set(
				err, VM_EXIT_REFUSED, EEXIST,
				"cannot %s mdev %s: it exists with another configuration (%s); remove it first ('virt-mdev remove %s --undefine') or pick another --uuid",
				verb, m->uuid, diff, m->uuid);
	} else if (!uuid_given) {
		uuid_t u;

		ids_uuid_generate(u);
		ids_uuid_format(u, m->uuid);
	}
	return 0;
}

void mdev_list_clear(struct mdev_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		strv_clear(&l->v[i].domains);
		if (l->v[i].def) {
			mdev_definition_clear(l->v[i].def);
			free(l->v[i].def);
		}
	}
	free(l->v);
	faults_free(l->faults, l->nfaults);
	memset(l, 0, sizeof(*l));
}

/* a/b into buf (a relative sysfs path), without a format to parse: "" when it does not fit */
static const char *join(char *buf, size_t size, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + 1 + lb >= size) {
		buf[0] = '\0';
		return buf;
	}
	memcpy(buf, a, la);
	buf[la] = '/';
	memcpy(buf + la + 1, b, lb + 1);
	return buf;
}

/* the next entry of the list, zeroed: NULL when out of memory (*list freed) */
static struct mdev_type_info *type_slot(struct mdev_type_info **list,
					size_t count, size_t *alloc)
{
	if (count == *alloc) {
		size_t a = *alloc ? *alloc * 2 : 64;
		struct mdev_type_info *l = realloc(*list, a * sizeof(*l));

		if (!l) {
			free(*list);
			*list = NULL;
			return NULL;
		}
		*list = l;
		*alloc = a;
	}
	memset(&(*list)[count], 0, sizeof(**list));
	return &(*list)[count];
}

/* name and device_api belong to a type id: the first parent's are read, the others copied */
static void type_names(const struct sysfs *s, struct mdev_type_info *t,
		       struct mdev_type_info *seen, size_t *nseen,
		       size_t maxseen)
{
	_cleanup_free_ char *name = NULL, *api = NULL;

	for (size_t k = 0; k < *nseen; k++) {
		if (strcmp(seen[k].type, t->type) == 0) {
			copy(t->name, sizeof(t->name), seen[k].name);
			copy(t->device_api, sizeof(t->device_api),
			     seen[k].device_api);
			return;
		}
	}
	if (sysfs_read_string(s, &name,
			      "class/mdev_bus/%s/mdev_supported_types/%s/name",
			      t->parent, t->type) == 0)
		copy(t->name, sizeof(t->name), name);
	if (sysfs_read_string(
		    s, &api,
		    "class/mdev_bus/%s/mdev_supported_types/%s/device_api",
		    t->parent, t->type) == 0)
		copy(t->device_api, sizeof(t->device_api), api);
	if (*nseen < maxseen)
		seen[(*nseen)++] = *t;
}

/*
 * A type's available_instances (kernel-sysfs.md 1: a decimal number), or
 * why it is not known: the type is listed either way.
 */
static void available(const struct sysfs *s, int tfd, struct mdev_type_info *t,
		      char *num, size_t size)
{
	_cleanup_free_ char *path = sysfs_path(
		s,
		"class/mdev_bus/%s/mdev_supported_types/%s/available_instances",
		t->parent, t->type);
	char rel[PATH_MAX];
	int r;

	r = sysfs_read_at(
		tfd, join(rel, sizeof(rel), t->type, "available_instances"),
		num, size);
	if (r == -EFBIG)
		num[size - 1] = '\0'; /* the start of a longer text */
	if (r == -EFBIG ||
	    (r == 0 && sysfs_parse_unsigned(num, &t->available) < 0))
		snprintf(t->available_error, sizeof(t->available_error),
			 "%s reads '%s%s', not a number of instances",
			 path ? path : "available_instances", num,
			 r == -EFBIG ? "..." : "");
	else if (r < 0)
		snprintf(t->available_error, sizeof(t->available_error),
			 "cannot read %s: %s",
			 path ? path : "available_instances", strerror(-r));
}

int mdev_types_list(const struct sysfs *s, struct mdev_type_info **out,
		    size_t *n, struct vm_error *err)
{
	/* every parent's types in one vector: no vector per parent */
	_cleanup_strv_ struct strv parents = STRV_INIT, types = STRV_INIT;
	struct mdev_type_info *list = NULL, seen[16];
	size_t count = 0, alloc = 0, nseen = 0;
	_cleanup_close_ int dfd = -1;
	int r;

	r = sysfs_list_dir(s, &parents, "class/mdev_bus");
	if (r < 0 && r != -ENOENT)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot list the mdev parents: %s",
				    strerror(-r));
	/* relative to the open class/mdev_bus: a short path walk per parent */
	if (parents.n > 0) {
		dfd = sysfs_open_dir(s, "class/mdev_bus");
		if (dfd < 0)
			return vm_error_set(err, VM_EXIT_FAILED, -dfd,
					    "cannot open the mdev parents: %s",
					    strerror(-dfd));
	}
	for (size_t i = 0; i < parents.n; i++) {
		_cleanup_close_ int tfd = -1;
		size_t first = types.n;
		char rel[PATH_MAX];

		/* the types directory once; then a short walk for each type */
		tfd = sysfs_open_dir_at(dfd,
					join(rel, sizeof(rel), parents.v[i],
					     "mdev_supported_types"));
		if (tfd < 0 || sysfs_list_fd(tfd, &types) < 0)
			continue;
		for (size_t j = first; j < types.n; j++) {
			struct mdev_type_info *t =
				type_slot(&list, count, &alloc);
			char num[64];

			if (!t)
				return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
						    "out of memory");
			copy(t->parent, sizeof(t->parent), parents.v[i]);
			copy(t->type, sizeof(t->type), types.v[j]);
			available(s, tfd, t, num, sizeof(num));
			type_names(s, t, seen, &nseen, ARRAY_SIZE(seen));
			count++;
		}
	}
	*out = list;
	*n = count;
	return 0;
}

/* ---- one mdev's configuration ---- */

void mdev_spec_from_info(const struct mdev_info *i, struct mdev_spec *out)
{
	memset(out, 0, sizeof(*out));
	copy(out->uuid, sizeof(out->uuid), i->uuid);
	copy(out->parent, sizeof(out->parent), i->parent);
	copy(out->type, sizeof(out->type), i->type);
	out->kind = i->kind;
	out->apm = i->apm;
	out->aqm = i->aqm;
	out->adm = i->adm;
	out->def = i->def;
}

void mdev_spec_diff(const struct mdev_spec *have, const struct mdev_spec *want,
		    char *buf, size_t size)
{
	buf[0] = '\0';
	if (strcmp(have->parent, want->parent) != 0)
		snprintf(buf, size, "parent %s here, %s asked", have->parent,
			 want->parent);
	if (strcmp(have->type, want->type) != 0) {
		size_t len = strlen(buf);

		snprintf(buf + len, size - len, "%stype %s here, %s asked",
			 len ? "; " : "", have->type[0] ? have->type : "none",
			 want->type);
	}
	if (want->kind)
		want->kind->config_diff(have, want, buf, size);
}

int mdev_spec_attrs(const struct mdev_spec *m, struct strv *names,
		    struct strv *values)
{
	/* a definition's are kept as written: values, order, and what no kind models */
	if (m->def) {
		for (size_t i = 0; i < m->def->nattrs; i++)
			if (strv_push(names, m->def->attrs[i].name) < 0 ||
			    strv_push(values, m->def->attrs[i].value) < 0)
				return -ENOMEM;
		return 0;
	}
	return m->kind ? m->kind->attrs(m, names, values) : 0;
}

static const char *start_word(bool autostart)
{
	return autostart ? "auto" : "manual";
}

/*
 * mdevctl's definitions, written as mdevctl writes them (serde_json's
 * pretty printer: jsonw's JW_STYLE_SERDE), and a newline at the end.
 */
char *mdev_definition_json(const struct mdev_spec *m, bool autostart)
{
	_cleanup_strv_ struct strv names = STRV_INIT, values = STRV_INIT;
	struct jw w = JW_INIT_SERDE;

	if (mdev_spec_attrs(m, &names, &values) < 0)
		return NULL;
	jw_begin_object(&w);
	jw_key(&w, "mdev_type");
	jw_string(&w, m->type);
	jw_key(&w, "start");
	jw_string(&w, start_word(autostart));
	jw_key(&w, "attrs");
	jw_begin_array(&w);
	for (size_t i = 0; i < names.n; i++) {
		jw_begin_object(&w);
		jw_key(&w, names.v[i]);
		jw_string(&w, values.v[i]);
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_end_object(&w);
	return jw_steal(&w);
}

/* every member as it was written, in its order, with only "start" set (added at the end if missing) */
char *mdev_definition_with_start(const struct sysfs *s,
				 const struct mdev_spec *m, bool autostart)
{
	_cleanup_free_ char *dir =
		sysfs_area_path(s, SYSFS_AREA_MDEVCTL, "%s", m->parent);
	_cleanup_close_ int dfd = -1;
	struct mdev_definition def;
	struct jw w = JW_INIT_SERDE;
	bool started = false;
	char fault[512];

	/* read as the listing read it: a file that is no definition is none */
	if (dir)
		dfd = open(dir,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || mdev_definition_read_at(dfd, m->uuid, &def, fault,
					       sizeof(fault)) < 0)
		return mdev_definition_json(m, autostart);
	jw_begin_object(&w);
	json_object_object_foreach(def.json, key, val)
	{
		jw_key(&w, key);
		if (strcmp(key, "start") == 0) {
			jw_string(&w, start_word(autostart));
			started = true;
		} else {
			jw_value(&w, val);
		}
	}
	if (!started) {
		jw_key(&w, "start");
		jw_string(&w, start_word(autostart));
	}
	jw_end_object(&w);
	mdev_definition_clear(&def);
	return jw_steal(&w);
}

void mdev_definition_path(const struct mdev_spec *m, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", m->parent, m->uuid);
}

void mdev_nodedev_underscored(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			*s = '_';
}

void mdev_nodedev_names(const struct mdev_spec *m, char *with_parent,
			char *without_parent, size_t size)
{
	snprintf(with_parent, size, "mdev_%s_%s", m->uuid, m->parent);
	mdev_nodedev_underscored(with_parent + 5);
	snprintf(without_parent, size, "mdev_%s", m->uuid);
	mdev_nodedev_underscored(without_parent + 5);
}
