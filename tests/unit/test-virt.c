/* libvirt helpers against libvirt's real test driver: connection, error capture, backend names. */
#include "config.h"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/virt.h"
#include "tap.h"

/*
 * libvirt's test driver makes /run/libvirt/common when it runs as root: keep
 * it off the machine, in a private mount namespace with an empty /run.
 */
static void private_run(void)
{
	if (geteuid() != 0)
		return; /* a user's libvirt keeps to $XDG_RUNTIME_DIR */
	if (unshare(CLONE_NEWNS) < 0 ||
	    /* source and type are ignored here; valgrind wants them readable */
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("virt-mdev-test-run", "/run", "tmpfs", 0, NULL) < 0) {
		printf("Bail out! cannot make a private /run: %s\n",
		       strerror(errno));
		exit(1);
	}
}

int main(void)
{
	struct vm_error err = { 0 };
	enum backend_choice b = BACKEND_SYSFS;
	virConnectPtr bad = NULL;

	private_run();

	for (unsigned i = 0; i < BACKEND__LAST; i++) {
		enum backend_choice got;

		is_int(backend_from_string(
			       backend_to_string((enum backend_choice)i), &got,
			       &err),
		       0, "backend '%s' is known",
		       backend_to_string((enum backend_choice)i));
		is_int(got, i, "backend '%s' round-trips",
		       backend_to_string((enum backend_choice)i));
	}
	is_int(backend_from_string("mdevctl", &b, &err), -EINVAL,
	       "an unknown backend is refused");
	is_str(err.msg,
	       "invalid backend 'mdevctl': must be auto, libvirt or sysfs",
	       "the message names the value and the accepted ones");
	is_int(b, BACKEND_SYSFS, "a refused backend leaves the old value");
	ok(backend_to_string(BACKEND__LAST) == NULL,
	   "no name past the last backend");

	{
		_cleanup_conn_ virConnectPtr conn = NULL;

		is_int(virt_open("test:///default", &conn, &err), 0,
		       "the test driver connection opens");
		ok(conn && virConnectIsAlive(conn) == 1, "and is alive");
	}
	vm_error_clear(&err);
	/* a test-driver file that does not exist fails without any daemon or socket */
	ok(virt_open("test:///nonexistent/virt-mdev.xml", &bad, &err) < 0 &&
		   !bad,
	   "a connection that cannot open fails");
	is_int(err.exit, VM_EXIT_FAILED, "a failed connection is exit 1");
	ok(strncmp(err.msg,
		   "cannot connect to libvirt at 'test:///nonexistent/virt-mdev.xml': ",
		   66) == 0,
	   "the message names the URI: %s", err.msg);
	ok(strstr(err.msg,
		  "(check -c/--connect or LIBVIRT_DEFAULT_URI, and that the daemon runs)") !=
		   NULL,
	   "the message says what to check");
	/*
	 * libvirt's wording is its own: 9.0 says "XML error: failed to parse xml
	 * document '/nonexistent/virt-mdev.xml'", 11.3 "Failed to open file
	 * '/nonexistent/virt-mdev.xml': No such file or directory"
	 */
	{
		_cleanup_free_ char *want = NULL;

		if (asprintf(
			    &want,
			    "cannot connect to libvirt at 'test:///nonexistent/virt-mdev.xml': %s (check -c/--connect or LIBVIRT_DEFAULT_URI, and that the daemon runs)",
			    virt_last_error()) < 0)
			want = NULL;
		is_str(err.msg, want,
		       "libvirt's own reason is included, as libvirt gave it");
		ok(strstr(virt_last_error(), "/nonexistent/virt-mdev.xml") !=
			   NULL,
		   "and it names the file: %s", virt_last_error());
	}
	return tap_done();
}
