#include "bs.h"
#include "sha256.h"

/*
 * The low-level SHA256_* functions, deprecated in OpenSSL 3 but kept, run
 * the same code as EVP (SHA-NI where the CPU has it) without OpenSSL 3's
 * provider machinery, whose first use costs about 2 MB of resident memory
 * (the configuration, the provider tables): a tenth of what validate may
 * use in all.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

void
bs_sha256_init(struct bs_sha256 *h)
{
	SHA256_CTX *c = bs_xmalloc(sizeof(*c));

	if (SHA256_Init(c) != 1) {
		bs_error("fatal: cannot initialise SHA-256");
		exit(BS_EXIT_SOFTWARE);
	}
	h->ctx = c;
}

void
bs_sha256_update(struct bs_sha256 *h, const void *data, size_t n)
{
	if (n)
		SHA256_Update(h->ctx, data, n);
}

void
bs_sha256_final_hex(struct bs_sha256 *h, char *hex)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned int i;
	static const char digits[] = "0123456789abcdef";

	SHA256_Final(md, h->ctx);
	for (i = 0; i < SHA256_DIGEST_LENGTH && i < BS_SHA256_LEN; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * i] = '\0';
	bs_sha256_release(h);
}

void
bs_sha256_release(struct bs_sha256 *h)
{
	if (h && h->ctx) {
		free(h->ctx);
		h->ctx = NULL;
	}
}

void
bs_sha256_hex(const void *data, size_t n, char *hex)
{
	struct bs_sha256 h;

	bs_sha256_init(&h);
	bs_sha256_update(&h, data, n);
	bs_sha256_final_hex(&h, hex);
}

int
bs_sha256_file(const char *path, char *hex, unsigned long long *size,
    struct bs_err *err)
{
	struct bs_sha256 h;
	unsigned long long total = 0;
	char *buf;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bs_err_set(err, errno == ENOENT ? BS_EXIT_NOINPUT : BS_EXIT_IOERR,
		    "cannot open '%s': %s", path, strerror(errno));
	buf = bs_xmalloc(1 << 20);
	bs_sha256_init(&h);
	for (;;) {
		n = read(fd, buf, 1 << 20);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bs_err_set(err, BS_EXIT_IOERR, "cannot read '%s': %s", path, strerror(errno));
			bs_sha256_release(&h);
			goto done;
		}
		if (n == 0)
			break;
		bs_sha256_update(&h, buf, (size_t)n);
		total += (unsigned long long)n;
	}
	bs_sha256_final_hex(&h, hex);
	if (size)
		*size = total;
	rc = 0;
done:
	free(buf);
	close(fd);
	return rc;
}
