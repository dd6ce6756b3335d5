/* mdevctl's definitions as virt-mdev writes them: mdevctl's own bytes, and what virt-mdev does not model kept as written. */
#include "config.h"

#include <sys/stat.h>

#include "lib/ids.h"
#include "lib/mdev.h"
#include "lib/sysfs.h"
#include "tap.h"

#define UUID "e1e1e1e1-0d3f-4b1a-9a39-3a6c1d7f0003"

static char root[] = "/tmp/virt-mdev-test-definition.XXXXXX";

static void make_tree(void)
{
	char cmd[1024];

	if (!mkdtemp(root))
		abort();
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%s/sys' '%s/etc/mdevctl.d/matrix'", root, root);
	if (system(cmd) != 0)
		abort();
}

static void remove_tree(void)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		abort();
}

static void put_definition(const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/etc/mdevctl.d/matrix/%s", root, UUID);
	f = fopen(path, "w");
	if (!f || fputs(content, f) < 0 || fclose(f) != 0)
		abort();
}

static void spec_ap(struct mdev_spec *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->uuid, sizeof(m->uuid), "%s", UUID);
	snprintf(m->parent, sizeof(m->parent), "matrix");
	m->kind = mdev_kind_by_name("ap");
	snprintf(m->type, sizeof(m->type), "%s", m->kind->mdev_type);
	ap_mask_set(&m->apm, 5);
	ap_mask_set(&m->aqm, 4);
	ap_mask_set(&m->aqm, 0xab);
	ap_mask_set(&m->adm, 4);
}

static void test_new(void)
{
	struct mdev_spec m = { .uuid = UUID, .parent = "0.0.0313" };
	char *t;

	m.kind = mdev_kind_by_name("ccw");
	snprintf(m.type, sizeof(m.type), "%s", m.kind->mdev_type);
	t = mdev_definition_json(&m, false);
	is_str(t,
	       "{\n  \"mdev_type\": \"vfio_ccw-io\",\n  \"start\": \"manual\",\n  \"attrs\": []\n}\n",
	       "a vfio-ccw definition: mdevctl's layout, attrs []");
	free(t);
	spec_ap(&m);
	t = mdev_definition_json(&m, true);
	is_str(t,
	       "{\n"
	       "  \"mdev_type\": \"vfio_ap-passthrough\",\n"
	       "  \"start\": \"auto\",\n"
	       "  \"attrs\": [\n"
	       "    {\n      \"assign_adapter\": \"0x5\"\n    },\n"
	       "    {\n      \"assign_domain\": \"0x4\"\n    },\n"
	       "    {\n      \"assign_domain\": \"0xab\"\n    },\n"
	       "    {\n      \"assign_control_domain\": \"0x4\"\n    }\n"
	       "  ]\n"
	       "}\n",
	       "a vfio-ap definition: its attributes in order, one object each");
	free(t);
}

/* what mdevctl 1.2 writes (serde_json's to_string_pretty, no newline at the end), with more than virt-mdev models */
static const char mdevctl_file[] =
	"{\n"
	"  \"mdev_type\": \"vfio_ap-passthrough\",\n"
	"  \"start\": \"manual\",\n"
	"  \"attrs\": [\n"
	"    {\n      \"assign_adapter\": \"6\"\n    },\n"
	"    {\n      \"assign_domain\": \"0x47\"\n    },\n"
	"    {\n      \"unmodelled\": \"x/\\\"y\\\\z \\t é\"\n    }\n"
	"  ],\n"
	"  \"future\": {\n"
	"    \"numbers\": [\n      1,\n      -7,\n      true,\n      null\n    ],\n"
	"    \"empty\": {},\n"
	"    \"none\": []\n"
	"  }\n"
	"}";

static void test_with_start(const struct sysfs *s)
{
	struct mdev_spec m;
	char want[sizeof(mdevctl_file) + 8], *t, *at;

	spec_ap(&m);
	put_definition(mdevctl_file);
	t = mdev_definition_with_start(s, &m, true);
	snprintf(want, sizeof(want), "%s\n", mdevctl_file);
	at = strstr(want, "\"manual\"");
	memcpy(at, "\"auto\"  ",
	       8); /* same length, then squeeze the two spaces out */
	memmove(at + 6, at + 8, strlen(at + 8) + 1);
	is_str(t, want,
	       "only start changes: every other member, attribute and escape as mdevctl wrote it");
	free(t);

	put_definition(
		"{\"attrs\": [{\"assign_adapter\": \"6\"}], \"start\": \"auto\", \"mdev_type\": \"vfio_ap-passthrough\"}\n");
	t = mdev_definition_with_start(s, &m, false);
	is_str(t,
	       "{\n  \"attrs\": [\n    {\n      \"assign_adapter\": \"6\"\n    }\n  ],\n  \"start\": \"manual\",\n  \"mdev_type\": \"vfio_ap-passthrough\"\n}\n",
	       "a hand-written definition: its members in their order, in mdevctl's layout");
	free(t);

	put_definition(
		"{\"mdev_type\": \"vfio_ap-passthrough\", \"start\": 0}");
	t = mdev_definition_with_start(s, &m, true);
	is_str(t,
	       "{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"auto\"\n}\n",
	       "a start that is not a string (mdevctl: manual) is replaced in its place");
	free(t);

	put_definition("not json");
	t = mdev_definition_with_start(s, &m, true);
	{
		char *fresh = mdev_definition_json(&m, true);

		is_str(t, fresh, "an unreadable definition is written anew");
		free(fresh);
	}
	free(t);
}

int main(void)
{
	_cleanup_sysfs_ struct sysfs *s = NULL;

	make_tree();
	if (sysfs_new(&s, root, NULL) < 0)
		abort();
	test_new();
	test_with_start(s);
	sysfs_free(steal_ptr(s));
	remove_tree();
	return tap_done();
}
