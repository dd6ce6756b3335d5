/* The error object: library code fills it, the command layer prints it once. */
#ifndef VIRT_MDEV_ERROR_H
#define VIRT_MDEV_ERROR_H

#include "macro.h"

/* Exit codes: stable, documented in virt-mdev(8) EXIT CODES. */
enum vm_exit {
	VM_EXIT_OK = 0,
	VM_EXIT_FAILED = 1, /* operation failed (and was rolled back) */
	VM_EXIT_USAGE = 2, /* usage error or bad input */
	VM_EXIT_NOT_FOUND = 3, /* the named object does not exist */
	VM_EXIT_REFUSED = 4, /* refused by a check before acting */
	VM_EXIT_ROLLBACK_INCOMPLETE =
		5, /* failed and could not undo everything */
	VM_EXIT__LAST,
};

const char *vm_exit_to_string(enum vm_exit e);

#define VM_ERROR_MSG_MAX 1024

struct vm_error {
	enum vm_exit exit; /* VM_EXIT_OK while no error is recorded */
	int errnum; /* the errno behind the failure, 0 if none */
	char msg[VM_ERROR_MSG_MAX];
};

/*
 * Record a failure. errnum is the errno behind it (0 if none). Returns
 * -errnum (or -EINVAL when errnum is 0) so library code can write
 * "return vm_error_set(...)". err may be NULL. A second call overwrites
 * the first: the caller that knows most says last.
 */
int vm_error_set(struct vm_error *err, enum vm_exit exit, int errnum,
		 const char *fmt, ...) _printf_(4, 5);

/* Put "context: " in front of the recorded message. */
void vm_error_prefix(struct vm_error *err, const char *fmt, ...) _printf_(2, 3);

static inline int vm_error_is_set(const struct vm_error *err)
{
	return err && err->exit != VM_EXIT_OK;
}

void vm_error_clear(struct vm_error *err);

/* The -errno of a recorded failure (-EIO when none says which), for "return vm_error_errno(err)". */
static inline int vm_error_errno(const struct vm_error *err)
{
	return err && err->errnum > 0 ? -err->errnum : -EIO;
}

#endif
