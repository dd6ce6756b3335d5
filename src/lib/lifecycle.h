/*
 * An mdev's lifecycle as a pure difference: from its state now to the
 * wanted one, the steps (define, start, autostart, stop, undefine) that a
 * backend (backend.h) adds to a plan.
 */
#ifndef VIRT_MDEV_LIFECYCLE_H
#define VIRT_MDEV_LIFECYCLE_H

#include <stdbool.h>

#include "backend.h"
#include "error.h"
#include "mdev.h"
#include "plan.h"

/* A wanted state: leave as it is, or make it so. */
enum want {
	WANT_KEEP,
	WANT_YES,
	WANT_NO,
};

struct mdev_state {
	bool exists, active, defined, autostart;
};

/* The state of an existing mdev (NULL: none). */
void mdev_state_of(const struct mdev_info *i, struct mdev_state *out);

/* "active, defined, autostart": for messages. */
const char *mdev_state_words(const struct mdev_state *s, char *buf,
			     size_t size);

/*
 * Add the steps that take the mdev m from state have to the wanted one, in
 * the order define, start, autostart, stop, undefine. Nothing when the
 * state holds. The caller has checked that the change is allowed.
 */
int lifecycle_plan(const struct backend *b, struct plan *p,
		   const struct mdev_spec *m, const struct mdev_state *have,
		   enum want active, enum want defined, enum want autostart,
		   struct vm_error *err);

#endif
