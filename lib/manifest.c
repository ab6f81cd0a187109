#include "bs.h"
#include "manifest.h"
#include "ofile.h"

#include <pwd.h>

void
bs_manifest_head(struct bs_json *j, const char *program, const struct bs_run *run,
    const char *workspace, const char *filing, const struct bs_report *report)
{
	struct passwd *pw = getpwuid(geteuid());
	char ended[32], host[256] = "";

	bs_utc_now(ended, sizeof(ended));
	gethostname(host, sizeof(host) - 1);
	bs_json_kv_str(j, "program", program);
	bs_json_kv_str(j, "version", BS_VERSION);
	bs_json_kv_str(j, "run_id", run->id);
	bs_json_kv_str(j, "started", run->started);
	bs_json_kv_str(j, "ended", ended);
	bs_json_kv_str(j, "host", host);
	bs_json_kv_str(j, "user", pw ? pw->pw_name : "unknown");
	bs_json_kv_str(j, "workspace", workspace);
	bs_json_kv_str(j, "filing", filing);
	bs_json_key(j, "report");
	if (report) {
		bs_json_obj_begin(j);
		bs_json_kv_str(j, "name", report->name);
		bs_json_kv_str(j, "path", report->dir);
		bs_json_kv_str(j, "definition_sha256", report->sha256);
		bs_json_obj_end(j);
	} else {
		bs_json_null(j);
	}
}

int
bs_run_write_file(const struct bs_run *run, const char *name,
    const struct bs_buf *b, char *sha, unsigned long long *bytes,
    struct bs_err *err)
{
	struct bs_ofile f;
	char *path = bs_run_path(run, name);
	int rc;

	rc = bs_ofile_open(&f, path, BS_OFILE_EXCL, err);
	free(path);
	if (rc < 0)
		return -1;
	if (bs_ofile_write(&f, bs_buf_str(b), b->len, err) < 0) {
		bs_ofile_abort(&f);
		return -1;
	}
	if (bytes)
		*bytes = f.bytes;
	if (bs_ofile_commit(&f, err) < 0)
		return -1;
	if (sha)
		memcpy(sha, f.sha256, BS_SHA256_HEX);
	return 0;
}
