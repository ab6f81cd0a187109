#include "bs.h"
#include "csvat.h"

/*
 * The stream gives a line end first, then the file from the offset: the
 * reader, which skips a BOM only at its very start, sees a byte that is
 * not one, and then a blank line, which it skips (without a header there is
 * no one-column exception); the record follows.
 */
static ssize_t
at_read(void *c, char *buf, size_t n)
{
	struct bs_csvat *a = c;
	ssize_t k;

	if (!n)
		return 0;
	if (a->lead) {
		a->lead = 0;
		buf[0] = '\n';
		return 1;
	}
	do
		k = pread(a->fd, buf, n, (off_t)a->pos);
	while (k < 0 && errno == EINTR);
	if (k > 0)
		a->pos += (uint64_t)k;
	return k;
}

/* Records are a few hundred bytes: read that much at a time, not 64 KiB. */
#define AT_CHUNK ((size_t)4096)

int
bs_csvat_read(struct bs_csvat *a, int fd, uint64_t off,
    const struct bs_csv_opts *o, const char *name, struct bs_err *err)
{
	cookie_io_functions_t io = { at_read, NULL, NULL, NULL };
	struct bs_csv_opts ro = BS_CSV_OPTS_INIT;
	char why[BS_ERR_MSG_MAX];
	int rc;

	memset(a, 0, sizeof(*a));
	if (o)
		ro = *o;
	ro.header = 0;
	ro.chunk = AT_CHUNK;
	a->fd = fd;
	a->pos = off;
	a->lead = 1;
	a->fp = fopencookie(a, "r", io);
	if (!a->fp)
		return bs_err_set(err, BS_EXIT_OSERR, "%s: cannot read the record at "
		    "byte %" PRIu64 " again: %s", name, off, strerror(errno));
	/* glibc ignores the size without a buffer; unbuffered reads byte by byte */
	a->vbuf = bs_xmalloc(AT_CHUNK);
	setvbuf(a->fp, a->vbuf, _IOFBF, AT_CHUNK);
	if (bs_csv_open_fp(&a->r, a->fp, name, &ro, err) < 0)
		return -1;
	rc = bs_csv_next(&a->r, err);
	if (rc == 1)
		return 0;
	if (rc < 0 && err->code != BS_EXIT_DATAERR)
		return -1;
	snprintf(why, sizeof(why), "%s", rc < 0 ? err->msg : "end of file");
	return bs_err_set(err, BS_EXIT_DATAERR, "%s: cannot read the record at "
	    "byte %" PRIu64 " again (did the file change while it was read?): %s",
	    name, off, why);
}

void
bs_csvat_close(struct bs_csvat *a)
{
	if (!a)
		return;
	bs_csv_close(&a->r);
	if (a->fp)
		fclose(a->fp);
	free(a->vbuf);
	memset(a, 0, sizeof(*a));
}
