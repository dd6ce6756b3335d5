/*
 * The fewest-queues AP mask choice (src/lib/apchoice.c) against a brute-force search of every
 * choice on thousands of random small hosts, named cases, the greedy beyond the exact bound;
 * --table prints the old choice (every named adapter and domain) beside the new one.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/apchoice.h"
#include "tap.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64*: the same sequence on every machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* a host of queues, masks all set but for the cleared ids */
struct host {
	struct ap_host h;
	struct ap_queue_info q[512];
	struct apqn_set ex; /* the same queues, for the brute force */
};

static void host_init(struct host *t)
{
	memset(t, 0, sizeof(*t));
	ap_mask_fill(&t->h.apmask);
	ap_mask_fill(&t->h.aqmask);
	t->h.queues = t->q;
	t->h.max_adapter_id = t->h.max_domain_id = 255;
}

static void host_add(struct host *t, unsigned a, unsigned d)
{
	struct ap_queue_info *q = &t->q[t->h.nqueues++];

	ap_mask_set(&t->ex.dom[a], d);
	q->apqn.apid = (uint8_t)a;
	q->apqn.apqi = (uint8_t)d;
	apqn_format(&q->apqn, q->name);
}

static bool exists(const struct host *t, unsigned a, unsigned d)
{
	return ap_mask_test(&t->ex.dom[a], d);
}

/* ---- the brute force: every subset of the ids, judged by the documented rule ---- */

struct judged {
	bool valid;
	size_t primary;
	unsigned bits, adapters;
	struct ap_mask a, d;
};

/* the lowest id one has and the other lacks wins */
static int lower_first(const struct ap_mask *x, const struct ap_mask *y)
{
	for (unsigned b = 0; b < AP_MASK_BITS; b++)
		if (ap_mask_test(x, b) != ap_mask_test(y, b))
			return ap_mask_test(x, b) ? -1 : 1;
	return 0;
}

static bool better(const struct judged *x, const struct judged *y)
{
	int r;

	if (!y->valid)
		return true;
	if (x->primary != y->primary)
		return x->primary < y->primary;
	if (x->bits != y->bits)
		return x->bits < y->bits;
	if (x->adapters != y->adapters)
		return x->adapters > y->adapters;
	r = lower_first(&x->a, &y->a);
	return r ? r < 0 : lower_first(&x->d, &y->d) < 0;
}

struct shape {
	unsigned na, nd, ids_a[5], ids_d[5];
};

/* a reserve: clear X of the adapters and Y of the domains */
static struct judged brute_reserve(const struct host *t, const struct shape *s,
				   const struct apqn_set *want)
{
	struct judged best = { 0 };

	for (unsigned x = 0; x < (1u << s->na); x++)
		for (unsigned y = 0; y < (1u << s->nd); y++) {
			struct ap_mask apm = t->h.apmask, aqm = t->h.aqmask;
			struct judged j = { .valid = true };

			ap_mask_zero(&j.a);
			ap_mask_zero(&j.d);
			for (unsigned i = 0; i < s->na; i++)
				if (x & (1u << i) &&
				    ap_mask_test(&apm, s->ids_a[i])) {
					ap_mask_clear(&apm, s->ids_a[i]);
					ap_mask_set(&j.a, s->ids_a[i]);
				}
			for (unsigned i = 0; i < s->nd; i++)
				if (y & (1u << i) &&
				    ap_mask_test(&aqm, s->ids_d[i])) {
					ap_mask_clear(&aqm, s->ids_d[i]);
					ap_mask_set(&j.d, s->ids_d[i]);
				}
			for (unsigned i = 0; i < s->na; i++)
				for (unsigned k = 0; k < s->nd; k++) {
					struct apqn q = { (uint8_t)s->ids_a[i],
							  (uint8_t)s->ids_d[k] };
					bool before = ap_reserved(
						&t->h.apmask, &t->h.aqmask, &q);
					bool after =
						ap_reserved(&apm, &aqm, &q);

					if (apqn_set_has(want, &q)) {
						if (after)
							j.valid = false;
					} else if (before && !after &&
						   exists(t, q.apid, q.apqi)) {
						j.primary++;
					}
				}
			if (!j.valid)
				continue;
			j.adapters = ap_mask_count(&j.a);
			j.bits = j.adapters + ap_mask_count(&j.d);
			if (better(&j, &best))
				best = j;
		}
	return best;
}

/* a release: set X of the adapters and Y of the domains cleared now */
static struct judged brute_release(const struct host *t, const struct shape *s,
				   const struct apqn_set *back,
				   const struct apqn_set *need)
{
	struct judged best = { 0 };

	for (unsigned x = 0; x < (1u << s->na); x++)
		for (unsigned y = 0; y < (1u << s->nd); y++) {
			struct ap_mask apm = t->h.apmask, aqm = t->h.aqmask;
			struct judged j = { .valid = true };

			ap_mask_zero(&j.a);
			ap_mask_zero(&j.d);
			for (unsigned i = 0; i < s->na; i++)
				if (x & (1u << i) &&
				    !ap_mask_test(&apm, s->ids_a[i])) {
					ap_mask_set(&apm, s->ids_a[i]);
					ap_mask_set(&j.a, s->ids_a[i]);
				}
			for (unsigned i = 0; i < s->nd; i++)
				if (y & (1u << i) &&
				    !ap_mask_test(&aqm, s->ids_d[i])) {
					ap_mask_set(&aqm, s->ids_d[i]);
					ap_mask_set(&j.d, s->ids_d[i]);
				}
			for (unsigned i = 0; i < s->na; i++)
				for (unsigned k = 0; k < s->nd; k++) {
					struct apqn q = { (uint8_t)s->ids_a[i],
							  (uint8_t)s->ids_d[k] };
					bool before = ap_reserved(
						&t->h.apmask, &t->h.aqmask, &q);
					bool after =
						ap_reserved(&apm, &aqm, &q);

					if (apqn_set_has(need, &q) && !before &&
					    after)
						j.valid = false;
					if (apqn_set_has(back, &q) && !after)
						j.primary++;
				}
			if (!j.valid)
				continue;
			j.adapters = ap_mask_count(&j.a);
			j.bits = j.adapters + ap_mask_count(&j.d);
			if (better(&j, &best))
				best = j;
		}
	return best;
}

/* distinct random ids, some of them at the ends of the mask */
static void random_ids(unsigned *ids, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned v;
		bool dup;

		do {
			unsigned r = below(8);

			v = r == 0 ? 0 : r == 1 ? 255 : below(256);
			dup = false;
			for (unsigned k = 0; k < i; k++)
				dup |= ids[k] == v;
		} while (dup);
		ids[i] = v;
	}
}

static void random_host(struct host *t, struct shape *s, unsigned clear_pct)
{
	host_init(t);
	s->na = 1 + below(5);
	s->nd = 1 + below(5);
	random_ids(s->ids_a, s->na);
	random_ids(s->ids_d, s->nd);
	for (unsigned i = 0; i < s->na; i++)
		for (unsigned k = 0; k < s->nd; k++)
			if (below(100) < 70)
				host_add(t, s->ids_a[i], s->ids_d[k]);
	for (unsigned i = 0; i < s->na; i++)
		if (below(100) < clear_pct)
			ap_mask_clear(&t->h.apmask, s->ids_a[i]);
	for (unsigned i = 0; i < s->nd; i++)
		if (below(100) < clear_pct)
			ap_mask_clear(&t->h.aqmask, s->ids_d[i]);
}

static void random_set(const struct shape *s, struct apqn_set *out,
		       unsigned pct, const struct apqn_set *not_in)
{
	apqn_set_zero(out);
	for (unsigned i = 0; i < s->na; i++)
		for (unsigned k = 0; k < s->nd; k++) {
			struct apqn q = { (uint8_t)s->ids_a[i],
					  (uint8_t)s->ids_d[k] };

			if (below(100) < pct &&
			    !(not_in && apqn_set_has(not_in, &q)))
				apqn_set_add(out, &q);
		}
}

static bool every_wanted_free(const struct ap_choice *c,
			      const struct apqn_set *want)
{
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		int d;

		ap_mask_for_each(d, &want->dom[a]) {
			struct apqn q = { (uint8_t)a, (uint8_t)d };

			if (ap_reserved(&c->apmask, &c->aqmask, &q))
				return false;
		}
	}
	return true;
}

static void test_random_reserve(unsigned cases)
{
	unsigned same = 0, valid = 0, lists = 0;
	struct host t;
	struct shape s;
	struct apqn_set want;

	for (unsigned n = 0; n < cases; n++) {
		struct vm_error err = { 0 };
		struct ap_choice c;
		struct judged b;
		size_t wanted_moving = 0;

		random_host(&t, &s, 25);
		random_set(&s, &want, below(100), NULL);
		b = brute_reserve(&t, &s, &want);
		if (ap_choose_masks(&t.h, &want, &c, &err) < 0)
			abort();
		valid += every_wanted_free(&c, &want) && c.exact_search;
		if (b.valid && c.others.n == b.primary &&
		    ap_mask_equal(&c.adapters, &b.a) &&
		    ap_mask_equal(&c.domains, &b.d))
			same++;
		else if (same + 5 > n) {
			char *w = apqn_set_format(&want);

			printf("# case %u: want %s: brute cost %zu, got %zu\n",
			       n, w, b.primary, c.others.n);
			free(w);
		}
		for (size_t i = 0; i < t.h.nqueues; i++) {
			const struct apqn *q = &t.q[i].apqn;

			wanted_moving +=
				apqn_set_has(&want, q) &&
				ap_reserved(&t.h.apmask, &t.h.aqmask, q);
		}
		lists += c.wanted.n == wanted_moving;
		ap_choice_clear(&c);
	}
	is_int(same, cases,
	       "reserve: on %u random hosts (up to 5 x 5, random masks and wanted sets), the choice is the brute force's: as few other queues, then bits, then adapters, then lower ids",
	       cases);
	is_int(valid, cases,
	       "reserve: every wanted APQN is free after it (exact search)");
	is_int(lists, cases,
	       "reserve: the queues asked for that leave the host are listed apart from the others");
}

static void test_random_release(unsigned cases)
{
	unsigned same = 0, kept = 0, safe = 0;
	struct host t;
	struct shape s;
	struct apqn_set back, need;

	for (unsigned n = 0; n < cases; n++) {
		struct vm_error err = { 0 };
		struct ap_choice c;
		struct judged b;
		bool ok_need = true;

		random_host(&t, &s, 60);
		random_set(&s, &need, below(40), NULL);
		/* sometimes a given-back APQN is needed too */
		random_set(&s, &back, below(100), below(4) ? &need : NULL);
		b = brute_release(&t, &s, &back, &need);
		if (ap_choose_release(&t.h, &back, &need, &c, &err) < 0)
			abort();
		if (b.valid && ap_mask_equal(&c.adapters, &b.a) &&
		    ap_mask_equal(&c.domains, &b.d))
			same++;
		else if (same + 5 > n)
			printf("# release case %u differs\n", n);
		kept += (c.kept ? apqn_set_count(c.kept) : 0) == b.primary;
		for (unsigned a = 0; a < AP_MASK_BITS; a++) {
			int d;

			ap_mask_for_each(d, &need.dom[a]) {
				struct apqn q = { (uint8_t)a, (uint8_t)d };

				if (!ap_reserved(&t.h.apmask, &t.h.aqmask,
						 &q) &&
				    ap_reserved(&c.apmask, &c.aqmask, &q))
					ok_need = false;
			}
		}
		safe += ok_need;
		ap_choice_clear(&c);
	}
	is_int(same, cases,
	       "release: on %u random hosts, the bits set are the brute force's: the most given back, then the fewest bits, adapters, lower ids",
	       cases);
	is_int(kept, cases,
	       "release: what stays free is listed, as many as the brute force keeps");
	is_int(safe, cases,
	       "release: no APQN still needed returns to the host");
}

/* ---- named cases ---- */

/* the reference host: card 05 with domains 4 and 0xab, card 06 with 4, 0x47 and 0xab */
static void reference_host(struct host *t)
{
	host_init(t);
	host_add(t, 5, 4);
	host_add(t, 5, 0xab);
	host_add(t, 6, 4);
	host_add(t, 6, 0x47);
	host_add(t, 6, 0xab);
}

static struct apqn_set *set_of(const char *apqns)
{
	static struct apqn_set sets[2];
	static unsigned next;
	struct apqn_set *s = &sets[next++ % 2];
	char buf[256], *save = NULL;

	apqn_set_zero(s);
	snprintf(buf, sizeof(buf), "%s", apqns);
	for (char *w = strtok_r(buf, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		struct apqn q;

		if (apqn_parse(w, &q, NULL) < 0)
			abort();
		apqn_set_add(s, &q);
	}
	return s;
}

static char *list_of(const struct apqn_list *l)
{
	struct apqn_set s;

	apqn_set_zero(&s);
	for (size_t i = 0; i < l->n; i++)
		apqn_set_add(&s, &l->v[i]);
	return apqn_set_format(&s);
}

/* "adapters 5; domains -; others 05.00ab" */
static void describe(const struct ap_choice *c, char *buf, size_t size)
{
	char *a = ap_mask_format_list(&c->adapters);
	char *d = ap_mask_format_list(&c->domains);
	char *w = list_of(&c->wanted), *o = list_of(&c->others);

	snprintf(buf, size, "adapters %s; domains %s; asked %s; others %s",
		 *a ? a : "-", *d ? d : "-", *w ? w : "-", *o ? o : "-");
	free(a);
	free(d);
	free(w);
	free(o);
}

static void named_reserve(struct host *t, const char *want,
			  const char *expected, const char *desc)
{
	struct vm_error err = { 0 };
	struct ap_choice c;
	char got[512];

	if (ap_choose_masks(&t->h, set_of(want), &c, &err) < 0)
		abort();
	describe(&c, got, sizeof(got));
	is_str(got, expected, "%s", desc);
	ap_choice_clear(&c);
}

static void test_named(void)
{
	struct host t;
	struct vm_error err = { 0 };
	struct ap_choice c;
	char got[512];

	reference_host(&t);
	named_reserve(
		&t, "05.0004 05.00ab",
		"adapters 5; domains -; asked 05.0004 05.00ab; others -",
		"the reference host, 05.0004 05.00ab: adapter 5 alone, no other queue leaves (before: domains 4 and 0xab too, taking 06.0004 06.00ab)");
	named_reserve(
		&t, "05.0004",
		"adapters 5; domains -; asked 05.0004; others 05.00ab",
		"05.0004 alone: adapter 5 or domain 4 each take one other queue; the tie goes to the adapter, and 06.0004 stays with the host");
	named_reserve(&t, "06.0047",
		      "adapters -; domains 0x47; asked 06.0047; others -",
		      "06.0047: domain 0x47, which no other card has");
	named_reserve(
		&t, "05.0004 06.0047",
		"adapters 5; domains 0x47; asked 05.0004 06.0047; others 05.00ab",
		"a wanted set that is no rectangle (05.0004 06.0047): adapter 5 and domain 0x47, not adapters 5,6 x domains 4,0x47");
	named_reserve(&t, "05.0004 06.0004",
		      "adapters -; domains 4; asked 05.0004 06.0004; others -",
		      "05.0004 06.0004: domain 4 frees both and nothing else");
	named_reserve(
		&t, "07.0009", "adapters 7; domains -; asked -; others -",
		"an APQN of no queue is still freed (the kernel checks the masks only), by the cheapest bit");
	ap_mask_clear(&t.h.aqmask, 4);
	named_reserve(&t, "05.0004", "adapters -; domains -; asked -; others -",
		      "domain 4 clear already: nothing to clear for 05.0004");
	named_reserve(
		&t, "05.0004 05.00ab",
		"adapters 5; domains -; asked 05.00ab; others -",
		"domain 4 clear already: adapter 5 frees 05.00ab and takes nothing else (05.0004 is free), domain 0xab would take 06.00ab");

	/* release on the host as the new reserve of 05.0004 05.00ab leaves it */
	reference_host(&t);
	ap_mask_clear(&t.h.apmask, 5);
	if (ap_choose_release(&t.h, set_of("05.0004"), set_of("05.00ab"), &c,
			      &err) < 0)
		abort();
	describe(&c, got, sizeof(got));
	is_str(got, "adapters -; domains -; asked -; others -",
	       "release of 05.0004 while an mdev holds 05.00ab: adapter 5 would return both, so nothing is set");
	ok(c.kept && apqn_set_count(c.kept) == 1 && c.kept_first.apid == 5 &&
		   c.kept_first.apqi == 4 && c.kept_by.apqi == 0xab,
	   "it says 05.0004 stays free, kept by 05.00ab");
	ap_choice_clear(&c);
	if (ap_choose_release(&t.h, set_of("05.0004 05.00ab"), set_of(""), &c,
			      &err) < 0)
		abort();
	describe(&c, got, sizeof(got));
	is_str(got, "adapters 5; domains -; asked 05.0004 05.00ab; others -",
	       "release of both: adapter 5 again");
	ok(!c.kept, "nothing stays free");
	ap_choice_clear(&c);

	/* the old reserve's masks: adapter 5, domains 4 and 0xab clear */
	ap_mask_clear(&t.h.aqmask, 4);
	ap_mask_clear(&t.h.aqmask, 0xab);
	if (ap_choose_release(&t.h, set_of("05.0004"), set_of("05.00ab"), &c,
			      &err) < 0)
		abort();
	describe(&c, got, sizeof(got));
	is_str(got, "adapters 5; domains 4; asked 05.0004; others 06.0004",
	       "after the old reserve, 05.0004 returns by adapter 5 and domain 4 while 05.00ab, needed, stays free (domain 0xab)");
	ap_choice_clear(&c);
}

/* ---- the greedy beyond the bound ---- */

static void test_greedy(void)
{
	unsigned valid = 0, no_worse = 0, greedy = 0, cases = 200;

	for (unsigned n = 0; n < cases; n++) {
		struct host t;
		struct apqn_set want;
		struct vm_error err = { 0 };
		struct ap_choice c;
		size_t old_rows = 0, old_cols = 0;
		struct ap_mask wa, wd;

		host_init(&t);
		apqn_set_zero(&want);
		ap_mask_zero(&wa);
		ap_mask_zero(&wd);
		/* 20 adapters x 20 domains of queues, 0-12 of each wanted */
		for (unsigned a = 0; a < 20; a++)
			for (unsigned d = 0; d < 20; d++) {
				struct apqn q = { (uint8_t)(a * 3),
						  (uint8_t)(d * 5) };

				if (below(100) < 80)
					host_add(&t, q.apid, q.apqi);
				if (below(100) < 12) {
					apqn_set_add(&want, &q);
					ap_mask_set(&wa, q.apid);
					ap_mask_set(&wd, q.apqi);
				}
			}
		if (ap_choose_masks(&t.h, &want, &c, &err) < 0)
			abort();
		valid += every_wanted_free(&c, &want);
		greedy += !c.exact_search;
		/* every wanted adapter alone, every wanted domain alone */
		for (size_t i = 0; i < t.h.nqueues; i++) {
			const struct apqn *q = &t.q[i].apqn;

			if (apqn_set_has(&want, q))
				continue;
			old_rows += ap_mask_test(&wa, q->apid);
			old_cols += ap_mask_test(&wd, q->apqi);
		}
		no_worse += c.others.n <= old_rows && c.others.n <= old_cols;
		ap_choice_clear(&c);
	}
	ok(greedy > cases / 2,
	   "%u of %u cases of 20 x 20 went beyond the exact search", greedy,
	   cases);
	is_int(valid, cases,
	       "greedy (beyond %d bits on both sides): every wanted APQN is free",
	       AP_CHOICE_EXACT_BITS);
	is_int(no_worse, cases,
	       "greedy: never more other queues than all the wanted adapters or all the wanted domains");
}

/* ---- the table for the notes: the old choice beside the new ---- */

static void table_row(const char *host, struct host *t, const char *want)
{
	struct apqn_set *w = set_of(want);
	struct ap_mask wa, wd, apm, aqm;
	struct vm_error err = { 0 };
	struct ap_choice c;
	size_t old_taken = 0;
	char *a, *d, *na, *nd;

	ap_mask_zero(&wa);
	ap_mask_zero(&wd);
	for (unsigned x = 0; x < AP_MASK_BITS; x++) {
		int y;

		ap_mask_for_each(y, &w->dom[x]) {
			ap_mask_set(&wa, x);
			ap_mask_set(&wd, (unsigned)y);
		}
	}
	ap_mask_andnot(&apm, &t->h.apmask, &wa);
	ap_mask_andnot(&aqm, &t->h.aqmask, &wd);
	for (size_t i = 0; i < t->h.nqueues; i++)
		old_taken += ap_reserved(&t->h.apmask, &t->h.aqmask,
					 &t->q[i].apqn) &&
			     !ap_reserved(&apm, &aqm, &t->q[i].apqn);
	if (ap_choose_masks(&t->h, w, &c, &err) < 0)
		abort();
	a = ap_mask_format_list(&wa);
	d = ap_mask_format_list(&wd);
	na = ap_mask_format_list(&c.adapters);
	nd = ap_mask_format_list(&c.domains);
	printf("| %s | %s | adapters %s, domains %s | %u | %zu (%zu not asked for) | adapters %s, domains %s | %u | %zu (%zu not asked for) |\n",
	       host, want, a, d, ap_mask_count(&wa) + ap_mask_count(&wd),
	       old_taken, old_taken - c.wanted.n, *na ? na : "-",
	       *nd ? nd : "-",
	       ap_mask_count(&c.adapters) + ap_mask_count(&c.domains),
	       c.wanted.n + c.others.n, c.others.n);
	free(a);
	free(d);
	free(na);
	free(nd);
	ap_choice_clear(&c);
}

static int print_table(void)
{
	struct host t;

	printf("| host | wanted | old: bits cleared (every named adapter and domain) | old: bits | old: host queues taken | new: bits cleared (fewest queues) | new: bits | new: host queues taken |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	reference_host(&t);
	table_row("reference (05: 4,0xab; 06: 4,0x47,0xab)", &t,
		  "05.0004 05.00ab");
	table_row("reference (05: 4,0xab; 06: 4,0x47,0xab)", &t, "05.0004");
	table_row("reference (05: 4,0xab; 06: 4,0x47,0xab)", &t,
		  "05.0004 06.0047");
	host_init(&t);
	for (unsigned a = 0; a < 8; a++)
		for (unsigned d = 0; d < 16; d++)
			host_add(&t, a, d);
	table_row("8 cards x 16 domains, all queues", &t,
		  "00.0001 00.0002 01.0003 01.0004");
	table_row("8 cards x 16 domains, all queues", &t,
		  "02.0005 02.0006 03.0005 03.0006");
	table_row("8 cards x 16 domains, all queues", &t,
		  "00.0001 01.0001 02.0001 03.0001");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--table") == 0)
		return print_table();
	test_named();
	test_random_reserve(3000);
	test_random_release(3000);
	test_greedy();
	return tap_done();
}
