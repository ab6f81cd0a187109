#include "bs.h"
#include "manifest.h"

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
