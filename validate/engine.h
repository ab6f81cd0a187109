/*
 * engine.h - baosong-validate's evaluation engine: streams each table's CSV
 * once, applies a compiled rule set (lib/rules.h) and hands every rule
 * failure to a sink.
 *
 * Plan.  Tables are read in an order where a table referenced by another
 * table's 'exists' rule comes first, so the referenced key set is filled
 * during the referenced table's own pass; a self-reference (ORG's parent
 * organisation) or a cycle is served by an extra pass over the referenced
 * table that only collects its keys.  Tables that only other tables' rules
 * mention are read once to collect what those rules need.  Reconciliations
 * accumulate both sides during the passes and are compared at the end.
 *
 * Lookups (rs->lookups): before a table's first pass, each lookup its rules
 * read is built by one pass over the looked-up table (lookups of one table
 * that can be built together share it; a lookup's where: dependencies are
 * built first), keeping per key the first row's used columns in an arena,
 * or the sums.  Per row, the columns read through lookups are filled in
 * dependency order before any check.  The sets stay until the run ends;
 * their sizes are in the summary ("lookup pol: coverage -> policy(...)").
 *
 * Per row: the format checks (type, pattern) run first; a value that fails
 * one is not looked at again by the row's other rules (one bad value, one
 * message).  A value that does not fit its column's declared type counts as
 * NULL for every check but 'required' and 'type'.  A sentinel value counts
 * as present for 'required' and is skipped by every other shorthand check.
 *
 * Memory: one record (the CSV reader's), the 'unique' key sets, the
 * 'exists' key sets (each freed after its last user's pass) and the
 * reconciliation groups; all sizes are reported in struct engine_stats.
 */
#ifndef BS_VALIDATE_ENGINE_H
#define BS_VALIDATE_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "rules.h"

/* One input CSV. */
struct vinput {
	char *table;		/* table name: the file name without .csv */
	char *path;		/* as opened */
	char *name;		/* for messages: "policy.csv" or the path */
	char expect_sha[65];	/* from an extract manifest, "" if none */
	char sha256[65];	/* computed while reading, "" if never read */
	unsigned long long bytes;
	uint64_t rows;		/* data records */
	double seconds;		/* reading and checking */
	int used;		/* some rule needs it */
	int passes;		/* times read */
};

/* A rule failure, as handed to the sink; everything is borrowed. */
struct vproblem {
	const struct bs_rule *rule;
	const char *table;
	uint64_t record, line;	/* 0, 0 for table-level problems */
	const char *key;	/* key values joined by '|' (NULL parts empty) */
	size_t key_len;
	const char *columns;	/* column names joined by ';' */
	const char *values;	/* their values joined by ';' (a NULL among
				   several is "(空)"); NULL: one NULL value */
	size_t values_len;
};

typedef int (*vsink_fn)(void *ctx, const struct vproblem *p, struct bs_err *err);

/* A key set, for the summary's "memory" section. */
struct vset_stat {
	char *what;		/* "unique R030", "exists org(org_code)" */
	size_t entries;
	size_t bytes;
};

struct engine_stats {
	uint64_t *count;	/* problems per rule (rs->nrules) */
	uint64_t *eval_errors;	/* runtime expression errors per rule */
	uint64_t rows_total;
	struct vset_stat *sets;
	size_t nsets, asets;
	size_t sets_bytes_peak;	/* largest total held at once */
	double seconds;
};

/*
 * Check every rule of rs against the inputs.  Binds each table to its
 * CSV header first (all of them, before any data is read): columns
 * missing from a header are rs->diags and 78.  Returns 0 when the whole
 * input was checked (problems or not); -1 with err: 66 a table has no
 * input, 65 malformed CSV (with record and line) or a checksum that does
 * not match the extract manifest, 74 read errors, 78 bind problems, or
 * whatever the sink returned.
 */
int engine_run(struct bs_rules *rs, struct vinput *in, size_t nin,
    vsink_fn sink, void *ctx, struct engine_stats *st, struct bs_err *err);

void engine_stats_release(struct engine_stats *st);

#endif
