/*
 * payments.h: payments of project tranches, maker-checker, idempotent
 * (design.md section 2; FCR(2021-22)22 paras 30-31; docs/api.md,
 * "Projects and payments").  Owns the table payments
 * (migrations/0007_projects.sql).
 *
 * An officer prepares a payment of an unlocked tranche with a client key
 * (the Idempotency-Key header or the body's idempotency_key): the same key
 * with the same body returns the payment already made for it and never a
 * second; the same key with another body is APP_ECONFLICT.  A different
 * user holding the approver or finance role approves it: in that one
 * transaction the payment is posted to the ledger (ledger_pay) against
 * the project's commitment.  Refused: a payment of a locked tranche
 * (APP_ESTATE), above its tranche (APP_EINVAL), a second live payment of
 * one tranche (APP_ECONFLICT), approval by its preparer (APP_EFORBIDDEN),
 * and anything while the project is on hold (suspended, or a milestone
 * report overdue: APP_ESTATE).  The database holds the same rules:
 * UNIQUE (idempotency_key), a unique index of one live payment per
 * tranche, CHECK approved_by <> prepared_by, a trigger keeping a payment
 * within its tranche.
 *
 * Every change locks the project row first (projects_load(..., lock)), so
 * concurrent prepares and approvals of one project run one at a time.
 *
 * Claim-pattern projects (claims.h) are paid by claims: a payment names
 * claim_id instead of tranche_id, pays at most the accepted claim's payable
 * amount, one live payment per claim (APP_ECONFLICT naming claim_id), a
 * claim not accepted is APP_ESTATE; its approver must be neither its
 * preparer nor the officer who verified the claim (APP_EFORBIDDEN naming
 * approved_by).  Their milestone and final tranches are not paid once the
 * project has a live claim (APP_ESTATE naming tranche_id).
 */
#ifndef ITF_PAYMENTS_H
#define ITF_PAYMENTS_H

#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "db.h"
#include "errors.h"
#include "export.h"
#include "money.h"

#define PAYMENT_KEY_MAX		128	/* printable ASCII, no spaces */
#define PAYMENT_HASH_HEX	64
#define PAYMENT_LIST_MAX	100
#define PAYMENT_LIST_DEFAULT	50

enum payment_status {
	PAYMENT_PREPARED,
	PAYMENT_APPROVED,
	PAYMENT_CANCELLED,
	PAYMENT_NSTATUS
};

/* A parsed POST /payments: a tranche or an accepted claim (claims.h). */
struct payment_request {
	int64_t		 project_id;	/* 0 if not given */
	int64_t		 tranche_id;	/* 0 when a claim is paid */
	int64_t		 claim_id;	/* 0 when a tranche is paid */
	cents_t		 amount_cents;	/* -1: the whole tranche or claim */
	const char	*note;		/* borrowed; may be NULL */
	char		 key[PAYMENT_KEY_MAX + 1];
	char		 hash[PAYMENT_HASH_HEX + 1];
};

struct payment_filter {
	int64_t		 project_id;	/* 0 = any */
	int		 status;	/* -1 = any */
	int64_t		 before_id;	/* keyset cursor, 0 = none */
	int		 limit;
};

const char	*payment_status_name(enum payment_status);
int		 payment_status_parse(const char *, enum payment_status *);
/* 1 if s is a usable idempotency key (1..128 printable ASCII, no space). */
int		 payment_key_ok(const char *s);
/*
 * sha256 (hex) of the canonical form of body: its members but
 * idempotency_key, keys sorted, compact.  Two bodies that differ only in
 * spacing or key order hash the same.
 */
int		 payment_request_hash(const json_t *body, char *out,
		    struct app_err *);
/*
 * Parse {project_id?, tranche_id | claim_id, amount_cents?, note?,
 * idempotency_key?}
 * strictly, with header_key the Idempotency-Key header (NULL if absent):
 * one of the two is required, and both must agree (APP_EBADREQ naming
 * idempotency_key).  out borrows note from body.
 */
int	payments_request_from_json(const json_t *body, const char *header_key,
	    struct payment_request *out, struct app_err *);

/*
 * POST /payments: officers.  *created is 1 for a new payment (201), 0 for
 * the same request again (200, the same payment).  *out: the payment.
 */
int	payments_prepare(struct db *, const struct actor *,
	    const struct payment_request *, int *created, json_t **out,
	    struct app_err *);
/* POST /payments/{id}/approve {note?}: approver or finance, not the
 * preparer.  Approving again by the same user returns the payment. */
int	payments_approve(struct db *, const struct actor *, int64_t id,
	    const char *note, json_t **out, struct app_err *);
/* POST /payments/{id}/cancel {reason}: officer, approver or finance; a
 * prepared payment only.  Frees the tranche for a new payment. */
int	payments_cancel(struct db *, const struct actor *, int64_t id,
	    const char *reason, json_t **out, struct app_err *);
int	payments_get_json(struct db *, const struct actor *, int64_t id,
	    json_t **out, struct app_err *);
/* May actor list payments (staff; applicants their organisation's)? */
int	payments_may_list(const struct actor *, struct app_err *);
/* {"payments": [...], "limit": n, "next_cursor": "id" or null}. */
int	payments_list_json(struct db *, const struct actor *,
	    const struct payment_filter *, json_t **out, struct app_err *);
/*
 * The list as a download (GET /payments?format=xlsx|csv, see
 * reports/export.h): every payment the filters match, newest first, as
 * the list shows them (an applicant its organisation's, without the
 * idempotency key and who prepared and approved them), no page.  arg is a
 * struct payments_export, copied into a Kore task: no pointers.
 */
struct payments_export {
	enum export_format	 format;
	int			 bom;		/* CSV: UTF-8 byte-order mark */
	struct actor		 actor;
	int64_t			 project_id;	/* 0 = any */
	int			 status;	/* -1 = any */
	char			 filters[256];	/* for the title block */
};
int	payments_export(struct db *, const void *arg, const char *path,
	    struct app_err *);

/*
 * For projects_db.c, inside its transaction (the project row locked):
 * cancel every prepared payment of the project (termination), and count
 * the prepared ones and sum the approved ones (close-out).
 */
int	payments_cancel_open_tx(struct db *, const struct actor *,
	    int64_t project_id, const char *reason, int64_t *n,
	    struct app_err *);
int	payments_open_count_tx(struct db *, int64_t project_id, int64_t *open,
	    cents_t *paid, struct app_err *);

#endif
