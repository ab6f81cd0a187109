/*
 * report.h - report definitions and run parameters.
 *
 * A report definition is a folder (rules/<report>/) holding report.yaml,
 * the SQL of each table's extract and, for later stages, rule files,
 * reference lists, the transform layout and the required approvals:
 *
 *	report: east-sample
 *	title: EAST 样例报送（月度）
 *	connection: demo                 # default workspace connection
 *	params:
 *	  period: {type: month}          # also gives period_start, period_end
 *	tables:
 *	  - {name: policy, title: 保单表, query: policy.sql,
 *	     decimals: {sum_insured: 2, total_premium: 2}}
 *
 * Parameters: name=value pairs typed text, date (YYYY-MM-DD), integer or
 * month (YYYY-MM).  A month parameter named "period" derives period_start
 * and period_end (dates); a workspace adds institution_code.  Derived
 * parameters are implicit: a query may use them without them being given.
 */
#ifndef BS_REPORT_H
#define BS_REPORT_H

#include "yamldoc.h"
#include "workspace.h"

enum bs_param_type { BS_P_TEXT, BS_P_DATE, BS_P_INT, BS_P_MONTH };

struct bs_param {
	char *name;
	char *value;
	enum bs_param_type type;
	int given;		/* from the command line (or the rerun's record) */
	int used;		/* referenced by at least one query */
};

struct bs_params {
	struct bs_param *v;
	size_t n, alloc;
};

/* Add or replace name=value (given=1 for command-line values). */
void bs_params_set(struct bs_params *p, const char *name, const char *value,
    enum bs_param_type type, int given);
/* Parse "NAME=VALUE" from the command line into p (64 on bad syntax). */
int bs_params_parse_arg(struct bs_params *p, const char *arg, struct bs_err *err);
struct bs_param *bs_params_get(const struct bs_params *p, const char *name);
void bs_params_release(struct bs_params *p);
const char *bs_param_type_name(enum bs_param_type t);
/* Check value against type; 64 with "parameter 'x': ..." when malformed. */
int bs_param_check(const char *name, const char *value, enum bs_param_type t,
    struct bs_err *err);

struct bs_report_table {
	char *name;
	char *title;
	char *query;		/* absolute path of the SQL file */
	char **dec_cols;	/* columns with a declared decimal scale */
	int *dec_scales;
	size_t ndec;
};

struct bs_report {
	char *dir;		/* absolute path of the folder */
	char *file;		/* dir/report.yaml */
	char *name;
	char *title;
	char *connection;	/* default connection name, may be NULL */
	struct bs_params params;	/* declared parameters (values empty) */
	struct bs_report_table *tables;
	size_t ntables;
	char sha256[65];	/* of report.yaml */
	struct bs_yaml y;	/* kept for later stages' sections */
};

/*
 * Load a report definition: spec is a folder path, or a report name looked
 * up in the workspace's report folders and then in the installed rules.
 */
int bs_report_load(struct bs_report *r, const char *spec,
    const struct bs_workspace *ws, struct bs_err *err);
void bs_report_release(struct bs_report *r);
const struct bs_report_table *bs_report_table(const struct bs_report *r,
    const char *name);
/* Declared decimal scale of a column of a table, or -1. */
int bs_report_table_scale(const struct bs_report_table *t, const char *col);

/*
 * Type the given parameters against the report's declarations (unknown
 * names stay text) and add the derived ones (period_start, period_end,
 * institution_code).  *period receives the filing period (or NULL).
 */
int bs_report_resolve_params(const struct bs_report *r, struct bs_params *p,
    const struct bs_workspace *ws, struct bs_err *err);

/* Days in month m of year y. */
int bs_days_in_month(int y, int m);

#endif
