/* The table of device kinds and the lookups by CLI word, model, mdev type and parent. */
#include "config.h"

#include <string.h>

#include "kind.h"

extern const struct mdev_kind kind_ccw;
extern const struct mdev_kind kind_ap;

/* one kind a line; a new kind is a kind-*.c and one line here */
/* clang-format off */
const struct mdev_kind *const mdev_kinds[] = {
	&kind_ccw,
	&kind_ap,
	NULL,
};
/* clang-format on */

const struct mdev_kind *mdev_kind_by_name(const char *name)
{
	for (size_t i = 0; name && mdev_kinds[i]; i++)
		if (strcmp(mdev_kinds[i]->name, name) == 0)
			return mdev_kinds[i];
	return NULL;
}

const struct mdev_kind *mdev_kind_by_model(const char *model)
{
	for (size_t i = 0; model && mdev_kinds[i]; i++)
		if (strcmp(mdev_kinds[i]->model, model) == 0)
			return mdev_kinds[i];
	return NULL;
}

const struct mdev_kind *mdev_kind_by_parent(const char *parent)
{
	for (size_t i = 0; parent && mdev_kinds[i]; i++)
		if (mdev_kinds[i]->owns_parent(parent))
			return mdev_kinds[i];
	return NULL;
}

/* "a or b", "a, b or c" from one member of every kind (only those with a ccw address) */
static const char *name_of(const struct mdev_kind *k)
{
	return k->name;
}

static const char *model_of(const struct mdev_kind *k)
{
	return k->model;
}

static const char *words(char *buf, size_t size,
			 const char *(*field)(const struct mdev_kind *k),
			 bool ccw_only)
{
	const struct mdev_kind *k[16];
	size_t n = 0, len = 0;

	for (size_t i = 0; mdev_kinds[i] && n < ARRAY_SIZE(k); i++)
		if (!ccw_only || mdev_kinds[i]->guest_ccw_address)
			k[n++] = mdev_kinds[i];
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *w = field(k[i]);

		snprintf(buf + len, size - len, "%s%s",
			 i == 0	    ? "" :
			 i + 1 == n ? " or " :
				      ", ",
			 w);
		len = strlen(buf);
	}
	return buf;
}

const char *mdev_kind_names(void)
{
	static char buf[128];

	return buf[0] ? buf : words(buf, sizeof(buf), name_of, false);
}

const char *mdev_kind_models(void)
{
	static char buf[128];

	return buf[0] ? buf : words(buf, sizeof(buf), model_of, false);
}

const char *mdev_kind_ccw_models(void)
{
	static char buf[128];

	return buf[0] ? buf : words(buf, sizeof(buf), model_of, true);
}
