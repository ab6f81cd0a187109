/*
 * track.h - the tracking store: who ran what, with which parameters,
 * reading and writing which bytes; filings; and an append-only,
 * hash-chained event log.
 *
 * A database reached through ODBC like every other: by default a SQLite
 * file in the workspace (tracking.db, created on first use), or a shared
 * PostgreSQL for several job hosts.  The schema is created and migrated on
 * open (bs_meta.schema_version); later stages add their tables as new
 * migrations at the end of the list in track.c, never by editing old ones.
 *
 * Event log: each event stores the SHA-256 of the one before it and its
 * own hash over (prev_hash, seq, at, kind, filing, run_id, actor, detail),
 * so editing or deleting any past event breaks the chain, which
 * bs_track_verify() detects.
 *
 * Tables: bs_run, bs_filing, bs_event (schema 1); bs_disposition (one
 * reviewer answer per filing, rule, table and record key: fixed, explained
 * or excluded) and bs_approval (role, who, when, bound to the SHA-256 of
 * the validated data and of the dispositions) (schema 2).
 *
 * Timestamps are UTC text "2026-11-27T21:30:01Z" so both engines compare
 * them the same way.
 */
#ifndef BS_TRACK_H
#define BS_TRACK_H

#include "odbc.h"

struct bs_track {
	struct bs_db db;
	int open;
};

int bs_track_open(struct bs_track *t, const struct bs_conn_conf *c,
    struct bs_err *err);
void bs_track_close(struct bs_track *t);

struct bs_track_run {
	const char *run_id;
	const char *program;
	const char *filing;	/* may be NULL */
	const char *rerun_of;	/* may be NULL */
	const char *started;
	const char *params;	/* JSON text, may be NULL */
	const char *run_dir;	/* final directory */
};

/* Record the start of a run (status "running") and a "run.start" event. */
int bs_track_run_start(struct bs_track *t, const struct bs_track_run *r,
    struct bs_err *err);
/*
 * Record the end: status "ok", "failed" or "interrupted", the exit code,
 * the manifest hash (NULL when failed) and a one-line message, plus a
 * "run.end" event.  Both in one transaction.
 */
int bs_track_run_end(struct bs_track *t, const char *run_id, const char *status,
    int exit_code, const char *manifest_sha256, const char *message,
    struct bs_err *err);
/* Register a filing (report + period) if not yet known. */
int bs_track_filing(struct bs_track *t, const char *filing, const char *report,
    const char *period, struct bs_err *err);
/*
 * Append an event; detail is JSON text (may be NULL); actor NULL means
 * bs_track_actor(), as for the events the library writes itself.
 */
int bs_track_event(struct bs_track *t, const char *kind, const char *filing,
    const char *run_id, const char *actor, const char *detail,
    struct bs_err *err);
/*
 * The same, inside a transaction the caller opened with bs_db_begin() on
 * t->db (so the event commits or rolls back with the caller's changes).
 */
int bs_track_event_in_tx(struct bs_track *t, const char *kind,
    const char *filing, const char *run_id, const char *actor,
    const char *detail, struct bs_err *err);
/*
 * Walk the event log and recompute every hash.  0 when intact (*n =
 * events checked); 1 with err describing the first broken event.
 */
int bs_track_verify(struct bs_track *t, unsigned long *n, struct bs_err *err);

/* "user@host" of this process, for actor fields (static buffer). */
const char *bs_track_actor(void);

#endif
