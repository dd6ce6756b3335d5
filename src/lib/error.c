/* The error object: one message per failure, with its exit code and errno. */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "error.h"

static const char *const vm_exit_names[VM_EXIT__LAST] = {
	[VM_EXIT_OK] = "ok",
	[VM_EXIT_FAILED] = "failed",
	[VM_EXIT_USAGE] = "usage",
	[VM_EXIT_NOT_FOUND] = "not-found",
	[VM_EXIT_REFUSED] = "refused",
	[VM_EXIT_ROLLBACK_INCOMPLETE] = "rollback-incomplete",
};

const char *vm_exit_to_string(enum vm_exit e)
{
	if ((unsigned)e >= VM_EXIT__LAST)
		return "unknown";
	return vm_exit_names[e];
}

int vm_error_set(struct vm_error *err, enum vm_exit exit, int errnum,
		 const char *fmt, ...)
{
	va_list ap;

	if (errnum < 0)
		errnum = -errnum;
	if (err) {
		err->exit = exit == VM_EXIT_OK ? VM_EXIT_FAILED : exit;
		err->errnum = errnum;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return errnum ? -errnum : -EINVAL;
}

void vm_error_prefix(struct vm_error *err, const char *fmt, ...)
{
	char out[VM_ERROR_MSG_MAX];
	size_t len, old_len;
	va_list ap;
	int n;

	if (!vm_error_is_set(err))
		return;
	va_start(ap, fmt);
	n = vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	len = n < 0 ? 0 : (size_t)n;
	if (len > sizeof(out) - 3)
		len = sizeof(out) - 3;
	memcpy(out + len, ": ", 2);
	len += 2;
	/* the recorded message goes after the prefix, cut if both do not fit */
	old_len = strnlen(err->msg, sizeof(err->msg));
	if (old_len > sizeof(out) - 1 - len)
		old_len = sizeof(out) - 1 - len;
	memcpy(out + len, err->msg, old_len);
	out[len + old_len] = '\0';
	memcpy(err->msg, out, sizeof(out));
}

void vm_error_clear(struct vm_error *err)
{
	if (!err)
		return;
	err->exit = VM_EXIT_OK;
	err->errnum = 0;
	err->msg[0] = '\0';
}
