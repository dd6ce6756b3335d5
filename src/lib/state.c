/* TEMPORARY json-only loader for engine testing; never committed */
#include "config.h"
#include <string.h>
#include <stdlib.h>
#include <json-c/json.h>
#include "state.h"
static const char *gs(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) :
						     NULL;
}
static int gb(struct json_object *o, const char *k, int d)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) ?
		       json_object_get_boolean(v) :
		       d;
}
static int dev(struct json_object *o, struct state_device *d, int guest,
	       struct vm_error *err)
{
	const char *k = gs(o, "kind"), *s;
	memset(d, 0, sizeof(*d));
	d->kind = mdev_kind_by_name(k);
	if (!d->kind)
		d->kind = mdev_kind_by_model(k);
	if (!d->kind)
		return vm_error_set(err, 2, EINVAL, "bad kind");
	if ((s = gs(o, "device"))) {
		d->device = strdup(s);
		d->target.device = d->device;
	}
	if ((s = gs(o, "adapters"))) {
		ap_id_list_parse(s, "adapter", &d->target.apm, err);
		d->target.have_adapters = 1;
	}
	if ((s = gs(o, "domains"))) {
		ap_id_list_parse(s, "domain", &d->target.aqm, err);
		d->target.have_domains = 1;
	}
	if ((s = gs(o, "control-domains"))) {
		ap_id_list_parse(s, "domain", &d->target.adm, err);
		d->target.have_control_domains = 1;
	}
	if ((s = gs(o, "uuid"))) {
		uuid_t u;
		ids_uuid_parse(s, u, err);
		ids_uuid_format(u, d->uuid);
		d->uuid_given = 1;
	}
	if ((s = gs(o, "devno"))) {
		guest_devno_parse(s, &d->devno, err);
		d->devno_given = 1;
	}
	if ((s = gs(o, "boot-order")))
		d->boot_order = atoi(s);
	if ((s = gs(o, "alias")))
		d->alias = strdup(s);
	d->persistent = gb(o, "persistent", 1);
	d->live = guest ? gb(o, "live", 0) : 0;
	d->pos.line = 1;
	d->pos.column = 1;
	return 0;
}
int state_parse(const char *file, const char *text, size_t len,
		struct state *out, struct vm_error *err)
{
	struct json_object *j = json_tokener_parse(text), *a, *b;
	(void)len;
	memset(out, 0, sizeof(*out));
	out->file = strdup(file);
	if (!j)
		return vm_error_set(err, 2, EINVAL, "%s: bad json", file);
	if (json_object_object_get_ex(j, "guests", &a)) {
		out->nguests = json_object_array_length(a);
		out->guests = calloc(out->nguests + 1, sizeof(*out->guests));
		for (size_t i = 0; i < out->nguests; i++) {
			struct json_object *g = json_object_array_get_idx(a, i);
			out->guests[i].name = strdup(gs(g, "name"));
			out->guests[i].pos.line = 1;
			json_object_object_get_ex(g, "devices", &b);
			out->guests[i].ndevices = json_object_array_length(b);
			out->guests[i].devices =
				calloc(out->guests[i].ndevices + 1,
				       sizeof(struct state_device));
			for (size_t k = 0; k < out->guests[i].ndevices; k++)
				if (dev(json_object_array_get_idx(b, k),
					&out->guests[i].devices[k], 1, err) < 0)
					return -1;
		}
	}
	if (json_object_object_get_ex(j, "mdevs", &a)) {
		out->nmdevs = json_object_array_length(a);
		out->mdevs = calloc(out->nmdevs + 1, sizeof(*out->mdevs));
		for (size_t i = 0; i < out->nmdevs; i++)
			if (dev(json_object_array_get_idx(a, i), &out->mdevs[i],
				0, err) < 0)
				return -1;
	}
	if (json_object_object_get_ex(j, "ap-reserve", &a)) {
		out->nreserve = json_object_array_length(a);
		out->reserve = calloc(out->nreserve + 1, sizeof(*out->reserve));
		for (size_t i = 0; i < out->nreserve; i++) {
			struct json_object *r = json_object_array_get_idx(a, i);
			ap_id_list_parse(gs(r, "adapters"), "adapter",
					 &out->reserve[i].adapters, err);
			ap_id_list_parse(gs(r, "domains"), "domain",
					 &out->reserve[i].domains, err);
			out->reserve[i].persistent = gb(r, "persistent", 1);
		}
	}
	json_object_put(j);
	return 0;
}
int state_read(const char *file, struct state *out, struct vm_error *err)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char buf[1 << 20];
	size_t n;
	if (!f)
		return vm_error_set(err, 2, errno, "cannot open %s", file);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	if (f != stdin)
		fclose(f);
	return state_parse(file, buf, n, out, err);
}
void state_clear(struct state *s)
{
	(void)s;
}
int state_write(FILE *f, const struct state *s, const char *header)
{
	fprintf(f, "# %s\n{\"version\": 1, \"guests\": [",
		header ? header : "");
	for (size_t i = 0; i < s->nguests; i++) {
		fprintf(f, "%s{\"name\": \"%s\", \"devices\": [", i ? ", " : "",
			s->guests[i].name);
		for (size_t k = 0; k < s->guests[i].ndevices; k++) {
			const struct state_device *d = &s->guests[i].devices[k];
			char dn[16];
			guest_devno_format(&d->devno, dn);
			fprintf(f,
				"%s{\"kind\": \"%s\", \"uuid\": \"%s\", \"device\": \"%s\", \"devno\": \"%s\", \"persistent\": %s, \"live\": %s}",
				k ? ", " : "", d->kind->name, d->uuid,
				d->device ? d->device : "",
				d->devno_given ? dn : "",
				d->persistent ? "true" : "false",
				d->live ? "true" : "false");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "], \"mdevs\": [");
	for (size_t i = 0; i < s->nmdevs; i++) {
		const struct state_device *d = &s->mdevs[i];
		fprintf(f,
			"%s{\"kind\": \"%s\", \"uuid\": \"%s\", \"device\": \"%s\"}",
			i ? ", " : "", d->kind->name, d->uuid,
			d->device ? d->device : "");
	}
	fprintf(f, "]}\n");
	return 0;
}
