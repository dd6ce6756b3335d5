/* virt-mdev-sim's filesystems: FUSE glue over the model, fault injection, static render. */
#include "config.h"

/* 3.12: fuse_loop_mt with a fuse_loop_config (its thread limit); libfuse 3.14 to 3.17 */
#define FUSE_USE_VERSION 312
#include <fuse.h>

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simfs.h"

/* ---- fault injection ---------------------------------------------------------- */

static int errno_from_name(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s && !*end)
		return v > 0 && v < 4096 ? (int)v : 0;
	for (int e = 1; e < 200; e++) {
		const char *name = strerrorname_np(e);

		if (name && strcmp(name, s) == 0)
			return e;
	}
	return 0;
}

static const char *below_sys(const char *path)
{
	if (strncmp(path, "/sys/", 5) == 0)
		return path + 5;
	while (*path == '/')
		path++;
	return path;
}

int fault_rules_parse(struct fault_rules *fr, const char *text,
		      struct vm_error *err)
{
	struct fault_rule *rules = NULL;
	size_t n = 0;
	int lineno = 0;

	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char buf[1024], path[600], ename[64], extra;
		unsigned long nth, delay;
		char *hash;

		lineno++;
		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		line = eol ? eol + 1 : NULL;
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		if (strspn(buf, " \t") == strlen(buf))
			continue;
		delay = 0;
		if (sscanf(buf, " delay %599s %lu %lu %c", path, &nth, &delay,
			   &extra) == 3) {
			if (nth == 0 || delay == 0 || delay > 600000 ||
			    strlen(below_sys(path)) >= sizeof(rules->pattern)) {
				free(rules);
				return vm_error_set(
					err, VM_EXIT_USAGE, EINVAL,
					"fault rule %d '%s': expected delay PATH N MS, e.g. 'delay bus/css/drivers/vfio_ccw/bind 1 500' (N from 1, MS from 1 to 600000)",
					lineno, buf);
			}
		} else if (sscanf(buf, "%599s %lu %63s", path, &nth, ename) !=
				   3 ||
			   nth == 0 || !errno_from_name(ename) ||
			   strlen(below_sys(path)) >= sizeof(rules->pattern)) {
			free(rules);
			return vm_error_set(
				err, VM_EXIT_USAGE, EINVAL,
				"fault rule %d '%s': expected PATH N ERRNO, e.g. 'bus/css/drivers/vfio_ccw/bind 1 EBUSY' (N from 1), or delay PATH N MS",
				lineno, buf);
		}
		{
			struct fault_rule *r =
				realloc(rules, (n + 1) * sizeof(*r));

			if (!r) {
				free(rules);
				return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
						    "out of memory");
			}
			rules = r;
		}
		memset(&rules[n], 0, sizeof(rules[n]));
		memcpy(rules[n].pattern, below_sys(path),
		       strlen(below_sys(path)) + 1);
		rules[n].nth = (unsigned)nth;
		rules[n].errnum = delay ? 0 : errno_from_name(ename);
		rules[n].delay_ms = (unsigned)delay;
		n++;
	}
	free(fr->rules);
	fr->rules = rules;
	fr->n = n;
	return 0;
}

void fault_rules_refresh(struct fault_rules *fr)
{
	struct stat st;
	FILE *f;
	char *text = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!fr->file)
		return;
	if (stat(fr->file, &st) < 0) {
		if (fr->n) {
			free(fr->rules);
			fr->rules = NULL;
			fr->n = 0;
		}
		fr->size = -1;
		return;
	}
	if (st.st_mtim.tv_sec == fr->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == fr->mtime.tv_nsec && st.st_size == fr->size)
		return;
	fr->mtime = st.st_mtim;
	fr->size = st.st_size;
	f = fopen(fr->file, "re");
	if (!f)
		return;
	len = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (len < 0) {
		free(text);
		text = strdup("");
	}
	if (text && fault_rules_parse(fr, text, NULL) < 0)
		fprintf(stderr,
			"virt-mdev-sim: ignoring %s: it has a bad rule\n",
			fr->file);
	free(text);
}

int fault_rules_check(struct fault_rules *fr, const char *path,
		      unsigned long *delay_ms)
{
	const char *rel = below_sys(path);
	int errnum = 0;

	*delay_ms = 0;
	/* every rule counts every write to its paths */
	for (size_t i = 0; i < fr->n; i++) {
		struct fault_rule *r = &fr->rules[i];

		if (fnmatch(r->pattern, rel, FNM_PATHNAME) != 0)
			continue;
		if (++r->seen != r->nth)
			continue;
		if (r->delay_ms)
			*delay_ms += r->delay_ms;
		else if (!errnum)
			errnum = r->errnum;
	}
	return errnum;
}

void fault_rules_clear(struct fault_rules *fr)
{
	free(fr->rules);
	free(fr->file);
	memset(fr, 0, sizeof(*fr));
}

/* ---- FUSE glue --------------------------------------------------------------------- */

static struct simfs *ctx_fs(void)
{
	return fuse_get_context()->private_data;
}

static const char *rel_path(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}

/* the time the simulated host booted: every node's timestamps */
static struct timespec boot_time;

static void fill_stat(const struct vfs_node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_atim = st->st_mtim = st->st_ctim = boot_time;
	st->st_uid = 0;
	st->st_gid = 0;
	switch (n->kind) {
	case VFS_DIR:
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		break;
	case VFS_FILE:
		st->st_mode = S_IFREG | n->attr->mode;
		st->st_nlink = 1;
		st->st_size = 4096; /* as sysfs reports every attribute */
		break;
	case VFS_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = (off_t)(strlen(n->target) + 16);
		break;
	case VFS__LAST:
		break;
	}
}

/*
 * run's /proc (fs->proc_through set): the hidden directory of the /proc
 * files, bound over /proc, shows beside them every entry of the real procfs
 * (bound at proc_through before) as a symbolic link to it, looked up at each
 * access: /proc/PID of a process started later is there, and the kernel
 * follows the link into procfs itself (/proc/self resolves as the caller's).
 * procfs takes no bind mount on a name it lacks (a mount point must exist)
 * and no overlay ("overlayfs: maximum fs stacking depth exceeded": procfs
 * sets s_stack_depth to FILESYSTEM_MAX_STACK_DEPTH, fs/proc/root.c
 * proc_fill_super). NAME of ".proc/NAME" when it is such an entry, or NULL.
 */
static const char *proc_through_name(const struct simfs *fs, const char *rel)
{
	static const char dir[] = MODEL_PROC_PATH "/";
	const char *name = rel + sizeof(dir) - 1;
	struct stat st;

	if (!fs->proc_through || strncmp(rel, dir, sizeof(dir) - 1) != 0 ||
	    !*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return NULL;
	{
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", fs->proc_through, name);
		if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return NULL;
	}
	return name;
}

static int fs_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct simfs *fs = ctx_fs();
	struct vfs_node *n = vfs_lookup(&fs->model->vfs, rel_path(path));
	const char *name;

	(void)fi;
	if (!n && (name = proc_through_name(fs, rel_path(path)))) {
		memset(st, 0, sizeof(*st));
		st->st_atim = st->st_mtim = st->st_ctim = boot_time;
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size =
			(off_t)(strlen(fs->proc_through) + 1 + strlen(name));
		return 0;
	}
	if (!n)
		return -errno;
	fill_stat(n, st);
	/* procfs's root is dr-xr-xr-x */
	if (fs->proc_through && strcmp(rel_path(path), MODEL_PROC_PATH) == 0)
		st->st_mode = S_IFDIR | 0555;
	return 0;
}

static int fs_readlink(const char *path, char *buf, size_t size)
{
	struct simfs *fs = ctx_fs();
	struct vfs_node *n = vfs_lookup(&fs->model->vfs, rel_path(path));
	_cleanup_free_ char *rel = NULL;
	const char *name;

	if (!n && (name = proc_through_name(fs, rel_path(path)))) {
		snprintf(buf, size, "%s/%s", fs->proc_through, name);
		return 0;
	}
	if (!n)
		return -errno;
	if (n->kind != VFS_LINK)
		return -EINVAL;
	rel = vfs_link_relative(n);
	if (!rel)
		return -ENOMEM;
	snprintf(buf, size, "%s", rel);
	return 0;
}

/* run's /proc: the real procfs's entries (as links) after the model's files */
static void proc_through_readdir(const struct simfs *fs,
				 const struct vfs_node *dir, void *buf,
				 fuse_fill_dir_t filler)
{
	_cleanup_closedir_ DIR *d = opendir(fs->proc_through);
	struct stat st = { .st_mode = S_IFLNK };
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    !vfs_child(dir, de->d_name) &&
		    filler(buf, de->d_name, &st, 0, 0))
			break;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct vfs_node *n = vfs_resolve(&ctx_fs()->model->vfs, rel_path(path));

	(void)off;
	(void)fi;
	(void)flags;
	if (!n)
		return -errno;
	if (n->kind != VFS_DIR)
		return -ENOTDIR;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	for (size_t i = 0; i < n->nchildren; i++) {
		/* the /proc files' directory is not part of /sys: not listed */
		if (n->children[i]->name[0] == '.')
			continue;
		/*
		 * each entry's type (d_type), as kernfs gives it (kernfs_fop_readdir:
		 * dt_type of the node's mode): zcryptctl list skips regular files in
		 * /sys/class/zcrypt, dasdinfo and libzpci take only DT_DIR or DT_LNK
		 */
		static const mode_t type[VFS__LAST] = {
			[VFS_DIR] = S_IFDIR,
			[VFS_FILE] = S_IFREG,
			[VFS_LINK] = S_IFLNK,
		};
		struct stat st = { .st_mode = type[n->children[i]->kind] };

		if (filler(buf, n->children[i]->name, &st, 0, 0))
			break;
	}
	if (ctx_fs()->proc_through &&
	    strcmp(rel_path(path), MODEL_PROC_PATH) == 0)
		proc_through_readdir(ctx_fs(), n, buf, filler);
	return 0;
}

/* kernfs_fop_open: write access needs a store, read access a show. */
static int fs_open(const char *path, struct fuse_file_info *fi)
{
	struct vfs_node *n = vfs_resolve(&ctx_fs()->model->vfs, rel_path(path));
	int acc = fi->flags & O_ACCMODE;

	if (!n)
		return -errno;
	if (n->kind == VFS_DIR)
		return -EISDIR;
	if ((acc != O_RDONLY && (!n->attr->store || !(n->attr->mode & 0222))) ||
	    (acc != O_WRONLY && (!n->attr->show || !(n->attr->mode & 0444))))
		return -EACCES;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->nonseekable = 0;
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	(void)fi;
	r = model_read(ctx_fs()->model, rel_path(path), &sb);
	if (r < 0) {
		strbuf_release(&sb);
		return r;
	}
	if ((size_t)off >= sb.len) {
		strbuf_release(&sb);
		return 0;
	}
	if (size > sb.len - (size_t)off)
		size = sb.len - (size_t)off;
	memcpy(buf, sb.buf + off, size);
	strbuf_release(&sb);
	return (int)size;
}

/*
 * The FUSE loop is multi-threaded so that a delayed write (a fault rule)
 * holds its own writer only, as a slow kernel write does, and the rest of
 * sysfs answers meanwhile. The model is not thread-safe: every operation
 * holds sim_lock, and a delay sleeps without it.
 */
static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;

static void sleep_ms(unsigned long ms)
{
	struct timespec t = { (time_t)(ms / 1000),
			      (long)(ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct simfs *fs = ctx_fs();
	struct vfs_node *n = vfs_resolve(&fs->model->vfs, rel_path(path));
	_cleanup_free_ char *canon = NULL;
	unsigned long delay_ms;
	int r;

	(void)off;
	(void)fi;
	if (!n)
		return -errno;
	canon = vfs_path(n);
	if (!canon)
		return -ENOMEM;
	fault_rules_refresh(&fs->faults);
	r = fault_rules_check(&fs->faults, canon, &delay_ms);
	/* the writer waits: FUSE keeps a request that is in userspace until it is answered, also for a killed writer */
	if (delay_ms) {
		pthread_mutex_unlock(&sim_lock);
		sleep_ms(delay_ms);
		pthread_mutex_lock(&sim_lock);
		/*
		 * what n was may be gone: removed meanwhile (the kernel's
		 * kernfs_drain would have made the removal wait for this
		 * write), a write to the removed attribute fails as kernfs
		 * fails it (kernfs_fop_write_iter: -ENODEV)
		 */
		if (!vfs_resolve(&fs->model->vfs, canon))
			return -ENODEV;
	}
	if (r)
		return -r;
	r = model_write(fs->model, canon, buf, size);
	return r < 0 ? r : (int)size;
}

/* "echo > attr" opens with O_TRUNC: sysfs ignores the truncation. */
static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct vfs_node *n = vfs_resolve(&ctx_fs()->model->vfs, rel_path(path));

	(void)size;
	(void)fi;
	if (!n)
		return -errno;
	return n->kind == VFS_FILE ? 0 : -EISDIR;
}

static int fs_no_create(const char *path, mode_t mode,
			struct fuse_file_info *fi)
{
	(void)path;
	(void)mode;
	(void)fi;
	return -EACCES;
}

static int fs_no_mkdir(const char *path, mode_t mode)
{
	(void)path;
	(void)mode;
	return -EACCES;
}

static int fs_no_unlink(const char *path)
{
	(void)path;
	return -EACCES;
}

/* each operation under sim_lock (fs_write lets go of it for a delay) */
#define LOCKED(call)                             \
	do {                                     \
		int r_;                          \
                                                 \
		pthread_mutex_lock(&sim_lock);   \
		r_ = (call);                     \
		pthread_mutex_unlock(&sim_lock); \
		return r_;                       \
	} while (0)

static int locked_getattr(const char *path, struct stat *st,
			  struct fuse_file_info *fi)
{
	LOCKED(fs_getattr(path, st, fi));
}

static int locked_readlink(const char *path, char *buf, size_t size)
{
	LOCKED(fs_readlink(path, buf, size));
}

static int locked_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
			  off_t off, struct fuse_file_info *fi,
			  enum fuse_readdir_flags flags)
{
	LOCKED(fs_readdir(path, buf, filler, off, fi, flags));
}

static int locked_open(const char *path, struct fuse_file_info *fi)
{
	LOCKED(fs_open(path, fi));
}

static int locked_read(const char *path, char *buf, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	LOCKED(fs_read(path, buf, size, off, fi));
}

static int locked_write(const char *path, const char *buf, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	LOCKED(fs_write(path, buf, size, off, fi));
}

static int locked_truncate(const char *path, off_t size,
			   struct fuse_file_info *fi)
{
	LOCKED(fs_truncate(path, size, fi));
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	/* no caching: every lookup and read sees the model as it is now */
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	cfg->kernel_cache = 0;
	cfg->use_ino = 0;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations simfs_ops = {
	.init = fs_init,
	.getattr = locked_getattr,
	.readlink = locked_readlink,
	.readdir = locked_readdir,
	.open = locked_open,
	.read = locked_read,
	.write = locked_write,
	.truncate = locked_truncate,
	.create = fs_no_create,
	.mkdir = fs_no_mkdir,
	.unlink = fs_no_unlink,
	.rmdir = fs_no_unlink,
};

int simfs_mount(struct simfs *fs, const char *dir, struct vm_error *err)
{
	char prog[] = "virt-mdev-sim", dash_o[] = "-o";
	char opts_root[] =
		"fsname=virt-mdev-sim,subtype=virt-mdev-sim,allow_other";
	char opts_user[] = "fsname=virt-mdev-sim,subtype=virt-mdev-sim";
	char *argv[] = { prog, dash_o, geteuid() == 0 ? opts_root : opts_user,
			 NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);

	clock_gettime(CLOCK_REALTIME, &boot_time);
	fs->fuse = fuse_new(&args, &simfs_ops, sizeof(simfs_ops), fs);
	fuse_opt_free_args(&args);
	if (!fs->fuse)
		return vm_error_set(
			err, VM_EXIT_FAILED, EIO,
			"cannot set up FUSE (is the fuse module loaded and /dev/fuse there?)");
	if (fuse_mount(fs->fuse, dir) != 0) {
		fuse_destroy(fs->fuse);
		fs->fuse = NULL;
		return vm_error_set(
			err, VM_EXIT_FAILED, EIO,
			"cannot mount the simulated sysfs at '%s' (it must be an existing directory; FUSE needs /dev/fuse and root or fusermount3)",
			dir);
	}
	fs->mountpoint = strdup(dir);
	return 0;
}

int simfs_loop(struct simfs *fs, bool handle_signals)
{
	struct fuse_session *se = fuse_get_session(fs->fuse);
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();
	int r;

	if (!cfg)
		return -ENOMEM;
	/* libfuse's default, 10, would let ten held writes hold up every other request again */
	fuse_loop_cfg_set_max_threads(cfg, SIMFS_MAX_THREADS);
	if (handle_signals && fuse_set_signal_handlers(se) != 0) {
		fuse_loop_cfg_destroy(cfg);
		return -EIO;
	}
	r = fuse_loop_mt(fs->fuse, cfg);
	if (handle_signals)
		fuse_remove_signal_handlers(se);
	fuse_loop_cfg_destroy(cfg);
	return r < 0 ? r : 0;
}

void simfs_stop(struct simfs *fs)
{
	if (!fs->fuse || !fs->mountpoint)
		return;
	fuse_exit(fs->fuse);
	/*
	 * Detach the mount only: the kernel ends the connection once nothing
	 * uses it, and each worker's read of /dev/fuse returns ENODEV.
	 * fuse_unmount would close that fd under the workers' reads (libfuse
	 * wants fuse_session_unmount after the loop): simfs_unmount calls it
	 * once the loop has returned. Without root (fusermount3), as before.
	 */
	if (umount2(fs->mountpoint, MNT_DETACH) < 0) {
		fuse_unmount(fs->fuse);
		free(fs->mountpoint);
		fs->mountpoint = NULL;
	}
}

void simfs_unmount(struct simfs *fs)
{
	if (!fs->fuse)
		return;
	if (fs->mountpoint)
		fuse_unmount(fs->fuse);
	fuse_destroy(fs->fuse);
	fs->fuse = NULL;
	free(fs->mountpoint);
	fs->mountpoint = NULL;
}

/* ---- static render ---------------------------------------------------------------- */

static int render_node(struct model *m, const struct vfs_node *n, int dirfd)
{
	for (size_t i = 0; i < n->nchildren; i++) {
		const struct vfs_node *c = n->children[i];

		/* the /proc files' directory is not part of /sys */
		if (c->name[0] == '.')
			continue;
		switch (c->kind) {
		case VFS_DIR: {
			int fd;
			int r;

			if (mkdirat(dirfd, c->name, 0755) < 0 &&
			    errno != EEXIST)
				return -errno;
			fd = openat(dirfd, c->name,
				    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				return -errno;
			r = render_node(m, c, fd);
			close(fd);
			if (r < 0)
				return r;
			break;
		}
		case VFS_FILE: {
			struct strbuf sb = STRBUF_INIT;
			int fd;

			/* a read that fails (ENODEV of an offline DASD's attribute) renders empty */
			if (c->attr->show && (c->attr->mode & 0444) &&
			    c->attr->show(m, c->obj, &sb) == -ENOMEM) {
				strbuf_release(&sb);
				return -ENOMEM;
			}
			fd = openat(dirfd, c->name,
				    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				    c->attr->mode);
			if (fd < 0 || (sb.len && write(fd, sb.buf, sb.len) !=
							 (ssize_t)sb.len)) {
				int r = -errno;

				if (fd >= 0)
					close(fd);
				strbuf_release(&sb);
				return r;
			}
			fchmod(fd, c->attr->mode);
			close(fd);
			strbuf_release(&sb);
			break;
		}
		case VFS_LINK: {
			_cleanup_free_ char *rel = vfs_link_relative(c);

			if (!rel)
				return -ENOMEM;
			if (symlinkat(rel, dirfd, c->name) < 0)
				return -errno;
			break;
		}
		case VFS__LAST:
			break;
		}
	}
	return 0;
}

int simfs_render(struct model *m, const char *dir, struct vm_error *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd, r;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot create '%s': %s", dir,
				    strerror(errno));
	d = opendir(dir);
	if (!d)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot open '%s': %s", dir,
				    strerror(errno));
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			return vm_error_set(
				err, VM_EXIT_USAGE, ENOTEMPTY,
				"cannot render into '%s': it is not empty (name a new or empty directory)",
				dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vm_error_set(err, VM_EXIT_FAILED, errno,
				    "cannot open '%s': %s", dir,
				    strerror(errno));
	r = render_node(m, m->vfs.root, fd);
	close(fd);
	if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot render into '%s': %s", dir,
				    strerror(-r));
	return 0;
}
