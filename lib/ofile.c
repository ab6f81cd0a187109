#include "bs.h"
#include "ofile.h"

#define OFILE_BUF (256 * 1024)

static int
write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
bs_ofile_open(struct bs_ofile *o, const char *path, unsigned flags,
    struct bs_err *err)
{
	const char *slash = strrchr(path, '/');
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if ((flags & BS_OFILE_EXCL) && lstat(path, &st) == 0)
		return bs_err_set(err, BS_EXIT_CANTCREAT,
		    "cannot create '%s': file exists", path);
	o->path = bs_xstrdup(path);
	if (slash)
		o->tmp = bs_xasprintf("%.*s/.%s.tmp.%ld", (int)(slash - path), path,
		    slash + 1, (long)getpid());
	else
		o->tmp = bs_xasprintf(".%s.tmp.%ld", path, (long)getpid());
	o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		bs_err_set(err, BS_EXIT_CANTCREAT, "cannot create '%s': %s",
		    o->tmp, strerror(errno));
		free(o->path);
		free(o->tmp);
		o->path = o->tmp = NULL;
		return -1;
	}
	o->flags = flags;
	o->cap = OFILE_BUF;
	o->buf = bs_xmalloc(o->cap);
	if (!(flags & BS_OFILE_NOHASH))
		bs_sha256_init(&o->h);
	return 0;
}

static int
flush_buf(struct bs_ofile *o, struct bs_err *err)
{
	if (o->len && write_all(o->fd, o->buf, o->len) < 0)
		return bs_err_set(err, BS_EXIT_IOERR, "cannot write '%s': %s",
		    o->path, strerror(errno));
	o->len = 0;
	return 0;
}

int
bs_ofile_write(struct bs_ofile *o, const void *data, size_t n,
    struct bs_err *err)
{
	if (!(o->flags & BS_OFILE_NOHASH))
		bs_sha256_update(&o->h, data, n);
	o->bytes += n;
	if (o->len + n > o->cap) {
		if (flush_buf(o, err) < 0)
			return -1;
		if (n >= o->cap) {
			if (write_all(o->fd, data, n) < 0)
				return bs_err_set(err, BS_EXIT_IOERR,
				    "cannot write '%s': %s", o->path, strerror(errno));
			return 0;
		}
	}
	memcpy(o->buf + o->len, data, n);
	o->len += n;
	return 0;
}

int
bs_ofile_puts(struct bs_ofile *o, const char *s, struct bs_err *err)
{
	return bs_ofile_write(o, s, strlen(s), err);
}

int
bs_ofile_commit(struct bs_ofile *o, struct bs_err *err)
{
	struct stat st;

	if (flush_buf(o, err) < 0)
		goto fail;
	if (fsync(o->fd) != 0) {
		bs_err_set(err, BS_EXIT_IOERR, "cannot write '%s': %s", o->path,
		    strerror(errno));
		goto fail;
	}
	if (close(o->fd) != 0) {
		o->fd = -1;
		bs_err_set(err, BS_EXIT_IOERR, "cannot write '%s': %s", o->path,
		    strerror(errno));
		goto fail;
	}
	o->fd = -1;
	if ((o->flags & BS_OFILE_EXCL) && lstat(o->path, &st) == 0) {
		bs_err_set(err, BS_EXIT_CANTCREAT, "cannot create '%s': file exists",
		    o->path);
		goto fail;
	}
	/* with EXCL, refuse atomically should the name appear meanwhile */
	if ((o->flags & BS_OFILE_EXCL) ? renameat2(AT_FDCWD, o->tmp, AT_FDCWD,
	    o->path, RENAME_NOREPLACE) != 0 : rename(o->tmp, o->path) != 0) {
		bs_err_set(err, BS_EXIT_CANTCREAT, "cannot rename '%s' to '%s': %s",
		    o->tmp, o->path, strerror(errno));
		goto fail;
	}
	if (!(o->flags & BS_OFILE_NOHASH))
		bs_sha256_final_hex(&o->h, o->sha256);
	free(o->buf);
	free(o->tmp);
	o->buf = NULL;
	o->tmp = NULL;
	free(o->path);
	o->path = NULL;
	return 0;
fail:
	bs_ofile_abort(o);
	return -1;
}

void
bs_ofile_abort(struct bs_ofile *o)
{
	if (!o)
		return;
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp)
		unlink(o->tmp);
	bs_sha256_release(&o->h);
	free(o->buf);
	free(o->tmp);
	free(o->path);
	o->buf = o->tmp = o->path = NULL;
}

int
bs_write_file_atomic(const char *path, const void *data, size_t n,
    struct bs_err *err)
{
	struct bs_ofile o;

	if (bs_ofile_open(&o, path, BS_OFILE_NOHASH, err) < 0)
		return -1;
	if (bs_ofile_write(&o, data, n, err) < 0) {
		bs_ofile_abort(&o);
		return -1;
	}
	return bs_ofile_commit(&o, err);
}

int
bs_fsync_dir(const char *dir, struct bs_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return bs_err_set(err, BS_EXIT_IOERR, "cannot open directory '%s': %s",
		    dir, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		close(fd);
		return bs_err_set(err, BS_EXIT_IOERR, "cannot sync directory '%s': %s",
		    dir, strerror(errno));
	}
	close(fd);
	return 0;
}
