/* Output: the one message per failure, as text or as JSON. */
#ifndef VIRT_MDEV_OUTPUT_H
#define VIRT_MDEV_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "error.h"

#define PROGRAM_NAME "virt-mdev"

/*
 * Report a failure once: "virt-mdev: MESSAGE" on stderr; with json also
 * {"error": {...}} on stdout. Returns the exit code to use.
 */
int output_error(const struct vm_error *err, bool json);

/* The JSON object of an error: message, exit_code, kind, errno. */
struct json_object *output_error_json(const struct vm_error *err);

/* Print a JSON document (pretty, one trailing newline). */
int output_json(FILE *f, struct json_object *obj);

#endif
