/* The s390-tools AP lock as libutil's util_lockfile.c keeps it: a PID file linked into place, stale locks removed, a bounded wait naming the holder, release of our own lock only. */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <utime.h>

#include "lib/aplock.h"
#include "tap.h"

static char root[] = "/tmp/virt-mdev-test-aplock.XXXXXX";
static char lock_path[256];

/* everything the lock said, one line each */
static char said[2048];

static void say(void *opaque, const char *msg)
{
	size_t len = strlen(said);

	(void)opaque;
	snprintf(said + len, sizeof(said) - len, "%s\n", msg);
}

/* The lock file's content, or "(none)". */
static const char *lock_content(void)
{
	static char buf[128];
	int fd = open(lock_path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return "(none)";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void put_lock(const char *content, time_t age_s)
{
	int fd = open(lock_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct utimbuf t;

	if (fd < 0 || write(fd, content, strlen(content)) < 0 || close(fd) < 0)
		abort();
	t.actime = t.modtime = time(NULL) - age_s;
	if (utime(lock_path, &t) < 0)
		abort();
}

/* a PID that ran and is gone (reaped) */
static pid_t dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	if (p < 0 || waitpid(p, NULL, 0) != p)
		abort();
	return p;
}

/* the other files in the lock directory: the temporary PID files must not stay */
static int other_files(void)
{
	char cmd[512], line[64];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s/run/lock' | grep -vcx '%s'", root,
		 AP_LOCK_FILE);
	f = popen(cmd, "r");
	if (f && fgets(line, sizeof(line), f))
		n = atoi(line);
	if (f)
		pclose(f);
	return n;
}

static void test_take_release(struct sysfs *s)
{
	struct ap_lock l;
	struct ap_lock_holder h = { 0 };
	struct vm_error err = { 0 };
	char mine[32];

	snprintf(mine, sizeof(mine), "%d\n", (int)getpid());
	ap_lock_init(&l, s, 0, say, NULL);
	is_int(ap_lock_take(&l, &err), 0, "a free lock is taken");
	ok(l.held, "and held");
	is_str(lock_content(), mine,
	       "the lock file holds our PID and a newline, as util_lockfile writes it");
	is_int(other_files(), 0, "the temporary file linked to it is gone");
	is_int(ap_lock_peek(s, &h), 1, "peek sees a holder");
	is_int(h.pid, getpid(), "peek: our PID");
	{
		char comm[64] = "";
		FILE *f = fopen("/proc/self/comm", "re");

		if (f && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		if (f)
			fclose(f);
		is_str(h.comm, comm, "peek: our command name");
	}
	is_int(ap_lock_take(&l, &err), 0,
	       "taking it again while held is nothing");
	ap_lock_release(&l);
	ok(!l.held, "released");
	is_str(lock_content(), "(none)", "the release removed the lock file");
	is_int(ap_lock_peek(s, &h), 0, "peek: nobody holds it");
	ap_lock_release(&l);
	is_str(said, "", "nothing was said");
	ap_lock_clear(&l);

	/* a release leaves a lock that is not ours (util_lockfile's do_lockfile_release) */
	ap_lock_init(&l, s, 0, say, NULL);
	is_int(ap_lock_take(&l, &err), 0, "taken");
	put_lock("1\n", 0);
	ap_lock_clear(&l);
	is_str(lock_content(), "1\n",
	       "a lock file that holds another PID stays at the release");
	unlink(lock_path);
}

static void test_held(struct sysfs *s)
{
	struct ap_lock l;
	struct vm_error err = { 0 };
	char expect[512];
	struct timespec t0, t1;
	long ms;

	/* PID 1 runs on every host: the lock is held */
	put_lock("1\n", 0);
	ap_lock_init(&l, s, 0, say, NULL);
	is_int(ap_lock_take(&l, &err), -ETIMEDOUT,
	       "a lock another running process holds: -ETIMEDOUT at once with timeout 0");
	{
		char comm[64] = "";
		FILE *f = fopen("/proc/1/comm", "re");

		if (f && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		if (f)
			fclose(f);
		snprintf(
			expect, sizeof(expect),
			"cannot take the s390-tools AP configuration lock %s: PID 1 (%s) holds it, and --lock-timeout 0 does not wait (give it the seconds to wait)",
			lock_path, comm);
	}
	is_str(err.msg, expect,
	       "the message names the holder's PID and command");
	is_int(err.exit, VM_EXIT_FAILED, "exit 1");
	is_str(lock_content(), "1\n", "the holder's lock is left alone");
	is_int(other_files(), 0, "no temporary file stays");
	is_str(said, "", "timeout 0: no wait to tell of");
	ap_lock_clear(&l);

	/* a bounded wait, said once */
	ap_lock_init(&l, s, 1, say, NULL);
	memset(&err, 0, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(ap_lock_take(&l, &err), -ETIMEDOUT,
	       "with timeout 1 it waits, then gives up");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ok(ms >= 1000 && ms < 1500, "after about 1 s (%ld ms)", ms);
	ok(strstr(said, "waiting for the s390-tools AP configuration lock ") ==
			   said &&
		   strstr(said, ": PID 1 (") &&
		   strstr(said, ") holds it (at most 1 s, --lock-timeout)\n") &&
		   !strchr(said, '\n')[1],
	   "the wait is said once, naming the holder: %s", said);
	ok(strstr(err.msg,
		  "held it for all of the 1 s --lock-timeout allows (let it finish, or give --lock-timeout more seconds)") !=
		   NULL,
	   "the message says how long it waited and what to do");
	ap_lock_clear(&l);
	said[0] = '\0';

	/* a lock file that is being written: empty, or no PID in it, younger than 120 s */
	put_lock("", 10);
	ap_lock_init(&l, s, 0, say, NULL);
	memset(&err, 0, sizeof(err));
	is_int(ap_lock_take(&l, &err), -ETIMEDOUT,
	       "an empty lock file 10 s old is being written: held");
	snprintf(
		expect, sizeof(expect),
		"cannot take the s390-tools AP configuration lock %s: a process that has not written its PID into it yet (an empty lock file, stale 120 s after it was made) holds it, and --lock-timeout 0 does not wait (give it the seconds to wait)",
		lock_path);
	is_str(err.msg, expect, "the message says what an empty lock is");
	is_str(lock_content(), "", "and it is left alone");
	put_lock("x\n", 10);
	is_int(ap_lock_take(&l, &err), -ETIMEDOUT,
	       "no PID in it (\"x\"), 10 s old: held the same way");
	ap_lock_clear(&l);
	unlink(lock_path);
}

static void test_stale(struct sysfs *s)
{
	struct ap_lock l;
	struct vm_error err = { 0 };
	char line[64], expect[512], mine[32];
	pid_t gone = dead_pid();

	snprintf(mine, sizeof(mine), "%d\n", (int)getpid());
	snprintf(line, sizeof(line), "%d\n", (int)gone);
	put_lock(line, 0);
	ap_lock_init(&l, s, 0, say, NULL);
	is_int(ap_lock_take(&l, &err), 0,
	       "a lock whose PID no longer runs is stale: taken at once, also with timeout 0");
	is_str(lock_content(), mine, "it holds our PID now");
	snprintf(
		expect, sizeof(expect),
		"note: removed the stale s390-tools AP configuration lock %s: its PID %d no longer runs\n",
		lock_path, (int)gone);
	is_str(said, expect, "the removal is said, with the PID");
	ap_lock_clear(&l);
	said[0] = '\0';

	put_lock("", AP_LOCK_WAITPID_S + 5);
	ap_lock_init(&l, s, 0, say, NULL);
	is_int(ap_lock_take(&l, &err), 0,
	       "an empty lock file older than 120 s is stale: taken");
	snprintf(
		expect, sizeof(expect),
		"note: removed the stale s390-tools AP configuration lock %s: it had no PID in it for more than 120 s\n",
		lock_path);
	is_str(said, expect, "said");
	ap_lock_clear(&l);
	said[0] = '\0';
	is_str(lock_content(), "(none)", "and the lock was given back");
}

/* a --root tree without ROOT/run/lock: made */
static void test_lock_dir(void)
{
	char tree[] = "/tmp/virt-mdev-test-aplock-dir.XXXXXX", path[128];
	struct sysfs *s = NULL;
	struct vm_error err = { 0 };
	struct ap_lock l;
	struct stat st;
	char cmd[128];

	if (!mkdtemp(tree) || sysfs_new(&s, tree, &err) < 0)
		abort();
	ap_lock_init(&l, s, 0, NULL, NULL);
	is_int(ap_lock_take(&l, &err), 0,
	       "a root without run/lock: the lock directory is made and the lock taken");
	snprintf(path, sizeof(path), "%s/run/lock/%s", tree, AP_LOCK_FILE);
	ok(stat(path, &st) == 0, "the lock file is in ROOT/run/lock");
	ap_lock_clear(&l);
	ok(stat(path, &st) < 0, "and gone after the release");
	sysfs_free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	if (system(cmd) != 0)
		tap_diag("could not remove the test tree");
}

int main(void)
{
	struct sysfs *s = NULL;
	struct vm_error err = { 0 };
	char cmd[512];

	if (!mkdtemp(root))
		abort();
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys' '%s/run/lock'", root,
		 root);
	if (system(cmd) != 0 || sysfs_new(&s, root, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	snprintf(lock_path, sizeof(lock_path), "%s/run/lock/%s", sysfs_root(s),
		 AP_LOCK_FILE);
	test_take_release(s);
	test_held(s);
	test_stale(s);
	test_lock_dir();
	sysfs_free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		tap_diag("could not remove the test tree");
	return tap_done();
}
