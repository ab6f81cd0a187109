/*
 * output.h - baosong-validate's problem list: problems.csv and review.xlsx,
 * both written while the engine runs.  The workbook's rows are added by a
 * thread of their own (the engine's sink only copies each problem into a
 * queue); the workbook is completed once the run is (so it carries the
 * final data fingerprint and counts).  Its cells are what they were when
 * the workbook was made from problems.csv after the run: a field written
 * to the CSV as NULL when empty is NULL when empty in the workbook too.
 *
 * problems.csv (RFC 4180, UTF-8, LF, minimal quoting; NULL is an empty
 * unquoted field):
 *
 *	rule_id,severity,category,table,record,line,key,columns,values,message,owner
 *
 * record and line are empty for table-level problems (rows, reconcile);
 * key joins the key columns' values with '|'; columns and values join
 * several with ';'.
 */
#ifndef BS_VALIDATE_OUTPUT_H
#define BS_VALIDATE_OUTPUT_H

#include "csv.h"
#include "engine.h"
#include "ofile.h"
#include "rundir.h"

struct output {
	struct bs_ofile f;
	int open;
	struct bs_csv_writer w;
	char *path;		/* final path of problems.csv (in the run) */
	uint64_t problems, errors, warnings;
	char sha256[65];	/* of problems.csv, once closed */
	unsigned long long bytes;
	char data_sha256[65];	/* fingerprint of the inputs */
	char xlsx_sha256[65];
	unsigned long long xlsx_bytes;
	struct wbq *wbq;	/* the workbook and its thread, once started */
	char *xlsx;		/* its path in the run */
};

/* Create problems.csv in the run's directory and write its header. */
int output_open(struct output *o, const struct bs_run *run, struct bs_err *err);

/* The engine's sink (ctx is the struct output). */
int output_problem(void *ctx, const struct vproblem *p, struct bs_err *err);

/* Publish problems.csv (fsync, rename); sets sha256 and bytes. */
int output_close(struct output *o, struct bs_err *err);

/*
 * The inputs' fingerprint: SHA-256 of the lines "<table> <sha256>\n" of
 * every input that was read, in table name order; into o->data_sha256.
 */
void output_fingerprint(struct output *o, const struct vinput *in, size_t n);

/*
 * Start review.xlsx in the run's directory, every rule declared, and the
 * thread that adds each problem output_problem() is given from now on.
 * Call after output_open() and before the engine runs.
 */
struct bs_disp_map;
/*
 * carry (may be NULL): the filing's dispositions; each problem that has one
 * gets it written into the reviewer's columns (问题状态 未变, or 已重开 for
 * an answer 已修改 whose problem is still there) and its record marked seen
 * (by the workbook thread: read the seen flags after
 * output_workbook_finish()).  carry, rs and the rules must outlive it.
 * A failure of the thread (74 disk full...) is returned by the next
 * output_problem() call, or by output_workbook_finish().
 */
int output_workbook_start(struct output *o, const struct bs_run *run,
    const struct bs_rules *rs, const char *filing, const char *title,
    struct bs_disp_map *carry, struct bs_err *err);

/*
 * After output_fingerprint(): wait for the thread to add the last problems,
 * complete and publish the workbook; sets xlsx_sha256 and xlsx_bytes.
 * 0 when no workbook was started.
 */
int output_workbook_finish(struct output *o, struct bs_err *err);

/* Discard whatever is unfinished (the workbook thread is stopped). */
void output_release(struct output *o);

#endif
