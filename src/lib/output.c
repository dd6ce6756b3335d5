/* Output: failure reports and JSON documents. */
#include "config.h"

#include <string.h>

#include "cleanup.h"
#include "output.h"

struct json_object *output_error_json(const struct vm_error *err)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *inner = json_object_new_object();
	const char *ename = err->errnum ? strerrorname_np(err->errnum) : NULL;

	if (!obj || !inner) {
		json_object_put(obj);
		json_object_put(inner);
		return NULL;
	}
	json_object_object_add(inner, "message",
			       json_object_new_string(err->msg));
	json_object_object_add(inner, "exit_code",
			       json_object_new_int((int)err->exit));
	json_object_object_add(
		inner, "kind",
		json_object_new_string(vm_exit_to_string(err->exit)));
	json_object_object_add(inner, "errno",
			       ename ? json_object_new_string(ename) : NULL);
	json_object_object_add(obj, "error", inner);
	return obj;
}

int output_json(FILE *f, struct json_object *obj)
{
	const char *text = json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!text)
		return -ENOMEM;
	if (fprintf(f, "%s\n", text) < 0)
		return -EIO;
	return 0;
}

int output_error(const struct vm_error *err, bool json)
{
	int code = vm_error_is_set(err) ? (int)err->exit : VM_EXIT_FAILED;
	const char *msg = vm_error_is_set(err) && err->msg[0] ?
				  err->msg :
				  "failed for an unknown reason";

	fprintf(stderr, "%s: %s\n", PROGRAM_NAME, msg);
	if (json && vm_error_is_set(err)) {
		_cleanup_json_ struct json_object *obj = output_error_json(err);

		if (obj)
			output_json(stdout, obj);
	}
	return code;
}
