/*
 * make bench-journal: a plan of N cheap steps (sysfs writes to regular
 * files of a root in a temporary directory) run under the journal, as an
 * apply runs it: prints the wall time of the run and of a step. It asserts
 * nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/journal.h"
#include "lib/plan.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 5000;
	char root[] = "/tmp/virt-mdev-bench-journal.XXXXXX";
	struct sysfs *s = NULL;
	struct vm_error err = { 0 };
	struct journal j;
	struct plan p;
	struct timespec a, b;
	char path[64], cmd[300];
	char *av[] = { argv[0], NULL };
	double t;
	int r;

	if (n <= 0 || !mkdtemp(root))
		return 1;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys/bench'", root);
	if (system(cmd) != 0 || sysfs_new(&s, root, &err) < 0)
		return 1;
	plan_init(&p, s);
	for (long i = 0; i < n; i++) {
		FILE *f;

		snprintf(cmd, sizeof(cmd), "%s/sys/bench/f%ld", root, i);
		f = fopen(cmd, "w");
		if (!f || fclose(f) != 0)
			return 1;
		snprintf(path, sizeof(path), "bench/f%ld", i);
		if (!plan_add_write(&p, "write a bench file", path, "1", path,
				    "0"))
			return 1;
	}
	if (journal_init(&j, s, 1, av, NULL, &err) < 0)
		return 1;
	p.recorder = &j.recorder;
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = plan_execute(&p, NULL, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	journal_finish(&j);
	t = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("journal: %ld steps in %.3f s (%.1f us a step)%s%s\n", n, t,
	       t * 1e6 / (double)n, r < 0 ? "; FAILED: " : "",
	       r < 0 ? err.msg : "");
	plan_clear(&p);
	sysfs_free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) != 0 || r < 0;
}
