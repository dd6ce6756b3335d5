/*
 * mdevctl's definitions as mdevctl reads them: every malformed one a fault
 * naming the file and what is wrong (never a crash, a hang or a read
 * without end), the attributes kept as written, a vfio-ap matrix as the
 * kernel makes it of them, and a uuid on several parents refused.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "lib/ids.h"
#include "lib/mdev.h"
#include "lib/sysfs.h"
#include "sim/apmask.h"
#include "tap.h"

#define U1 "aaaaaaaa-2222-4333-8444-000000000001"
#define U2 "aaaaaaaa-2222-4333-8444-000000000002"

/* short: a socket's path in it must fit sun_path */
static char root[] = "/tmp/vm-mdevctl.XXXXXX";

static void sh(const char *fmt, ...) _printf_(1, 2);

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		abort();
}

static void put(const char *parent, const char *name, const char *content)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/etc/mdevctl.d/%s", root, parent);
	sh("mkdir -p '%s'", path);
	snprintf(path, sizeof(path), "%s/etc/mdevctl.d/%s/%s", root, parent,
		 name);
	f = fopen(path, "w");
	if (!f || fputs(content, f) < 0 || fclose(f) != 0)
		abort();
}

static void clean(void)
{
	sh("rm -rf '%s/etc/mdevctl.d'; mkdir -p '%s/etc/mdevctl.d'", root,
	   root);
}

/* ---- parsing: one fault each, worded as what an admin must fix ---- */

static const struct {
	const char *text, *fault; /* fault NULL: a definition */
} parse_cases[] = {
	/* the shapes of mdevctl's and libvirt's test definitions */
	{ "{\"mdev_type\":\"i915-GVTg_V5_8\",\"start\":\"manual\"}\n", NULL },
	{ "{\"mdev_type\":\"vfio_ccw-io\",\"start\":\"manual\",\"attrs\":[{\"add_attr_1\":\"val1\"},{\"add_attr_2\":\"val2\"}]}",
	  NULL },
	{ "  {\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":null}\n\n",
	  NULL },
	{ "{\"mdev_type\":\"t\",\"start\":7}", NULL },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"future\":[1,-2.5e3,{\"x\":null}]}",
	  NULL },
	/* what mdevctl 1.2 refuses ("invalid json", serde_json's errors) or panics on */
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"attrs\":\"x\"}",
	  "\"attrs\" is a string, not an array" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"attrs\":{\"assign_adapter\":\"5\"}}",
	  "\"attrs\" is an object, not an array" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"attrs\":[{\"a\":\"1\"},1]}",
	  "attrs[1] is a number, not an object of one member" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"attrs\":[{\"a\":\"1\",\"b\":\"2\"}]}",
	  "attrs[0] has 2 members, not one (an attribute is {\"NAME\": \"VALUE\"})" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"attrs\":[{}]}",
	  "attrs[0] has 0 members, not one (an attribute is {\"NAME\": \"VALUE\"})" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"attrs\":[{\"assign_adapter\":5}]}",
	  "attrs[0] \"assign_adapter\" is a number, not a string" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"attrs\":[{\"assign_adapter\":null}]}",
	  "attrs[0] \"assign_adapter\" is null, not a string" },
	{ "{\"mdev_type\":\"t\",\"start\":null}",
	  "\"start\" is null (mdevctl wants \"auto\" or \"manual\")" },
	{ "{\"mdev_type\":\"t\"}",
	  "it has no \"start\" (mdevctl wants \"auto\" or \"manual\")" },
	{ "{\"start\":\"manual\"}",
	  "it has no \"mdev_type\" (mdevctl needs the mdev type)" },
	{ "{\"mdev_type\":null,\"start\":\"manual\"}",
	  "\"mdev_type\" is null (mdevctl needs the mdev type)" },
	{ "{\"mdev_type\":7,\"start\":\"manual\"}",
	  "\"mdev_type\" is a number, not a string" },
	{ "[{\"mdev_type\":\"t\",\"start\":\"manual\"}]",
	  "it is an array, not a JSON object" },
	{ "\"hello\"", "it is a string, not a JSON object" },
	{ "", "it is empty (mdevctl wants a JSON object)" },
	{ " \n\t", "it is empty (mdevctl wants a JSON object)" },
	{ "this is not json",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): boolean expected at line 1, column 2" },
	{ "{\"mdev_type\":\"t\",\n\"start\":\"manual\",}",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): unexpected character at line 2, column 18" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\"} x",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): unexpected character at line 1, column 36" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\"}{}",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): unexpected character at line 1, column 35" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\"",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): unexpected end of data at line 1, column 34" },
	{ "/* c */{\"mdev_type\":\"t\",\"start\":\"manual\"}",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): unexpected character at line 1, column 1" },
	{ "{'mdev_type':'t','start':'manual'}",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): unexpected character at line 1, column 14" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"n\":01}",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): number expected at line 1, column 41" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"x\":\"\xff\"}",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): invalid utf-8 string at line 1, column 40" },
	{ "\xef\xbb\xbf{\"mdev_type\":\"t\",\"start\":\"manual\"}",
	  "not JSON as mdevctl reads it (strict JSON in UTF-8): invalid utf-8 string at line 1, column 1" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"n\":NaN}",
	  "it holds a number mdevctl cannot read (NaN, Infinity or beyond a double)" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"n\":1e999}",
	  "it holds a number mdevctl cannot read (NaN, Infinity or beyond a double)" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"attrs\":[{\"x\":\"a\\u0000b\"}]}",
	  "it holds \\u0000 (a NUL character: no sysfs write carries it, and virt-mdev cannot keep it as written) at line 1, column 51" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"s\":\"\\ud800\"}",
	  "it holds a lone leading surrogate (mdevctl refuses it) at line 1, column 40" },
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"s\":\"\\udc00\"}",
	  "it holds a lone trailing surrogate (mdevctl refuses it) at line 1, column 40" },
	/* escapes that are fine: a pair, and an escaped backslash before "u0000" */
	{ "{\"mdev_type\":\"t\",\"start\":\"manual\",\"s\":\"\\ud83d\\ude00 \\\\u0000\"}",
	  NULL },
};

/* a test's text on one line of TAP: controls and bytes beyond ASCII as '.' */
static const char *printable(const char *text)
{
	static char buf[64];
	size_t i = 0;

	for (; text[i] && i < sizeof(buf) - 1; i++)
		buf[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '.';
	buf[i] = '\0';
	return buf;
}

static void test_parse(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		struct mdev_definition d;
		char fault[512] = "";
		int r = mdev_definition_parse(parse_cases[i].text,
					      strlen(parse_cases[i].text), &d,
					      fault, sizeof(fault));

		if (parse_cases[i].fault) {
			ok(r == -EINVAL && !d.json, "refused: %s",
			   printable(parse_cases[i].text));
			is_str(fault, parse_cases[i].fault,
			       "the fault is named: %s", parse_cases[i].fault);
		} else {
			ok(r == 0 && d.json && d.mdev_type,
			   "read as mdevctl reads it: %s (%s)",
			   printable(parse_cases[i].text), fault);
		}
		mdev_definition_clear(&d);
	}
}

/* serde_json's nesting limit: 127 levels read, 128 refused (mdevctl 1.2: "recursion limit exceeded") */
static void test_depth(void)
{
	for (int levels = 127; levels <= 129; levels++) {
		char text[1024], fault[512] = "";
		struct mdev_definition d;
		int n = snprintf(
			text, sizeof(text),
			"{\"mdev_type\":\"t\",\"start\":\"manual\",\"x\":");

		for (int k = 0; k < levels - 1; k++)
			text[n++] = '[';
		for (int k = 0; k < levels - 1; k++)
			text[n++] = ']';
		text[n++] = '}';
		text[n] = '\0';
		if (levels == 127)
			ok(mdev_definition_parse(text, (size_t)n, &d, fault,
						 sizeof(fault)) == 0,
			   "127 levels are read, as mdevctl reads them");
		else
			ok(mdev_definition_parse(text, (size_t)n, &d, fault,
						 sizeof(fault)) < 0 &&
				   strncmp(fault,
					   "nested deeper than the 127 levels mdevctl reads",
					   47) == 0,
			   "%d levels are refused: %s", levels, fault);
		mdev_definition_clear(&d);
	}
}

/* what mdevctl and libvirt keep: every attribute as written, in order, duplicates too */
static const char device_json[] =
	"{\n"
	"  \"mdev_type\": \"vfio_ap-passthrough\",\n"
	"  \"start\": \"manual\",\n"
	"  \"attrs\": [\n"
	"    {\n      \"assign_adapter\": \"5\"\n    },\n"
	"    {\n      \"assign_adapter\": \"6\"\n    },\n"
	"    {\n      \"assign_domain\": \"0xab\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"0xab\"\n    },\n"
	"    {\n      \"assign_domain\": \"4\"\n    },\n"
	"    {\n      \"assign_control_domain\": \"4\"\n    }\n"
	"  ]\n"
	"}";

static void test_verbatim(void)
{
	static const char *const want[][2] = {
		{ "assign_adapter", "5" },
		{ "assign_adapter", "6" },
		{ "assign_domain", "0xab" },
		{ "assign_control_domain", "0xab" },
		{ "assign_domain", "4" },
		{ "assign_control_domain", "4" },
	};
	struct mdev_definition d;
	char fault[512] = "", want_text[sizeof(device_json) + 1];
	_cleanup_free_ char *text = NULL;
	bool same = true;

	ok(mdev_definition_parse(device_json, strlen(device_json), &d, fault,
				 sizeof(fault)) == 0 &&
		   d.nattrs == ARRAY_SIZE(want),
	   "mdevctl's test definition is read with its 6 attributes");
	for (size_t i = 0; i < d.nattrs && i < ARRAY_SIZE(want); i++)
		same = same && strcmp(d.attrs[i].name, want[i][0]) == 0 &&
		       strcmp(d.attrs[i].value, want[i][1]) == 0;
	ok(same, "the attributes in their order, values as written");
	is_str(d.mdev_type, "vfio_ap-passthrough", "its mdev type");
	ok(d.start && strcmp(d.start, "manual") == 0 && !d.autostart,
	   "its start, as written");
	text = mdev_definition_text(&d);
	snprintf(want_text, sizeof(want_text), "%s\n", device_json);
	is_str(text, want_text,
	       "written back, it is mdevctl's file byte for byte (and a newline)");
	mdev_definition_clear(&d);
}

/* ---- the files of a host ---- */

static void test_files(const struct sysfs *s)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	struct vm_error err = { 0 };
	char path[1024];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int sock;
	FILE *f;

	clean();
	put("matrix", U1,
	    "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":[{\"assign_adapter\":\"5\"},{\"assign_domain\":\"4\"}]}");
	sh("mkfifo '%s/etc/mdevctl.d/matrix/%s'", root,
	   "bbbbbbbb-2222-4333-8444-000000000001");
	sh("ln -s /dev/zero '%s/etc/mdevctl.d/matrix/%s'", root,
	   "bbbbbbbb-2222-4333-8444-000000000002");
	snprintf(path, sizeof(path), "%s/etc/mdevctl.d/matrix", root);
	sh("cd '%s' && ln -s " U1 " bbbbbbbb-2222-4333-8444-000000000003",
	   path);
	sh("mkdir '%s/bbbbbbbb-2222-4333-8444-000000000004'", path);
	strcat(path, "/bbbbbbbb-2222-4333-8444-000000000005");
	if (strlen(path) >= sizeof(sa.sun_path))
		abort();
	memcpy(sa.sun_path, path, strlen(path) + 1);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort();
	close(sock);
	/* a definition of one byte more than the bound: the size is checked before a read */
	snprintf(path, sizeof(path),
		 "%s/etc/mdevctl.d/matrix/bbbbbbbb-2222-4333-8444-000000000006",
		 root);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs("{\"mdev_type\":\"t\",\"start\":\"manual\",\"x\":\"", f);
	for (long k = 0; k < MDEV_DEFINITION_MAX_SIZE; k++)
		fputc('a', f);
	fputs("\"}", f);
	if (fclose(f) != 0)
		abort();
	put("matrix", "README", "notes");
	put("matrix", "BBBBBBBB-2222-4333-8444-000000000007",
	    "{\"mdev_type\":\"t\",\"start\":\"manual\"}");
	put("matrix", "bbbbbbbb222243338444000000000008",
	    "{\"mdev_type\":\"t\",\"start\":\"manual\"}");
	put("0.0.0313", U1, "{\"mdev_type\":\"vfio_ccw-io\",\"start\":null}");
	/* a link as a parent: mdevctl reads no definitions through it */
	sh("ln -s matrix '%s/etc/mdevctl.d/linked'", root);
	alarm(20); /* a read that waited on the FIFO would fail here, not hang */
	ok(mdev_list_read(s, &l, &err) == 0,
	   "the definitions are read, whatever else is there (%s)", err.msg);
	alarm(0);
	ok(l.n == 1 && strcmp(l.v[0].uuid, U1) == 0 &&
		   strcmp(l.v[0].parent, "matrix") == 0 && l.v[0].defined &&
		   l.v[0].autostart,
	   "the one definition mdevctl reads is listed (%zu)", l.n);
	is_int(l.nfaults, 10, "every other file is a fault, once");
	{
		static const struct {
			const char *parent, *name, *uuid, *what;
		} want[] = {
			{ "0.0.0313", U1, U1,
			  "\"start\" is null (mdevctl wants \"auto\" or \"manual\")" },
			{ "matrix", "BBBBBBBB-2222-4333-8444-000000000007",
			  "bbbbbbbb-2222-4333-8444-000000000007",
			  "its name spells uuid bbbbbbbb-2222-4333-8444-000000000007, but not as mdevctl names definitions (lower case, with hyphens), so mdevctl finds it only in part (rename it to bbbbbbbb-2222-4333-8444-000000000007)" },
			{ "matrix", "README", "",
			  "its name is not a uuid, so it defines no mdev (mdevctl warns about it too)" },
			{ "matrix", "bbbbbbbb-2222-4333-8444-000000000001",
			  "bbbbbbbb-2222-4333-8444-000000000001",
			  "a FIFO, not a regular file (mdevctl skips what is not a regular file, and follows no link to one)" },
			{ "matrix", "bbbbbbbb-2222-4333-8444-000000000002",
			  "bbbbbbbb-2222-4333-8444-000000000002",
			  "a symbolic link, not a regular file (mdevctl skips what is not a regular file, and follows no link to one)" },
			{ "matrix", "bbbbbbbb-2222-4333-8444-000000000003",
			  "bbbbbbbb-2222-4333-8444-000000000003",
			  "a symbolic link, not a regular file (mdevctl skips what is not a regular file, and follows no link to one)" },
			{ "matrix", "bbbbbbbb-2222-4333-8444-000000000004",
			  "bbbbbbbb-2222-4333-8444-000000000004",
			  "a directory, not a regular file (mdevctl skips what is not a regular file, and follows no link to one)" },
			{ "matrix", "bbbbbbbb-2222-4333-8444-000000000005",
			  "bbbbbbbb-2222-4333-8444-000000000005",
			  "a socket, not a regular file (mdevctl skips what is not a regular file, and follows no link to one)" },
			{ "matrix", "bbbbbbbb-2222-4333-8444-000000000006",
			  "bbbbbbbb-2222-4333-8444-000000000006",
			  "larger than 1048576 bytes, which no definition needs (mdevctl's are a few kB)" },
			{ "matrix", "bbbbbbbb222243338444000000000008",
			  "bbbbbbbb-2222-4333-8444-000000000008",
			  "its name spells uuid bbbbbbbb-2222-4333-8444-000000000008, but not as mdevctl names definitions (lower case, with hyphens), so mdevctl finds it only in part (rename it to bbbbbbbb-2222-4333-8444-000000000008)" },
		};

		for (size_t i = 0; i < ARRAY_SIZE(want) && i < l.nfaults; i++) {
			const struct mdev_fault *ft = &l.faults[i];

			snprintf(path, sizeof(path), "%s/etc/mdevctl.d/%s/%s",
				 root, want[i].parent, want[i].name);
			ok(strcmp(ft->file, path) == 0 &&
				   strcmp(ft->uuid, want[i].uuid) == 0 &&
				   strcmp(ft->parent, want[i].parent) == 0,
			   "fault %zu names the file %s/%s and its uuid", i,
			   want[i].parent, want[i].name);
			is_str(ft->what, want[i].what, "fault %zu: %s", i,
			       want[i].what);
		}
	}
}

/* ---- a uuid on several parents, a malformed definition: refused by the commands that need it ---- */

static void test_lookup(const struct sysfs *s)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	struct vm_error err = { 0 };
	const struct mdev_info *m;
	char want[1024];

	clean();
	put("matrix", U1,
	    "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\"}");
	put("0.0.0313", U1,
	    "{\"mdev_type\":\"vfio_ccw-io\",\"start\":\"manual\"}");
	put("matrix", U2,
	    "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":[7]}");
	if (mdev_list_read(s, &l, &err) < 0)
		abort();
	is_int(l.n, 2, "one uuid on two parents: an entry each");
	ok(mdev_lookup(&l, U1, NULL, "start", &m, &err) < 0 &&
		   err.exit == VM_EXIT_USAGE,
	   "without a parent it is refused, exit 2");
	is_str(err.msg,
	       "cannot start mdev " U1
	       ": it is on several parents, 0.0.0313 (defined), matrix (defined): name one with --parent (mdevctl refuses such a uuid too)",
	       "the message names the parents and --parent");
	vm_error_clear(&err);
	ok(mdev_lookup(&l, U1, "matrix", "start", &m, &err) == 0 && m &&
		   strcmp(m->parent, "matrix") == 0,
	   "--parent chooses");
	ok(mdev_lookup(&l, U1, "0.0.0314", "start", &m, &err) == 0 && !m,
	   "another parent has none");
	ok(mdev_lookup(&l, U2, NULL, "show", &m, &err) < 0 &&
		   err.exit == VM_EXIT_USAGE,
	   "a malformed definition is refused, exit 2");
	snprintf(
		want, sizeof(want),
		"cannot show mdev " U2
		": its mdevctl definition %s/etc/mdevctl.d/matrix/" U2
		" is malformed: attrs[0] is a number, not an object of one member (correct the file or remove it)",
		root);
	is_str(err.msg, want, "the message names the file and the fault");
	vm_error_clear(&err);
	ok(mdev_lookup(&l, U2, "0.0.0313", "show", &m, &err) == 0 && !m,
	   "on another parent, the malformed file is not the one asked for");
}

/* ---- the matrix: the attributes applied in order, values as the kernel parses them ---- */

static void test_matrix(const struct sysfs *s)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	struct vm_error err = { 0 };
	_cleanup_free_ char *al = NULL, *dl = NULL, *cl = NULL;

	clean();
	put("matrix", U1,
	    "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"manual\",\"attrs\":["
	    "{\"assign_adapter\":\"5\"},{\"assign_adapter\":\"6\"},{\"unassign_adapter\":\"6\"},"
	    "{\"assign_domain\":\"010\"},{\"assign_domain\":\"08\"},{\"assign_domain\":\"0x100\"},"
	    "{\"assign_domain\":\"+0XAB\\n\"},{\"assign_domain\":\" 4\"},{\"assign_domain\":\"-1\"},"
	    "{\"assign_control_domain\":\"0xab\"},{\"unassign_control_domain\":\"171\"},"
	    "{\"assign_control_domain\":\"7\"},{\"vendor_knob\":\"1\"},{\"ap_config\":\"x\"}]}");
	if (mdev_list_read(s, &l, &err) < 0 || l.n != 1)
		abort();
	al = ap_mask_format_list(&l.v[0].apm);
	dl = ap_mask_format_list(&l.v[0].aqm);
	cl = ap_mask_format_list(&l.v[0].adm);
	is_str(al, "5", "adapters: 6 assigned, then unassigned");
	is_str(dl, "8,0xab",
	       "domains: '010' is octal 8, '+0XAB\\n' is 0xab; '08', '0x100', ' 4' and '-1' the kernel refuses");
	is_str(cl, "7", "control domains: 0xab taken back by unassign 171");
	is_int(l.v[0].def->nattrs, 14,
	       "and every attribute is kept, the ones no kind models too");
}

/* the kind's reading of a value is the kernel's (kstrtoul base 0, the simulator's copy) */
static void test_kernel_parser(void)
{
	static const char alphabet[] = "0178x9aAX+\n -";
	const struct mdev_kind *ap = mdev_kind_by_parent("matrix");
	size_t n = sizeof(alphabet) - 1, mismatches = 0, tried = 0;
	char v[5];

	for (size_t len = 0; len <= 4; len++) {
		size_t total = 1;

		for (size_t k = 0; k < len; k++)
			total *= n;
		for (size_t code = 0; code < total; code++) {
			struct mdev_info i = { 0 };
			unsigned long id;
			size_t c = code;
			bool kernel, ours;

			for (size_t k = 0; k < len; k++, c /= n)
				v[k] = alphabet[c % n];
			v[len] = '\0';
			kernel = sim_kstrtoul(v, &id) == 0 && id <= AP_ID_MAX;
			ours = ap->read_attr(&i, "assign_domain", v) == 1;
			if (kernel != ours ||
			    (kernel && !ap_mask_test(&i.aqm, (unsigned)id))) {
				if (mismatches++ < 5)
					printf("# '%s': kernel %d, virt-mdev %d\n",
					       v, kernel, ours);
			}
			tried++;
		}
	}
	ok(mismatches == 0,
	   "every value of up to 4 characters is taken as the kernel takes it (%zu tried)",
	   tried);
}

int main(void)
{
	_cleanup_sysfs_ struct sysfs *s = NULL;

	if (!mkdtemp(root))
		abort();
	sh("mkdir -p '%s/sys' '%s/etc/mdevctl.d'", root, root);
	if (sysfs_new(&s, root, NULL) < 0)
		abort();
	test_parse();
	test_depth();
	test_verbatim();
	test_files(s);
	test_lookup(s);
	test_matrix(s);
	test_kernel_parser();
	sysfs_free(steal_ptr(s));
	sh("rm -rf '%s'", root);
	return tap_done();
}
