/* The kinds table: every kind fills every op, names are unique, lookups find each kind, and parents belong to one kind. */
#include "config.h"

#include "lib/kind.h"
#include "lib/mdev.h"
#include "tap.h"

/* every op a kind must have: a new kind that forgets one fails here, not at a user's command */
static bool all_ops(const struct mdev_kind *k)
{
	const void *ops[] = {
		(const void *)k->owns_parent,	 (const void *)k->where,
		(const void *)k->nodedev_parent, (const void *)k->create_path,
		(const void *)k->device_path,	 (const void *)k->read_active,
		(const void *)k->read_attr,	 (const void *)k->attrs,
		(const void *)k->same_config,	 (const void *)k->config_diff,
		(const void *)k->plan_configure, (const void *)k->target,
		(const void *)k->host_read,	 (const void *)k->host_free,
		(const void *)k->plan_prepare,	 (const void *)k->plan_release,
		(const void *)k->device_mdev,	 (const void *)k->check_create,
		(const void *)k->check_boot,	 (const void *)k->validate,
		(const void *)k->host_devno,	 (const void *)k->result_json,
		(const void *)k->validate_host,	 (const void *)k->config_part,
		(const void *)k->plan_complete,
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!ops[i])
			return false;
	return k->name && k->model && k->mdev_type && k->parents &&
	       k->prepared_hint;
}

int main(void)
{
	size_t n = 0;

	for (; mdev_kinds[n]; n++) {
		const struct mdev_kind *k = mdev_kinds[n];

		ok(all_ops(k), "kind %s fills every op and every name",
		   k->name);
		ok(mdev_kind_by_name(k->name) == k,
		   "kind %s is found by its word", k->name);
		ok(mdev_kind_by_model(k->model) == k,
		   "kind %s is found by its model %s", k->name, k->model);
		for (size_t j = 0; j < n; j++)
			ok(strcmp(mdev_kinds[j]->name, k->name) != 0 &&
				   strcmp(mdev_kinds[j]->model, k->model) !=
					   0 &&
				   strcmp(mdev_kinds[j]->mdev_type,
					  k->mdev_type) != 0,
			   "kinds %s and %s differ in word, model and type",
			   mdev_kinds[j]->name, k->name);
	}
	ok(n >= 2, "the table has the kinds (%zu)", n);
	is_str(mdev_kind_names(), "ccw or ap",
	       "the kinds' words, for messages");
	is_str(mdev_kind_models(), "vfio-ccw or vfio-ap",
	       "the kinds' models, for messages");
	is_str(mdev_kind_ccw_models(), "vfio-ccw",
	       "the models whose guest devices have a ccw address");
	ok(mdev_kind_by_parent("0.0.0313") &&
		   mdev_kind_by_parent("0.0.0313")->guest_ccw_address,
	   "a subchannel is the parent of a kind with a guest ccw address");
	ok(mdev_kind_by_parent("matrix") &&
		   mdev_kind_by_parent("matrix")->needs_ap_lock &&
		   mdev_kind_by_parent("matrix")->one_per_domain,
	   "the matrix is the parent of a kind under the AP lock, one per domain");
	ok(!mdev_kind_by_parent("0000:00:01.0") && !mdev_kind_by_parent("") &&
		   !mdev_kind_by_name("pci") && !mdev_kind_by_model("vfio-pci"),
	   "what no kind models is found by none");
	for (size_t i = 0; i < n; i++) {
		struct mdev_spec a = { .kind = mdev_kinds[i] }, b = a;
		char diff[256] = "";

		ok(mdev_kinds[i]->same_config(&a, &b),
		   "kind %s: two empty configurations are the same",
		   mdev_kinds[i]->name);
		mdev_kinds[i]->config_diff(&a, &b, diff, sizeof(diff));
		is_str(diff, "", "kind %s: and differ in nothing",
		       mdev_kinds[i]->name);
	}
	return tap_done();
}
