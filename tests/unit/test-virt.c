/* libvirt helpers against libvirt's real test driver: connection, error capture, backend names, which domain references which mdev where. */
#include "config.h"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lib/attach.h"
#include "lib/cleanup.h"
#include "lib/plan.h"
#include "lib/users.h"
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
	/* the golden plans' guests: who references which mdev, in which XML */
	{
		_cleanup_users_ struct users u = { 0 };
		_cleanup_users_others_ struct users_others o = { 0 };
		struct vm_error e = { 0 };
		const char *u1 = "11111111-2222-4333-8444-000000000001",
			   *u2 = "11111111-2222-4333-8444-000000000002";
		unsigned where_u1 = 0, where_u2 = 0;

		users_scan("test://" SRCDIR "/tests/golden/plans/domains.xml",
			   NULL, &u);
		ok(u.reachable && !u.oom,
		   "the scan of every domain is complete");
		for (size_t i = 0; i < u.n; i++) {
			if (strcmp(u.v[i].uuid, u1) == 0 &&
			    strcmp(u.v[i].domain, "guest-dev") == 0)
				where_u1 = u.v[i].where;
			if (strcmp(u.v[i].uuid, u2) == 0 &&
			    strcmp(u.v[i].domain, "guest-on-dev") == 0)
				where_u2 = u.v[i].where;
		}
		is_int(where_u1, VIRT_REF_CONFIG,
		       "a shut-off domain references an mdev in its definition only");
		is_int(where_u2, VIRT_REF_LIVE | VIRT_REF_CONFIG,
		       "a running (persistent) domain in its live XML and its definition");
		is_int(users_others(&u, u1, "guest-off", &o), 0,
		       "the other domains of an mdev");
		ok(o.n == 1 && o.nlive == 0 && o.domains.n == 1 &&
			   strcmp(o.domains.v[0], "guest-dev") == 0,
		   "guest-dev, not running with it");
		is_int(users_refuse_used(&o, u1, "attach it", ", and why",
					 "or that", &e),
		       -EBUSY, "users_refuse_used refuses");
		is_int(e.exit, VM_EXIT_REFUSED, "exit 4");
		is_str(e.msg,
		       "cannot attach it: libvirt domain guest-dev uses it, and why (detach it first: 'virt-mdev detach guest-dev 11111111-2222-4333-8444-000000000001'; or that)",
		       "naming the domain and the fix");
		users_others_clear(&o);
		is_int(users_others(&u, u2, NULL, &o), 0,
		       "every domain of an mdev");
		ok(o.n == 1 && o.nlive == 1 &&
			   strcmp(o.live, "guest-on-dev") == 0,
		   "guest-on-dev runs with it");
		users_others_clear(&o);
		is_int(users_others(&u, u1, "guest-dev", &o), 0,
		       "the others of the one domain that has it");
		is_int((int)o.n, 0, "are none");
		vm_error_clear(&e);
		is_int(users_refuse_used(&o, u1, "attach it", NULL, NULL, &e),
		       0, "and nothing is refused");
	}
	/*
	 * The define fallback of attach and detach (drivers that cannot change a
	 * definition alone: libvirt's test driver) defines the domain again from
	 * its XML: that XML must carry the secrets a definition holds (a VNC
	 * password), else the define drops them (virDomainGetXMLDesc without
	 * VIR_DOMAIN_XML_SECURE leaves passwd out)
	 */
	{
		_cleanup_conn_ virConnectPtr conn = NULL;
		_cleanup_domain_ virDomainPtr dom = NULL;
		const char *uuid = "11111111-2222-4333-8444-0000000000aa";
		const char *hostdev =
			"<hostdev mode='subsystem' type='mdev' managed='no' model='vfio-ccw'>"
			"<source><address uuid='11111111-2222-4333-8444-0000000000aa'/></source>"
			"<address type='ccw' cssid='0xfe' ssid='0x0' devno='0x1234'/>"
			"</hostdev>";
		struct vm_error e = { 0 };

		is_int(virt_open("test:///default", &conn, &e), 0,
		       "a connection for the define fallback");
		is_int(virt_domain_define(
			       conn,
			       "<domain type='test'><name>guest-secret</name>"
			       "<memory>65536</memory><os><type>hvm</type></os>"
			       "<devices><graphics type='vnc' port='-1' passwd='s3cret'/></devices>"
			       "</domain>"),
		       0, "a domain with a VNC password is defined");
		dom = virt_domain_lookup(conn, "guest-secret");
		ok(dom != NULL, "and found");
		{
			_cleanup_free_ char *xml =
				dom ? virt_domain_xml_to_define(dom) : NULL;

			ok(xml && strstr(xml, "passwd='s3cret'"),
			   "its definition holds the password");
		}
		for (int attach = 1; dom && attach >= 0; attach--) {
			struct attach_target t = { .conn = conn,
						   .dom = dom,
						   .name = "guest-secret",
						   .config = true };
			_cleanup_plan_ struct plan p;
			_cleanup_free_ char *xml = NULL;

			plan_init(&p, NULL);
			vm_error_clear(&e);
			is_int(attach_step_plan(&t, &p, "the hostdev", uuid,
						hostdev, false, true, attach,
						&e),
			       0, "%s --config is planned",
			       attach ? "attach" : "detach");
			is_int(plan_execute(&p, NULL, &e), 0,
			       "%s --config runs (%s)",
			       attach ? "attach" : "detach", e.msg);
			xml = virt_domain_xml_to_define(dom);
			ok(xml && (strstr(xml, uuid) != NULL) == attach,
			   "the definition %s the hostdev",
			   attach ? "holds" : "no longer holds");
			ok(xml && strstr(xml, "passwd='s3cret'"),
			   "and still holds the VNC password after the %s",
			   attach ? "attach" : "detach");
		}
	}
	return tap_done();
}
