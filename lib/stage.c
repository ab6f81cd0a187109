#include "bs.h"
#include "stage.h"
#include "log.h"

int
bs_stage_need_dir(const struct bs_stage *s, const char *out, struct bs_err *err)
{
	if (out || s->have_ws)
		return 0;
	return bs_err_set(err, BS_EXIT_USAGE,
	    "no workspace found (no baosong.yaml here or above); give --out DIR "
	    "or --workspace DIR");
}

int
bs_stage_begin(struct bs_stage *s, const char *program, const char *out,
    const char *params, const char *rerun_of, struct bs_err *err)
{
	struct bs_track_run tr;
	const char *kind = strncmp(program, "baosong-", 8) ? program : program + 8;
	char *report = NULL;
	int rc;

	if (bs_stage_need_dir(s, out, err) < 0)
		return -1;
	bs_signals_install();
	if (bs_run_begin(&s->run, s->have_ws ? s->ws.runs : NULL, out, kind, err) < 0)
		return -1;
	s->run_started = 1;
	if (!s->have_ws)
		return 0;
	if (!s->track.open && bs_track_open(&s->track, &s->ws.tracking, err) < 0)
		return -1;
	memset(&tr, 0, sizeof(tr));
	tr.run_id = s->run.id;
	tr.program = program;
	tr.filing = s->filing;
	tr.rerun_of = rerun_of;
	tr.started = s->run.started;
	tr.params = params;
	tr.run_dir = s->run.final;
	if (s->filing) {
		/* a filing is REPORT/PERIOD */
		report = s->have_report ? bs_xstrdup(s->report.name) :
		    bs_xstrndup(s->filing, strcspn(s->filing, "/"));
		rc = bs_track_filing(&s->track, s->filing, report, s->period, err);
		free(report);
		if (rc < 0)
			return -1;
	}
	if (bs_track_run_start(&s->track, &tr, err) < 0)
		return -1;
	s->tracked = 1;
	return 0;
}

int
bs_stage_end(struct bs_stage *s, int code, const char *manifest_sha,
    struct bs_err *err)
{
	if (!s->tracked)
		return 0;
	return bs_track_run_end(&s->track, s->run.id, "ok", code, manifest_sha,
	    NULL, err);
}

void
bs_stage_fail(struct bs_stage *s, int rc, const char *msg)
{
	struct bs_err e2 = BS_ERR_INIT;

	if (s->run_started)
		bs_run_abort(&s->run);
	if (s->tracked && bs_track_run_end(&s->track, s->run.id,
	    bs_interrupted ? "interrupted" : "failed", rc, NULL, msg, &e2) < 0)
		bs_warn("%s", e2.msg);
}

void
bs_stage_release(struct bs_stage *s)
{
	if (s->have_report)
		bs_report_release(&s->report);
	if (s->track.open)
		bs_track_close(&s->track);
	bs_run_release(&s->run);
	free(s->filing);
	free(s->period);
	if (s->have_ws)
		bs_workspace_release(&s->ws);
	memset(s, 0, sizeof(*s));
}
