#include "bs.h"
#include "err.h"

int
bs_err_vset(struct bs_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int
bs_err_set(struct bs_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bs_err_vset(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
bs_err_prefix(struct bs_err *err, const char *fmt, ...)
{
	char old[BS_ERR_MSG_MAX];
	size_t n;
	va_list ap;
	int k;

	if (!err)
		return -1;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	k = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = k < 0 ? 0 : (size_t)k;
	if (n + 2 < sizeof(err->msg)) {
		memcpy(err->msg + n, ": ", 2);
		n += 2;
		snprintf(err->msg + n, sizeof(err->msg) - n, "%s", old);
	}
	return -1;
}

void
bs_err_clear(struct bs_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int
bs_report(const struct bs_err *err)
{
	int code = err->code ? err->code : BS_EXIT_SOFTWARE;

	bs_error("%s", err->msg[0] ? err->msg : "unknown failure (this is a bug)");
	return code;
}

const char *
bs_exit_name(int code)
{
	switch (code) {
	case BS_EXIT_OK: return "ok";
	case BS_EXIT_REJECTED: return "rejected";
	case BS_EXIT_USAGE: return "usage";
	case BS_EXIT_DATAERR: return "dataerr";
	case BS_EXIT_NOINPUT: return "noinput";
	case BS_EXIT_UNAVAILABLE: return "unavailable";
	case BS_EXIT_SOFTWARE: return "software";
	case BS_EXIT_OSERR: return "oserr";
	case BS_EXIT_CANTCREAT: return "cantcreat";
	case BS_EXIT_IOERR: return "ioerr";
	case BS_EXIT_TEMPFAIL: return "tempfail";
	case BS_EXIT_PROTOCOL: return "protocol";
	case BS_EXIT_NOPERM: return "noperm";
	case BS_EXIT_CONFIG: return "config";
	}
	return "unknown";
}
