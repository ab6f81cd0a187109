/*
 * stage.h - what every stage program of the chain (extract, validate,
 * transform; pack, submit and the job runner next) holds and does the
 * same way around its own work: the workspace, the report definition, the
 * filing and its period, the run directory, and the run's record in the
 * tracking store.
 *
 * A program embeds a struct bs_stage in its context (zeroed), fills ws /
 * report / filing / period as it parses its arguments, then:
 *
 *	if (bs_stage_begin(&c->stage, "baosong-extract", o->out, params_json,
 *	    NULL, err) < 0)
 *		return -1;		// run dir under .tmp-, "running" recorded
 *	... write into c->stage.run.tmp ...
 *	if (bs_run_finish(&c->stage.run, err) < 0 ||
 *	    bs_stage_end(&c->stage, 0, manifest_sha, err) < 0)
 *		return -1;
 *
 * and on any failure (after bs_report() printed it):
 *
 *	bs_stage_fail(&c->stage, rc, err.msg);	// temporary dir removed,
 *						// "failed"/"interrupted" recorded
 *	bs_stage_release(&c->stage);
 */
#ifndef BS_STAGE_H
#define BS_STAGE_H

#include "workspace.h"
#include "report.h"
#include "track.h"
#include "rundir.h"

struct bs_stage {
	struct bs_workspace ws;
	int have_ws;
	struct bs_report report;
	int have_report;
	char *filing;		/* REPORT/PERIOD, or NULL (malloc'd) */
	char *period;		/* the filing's period, or NULL (malloc'd) */
	struct bs_track track;	/* opened by bs_stage_begin() if not before */
	int tracked;		/* the run is recorded as running */
	struct bs_run run;
	int run_started;	/* bs_run_begin() succeeded */
};

/*
 * 0 if a run has somewhere to go (a workspace, or out); else -1 with the
 * usage error (64) that says so.  bs_stage_begin() checks it too; call it
 * early to refuse before any work.
 */
int bs_stage_need_dir(const struct bs_stage *s, const char *out,
    struct bs_err *err);

/*
 * Create the run directory (in the workspace's runs/, or out when given)
 * for program ("baosong-<kind>"), install the signal handlers, and in a
 * workspace record the run as running, with the filing (registered under
 * its report) when there is one.  params: JSON text of the given
 * parameters, or NULL; rerun_of: the run re-executed, or NULL.
 */
int bs_stage_begin(struct bs_stage *s, const char *program, const char *out,
    const char *params, const char *rerun_of, struct bs_err *err);

/* Record a successful end (status "ok", exit code, manifest hash). */
int bs_stage_end(struct bs_stage *s, int code, const char *manifest_sha,
    struct bs_err *err);

/*
 * After a failure: remove the unfinished run directory and record the run
 * as "failed" (or "interrupted" after a signal) with exit code rc and msg;
 * a failure to record that is only warned about.
 */
void bs_stage_fail(struct bs_stage *s, int rc, const char *msg);

/* Free everything held (closes the tracking store). */
void bs_stage_release(struct bs_stage *s);

#endif
