/* The fewest-queues choice of apmask and aqmask bits (apchoice.h): exact search, greedy beyond its bound. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apchoice.h"
#include "cleanup.h"

/* ---- sets of APQNs ---- */

void apqn_set_zero(struct apqn_set *s)
{
	memset(s, 0, sizeof(*s));
}

void apqn_set_add(struct apqn_set *s, const struct apqn *q)
{
	ap_mask_set(&s->dom[q->apid], q->apqi);
}

bool apqn_set_has(const struct apqn_set *s, const struct apqn *q)
{
	return ap_mask_test(&s->dom[q->apid], q->apqi);
}

void apqn_set_add_matrix(struct apqn_set *s, const struct ap_mask *adapters,
			 const struct ap_mask *domains)
{
	int a;

	ap_mask_for_each(a, adapters)
		ap_mask_or(&s->dom[a], &s->dom[a], domains);
}

void apqn_set_add_set(struct apqn_set *a, const struct apqn_set *b)
{
	for (unsigned i = 0; i < AP_MASK_BITS; i++)
		ap_mask_or(&a->dom[i], &a->dom[i], &b->dom[i]);
}

bool apqn_set_is_empty(const struct apqn_set *s)
{
	for (unsigned i = 0; i < AP_MASK_BITS; i++)
		if (!ap_mask_is_empty(&s->dom[i]))
			return false;
	return true;
}

size_t apqn_set_count(const struct apqn_set *s)
{
	size_t n = 0;

	for (unsigned i = 0; i < AP_MASK_BITS; i++)
		n += ap_mask_count(&s->dom[i]);
	return n;
}

char *apqn_set_format(const struct apqn_set *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *sep = "";

	if (!f)
		return NULL;
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		int d;

		ap_mask_for_each(d, &s->dom[a]) {
			fprintf(f, "%s%02x.%04x", sep, a, (unsigned)d);
			sep = " ";
		}
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

void ap_choice_clear(struct ap_choice *c)
{
	free(c->wanted.v);
	free(c->others.v);
	free(c->kept);
	memset(c, 0, sizeof(*c));
}

void ap_mdevs_apqns(const struct ap_host *h, const char *skip_uuid,
		    bool autostart_only, struct apqn_set *out)
{
	for (size_t i = 0; i < h->nmdevs; i++) {
		const struct ap_mdev_info *m = &h->mdevs[i];

		if (strcmp(m->uuid, skip_uuid) == 0 ||
		    (autostart_only && !(m->defined && m->autostart)))
			continue;
		apqn_set_add_matrix(out, &m->apm, &m->aqm);
	}
}

/* ---- the order of choices ---- */

/* what a choice costs, in the order it is judged */
struct key {
	size_t primary; /* other queues taken (reserve); APQNs kept (release) */
	unsigned bits; /* bits changed */
	unsigned adapters; /* of them in apmask: more is better */
	struct ap_mask a, d; /* the bits: the lower ids first */
};

/* the mask with the lowest id the other lacks: bit 0 is the top of w[0] */
static int lower_ids_first(const struct ap_mask *x, const struct ap_mask *y)
{
	for (size_t i = 0; i < ARRAY_SIZE(x->w); i++)
		if (x->w[i] != y->w[i])
			return x->w[i] > y->w[i] ? -1 : 1;
	return 0;
}

/* < 0 when x is the better choice */
static int key_cmp(const struct key *x, const struct key *y)
{
	int r;

	if (x->primary != y->primary)
		return x->primary < y->primary ? -1 : 1;
	if (x->bits != y->bits)
		return x->bits < y->bits ? -1 : 1;
	if (x->adapters != y->adapters)
		return x->adapters > y->adapters ? -1 : 1;
	r = lower_ids_first(&x->a, &y->a);
	return r ? r : lower_ids_first(&x->d, &y->d);
}

static void key_of(struct key *k, size_t primary, const struct ap_mask *a,
		   const struct ap_mask *d)
{
	k->primary = primary;
	k->a = *a;
	k->d = *d;
	k->adapters = ap_mask_count(a);
	k->bits = k->adapters + ap_mask_count(d);
}

/* ---- the existing queues ---- */

/* every existing queue of h once, as a set */
static void existing_set(const struct ap_host *h, struct apqn_set *s)
{
	apqn_set_zero(s);
	for (size_t i = 0; i < h->nqueues; i++)
		apqn_set_add(s, &h->queues[i].apqn);
}

/* the queues of h whose ownership differs between the masks before and out's */
static int list_moved(const struct ap_host *h, const struct apqn_set *asked,
		      struct ap_choice *out, struct vm_error *err)
{
	out->wanted.v = calloc(h->nqueues + 1, sizeof(*out->wanted.v));
	out->others.v = calloc(h->nqueues + 1, sizeof(*out->others.v));
	if (!out->wanted.v || !out->others.v)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	for (size_t i = 0; i < h->nqueues; i++) {
		const struct apqn *q = &h->queues[i].apqn;
		struct apqn_list *l;

		if (ap_reserved(&h->apmask, &h->aqmask, q) ==
		    ap_reserved(&out->apmask, &out->aqmask, q))
			continue;
		l = apqn_set_has(asked, q) ? &out->wanted : &out->others;
		l->v[l->n++] = *q;
	}
	return 0;
}

/* ---- reserve ---- */

/*
 * The problem turned so that the side searched is "rows": w[r] the columns
 * of the wanted APQNs still reserved in row r, q[r] those of the other
 * existing queues still reserved. Rows are adapters unless turned.
 */
struct problem {
	bool turned; /* rows are domains */
	struct apqn_set w, q;
	struct ap_mask rows; /* rows with a wanted APQN */
	struct ap_mask qrows; /* rows with another queue */
	unsigned qcount[AP_MASK_BITS];
};

static void set_turn(struct apqn_set *t, const struct apqn_set *s)
{
	apqn_set_zero(t);
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		int d;

		ap_mask_for_each(d, &s->dom[a])
			ap_mask_set(&t->dom[d], a);
	}
}

/* the real adapters and domains of rows S and columns C */
static void real_bits(const struct problem *p, const struct ap_mask *s,
		      const struct ap_mask *c, struct ap_mask *a,
		      struct ap_mask *d)
{
	*a = p->turned ? *c : *s;
	*d = p->turned ? *s : *c;
}

/* the columns rows outside S still need, and the other queues S and they free */
static size_t cost_of(const struct problem *p, const struct ap_mask *s,
		      struct ap_mask *c)
{
	size_t cost = 0;
	int r;

	ap_mask_zero(c);
	ap_mask_for_each(r, &p->rows)
		if (!ap_mask_test(s, (unsigned)r))
			ap_mask_or(c, c, &p->w.dom[r]);
	ap_mask_for_each(r, &p->qrows) {
		struct ap_mask x;

		if (ap_mask_test(s, (unsigned)r)) {
			cost += p->qcount[r];
			continue;
		}
		ap_mask_and(&x, &p->q.dom[r], c);
		cost += ap_mask_count(&x);
	}
	return cost;
}

static void consider(const struct problem *p, const struct ap_mask *s,
		     struct key *best, bool *have)
{
	struct ap_mask c, a, d;
	struct key k;
	size_t cost = cost_of(p, s, &c);

	real_bits(p, s, &c, &a, &d);
	key_of(&k, cost, &a, &d);
	if (!*have || key_cmp(&k, best) < 0) {
		*best = k;
		*have = true;
	}
}

/* every subset of the rows */
static void search_exact(const struct problem *p, struct key *best)
{
	int ids[AP_CHOICE_EXACT_BITS], r;
	unsigned k = 0;
	bool have = false;

	ap_mask_for_each(r, &p->rows)
		ids[k++] = r;
	for (unsigned long m = 0; m < (1UL << k); m++) {
		struct ap_mask s;

		ap_mask_zero(&s);
		for (unsigned i = 0; i < k; i++)
			if (m & (1UL << i))
				ap_mask_set(&s, (unsigned)ids[i]);
		consider(p, &s, best, &have);
	}
}

/*
 * Beyond the bound (rows are adapters here): one bit at a time, the one
 * that takes the fewest other queues per wanted APQN it frees (then more
 * freed, adapters first, lower ids first); then each bit whose wanted
 * APQNs the others free too is dropped; never worse than all the rows or
 * all the columns.
 */
static void search_greedy(const struct problem *p, struct key *best)
{
	struct apqn_set *unc = malloc(sizeof(*unc));
	struct ap_mask a, d, all_cols;
	bool have = false;
	int r, c;

	ap_mask_zero(&a);
	ap_mask_zero(&d);
	ap_mask_zero(&all_cols);
	ap_mask_for_each(r, &p->rows)
		ap_mask_or(&all_cols, &all_cols, &p->w.dom[r]);
	if (unc) {
		*unc = p->w;
		for (;;) {
			size_t bg = 0, be = 0;
			int bit = -1;
			bool brow = false;

			ap_mask_for_each(r, &p->rows) {
				struct ap_mask x;
				size_t g = ap_mask_count(&unc->dom[r]), e;

				if (!g)
					continue;
				ap_mask_andnot(&x, &p->q.dom[r], &d);
				e = ap_mask_count(&x);
				if (bit < 0 || e * bg < be * g ||
				    (e * bg == be * g && g > bg)) {
					bit = r, brow = true, bg = g, be = e;
				}
			}
			ap_mask_for_each(c, &all_cols) {
				size_t g = 0, e = 0;

				if (ap_mask_test(&d, (unsigned)c))
					continue;
				ap_mask_for_each(r, &p->rows)
					g += ap_mask_test(&unc->dom[r],
							  (unsigned)c);
				if (!g)
					continue;
				ap_mask_for_each(r, &p->qrows)
					e += !ap_mask_test(&a, (unsigned)r) &&
					     ap_mask_test(&p->q.dom[r],
							  (unsigned)c);
				if (bit < 0 || e * bg < be * g ||
				    (e * bg == be * g && g > bg)) {
					bit = c, brow = false, bg = g, be = e;
				}
			}
			if (bit < 0)
				break;
			if (brow) {
				ap_mask_set(&a, (unsigned)bit);
				ap_mask_zero(&unc->dom[bit]);
			} else {
				ap_mask_set(&d, (unsigned)bit);
				ap_mask_for_each(r, &p->rows)
					ap_mask_clear(&unc->dom[r],
						      (unsigned)bit);
			}
		}
		free(unc);
		/* a row the chosen columns cover alone is not needed */
		ap_mask_for_each(r, &p->rows) {
			struct ap_mask x;

			ap_mask_andnot(&x, &p->w.dom[r], &d);
			if (ap_mask_test(&a, (unsigned)r) &&
			    ap_mask_is_empty(&x))
				ap_mask_clear(&a, (unsigned)r);
		}
		/* the columns are then the ones the rows outside a need */
		consider(p, &a, best, &have);
	}
	ap_mask_zero(&a);
	consider(p, &a, best, &have); /* every column */
	consider(p, &p->rows, best, &have); /* every row */
}

int ap_choose_masks(const struct ap_host *h, const struct apqn_set *want,
		    struct ap_choice *out, struct vm_error *err)
{
	_cleanup_free_ struct problem *p = calloc(1, sizeof(*p));
	_cleanup_free_ struct apqn_set *ex = malloc(sizeof(*ex));
	_cleanup_free_ struct apqn_set *t = malloc(sizeof(*t));
	struct ap_mask rows_a, cols_a;
	struct key best;
	unsigned na, nd;

	memset(out, 0, sizeof(*out));
	out->apmask = h->apmask;
	out->aqmask = h->aqmask;
	out->exact_search = true;
	if (!p || !ex || !t)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	existing_set(h, ex);
	/* what is still reserved: wanted, and the other existing queues */
	ap_mask_zero(&rows_a);
	ap_mask_zero(&cols_a);
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		if (!ap_mask_test(&h->apmask, a))
			continue;
		ap_mask_and(&p->w.dom[a], &want->dom[a], &h->aqmask);
		ap_mask_andnot(&p->q.dom[a], &ex->dom[a], &want->dom[a]);
		ap_mask_and(&p->q.dom[a], &p->q.dom[a], &h->aqmask);
		if (!ap_mask_is_empty(&p->w.dom[a]))
			ap_mask_set(&rows_a, a);
		ap_mask_or(&cols_a, &cols_a, &p->w.dom[a]);
	}
	na = ap_mask_count(&rows_a);
	nd = ap_mask_count(&cols_a);
	if (na == 0)
		return list_moved(h, want, out, err);
	/* search the smaller side; the greedy goes by adapters */
	p->turned = nd < na && nd <= AP_CHOICE_EXACT_BITS;
	if (p->turned) {
		set_turn(t, &p->w);
		p->w = *t;
		set_turn(t, &p->q);
		p->q = *t;
	}
	p->rows = p->turned ? cols_a : rows_a;
	for (unsigned r = 0; r < AP_MASK_BITS; r++) {
		p->qcount[r] = ap_mask_count(&p->q.dom[r]);
		if (p->qcount[r])
			ap_mask_set(&p->qrows, r);
	}
	if (ap_mask_count(&p->rows) <= AP_CHOICE_EXACT_BITS) {
		search_exact(p, &best);
	} else {
		out->exact_search = false;
		search_greedy(p, &best);
	}
	out->adapters = best.a;
	out->domains = best.d;
	ap_mask_andnot(&out->apmask, &h->apmask, &best.a);
	ap_mask_andnot(&out->aqmask, &h->aqmask, &best.d);
	return list_moved(h, want, out, err);
}

/* ---- release ---- */

struct release {
	const struct ap_host *h;
	struct apqn_set g; /* to give back, free now, not needed */
	struct ap_mask need_a, need_d; /* the bits some APQN of g needs set */
	struct ap_mask
		pair[AP_MASK_BITS]; /* pair[a]: d, both clear, (a, d) needed */
	struct ap_mask contested_a, contested_d;
};

/* the APQNs of g that return with the bits a and d set, and the bits they need */
static size_t returned(const struct release *r, const struct ap_mask *a,
		       const struct ap_mask *d, struct ap_mask *used_a,
		       struct ap_mask *used_d)
{
	struct ap_mask aq;
	size_t n = 0;

	ap_mask_or(&aq, &r->h->aqmask, d);
	ap_mask_zero(used_a);
	ap_mask_zero(used_d);
	for (unsigned x = 0; x < AP_MASK_BITS; x++) {
		struct ap_mask back, dd;

		if (ap_mask_is_empty(&r->g.dom[x]) ||
		    (!ap_mask_test(&r->h->apmask, x) && !ap_mask_test(a, x)))
			continue;
		ap_mask_and(&back, &r->g.dom[x], &aq);
		if (ap_mask_is_empty(&back))
			continue;
		n += ap_mask_count(&back);
		if (!ap_mask_test(&r->h->apmask, x))
			ap_mask_set(used_a, x);
		ap_mask_andnot(&dd, &back, &r->h->aqmask);
		ap_mask_or(used_d, used_d, &dd);
	}
	return n;
}

/* no needed APQN with both its bits clear gets both set */
static bool pairs_ok(const struct release *r, const struct ap_mask *a,
		     const struct ap_mask *d)
{
	int x;

	ap_mask_for_each(x, a) {
		struct ap_mask both;

		ap_mask_and(&both, &r->pair[x], d);
		if (!ap_mask_is_empty(&both))
			return false;
	}
	return true;
}

static void consider_release(const struct release *r, const struct ap_mask *a,
			     const struct ap_mask *d, size_t total,
			     struct key *best, bool *have)
{
	struct ap_mask ua, ud;
	struct key k;
	size_t n;

	if (!pairs_ok(r, a, d))
		return;
	n = returned(r, a, d, &ua, &ud);
	key_of(&k, total - n, &ua, &ud);
	if (!*have || key_cmp(&k, best) < 0) {
		*best = k;
		*have = true;
	}
}

/* the first needed APQN that would return with q's bits set too */
static struct apqn blocker_of(const struct ap_host *h,
			      const struct apqn_set *needed,
			      const struct ap_mask *apm,
			      const struct ap_mask *aqm, const struct apqn *q)
{
	struct ap_mask a = *apm, d = *aqm;

	ap_mask_set(&a, q->apid);
	ap_mask_set(&d, q->apqi);
	for (unsigned x = 0; x < AP_MASK_BITS; x++) {
		int y;

		ap_mask_for_each(y, &needed->dom[x]) {
			struct apqn n = { (uint8_t)x, (uint8_t)y };

			if (!ap_reserved(&h->apmask, &h->aqmask, &n) &&
			    ap_reserved(&a, &d, &n))
				return n;
		}
	}
	return *q;
}

int ap_choose_release(const struct ap_host *h, const struct apqn_set *give_back,
		      const struct apqn_set *still_needed,
		      struct ap_choice *out, struct vm_error *err)
{
	_cleanup_free_ struct release *r = calloc(1, sizeof(*r));
	struct ap_mask forbid_a, forbid_d, free_a, free_d;
	int ids[AP_CHOICE_EXACT_BITS], x;
	unsigned k = 0;
	size_t total;
	struct key best;
	bool have = false, blocked_any = false;

	memset(out, 0, sizeof(*out));
	out->apmask = h->apmask;
	out->aqmask = h->aqmask;
	out->exact_search = true;
	if (!r)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	r->h = h;
	ap_mask_zero(&forbid_a);
	ap_mask_zero(&forbid_d);
	/* what the needed APQNs that are free forbid: one bit, or two together */
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		struct ap_mask clear;

		ap_mask_andnot(&clear, &still_needed->dom[a], &h->aqmask);
		if (ap_mask_test(&h->apmask, a)) {
			ap_mask_or(&forbid_d, &forbid_d, &clear);
			continue;
		}
		if (!ap_mask_equal(&clear, &still_needed->dom[a]))
			ap_mask_set(&forbid_a, a); /* a domain of it is set */
		r->pair[a] = clear;
	}
	/* what there is to give back: free now, not needed */
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		struct ap_mask g, dd;

		if (ap_mask_test(&h->apmask, a))
			ap_mask_andnot(&g, &give_back->dom[a], &h->aqmask);
		else
			g = give_back->dom[a];
		if (!ap_mask_is_empty(&g) &&
		    !ap_mask_is_empty(&still_needed->dom[a])) {
			struct ap_mask both;

			ap_mask_and(&both, &g, &still_needed->dom[a]);
			blocked_any |= !ap_mask_is_empty(&both);
			ap_mask_andnot(&g, &g, &still_needed->dom[a]);
		}
		r->g.dom[a] = g;
		if (ap_mask_is_empty(&g))
			continue;
		if (!ap_mask_test(&h->apmask, a))
			ap_mask_set(&r->need_a, a);
		ap_mask_andnot(&dd, &g, &h->aqmask);
		ap_mask_or(&r->need_d, &r->need_d, &dd);
	}
	total = apqn_set_count(&r->g);
	/* the bits that may be set, and those where a pair meets */
	ap_mask_andnot(&free_a, &r->need_a, &forbid_a);
	ap_mask_andnot(&free_d, &r->need_d, &forbid_d);
	ap_mask_for_each(x, &free_a) {
		struct ap_mask m;

		ap_mask_and(&m, &r->pair[x], &free_d);
		if (ap_mask_is_empty(&m))
			continue;
		ap_mask_set(&r->contested_a, (unsigned)x);
		ap_mask_or(&r->contested_d, &r->contested_d, &m);
	}
	ap_mask_andnot(&free_a, &free_a, &r->contested_a);
	ap_mask_andnot(&free_d, &free_d, &r->contested_d);
	if (ap_mask_count(&r->contested_a) + ap_mask_count(&r->contested_d) <=
	    AP_CHOICE_EXACT_BITS) {
		ap_mask_for_each(x, &r->contested_a)
			ids[k++] = x;
		ap_mask_for_each(x, &r->contested_d)
			ids[k++] = AP_MASK_BITS + x;
		for (unsigned long m = 0; m < (1UL << k); m++) {
			struct ap_mask a = free_a, d = free_d;

			for (unsigned i = 0; i < k; i++)
				if (m & (1UL << i)) {
					if (ids[i] < AP_MASK_BITS)
						ap_mask_set(&a,
							    (unsigned)ids[i]);
					else
						ap_mask_set(
							&d,
							(unsigned)(ids[i] -
								   AP_MASK_BITS));
				}
			consider_release(r, &a, &d, total, &best, &have);
		}
	} else {
		/* greedy: adapters, then domains, in order, each while it meets no pair */
		struct ap_mask a = free_a, d = free_d;

		out->exact_search = false;
		ap_mask_for_each(x, &r->contested_a) {
			ap_mask_set(&a, (unsigned)x);
			if (!pairs_ok(r, &a, &d))
				ap_mask_clear(&a, (unsigned)x);
		}
		ap_mask_for_each(x, &r->contested_d) {
			ap_mask_set(&d, (unsigned)x);
			if (!pairs_ok(r, &a, &d))
				ap_mask_clear(&d, (unsigned)x);
		}
		consider_release(r, &a, &d, total, &best, &have);
	}
	out->adapters = best.a;
	out->domains = best.d;
	ap_mask_or(&out->apmask, &h->apmask, &best.a);
	ap_mask_or(&out->aqmask, &h->aqmask, &best.d);
	if (best.primary || blocked_any) {
		bool first = true;

		out->kept = calloc(1, sizeof(*out->kept));
		if (!out->kept)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		for (unsigned a = 0; a < AP_MASK_BITS; a++) {
			int y;

			ap_mask_for_each(y, &give_back->dom[a]) {
				struct apqn q = { (uint8_t)a, (uint8_t)y };

				if (ap_reserved(&h->apmask, &h->aqmask, &q) ||
				    ap_reserved(&out->apmask, &out->aqmask, &q))
					continue;
				apqn_set_add(out->kept, &q);
				/* the first that is needed itself, else the first */
				if (!first && (apqn_set_has(still_needed,
							    &out->kept_first) ||
					       !apqn_set_has(still_needed, &q)))
					continue;
				first = false;
				out->kept_first = q;
				out->kept_by =
					apqn_set_has(still_needed, &q) ?
						q :
						blocker_of(h, still_needed,
							   &out->apmask,
							   &out->aqmask, &q);
			}
		}
	}
	return list_moved(h, give_back, out, err);
}
