/* Output: failure reports and JSON documents, stdout's write errors, host data escaped (see output.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonw.h"
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
	_cleanup_jw_ struct jw w = JW_INIT;

	/* jw_value writes json-c's JSON_C_TO_STRING_PRETTY layout, and only valid UTF-8 */
	jw_value(&w, obj);
	return jw_flush(&w, f);
}

int output_error(const struct vm_error *err, bool json)
{
	int code = vm_error_is_set(err) ? (int)err->exit : VM_EXIT_FAILED;
	const char *msg = vm_error_is_set(err) && err->msg[0] ?
				  err->msg :
				  "failed for an unknown reason";

	/* a message may quote what the host holds (a file's name): one line, escaped */
	fprintf(stderr, "%s: ", PROGRAM_NAME);
	output_escaped(stderr, msg);
	fputc('\n', stderr);
	if (json && vm_error_is_set(err)) {
		_cleanup_json_ struct json_object *obj = output_error_json(err);

		if (obj)
			output_json(stdout, obj);
	}
	return code;
}

/* ---- the standard streams ---- */

int output_std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* the lowest free fd: this one, as the lower ones are open */
		null = open("/dev/null", fd ? O_WRONLY : O_RDONLY);
		if (null < 0)
			return -errno;
		if (null != fd) {
			int r = dup2(null, fd);

			close(null);
			if (r < 0)
				return -errno;
		}
	}
	return 0;
}

static bool write_error_reported;
static int stdout_errno;

/* fopencookie(3)'s write: every byte to fd 1, or 0 with the first failure's errno kept */
static ssize_t stdout_write(void *cookie, const char *buf, size_t n)
{
	size_t done = 0;

	(void)cookie;
	while (done < n) {
		ssize_t w = write(STDOUT_FILENO, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!stdout_errno)
				stdout_errno = w < 0 ? errno : EIO;
			/* glibc's _IO_cookie_write (libio/iofopncook.c): a count below n sets the error flag */
			return (ssize_t)done;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

int output_stdout_checked(void)
{
	static const cookie_io_functions_t io = { .write = stdout_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (!f)
		return -ENOMEM;
	/* glibc buffers a terminal's stdout by lines, anything else fully */
	if (isatty(STDOUT_FILENO))
		setvbuf(f, NULL, _IOLBF, 0);
	stdout =
		f; /* glibc's stdout is a variable that may be set (libc manual, "Standard Streams") */
	return 0;
}

int output_stdout_errno(void)
{
	return stdout_errno;
}

int output_write_error(struct vm_error *err, int errnum)
{
	write_error_reported = true;
	return vm_error_set(err, VM_EXIT_FAILED, errnum,
			    "cannot write output: %s", strerror(errnum));
}

/* the errno of stdout's failure: the first failed write's, else what stdio left in errno, else EIO */
static int stdout_failure(void)
{
	if (stdout_errno)
		return stdout_errno;
	return errno > 0 ? errno : EIO;
}

int output_check_stdout(struct vm_error *err)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	return output_write_error(err, stdout_failure());
}

int output_json_error(struct vm_error *err, int r)
{
	if (r == -ENOMEM)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "cannot write output: out of memory");
	return output_write_error(err, -r);
}

/*
 * stdout flushed and closed: 0, or the positive errno of its first failed
 * write (EIO when nothing says which), as gnulib's close_stream and
 * close_stdout (lib/closeout.c: EPIPE reported unless ignore_EPIPE, which is
 * false by default; EBADF of a stream never written is no failure).
 */
static int close_stdout(void)
{
	bool failed = ferror(stdout) != 0;
	int e;

	errno = 0;
	if (fflush(stdout) != 0)
		return stdout_failure();
	e = fclose(stdout) != 0 ? errno : 0;
	/* closing a stdout that was never written is no failure (gnulib: EBADF) */
	if (e && e != EBADF)
		return e;
	return failed ? stdout_failure() : 0;
}

int output_exit(int code)
{
	int e = close_stdout();

	if (!e)
		return code;
	if (!write_error_reported)
		fprintf(stderr, "%s: cannot write output: %s\n", PROGRAM_NAME,
			strerror(e));
	return code ? code : VM_EXIT_FAILED;
}

/* ---- host data in text ---- */

size_t output_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	/* RFC 3629 section 4: the second byte's range for each first byte */
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f; /* no surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f; /* nothing above U+10FFFF */
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
	return len;
}

/* the ASCII bytes that stand for themselves: printable, not '\' */
static inline bool plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

bool output_needs_escape(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		size_t len;

		if (plain_ascii(*p)) {
			p++;
			continue;
		}
		len = output_utf8_len(p, (size_t)(end - p));
		/* ASCII controls, '\', invalid bytes and the C1 controls U+0080-U+009F */
		if (len < 2 || (p[0] == 0xc2 && p[1] < 0xa0))
			return true;
		p += len;
	}
	return false;
}

static char *hex_byte(char *d, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	*d++ = '\\';
	*d++ = 'x';
	*d++ = hex[c >> 4];
	*d++ = hex[c & 15];
	return d;
}

size_t output_escape_to(const char *s, size_t n, char *dst)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char *d = dst;

	while (p < end) {
		size_t len;

		if (plain_ascii(*p)) {
			*d++ = (char)*p++;
			continue;
		}
		switch (*p) {
		case '\\':
			*d++ = '\\';
			*d++ = '\\';
			p++;
			continue;
		case '\n':
			*d++ = '\\';
			*d++ = 'n';
			p++;
			continue;
		case '\t':
			*d++ = '\\';
			*d++ = 't';
			p++;
			continue;
		case '\r':
			*d++ = '\\';
			*d++ = 'r';
			p++;
			continue;
		}
		len = output_utf8_len(p, (size_t)(end - p));
		if (len < 2) {
			/* a control character, DEL, or a byte of no valid UTF-8 */
			d = hex_byte(d, *p++);
			continue;
		}
		if (p[0] == 0xc2 && p[1] < 0xa0) {
			/* a C1 control (0x9b is CSI to some terminals): its two bytes */
			d = hex_byte(d, p[0]);
			d = hex_byte(d, p[1]);
			p += 2;
			continue;
		}
		memcpy(d, p, len);
		d += len;
		p += len;
	}
	*d = '\0';
	return (size_t)(d - dst);
}

char *output_escape(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(4 * n + 1);

	if (d)
		output_escape_to(s, n, d);
	return d;
}

size_t output_escaped(FILE *f, const char *s)
{
	size_t n = strlen(s), len;
	char small[256];
	char *d;

	if (!output_needs_escape(s, n)) {
		fwrite(s, 1, n, f);
		return n;
	}
	d = 4 * n + 1 <= sizeof(small) ? small : malloc(4 * n + 1);
	if (!d) {
		/* out of memory: what cannot be shown is not shown raw */
		fputs("?", f);
		return 1;
	}
	len = output_escape_to(s, n, d);
	fwrite(d, 1, len, f);
	if (d != small)
		free(d);
	return len;
}
