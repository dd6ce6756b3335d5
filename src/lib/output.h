/* Output: the one message per failure, as text or as JSON; stdout's write errors; host data escaped. */
#ifndef VIRT_MDEV_OUTPUT_H
#define VIRT_MDEV_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <json-c/json.h>

#include "error.h"

#define PROGRAM_NAME "virt-mdev"

/*
 * Report a failure once: "virt-mdev: MESSAGE" on stderr (escaped as
 * output_escape does); with json also {"error": {...}} on stdout. Returns
 * the exit code to use.
 */
int output_error(const struct vm_error *err, bool json);

/* The JSON object of an error: message, exit_code, kind, errno. */
struct json_object *output_error_json(const struct vm_error *err);

/*
 * Print a JSON document (json-c's pretty layout, one trailing newline),
 * through the streaming writer, so that it is valid UTF-8 whatever its
 * strings hold: 0, -ENOMEM, or the -errno of the failed write.
 */
int output_json(FILE *f, struct json_object *obj);

/* ---- the standard streams ---- */

/*
 * Make fds 0, 1 and 2 valid: each one that is closed is opened to
 * /dev/null, so that no file the program opens later becomes its stdout
 * (glibc does the same only for set-user-ID programs, csu/check_fds.c).
 * Call it first, before anything opens a file. 0, or -errno.
 */
int output_std_fds_open(void);

/*
 * Make stdout a stream whose writes to fd 1 keep the errno of the first
 * one that fails (stdio itself keeps only that one failed: after a failed
 * flush of a line-buffered stream nothing says why), buffered as stdio
 * buffers fd 1 (by lines on a terminal). Call it after
 * output_std_fds_open, before anything is printed. 0, or -ENOMEM.
 */
int output_stdout_checked(void);
/* The errno of stdout's first failed write, 0 while none failed. */
int output_stdout_errno(void);

/*
 * A failed write to stdout as the one error: "cannot write output: REASON"
 * (errnum: a positive errno), exit 1; output_exit does not say it again.
 */
int output_write_error(struct vm_error *err, int errnum);

/*
 * What a command wrote to stdout, flushed: 0, or -errno after
 * output_write_error filled err.
 */
int output_check_stdout(struct vm_error *err);

/*
 * A jw_flush or output_json failure r (< 0) as the one error: out of memory
 * ("cannot write output: Cannot allocate memory" is no write error: "out of
 * memory"), or output_write_error's. Returns r.
 */
int output_json_error(struct vm_error *err, int r);

/*
 * The end of the program: stdout flushed and closed (gnulib's close_stdout,
 * lib/closeout.c: a write error is reported, also EPIPE, which only comes
 * when SIGPIPE is ignored; by default SIGPIPE ends the program first).
 * Returns code, or 1 when stdout failed and code was 0, with
 * "virt-mdev: cannot write output: REASON" on stderr unless
 * output_write_error said it.
 */
int output_exit(int code);

/* ---- host data in text ---- */

/*
 * The length of the UTF-8 sequence at p (1-4), or 0 when p[0] starts no
 * valid one within n bytes (overlong forms, surrogates and code points
 * above U+10FFFF are invalid, RFC 3629).
 */
size_t output_utf8_len(const unsigned char *p, size_t n);

/*
 * s as text that is one line of valid UTF-8 and holds no control
 * character: '\' as "\\", newline, tab and carriage return as "\n", "\t",
 * "\r", every other C0 control, DEL and C1 control (U+0080-U+009F: the
 * bytes of its UTF-8 form) and every byte that is not part of valid UTF-8
 * as "\xNN"; everything else as it is. dst has room for 4 * n + 1 bytes;
 * returns the length written (NUL-terminated).
 */
size_t output_escape_to(const char *s, size_t n, char *dst);
/* Whether s needs any escape (the common case, plain ASCII, is one scan). */
bool output_needs_escape(const char *s, size_t n);
/* s escaped, in a new string (the caller frees it); NULL if out of memory. */
char *output_escape(const char *s);
/* s escaped to f; the number of bytes written. */
size_t output_escaped(FILE *f, const char *s);

#endif
