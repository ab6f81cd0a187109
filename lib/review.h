/*
 * review.h - the review loop of a filing: reviewers' dispositions of
 * problems, approvals bound to exactly what was reviewed, and the question
 * the packaging stage asks: is this filing approved, for these bytes?
 *
 * A disposition belongs to (filing, rule id, table, record key), never to
 * a row number, so it carries over to the next validation run of the same
 * filing after a re-extract:
 *	fixed      已修改  the source was corrected; closed when the next
 *	                   validation no longer finds the problem, reopened
 *	                   when it still does
 *	explained  说明    a handling note (问题数据处理方式) explains it
 *	excluded   剔除    the record will not be submitted (needs a reason)
 *
 * An approval records role, who and when, and the SHA-256 of the validated
 * data (the validation run's data_sha256) and of the dispositions
 * (bs_review_dispositions_sha256): any later change to either makes it
 * stale.  Roles come from the report definition's approvals: list and are
 * given in that order.  Whoever imported or answered a disposition of the
 * filing cannot approve it (maker-checker).  Approval is refused while any
 * error-severity problem of the current validation is neither explained
 * nor excluded (a "fixed" one that still fails is reopened, i.e. open).
 */
#ifndef BS_REVIEW_H
#define BS_REVIEW_H

#include "track.h"
#include "report.h"

enum bs_disp { BS_DISP_NONE = 0, BS_DISP_FIXED, BS_DISP_EXPLAINED, BS_DISP_EXCLUDED };

/* "fixed", "explained", "excluded" (stored); NULL for NONE. */
const char *bs_disp_name(enum bs_disp d);
/* 已修改, 说明, 剔除 (what reviewers pick in the workbook). */
const char *bs_disp_label(enum bs_disp d);
/* Parse a stored name or a workbook label; 0 ok, -1 unknown. */
int bs_disp_parse(const char *s, enum bs_disp *d);

struct bs_disp_rec {
	char *rule_id, *table, *key;
	enum bs_disp disp;
	char *comment, *by, *reviewer, *at, *status;
	char *severity, *owner, *message;	/* problem sets only */
	int seen;		/* matched by a problem of the current run */
};

/* All dispositions of a filing, looked up by (rule, table, key). */
struct bs_disp_map {
	struct bs_disp_rec *v;
	size_t n, alloc;
	size_t *slots;		/* open addressing: index + 1, 0 = empty */
	size_t nslots;
};

int bs_disp_load(struct bs_track *t, const char *filing, struct bs_disp_map *m,
    struct bs_err *err);
struct bs_disp_rec *bs_disp_find(const struct bs_disp_map *m, const char *rule,
    const char *table, const char *key);
void bs_disp_map_release(struct bs_disp_map *m);

/*
 * The problems of a validation run (its problems.csv) as a map: disp is
 * NONE; severity, owner and message are set.  A problem listed twice (a
 * rule failing twice for one key) is kept once.
 */
int bs_review_problems_load(const char *run_dir, struct bs_disp_map *m,
    struct bs_err *err);

/*
 * Carry dispositions across a re-validation: after validating filing F,
 * mark each disposition open (its problem is still there; "fixed" ones
 * become reopened) or closed (the problem is gone), using the seen flags
 * the caller set while matching problems (bs_disp_find), and record a
 * "review.carry" event.  One transaction.
 */
int bs_review_carry_finish(struct bs_track *t, const char *filing,
    const char *run_id, struct bs_disp_map *m, struct bs_err *err);

/* The latest finished validation run of a filing. */
struct bs_validation {
	char *run_id;
	char *run_dir;
	char *data_sha256;
	char *workbook_sha256;	/* of its review.xlsx, NULL if none */
};
/* 0 found; -1 with err (66 when the filing has no validation run). */
int bs_review_latest_validation(struct bs_track *t, const char *filing,
    struct bs_validation *v, struct bs_err *err);
void bs_validation_release(struct bs_validation *v);

/* SHA-256 over the filing's dispositions in a canonical order. */
int bs_review_dispositions_sha256(struct bs_track *t, const char *filing,
    char *hex, struct bs_err *err);

/* The roles a report requires, in order (from report.yaml approvals:). */
int bs_review_roles(struct bs_report *r, char ***roles, size_t *n,
    struct bs_err *err);
void bs_review_roles_free(char **roles, size_t n);

/* One current approval: NULL fields when the role has none. */
struct bs_approval_state {
	char *role;
	char *by, *at;		/* latest approval of the role, or NULL */
	int current;		/* bound to the current data and dispositions */
};

/*
 * State of each required role against the current data and dispositions
 * hashes.  *states (n = number of roles) is malloc'd; free with
 * bs_review_states_free.
 */
int bs_review_approvals(struct bs_track *t, struct bs_report *r,
    const char *filing, const char *data_sha256, const char *disp_sha256,
    struct bs_approval_state **states, size_t *n, struct bs_err *err);
void bs_review_states_free(struct bs_approval_state *s, size_t n);

/*
 * Is the filing approved by every required role for exactly these data
 * bytes (data_sha256: the validation's data hash the caller is about to
 * package)?  1 yes, 0 no (err says why, code 1), -1 error.
 */
int bs_review_is_approved(struct bs_track *t, struct bs_report *r,
    const char *filing, const char *data_sha256, struct bs_err *err);

#endif
