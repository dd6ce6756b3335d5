/* Mediated devices and types: sysfs (kernel-sysfs.md section 1) and mdevctl's definitions (section 4.4). */
#include "config.h"

#include <string.h>

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

/* the definition's attrs, as its kind models them */
static void definition_attrs(struct mdev_info *m, struct json_object *attrs)
{
	if (!m->kind || !json_object_is_type(attrs, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(attrs); i++) {
		struct json_object *a = json_object_array_get_idx(attrs, i);

		if (!json_object_is_type(a, json_type_object))
			continue;
		json_object_object_foreach(a, key, val)
		{
			const char *v = json_object_get_string(val);

			if (v)
				(void)m->kind->read_attr(m, key, v);
		}
	}
}

static int read_definitions(const struct sysfs *s, struct mdev_info **list,
			    size_t *n, size_t *alloc, size_t sorted)
{
	_cleanup_free_ char *dir =
		sysfs_area_path(s, SYSFS_AREA_MDEVCTL, "%s", "");
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *pe;

	if (!dir)
		return -ENOMEM;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : negative_errno();
	while ((pe = readdir(d))) {
		_cleanup_closedir_ DIR *pd = NULL;
		char pdir[PATH_MAX + 256];
		struct dirent *de;

		if (pe->d_name[0] == '.' ||
		    strcmp(pe->d_name, "scripts.d") == 0)
			continue;
		snprintf(pdir, sizeof(pdir), "%s/%s", dir, pe->d_name);
		pd = opendir(pdir);
		if (!pd)
			continue;
		while ((de = readdir(pd))) {
			_cleanup_json_ struct json_object *def = NULL;
			struct json_object *v;
			struct mdev_info *m;
			char path[PATH_MAX + 512];
			uuid_t u;

			if (ids_uuid_parse(de->d_name, u, NULL) < 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", pdir, de->d_name);
			def = json_object_from_file(path);
			if (!def ||
			    !json_object_object_get_ex(def, "mdev_type", &v))
				continue; /* mdevctl ignores it too */
			m = slot(list, n, alloc, sorted, de->d_name,
				 pe->d_name);
			if (!m)
				return -ENOMEM;
			m->defined = true;
			if (!m->type[0])
				copy(m->type, sizeof(m->type),
				     json_object_get_string(v));
			if (json_object_object_get_ex(def, "start", &v) &&
			    json_object_is_type(v, json_type_string))
				m->autostart = strcmp(json_object_get_string(v),
						      "auto") == 0;
			m->kind = mdev_kind_by_parent(pe->d_name);
			if (!m->active &&
			    json_object_object_get_ex(def, "attrs", &v))
				definition_attrs(m, v);
		}
	}
	return 0;
}

static int cmp_mdev(const void *a, const void *b)
{
	const struct mdev_info *x = a, *y = b;
	int c = strcmp(x->parent, y->parent);

	return c ? c : strcmp(x->uuid, y->uuid);
}

int mdev_list_read(const struct sysfs *s, struct mdev_list *out,
		   struct vm_error *err)
{
	_cleanup_strv_ struct strv uuids = STRV_INIT;
	_cleanup_close_ int dfd = -1;
	struct mdev_info *list = NULL;
	size_t count = 0, alloc = 0;
	int r;

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
		char target[PATH_MAX], rel[IDS_UUID_STRLEN + 16];
		struct mdev_info *m;
		char *slash;

		if (sysfs_readlinkat(dfd, uuids.v[i], target, sizeof(target)) <
		    0)
			continue;
		slash = strrchr(target, '/');
		if (!slash)
			continue;
		*slash = '\0';
		m = slot(&list, &count, &alloc, 0, uuids.v[i],
			 basename_of(target));
		if (!m) {
			mdev_list_clear(&(struct mdev_list){ list, count });
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		}
		m->active = true;
		snprintf(rel, sizeof(rel), "%s/mdev_type", uuids.v[i]);
		if (sysfs_readlinkat(dfd, rel, target, sizeof(target)) > 0)
			copy(m->type, sizeof(m->type), basename_of(target));
		m->kind = mdev_kind_by_parent(m->parent);
		if (m->kind)
			m->kind->read_active(s, m);
	}
	r = read_definitions(s, &list, &count, &alloc, count);
	if (r < 0) {
		mdev_list_clear(&(struct mdev_list){ list, count });
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot read mdevctl's definitions: %s",
				    strerror(-r));
	}
	if (count > 1)
		qsort(list, count, sizeof(*list), cmp_mdev);
	out->v = list;
	out->n = count;
	return 0;
}

const struct mdev_info *mdev_find(const struct mdev_list *l, const char *uuid)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (strcmp(l->v[i].uuid, uuid) == 0)
			return &l->v[i];
	return NULL;
}

int mdev_resolve(struct mdev_spec *m, bool uuid_given, const char *verb,
		 const struct mdev_list *list, const struct mdev_info **out,
		 struct vm_error *err)
{
	const struct mdev_info *have = NULL;

	if (uuid_given)
		have = mdev_find(list, m->uuid);
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
	for (size_t i = 0; i < l->n; i++)
		strv_clear(&l->v[i].domains);
	free(l->v);
	l->v = NULL;
	l->n = 0;
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
			char num[32];

			if (!t)
				return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
						    "out of memory");
			copy(t->parent, sizeof(t->parent), parents.v[i]);
			copy(t->type, sizeof(t->type), types.v[j]);
			if (sysfs_read_at(tfd,
					  join(rel, sizeof(rel), types.v[j],
					       "available_instances"),
					  num, sizeof(num)) < 0 ||
			    sysfs_parse_unsigned(num, &t->available) < 0)
				continue;
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
	_cleanup_free_ char *path = sysfs_area_path(
		s, SYSFS_AREA_MDEVCTL, "%s/%s", m->parent, m->uuid);
	_cleanup_json_ struct json_object *def = NULL;
	struct jw w = JW_INIT_SERDE;
	bool started = false;

	def = path ? json_object_from_file(path) : NULL;
	if (!def || !json_object_is_type(def, json_type_object))
		return mdev_definition_json(m, autostart);
	jw_begin_object(&w);
	json_object_object_foreach(def, key, val)
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
