/* fuse.c - the device directory through FUSE (low-level API): boot,
 * rshim and misc as regular files with direct I/O, the rshim file's
 * register access by ioctl, and console as a symbolic link to the
 * device's console terminal (console.c). FUSE passes ioctls on regular files in
 * the restricted form only: the kernel sizes and copies the argument from
 * the command's _IOC_SIZE/_IOC_DIR bits (12 or 13 bytes here, both
 * directions); a server cannot ask for other memory (retry is CUSE-only).
 * That is exactly the shape of RSHIM_IOC_READ/WRITE[2]. */
#define FUSE_USE_VERSION 35
#include "config.h"
#include "rshimd.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

enum { INO_ROOT = FUSE_ROOT_ID, INO_BOOT, INO_CONSOLE, INO_RSHIM, INO_MISC, INO_END };

static const char *const names[INO_END] = {
	[INO_BOOT] = "boot", [INO_CONSOLE] = "console", [INO_RSHIM] = "rshim", [INO_MISC] = "misc",
};

/* One open of misc: its text, made on the first read. The kernel may
 * send the release while a read of the same open is still being served
 * (the reader was killed: FUSE stops waiting for it), so fi->fh is not a
 * pointer but a number looked up here, and an open lives until the last
 * of its release and its reads in progress lets go of it. */
struct misc_fh {
	pthread_mutex_t lock;
	uint64_t id;
	unsigned refs;               /* the open, plus reads in progress (fh_lock) */
	bool made;
	size_t len;
	struct misc_fh *next;
	char text[BF_RSHIMD_MISC_MAX];
};

static pthread_mutex_t fh_lock = PTHREAD_MUTEX_INITIALIZER;
static struct misc_fh *fh_list;
static uint64_t fh_next = 1;

static uint64_t misc_fh_new(void)
{
	struct misc_fh *m = calloc(1, sizeof(*m));
	uint64_t id;

	if (!m)
		return 0;
	pthread_mutex_init(&m->lock, NULL);
	m->refs = 1;
	pthread_mutex_lock(&fh_lock);
	id = m->id = fh_next++;
	m->next = fh_list;
	fh_list = m;
	pthread_mutex_unlock(&fh_lock);
	return id;
}

/* The open numbered id with a reference taken, or NULL once released. */
static struct misc_fh *misc_fh_get(uint64_t id)
{
	struct misc_fh *m;

	pthread_mutex_lock(&fh_lock);
	for (m = fh_list; m && m->id != id; m = m->next)
		;
	if (m)
		m->refs++;
	pthread_mutex_unlock(&fh_lock);
	return m;
}

/* Drop a reference; release: also take the open off the list. */
static void misc_fh_put(struct misc_fh *m, bool release)
{
	struct misc_fh **pp;
	bool last;

	pthread_mutex_lock(&fh_lock);
	if (release)
		for (pp = &fh_list; *pp; pp = &(*pp)->next)
			if (*pp == m) {
				*pp = m->next;
				break;
			}
	last = --m->refs == 0;
	pthread_mutex_unlock(&fh_lock);
	if (last) {
		pthread_mutex_destroy(&m->lock);
		free(m);
	}
}

static struct bf_rshimd_dev *dev_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static void fill_attr(const struct bf_rshimd_dev *d, fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_mtime = st->st_ctime = st->st_atime = time(NULL);
	if (ino == INO_ROOT) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (ino == INO_CONSOLE) {
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = (off_t)strlen(d->pts_path);
	} else {
		st->st_mode = S_IFREG | 0600;
		st->st_nlink = 1;
	}
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	fuse_ino_t i;

	if (parent != INO_ROOT) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	for (i = INO_BOOT; i < INO_END; i++)
		if (!strcmp(name, names[i]))
			break;
	if (i == INO_END) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = i;
	e.attr_timeout = e.entry_timeout = 1.0;
	fill_attr(dev_of(req), i, &e.attr);
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (ino < INO_ROOT || ino >= INO_END) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(dev_of(req), ino, &st);
	fuse_reply_attr(req, &st, 1.0);
}

/* console: the slave of the device's pty (fixed while the files exist). */
static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct bf_rshimd_dev *d = dev_of(req);

	if (ino != INO_CONSOLE || !d->pts_path[0])
		fuse_reply_err(req, ino == INO_CONSOLE ? ENODEV : EINVAL);
	else
		fuse_reply_readlink(req, d->pts_path);
}

/* O_TRUNC of `cat x > boot` arrives as a size change: nothing to do. */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	(void)attr;
	(void)to_set;
	op_getattr(req, ino, fi);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	char buf[1024];
	size_t len = 0;
	off_t i;

	(void)fi;
	if (ino != INO_ROOT) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	for (i = off; i < INO_END - INO_ROOT + 1; i++) {
		struct stat st;
		const char *n = i == 0 ? "." : i == 1 ? ".." : names[INO_ROOT + i - 1];
		size_t need;

		fill_attr(dev_of(req), i < 2 ? INO_ROOT : (fuse_ino_t)(INO_ROOT + i - 1), &st);
		need = fuse_add_direntry(req, buf + len, sizeof(buf) - len, n, &st, i + 1);
		if (len + need > size || len + need > sizeof(buf))
			break;
		len += need;
	}
	fuse_reply_buf(req, buf, len);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct bf_rshimd_dev *d = dev_of(req);
	int r = 0;

	fi->direct_io = 1;
	fi->keep_cache = 0;
	switch (ino) {
	case INO_BOOT:
		if ((fi->flags & O_ACCMODE) == O_RDONLY) {
			r = -EINVAL;   /* write-only stream */
			break;
		}
		fi->nonseekable = 1;
		r = bf_rshimd_boot_open(d);
		break;
	case INO_RSHIM:
		fi->nonseekable = 1;
		break;
	case INO_MISC:
		if (!(fi->fh = misc_fh_new()))
			r = -ENOMEM;
		break;
	default:
		r = ino == INO_ROOT ? -EISDIR : -ENOENT;
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_open(req, fi);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct bf_rshimd_dev *d = dev_of(req);

	if (ino == INO_BOOT)
		bf_rshimd_boot_close(d);
	else if (ino == INO_MISC) {
		struct misc_fh *m = misc_fh_get(fi->fh);

		if (m) {
			misc_fh_put(m, false);   /* the reference just taken */
			misc_fh_put(m, true);    /* the open's */
		}
	}
	fuse_reply_err(req, 0);
}

static bool req_intr(void *ctx)
{
	return fuse_req_interrupted((fuse_req_t)ctx) != 0;
}

static void on_interrupt(fuse_req_t req, void *data)
{
	(void)req;
	bf_rshimd_dev_kick(data);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct bf_rshimd_dev *d = dev_of(req);

	if (ino == INO_MISC) {
		struct misc_fh *m = misc_fh_get(fi->fh);
		size_t n = 0;

		if (!m) {
			fuse_reply_err(req, EBADF);   /* released: its reader is gone */
			return;
		}
		/* Generated on the first read of this open, as upstream, and
		 * not changed after that. */
		pthread_mutex_lock(&m->lock);
		if (!m->made) {
			bf_rshimd_dev_misc_text(d, m->text, sizeof(m->text), &m->len);
			m->made = true;
		}
		pthread_mutex_unlock(&m->lock);
		if (off >= 0 && (size_t)off < m->len)
			n = m->len - (size_t)off < size ? m->len - (size_t)off : size;
		fuse_reply_buf(req, m->text + (n ? off : 0), n);
		misc_fh_put(m, false);
		return;
	}
	fuse_reply_err(req, EINVAL);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct bf_rshimd_dev *d = dev_of(req);
	ssize_t n;

	(void)off;
	switch (ino) {
	case INO_BOOT:
		fuse_req_interrupt_func(req, on_interrupt, d);
		n = bf_rshimd_boot_write(d, buf, size, req_intr, req);
		break;
	case INO_MISC: {
		struct bf_rshimd_misc_cmd c;
		int r = bf_rshimd_misc_parse(buf, size, &c);

		if (r == 0)
			r = bf_rshimd_dev_misc_apply(d, &c);
		n = r < 0 ? r : (ssize_t)size;
		break;
	}
	default:
		n = -EINVAL;
	}
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

static void op_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
		     struct fuse_file_info *fi, unsigned flags, const void *in_buf,
		     size_t in_bufsz, size_t out_bufsz)
{
	uint8_t out[16];
	size_t out_len = 0;
	int r;

	(void)arg;
	(void)fi;
	if (ino != INO_RSHIM || (flags & FUSE_IOCTL_DIR)) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	r = bf_rshimd_dev_ioctl(dev_of(req), cmd, in_buf, in_bufsz, out, &out_len);
	if (r < 0)
		fuse_reply_err(req, -r);
	else if (out_len > out_bufsz)
		fuse_reply_err(req, EINVAL);
	else
		fuse_reply_ioctl(req, 0, out, out_len);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = op_lookup,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readdir = op_readdir,
	.open = op_open,
	.release = op_release,
	.readlink = op_readlink,
	.read = op_read,
	.write = op_write,
	.ioctl = op_ioctl,
};

static void *fuse_main_thread(void *arg)
{
	struct bf_rshimd_dev *d = arg;
	struct fuse_loop_config cfg = { .clone_fd = 0, .max_idle_threads = 4 };
	int r = fuse_session_loop_mt((struct fuse_session *)d->se, &cfg);

	if (r != 0 && !d->stop)
		bf_warn("rshim%u: the FUSE loop ended (%d)", d->index, r);
	return NULL;
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

int bf_rshimd_fuse_start(struct bf_rshimd_dev *d, const char *root)
{
	char opts[200];
	char *argv[] = { (char *)"rshimd", (char *)"-o", opts, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse_session *se;
	struct stat st;
	int r;

	snprintf(opts, sizeof(opts), "allow_other,default_permissions,fsname=rshim%u,subtype=rshimd", d->index);
	if ((size_t)snprintf(d->mnt, sizeof(d->mnt), "%s/rshim%u", root, d->index) >= sizeof(d->mnt))
		return bf_error_ret(ENAMETOOLONG, "rshim%u: --root path too long", d->index);
	/* A mount left by a daemon that died: "Transport endpoint is not connected". */
	if (stat(d->mnt, &st) < 0 && errno == ENOTCONN)
		umount2(d->mnt, MNT_DETACH);
	if (stat(d->mnt, &st) < 0) {
		if ((r = mkdir_p(d->mnt)) < 0)
			return bf_error_ret(-r, "rshim%u: cannot make %s: %s", d->index, d->mnt, strerror(-r));
		d->made_dir = true;
	}
	se = fuse_session_new(&args, &ops, sizeof(ops), d);
	fuse_opt_free_args(&args);
	if (!se)
		return bf_error_ret(EIO, "rshim%u: cannot start a FUSE session (is /dev/fuse there?)", d->index);
	if (fuse_session_mount(se, d->mnt) != 0) {
		fuse_session_destroy(se);
		return bf_error_ret(EIO, "rshim%u: cannot mount %s (FUSE; needs root)", d->index, d->mnt);
	}
	d->se = se;
	if ((r = pthread_create(&d->fuse_thread, NULL, fuse_main_thread, d)) != 0) {
		fuse_session_unmount(se);
		fuse_session_destroy(se);
		d->se = NULL;
		return bf_error_ret(r, "rshim%u: cannot start the FUSE thread", d->index);
	}
	d->fuse_started = true;
	bf_info("rshim%u: device files in %s", d->index, d->mnt);
	return 0;
}

/* The abort file of our FUSE connection (fusectl), opened while the
 * mount is ours: written after the unmount, it ends a connection that a
 * client keeps alive by holding a file open (the unmount is lazy then),
 * so that the loop's threads leave their read of /dev/fuse. Through the
 * open file it can only ever reach this connection: once the connection
 * is gone, the write does nothing. -1 when fusectl is not available. */
static int open_abort(struct bf_rshimd_dev *d, dev_t dev)
{
	static const char ctl[] = "/sys/fs/fuse/connections";
	char path[128];
	int fd;

	/* Raw system calls: an LD_PRELOAD that redirects /sys (umockdev,
	 * under bfsim's USB transport) must not hide the real fusectl. */
	snprintf(path, sizeof(path), "%s/%u/abort", ctl, minor(dev));
	fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && mount("fusectl", ctl, "fusectl", 0, NULL) == 0)
		fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		bf_debug("rshim%u: no fusectl abort file %s: %s", d->index, path, strerror(errno));
	return fd;
}

void bf_rshimd_fuse_stop(struct bf_rshimd_dev *d)
{
	struct fuse_session *se = d->se;
	struct stat st;
	bool have_dev;
	int abort_fd;

	if (!se)
		return;
	have_dev = stat(d->mnt, &st) == 0;
	/* Blocked readers and writers give up. */
	pthread_mutex_lock(&d->lock);
	d->stop = true;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	abort_fd = have_dev ? open_abort(d, st.st_dev) : -1;
	fuse_session_exit(se);
	fuse_session_unmount(se);
	if (abort_fd >= 0) {
		if (write(abort_fd, "1", 1) != 1)
			bf_debug("rshim%u: FUSE connection abort: %s", d->index, strerror(errno));
		close(abort_fd);
	}
	if (d->fuse_started)
		pthread_join(d->fuse_thread, NULL);
	d->fuse_started = false;
	fuse_session_destroy(se);
	d->se = NULL;
	if (d->made_dir && rmdir(d->mnt) < 0)
		bf_debug("rshim%u: cannot remove %s: %s", d->index, d->mnt, strerror(errno));
}
