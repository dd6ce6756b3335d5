/* A growable, NULL-terminated vector of owned strings. */
#include "config.h"

#include <string.h>

#include "strv.h"

int strv_push_take(struct strv *sv, char *s)
{
	if (!s)
		return -ENOMEM;
	if (sv->n + 2 > sv->alloc) {
		size_t alloc = sv->alloc ? sv->alloc * 2 : 16;
		char **v = realloc(sv->v, alloc * sizeof(*v));

		if (!v) {
			free(s);
			return -ENOMEM;
		}
		sv->v = v;
		sv->alloc = alloc;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int strv_push(struct strv *sv, const char *s)
{
	return strv_push_take(sv, strdup(s));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort_from(struct strv *sv, size_t first)
{
	if (sv->n > first + 1)
		qsort(sv->v + first, sv->n - first, sizeof(*sv->v), cmp_str);
}

int strv_contains(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

void strv_clear(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}
