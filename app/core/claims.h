/*
 * claims.h: payment claims of the claim-pattern schemes (design.md section
 * 2; docs/api.md, "Claims"; the schemes' payment.pattern):
 *
 *	monthly_claims		RTH, STEM: a month's allowance for some of the
 *				application's talents (interns), each at the
 *				rule version's monthly rate for their
 *				qualification (STEM: the flat rate), for months
 *				inside the project period, at most the talent's
 *				months and the rules' max_months per talent;
 *				one live claim per talent-month
 *	annual_reimbursement	TSSSU: a financial year's actual expenditure,
 *				reimbursed after the year closes, at most the
 *				per-start-up annual cap (the amount is capped),
 *				the organisation's claims of the year at most
 *				the per-institution annual cap, at most
 *				max_years years; one live claim per year.  An
 *				advance (the initial tranche, up to the scheme's
 *				initial_bp, agreed before signing) is recovered
 *				from the claims that follow it
 *	co_investment		ITVF: a deal (the partner's investment and its
 *				date inside the period); the government's share
 *				is gov_share_num / gov_share_den of it, capped
 *				per deal and, over every live deal in the same
 *				investee, per company (deals in one investee are
 *				serialised by an advisory lock on its name; an
 *				organisation's annual claims by its row lock)
 *
 * How claims fit the tranche model: a claim-pattern project keeps its
 * milestones (progress and final reports, audited accounts, holds and
 * close-out work as for every project) but is paid by claims: an accepted
 * claim's payable amount is paid through payments.h with claim_id in place
 * of tranche_id (the same idempotency key, maker-checker approval and
 * ledger posting).  Its initial tranche, if any (TSSSU's advance), is still
 * paid as a tranche.  Its milestone and final tranches are the agreement's
 * schedule only and are not paid once the project has a claim; a project
 * already paid a milestone or final tranche (projects paid before claims
 * existed, the demo seed's replay) takes no claims: one way per project.
 *
 * The government contribution bounds everything: the payable amounts of the
 * live (submitted or accepted) claims plus the live tranche payments never
 * exceed it; a claim that would pass it is refused with APP_ECONFLICT
 * naming the shortfall (field amount_cents).  The ledger's commitment is the
 * second guard (ledger_pay refuses to overdraw it).
 *
 * Who: the organisation's applicant users submit and correct claims of
 * their own organisation's active projects (another organisation's project
 * reads as APP_ENOTFOUND); officers accept or return submitted claims, never
 * one they submitted (APP_EFORBIDDEN, field reviewed_by; the database holds
 * the same); staff read all; auditors and admins change nothing.  A claim is
 * never deleted: a returned claim stays as it was, and is corrected by a
 * new version (claims_resubmit, previous_id) or replaced by a new claim.
 *
 * Every change is one db_tx_run() with its audit row (claim.submit,
 * claim.resubmit, claim.accept, claim.return) and, on review, a notice to
 * the organisation in English and Chinese; the project row is locked first.
 * JSON outputs are new references the caller json_decref()s.
 */
#ifndef ITF_CLAIMS_H
#define ITF_CLAIMS_H

#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "db.h"
#include "errors.h"
#include "money.h"
#include "schemes.h"

#define CLAIM_LIST_MAX		200
#define CLAIM_TALENTS_MAX	100
#define CLAIM_MONTHS_MAX	12	/* months of one monthly claim */

enum claim_status {
	CLAIM_SUBMITTED,
	CLAIM_ACCEPTED,
	CLAIM_RETURNED,
	CLAIM_NSTATUS
};

/* A claim as payments.c needs it. */
struct claim_ref {
	int64_t			id;
	int64_t			project_id;
	enum claim_status	status;
	cents_t			payable_cents;
	int64_t			submitted_by;
	int64_t			reviewed_by;	/* 0 if not reviewed */
	int			version;
	char			kind[16];
	char			period[16];
};

const char	*claim_status_name(enum claim_status);
int		 claim_status_parse(const char *, enum claim_status *);
/* 1 if the pattern is paid by claims (monthly, annual, co-investment). */
int		 claims_pattern(enum scheme_payment_pattern);

/*
 * POST /projects/{id}/claims: the organisation's applicant user, an active
 * claim-pattern project.  body by pattern:
 *	monthly_claims		{month: "YYYY-MM", months?, talents: [n, ...],
 *				 note?} (n: 1-based positions in the
 *				application's list; months: that many
 *				consecutive months from month, default 1)
 *	annual_reimbursement	{fy: "2021-22", expenditure_cents, note?}
 *	co_investment		{investment_date, partner_investment_cents,
 *				 round?, note?}
 * The amount is computed, never typed in.  *out: the claim.
 */
int	claims_submit(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t project_id, const json_t *body,
	    json_t **out, struct app_err *);
/*
 * POST /claims/{id}/resubmit: the same, correcting returned claim id: a
 * new claim, version + 1, previous_id id.  A returned claim is corrected
 * once (APP_ESTATE).
 */
int	claims_resubmit(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t claim_id, const json_t *body,
	    json_t **out, struct app_err *);
/*
 * POST /claims/{id}/accept {note?} and /return {reason}: officers, a
 * submitted claim, not their own.  Acceptance recomputes the advance
 * offset and checks again that the claim fits in what remains; only then
 * is its payable amount payable.
 */
int	claims_review(struct db *, const struct actor *, int64_t claim_id,
	    int accept, const json_t *body, json_t **out, struct app_err *);
int	claims_get_json(struct db *, const struct actor *, int64_t claim_id,
	    json_t **out, struct app_err *);
/*
 * {"claims": [...]} newest first: of one project (project_id > 0) or all
 * the actor may see, optionally of one status (-1 any), at most
 * CLAIM_LIST_MAX.
 */
int	claims_list_json(struct db *, const struct actor *, int64_t project_id,
	    int status, json_t **out, struct app_err *);

/*
 * For payments.c, inside its transaction: the claim (FOR UPDATE with
 * lock), APP_EINVAL naming claim_id if there is none; and how many live
 * (not returned) claims a project has.
 */
int	claims_ref_tx(struct db *, int64_t claim_id, int lock,
	    struct claim_ref *, struct app_err *);
int	claims_live_count_tx(struct db *, int64_t project_id, int64_t *n,
	    struct app_err *);
/*
 * For a variation, inside its transaction (project locked): what the
 * project's government contribution already carries, the live tranche
 * payments plus the payable amounts of its live (not returned) claims,
 * paid or not.  A contribution lowered below it would leave a claim
 * accepted that can never be paid.
 */
int	claims_used_tx(struct db *, int64_t project_id, cents_t *used,
	    struct app_err *);

#endif
