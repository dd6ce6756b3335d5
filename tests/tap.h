/* A minimal TAP producer for the C unit tests (read by automake's tap-driver.sh). */
#ifndef VIRT_MDEV_TAP_H
#define VIRT_MDEV_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failures;

__attribute__((format(printf, 4, 5))) static bool
tap_ok(bool pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failures++;
		printf("# failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 5, 6))) static void
tap_is_str(const char *got, const char *expected, const char *file, int line,
	   const char *fmt, ...)
{
	bool pass = got && expected && strcmp(got, expected) == 0;
	char desc[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	if (!tap_ok(pass, file, line, "%s", desc))
		printf("#      got: '%s'\n# expected: '%s'\n",
		       got ? got : "(null)", expected ? expected : "(null)");
}

#define is_str(got, expected, ...) \
	tap_is_str((got), (expected), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, expected, ...)                                           \
	do {                                                                 \
		long long _g = (long long)(got), _e = (long long)(expected); \
		if (!ok(_g == _e, __VA_ARGS__))                              \
			printf("#      got: %lld\n# expected: %lld\n", _g,   \
			       _e);                                          \
	} while (0)

static inline void tap_diag(const char *msg)
{
	printf("# %s\n", msg);
}

/* Print the plan and return the exit status for main. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
