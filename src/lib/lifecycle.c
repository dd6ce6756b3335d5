/* An mdev's lifecycle: the pure difference between its state and the wanted one, as a backend's steps. */
#include "config.h"

#include <string.h>

#include "lifecycle.h"

void mdev_state_of(const struct mdev_info *i, struct mdev_state *out)
{
	memset(out, 0, sizeof(*out));
	if (!i)
		return;
	out->exists = true;
	out->active = i->active;
	out->defined = i->defined;
	out->autostart = i->autostart;
}

const char *mdev_state_words(const struct mdev_state *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", s->active ? "active" : "inactive",
		 s->defined ? ", defined" : ", not defined",
		 s->defined ?
			 (s->autostart ? ", autostart" : ", manual start") :
			 "");
	return buf;
}

int lifecycle_plan(const struct backend *b, struct plan *p,
		   const struct mdev_spec *m, const struct mdev_state *have,
		   enum want active, enum want defined, enum want autostart,
		   struct vm_error *err)
{
	const struct backend_ops *ops = b->ops;
	bool to_define = defined == WANT_YES && !have->defined;
	bool to_start = active == WANT_YES && !have->active;
	bool to_stop = active == WANT_NO && have->active;
	bool to_undefine = defined == WANT_NO && have->defined;
	/* autostart only means something for a definition */
	bool will_be_defined = (have->defined || to_define) && !to_undefine;
	bool auto_on = autostart == WANT_YES ? true :
		       autostart == WANT_NO  ? false :
					       have->autostart;
	bool to_autostart = will_be_defined && auto_on != have->autostart &&
			    !(to_define && ops->autostart_in_definition);
	bool early = ops->autostart_in_definition;
	int r = 0;

	if (to_define)
		r = ops->define(b, p, m, auto_on, err);
	if (r == 0 && to_autostart && early)
		r = ops->set_autostart(b, p, m, auto_on, err);
	if (r == 0 && to_start)
		r = ops->start(b, p, m, !will_be_defined, err);
	if (r == 0 && to_autostart && !early)
		r = ops->set_autostart(b, p, m, auto_on, err);
	if (r == 0 && to_stop)
		r = ops->stop(b, p, m, have->defined, err);
	if (r == 0 && to_undefine)
		r = ops->undefine(b, p, m, err);
	return r;
}
