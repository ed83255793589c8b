/*
 * audit.h: the append-only, hash-chained audit trail.
 *
 * audit_write() must be called inside the transaction that makes the
 * change (db_tx_run), so the row exists exactly when the change does.
 */
#ifndef ITF_AUDIT_H
#define ITF_AUDIT_H

#include <jansson.h>

#include "actor.h"
#include "db.h"

/*
 * Record that actor did action to record_type/record_id.  before and after
 * are the record's JSON (either may be NULL); reason may be NULL.  The
 * references are not stolen.
 */
int	audit_write(struct db *, const struct actor *, const char *action,
	    const char *record_type, const char *record_id,
	    const json_t *before, const json_t *after, const char *reason,
	    struct app_err *);
/* Same, with a numeric record id. */
int	audit_write_id(struct db *, const struct actor *, const char *action,
	    const char *record_type, int64_t record_id,
	    const json_t *before, const json_t *after, const char *reason,
	    struct app_err *);

/*
 * Walk the chain from the first row; *broken gets the id of the first row
 * whose prev_hash or hash does not match (0 if the chain is whole), *rows
 * the number checked.
 */
int	audit_verify(struct db *, int64_t *broken, int64_t *rows,
	    struct app_err *);

/* Audit rows of one record, oldest first, as a JSON array. */
int	audit_list(struct db *, const struct actor *, const char *record_type,
	    const char *record_id, int64_t after_id, int limit, json_t **out,
	    struct app_err *);

#endif
