/*
 * ledger.h: the appropriation ledger of the Innovation and Technology Fund.
 *
 * A double-entry ledger in int64 HK cents over the accounts of
 * FCR(2021-22)22 (docs/ledger.md has the model: the accounts, the sign
 * convention, which balances may never go negative, and how each
 * operation posts).  Entries are immutable; a correction is a reversing
 * entry.  Tables and invariants: migrations/0005_ledger.sql.
 *
 * Two forms of every write:
 *   ledger_<op>()     posts inside the caller's open transaction and does
 *                     not start, commit or roll back one.  The approval and
 *                     payment code calls these from its own db_tx_run(), so
 *                     that the commitment or payment and its own records
 *                     commit or vanish together.  On refusal nothing has
 *                     been written: every check comes before the first
 *                     INSERT.
 *   ledger_<op>_tx()  the same in a transaction of its own (db_tx_run,
 *                     READ COMMITTED, see "Concurrency" in docs/ledger.md).
 * Each operation writes one entry and exactly one audit row.
 *
 * Concurrency: the in-transaction forms lock the account rows they touch
 * with SELECT ... FOR UPDATE in code order, then the project rows in id
 * order, and only then read balances.  That is correct at READ COMMITTED
 * (the second of two racing writers waits, then sees the first one's
 * balance) and at REPEATABLE READ or SERIALIZABLE (the second gets a
 * serialisation failure, which db_tx_run retries).
 *
 * Errors: APP_EFORBIDDEN (role), APP_EINVAL with the field (amount not
 * positive, unknown account code, transfer to itself, bad or future date),
 * APP_ENOTFOUND (no such entry or project), APP_ECONFLICT (would overdraw:
 * the message names the shortfall in HK$; entry already reversed; entry
 * back-dated before the last movement of an account it draws down),
 * APP_EDB / APP_EUNAVAIL from the database.
 *
 * Roles: injections, openings, transfers and reversals need finance;
 * commitments and payments approver or finance; releases officer, approver
 * or finance; refunds officer or finance.  Reading needs finance, auditor,
 * approver or admin.  The system actor (CLI) holds every role.
 */
#ifndef ITF_LEDGER_H
#define ITF_LEDGER_H

#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "db.h"
#include "errors.h"
#include "export.h"
#include "money.h"

#define LEDGER_CODE_MAX		32	/* account code + NUL */
#define LEDGER_REF_MAX		65	/* paper reference: 64 characters */
#define LEDGER_TEXT_MAX		501	/* narrative or reason: 500 bytes */
/* One entry moves at most HK$10 trillion. */
#define LEDGER_AMOUNT_MAX	((cents_t)1000000000000000LL)
#define LEDGER_PAGE_MAX		200	/* entries per page */

#define LEDGER_TODAY		(-1)	/* value date: today, Hong Kong time */
#define LEDGER_REMAINDER	((cents_t)-1) /* ledger_release: all of it */

/* The block vote: default subhead of injections and new commitments. */
#define LEDGER_BLOCK_VOTE	"H111-101"

enum ledger_kind {
	LEDGER_OPENING,
	LEDGER_INJECTION,
	LEDGER_TRANSFER,
	LEDGER_COMMITMENT,
	LEDGER_PAYMENT,
	LEDGER_RELEASE,
	LEDGER_REFUND,
	LEDGER_REVERSAL
};

/*
 * An injection (through Head 184 into a Head 111 subhead) or an opening
 * balance (an earlier approval, straight from general revenue into any
 * subhead).  value_date LEDGER_TODAY means approved_on.
 */
struct ledger_funding {
	cents_t		amount;
	char		account[LEDGER_CODE_MAX];	/* "" = H111-101 */
	char		paper_ref[LEDGER_REF_MAX];
	int		approved_on;
	int		value_date;
	char		narrative[LEDGER_TEXT_MAX];	/* may be "" */
};

/*
 * A subhead transfer: a named amount of from's uncommitted balance, or
 * (whole_balance) all of from, its outstanding commitments included.
 * value_date LEDGER_TODAY means approved_on.
 */
struct ledger_transfer {
	char		from[LEDGER_CODE_MAX];
	char		to[LEDGER_CODE_MAX];
	cents_t		amount;		/* 0 with whole_balance */
	int		whole_balance;
	char		paper_ref[LEDGER_REF_MAX];
	int		approved_on;
	int		value_date;
	char		narrative[LEDGER_TEXT_MAX];
};

/* A project's line in the sub-ledger (all zero if it has none). */
struct ledger_project {
	int64_t		project_id;
	char		account[LEDGER_CODE_MAX];	/* commitments */
	char		subhead[LEDGER_CODE_MAX];	/* its subhead */
	cents_t		committed;	/* commitments, net of reversals */
	cents_t		released;
	cents_t		paid;
	cents_t		refunded;
	cents_t		outstanding;	/* committed - released - paid */
	int		last_value_date;	/* -1 if none */
};

/* GET /api/v1/ledger/entries filters; ledger_filter_init() clears them. */
struct ledger_filter {
	char		account[LEDGER_CODE_MAX];	/* "" = any */
	int		kind;				/* -1 = any */
	char		paper_ref[LEDGER_REF_MAX];	/* "" = any */
	int64_t		project_id;			/* 0 = any */
	int		from;				/* -1 = open */
	int		to;				/* -1 = open */
	int		limit;				/* 1..LEDGER_PAGE_MAX */
	int64_t		offset;
	int		ascending;			/* else newest first */
};

/* What ledger_verify() found; all zero means every invariant holds. */
struct ledger_check {
	int64_t		entries;	/* entries checked */
	int64_t		unbalanced;	/* lines do not sum to 0 */
	int64_t		short_entries;	/* fewer than 2 lines */
	int64_t		stale_balances;	/* balance_cents != postings */
	int64_t		negative_now;	/* restricted, below zero */
	int64_t		negative_dated;	/* ... as of some day */
	int64_t		clearing_open;	/* clearing not nil in an entry */
	int64_t		project_mismatch; /* sub-ledger != postings */
	int64_t		project_negative; /* overdrawn as of some day */
	cents_t		available;	/* Fund's available commitment */
};

/*
 * May actor read the ledger (write 0) or enter injections, openings,
 * transfers and reversals (write 1)?  APP_EFORBIDDEN if not.  Every
 * function below checks for itself; the HTTP layer asks first so that a
 * forbidden request is told so before its body is looked at.
 */
int	ledger_authorise(const struct actor *, int write, struct app_err *);

/* Writes: in the caller's transaction. */
int	ledger_open(struct db *, const struct actor *,
	    const struct ledger_funding *, int64_t *entry_id, struct app_err *);
int	ledger_inject(struct db *, const struct actor *,
	    const struct ledger_funding *, int64_t *entry_id, struct app_err *);
int	ledger_transfer(struct db *, const struct actor *,
	    const struct ledger_transfer *, int64_t *entry_id,
	    struct app_err *);

/*
 * Commit amount for project_id (a project or approved application id of
 * the caller's choosing) against subhead (NULL: the project's current
 * subhead, or H111-101 for a new project).  Refused with APP_ECONFLICT,
 * naming the shortfall, if amount exceeds the subhead's available
 * commitment.  value_date: a day number or LEDGER_TODAY.  narrative may be
 * NULL.  *entry_id (if not NULL) gets the new entry's id.
 */
int	ledger_commit(struct db *, const struct actor *, int64_t project_id,
	    cents_t amount, const char *subhead, int value_date,
	    const char *narrative, int64_t *entry_id, struct app_err *);
/*
 * Release amount (or LEDGER_REMAINDER: all that is outstanding) of the
 * project's commitment back to its subhead: the project ended under
 * budget or was terminated.
 */
int	ledger_release(struct db *, const struct actor *, int64_t project_id,
	    cents_t amount, int value_date, const char *reason,
	    int64_t *entry_id, struct app_err *);
/* Pay amount to the project out of its outstanding commitment. */
int	ledger_pay(struct db *, const struct actor *, int64_t project_id,
	    cents_t amount, int value_date, const char *narrative,
	    int64_t *entry_id, struct app_err *);
/*
 * Record amount refunded by the project (at most what it was paid, net of
 * earlier refunds); the money returns to the subhead that holds the
 * project's commitment, as uncommitted balance.
 */
int	ledger_refund(struct db *, const struct actor *, int64_t project_id,
	    cents_t amount, int value_date, const char *narrative,
	    int64_t *entry_id, struct app_err *);
/*
 * Reverse entry_id with a reason (required): a new entry with every line
 * negated, dated value_date (LEDGER_TODAY: today), not before the
 * original.  An entry is reversed at most once; a reversal is not itself
 * reversed.
 */
int	ledger_reverse(struct db *, const struct actor *, int64_t entry_id,
	    const char *reason, int value_date, int64_t *reversal_id,
	    struct app_err *);

/* Writes: each in a transaction of its own. */
int	ledger_open_tx(struct db *, const struct actor *,
	    const struct ledger_funding *, int64_t *, struct app_err *);
int	ledger_inject_tx(struct db *, const struct actor *,
	    const struct ledger_funding *, int64_t *, struct app_err *);
int	ledger_transfer_tx(struct db *, const struct actor *,
	    const struct ledger_transfer *, int64_t *, struct app_err *);
int	ledger_commit_tx(struct db *, const struct actor *, int64_t, cents_t,
	    const char *, int, const char *, int64_t *, struct app_err *);
int	ledger_release_tx(struct db *, const struct actor *, int64_t, cents_t,
	    int, const char *, int64_t *, struct app_err *);
int	ledger_pay_tx(struct db *, const struct actor *, int64_t, cents_t,
	    int, const char *, int64_t *, struct app_err *);
int	ledger_refund_tx(struct db *, const struct actor *, int64_t, cents_t,
	    int, const char *, int64_t *, struct app_err *);
int	ledger_reverse_tx(struct db *, const struct actor *, int64_t,
	    const char *, int, int64_t *, struct app_err *);

/*
 * Reads.  *out is a new JSON value the caller json_decref()s.
 *   ledger_position: balances as of day (every posting with value date
 *     <= day): {on, accounts[], subheads[], totals{}} (docs/api.md).
 *   ledger_entries_list: {entries[], total, limit, offset, next_offset}.
 *   ledger_entry_get: one entry with its postings; APP_ENOTFOUND.
 *   ledger_accounts_list: {accounts[]}, the chart with current balances.
 */
int	ledger_position(struct db *, const struct actor *, int day, json_t **,
	    struct app_err *);
int	ledger_entries_list(struct db *, const struct actor *,
	    const struct ledger_filter *, json_t **, struct app_err *);
/*
 * The entries as a download (GET /ledger/entries?format=xlsx|csv, see
 * reports/export.h): every entry the filters match in the list's order
 * (limit and offset are not used), one row each with its postings as one
 * text column.  arg is a struct ledger_export, copied into a Kore task.
 */
struct ledger_export {
	enum export_format	 format;
	int			 bom;		/* CSV: UTF-8 byte-order mark */
	struct actor		 actor;
	struct ledger_filter	 f;
	char			 filters[512];	/* for the title block */
};
int	ledger_entries_export(struct db *, const void *arg, const char *path,
	    struct app_err *);
int	ledger_entry_get(struct db *, const struct actor *, int64_t, json_t **,
	    struct app_err *);
int	ledger_accounts_list(struct db *, const struct actor *, json_t **,
	    struct app_err *);
/* The project's sub-ledger line, for the approval and payment code. */
int	ledger_project_get(struct db *, const struct actor *, int64_t,
	    struct ledger_project *, struct app_err *);

/*
 * Check every invariant against the stored postings (tests, itfctl).  Needs
 * a read role.  Returns 1 when the check ran; look at *out for violations.
 */
int	ledger_verify(struct db *, const struct actor *, struct ledger_check *,
	    struct app_err *);
/* 1 if *c reports no violation. */
int	ledger_check_ok(const struct ledger_check *);

/*
 * Request parsing, strict: unknown fields and wrong JSON types are
 * APP_EBADREQ naming the field; missing or refused values APP_EINVAL.
 *   funding:  {amount_cents, paper_ref, approved_on, value_date?,
 *              narrative?} plus "subhead" (injections, optional) or
 *              "account" (openings, required); is_opening picks which.
 *   transfer: {from, to, amount_cents | whole_balance: true, paper_ref,
 *              approved_on, value_date?, narrative?}
 *   reverse:  {reason, value_date?}
 */
int	ledger_funding_from_json(const json_t *, int is_opening,
	    struct ledger_funding *, struct app_err *);
int	ledger_transfer_from_json(const json_t *, struct ledger_transfer *,
	    struct app_err *);
int	ledger_reverse_from_json(const json_t *, char *reason, size_t,
	    int *value_date, struct app_err *);

void	ledger_filter_init(struct ledger_filter *);
/* Set one filter from a query parameter; APP_EBADREQ / APP_EINVAL. */
int	ledger_filter_set(struct ledger_filter *, const char *name,
	    const char *value, struct app_err *);

const char	*ledger_kind_name(enum ledger_kind);
int		 ledger_kind_parse(const char *, enum ledger_kind *);

#endif
