/*
 * projects.h: approved projects and their funding agreements, milestones
 * and payment tranches, progress reports, variations, suspension,
 * termination and close-out (design.md section 2, "Agreements and
 * milestone-gated payment"; FCR(2021-22)22 paras 30-31; docs/api.md,
 * "Projects and payments").  Payments themselves: payments.h.
 * Tables: migrations/0007_projects.sql.
 *
 *	projects.c		pure rules: tranche plans and splits, surplus,
 *				file sniffing, names (tests/unit/
 *				test_projects.c)
 *	projects_db.c		creation on approval, reads, the schedule before
 *				signing, signing, suspension, termination,
 *				close-out and refunds
 *	projects_reports.c	progress reports, audited accounts, uploads
 *	projects_variations.c	variations and the new agreement versions
 *
 * A project's id is its application's id, which is also the project_id of
 * its commitment in the ledger.
 *
 * Life of a project:
 *	awaiting_signature: created in the approval transaction from the
 *	    application's budget, period and milestones; an officer may adjust
 *	    the milestones, their tranche shares and the initial payment;
 *	-> active: signed by the organisation's applicant user (or recorded
 *	    by an officer from a paper signature); the initial tranche, if any,
 *	    is unlocked; the application moves to agreement_signed;
 *	active <-> suspended: an officer suspends with a reason, which blocks
 *	    every payment until resumed (FCR(2021-22)22 para 31);
 *	active -> refund_due -> closed, or active -> closed: close-out after
 *	    the final report and audited accounts are accepted;
 *	awaiting_signature / active / suspended -> terminated: the unpaid
 *	    commitment is released.
 *
 * Payment holds, computed from today's date on every read and every
 * payment (never by a job): the project is suspended, or a milestone is past
 * its due date and no report for it has been received (submitted or
 * accepted).
 *
 * Who may do what (decided here, never in HTTP):
 *	applicant	reads its own organisation's projects (another's read as
 *			APP_ENOTFOUND); signs; submits reports; requests
 *			variations
 *	officer		reads all; adjusts the schedule before signing; records
 *			a signature; accepts and returns reports; decides
 *			variations; suspends, resumes, terminates, closes;
 *			records refunds; prepares payments (payments.h)
 *	approver,	read all; approve payments (payments.h); finance also
 *	finance		records refunds
 *	auditor, admin	read all; every change is APP_EFORBIDDEN
 *	others		APP_EFORBIDDEN
 *
 * Every change runs in one db_tx_run() with its audit row (and its ledger
 * entry where money moves); a refusal writes nothing.  Unknown or ill-typed
 * JSON fields are APP_EBADREQ naming the field; refused values APP_EINVAL
 * naming it; a move the state does not allow APP_ESTATE.  JSON outputs are
 * new references the caller json_decref()s.
 */
#ifndef ITF_PROJECTS_H
#define ITF_PROJECTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "db.h"
#include "errors.h"
#include "export.h"
#include "money.h"
#include "schemes.h"

#define PROJECT_BP_FULL		10000
#define PROJECT_MILESTONES_MAX	50
#define PROJECT_LINES_MAX	100
#define PROJECT_TITLE_MAX	200	/* milestone titles, characters */
#define PROJECT_DELIVERABLES_MAX 2000
#define PROJECT_TEXT_MAX	4000	/* reasons and notes */
#define PROJECT_NOTE_MAX	2000	/* a note on signing */
#define PROJECT_REPORT_MAX	20000	/* a report's text */
#define PROJECT_FILENAME_MAX	200
#define PROJECT_UPLOAD_MAX	(5 * 1024 * 1024)	/* bytes */
#define PROJECT_LIST_MAX	100
#define PROJECT_LIST_DEFAULT	50
#define PROJECT_REF_MAX		24
#define PROJECT_UPLOAD_DIR	"var/uploads"	/* default, under the root */

enum project_status {
	PROJECT_AWAITING_SIGNATURE,
	PROJECT_ACTIVE,
	PROJECT_SUSPENDED,
	PROJECT_REFUND_DUE,
	PROJECT_CLOSED,
	PROJECT_TERMINATED,
	PROJECT_NSTATUS
};

/* A project row, as the other core files need it. */
struct project {
	int64_t				 id;
	int64_t				 org_id;
	char				 scheme[16];
	char				 rule_version[64];
	char				 reference[PROJECT_REF_MAX];
	enum project_status		 status;
	enum scheme_payment_pattern	 pattern;
	int				 initial_max_bp;
	int				 final_min_bp;
	int				 initial_bp;
	cents_t				 approved_cents;
	cents_t				 government_cents;
	cents_t				 applicant_cents;
	cents_t				 total_cost_cents;
	int				 start_date;
	int				 end_date;
	int				 agreement_version;
	int				 is_signed;	/* signed_at set */
	int				 audited;	/* accounts accepted */
	cents_t				 audited_cost_cents;
	cents_t				 interest_cents;
	cents_t				 refund_due_cents;
	cents_t				 refunded_cents;
};

/*
 * A payment plan: the initial payment and each milestone's tranche, in
 * basis points of the government contribution.  The last milestone is the
 * final one.
 */
struct project_plan {
	int	 initial_bp;
	int	 bp[PROJECT_MILESTONES_MAX];
	size_t	 n;
};

/* What the close-out computes. */
struct project_surplus {
	cents_t	 share_cents;	/* government share of audited eligible cost */
	cents_t	 surplus_cents;	/* paid - share + interest (may be < 0) */
	cents_t	 refund_due_cents; /* surplus, at least 0, at most paid */
};

/*
 * Pure functions (no database), tested by tests/unit/test_projects.c.
 */

const char	*project_status_name(enum project_status);
int		 project_status_parse(const char *, enum project_status *);
/* Scheme pattern from its name ("milestones"); 0 if unknown. */
int		 project_pattern_parse(const char *,
		    enum scheme_payment_pattern *);

/*
 * The default plan for n milestones (1..PROJECT_MILESTONES_MAX) under a
 * scheme's payment pattern (docs/api.md, "Payment patterns"):
 *	initial_and_completion: initial_max_bp on signing, the rest on the
 *	    final milestone, nothing on the others (TVP, PAG, RTTP);
 *	on_completion, single_rebate: everything on the final milestone
 *	    (RFS, CRS);
 *	every other pattern: a tranche per milestone, the final one at least
 *	    final_min_bp and at least an equal share, the others equal, the
 *	    odd basis points on the final one.
 */
int	projects_plan_default(enum scheme_payment_pattern, size_t n,
	    int initial_max_bp, int final_min_bp, struct project_plan *,
	    struct app_err *);
/*
 * Check a plan: shares 0..10000 summing to exactly 10000 with the initial
 * payment; the initial payment at most initial_max_bp (APP_EINVAL naming
 * "initial_bp"); the final tranche at least final_min_bp and not 0; for
 * on_completion and single_rebate nothing before the final milestone
 * (APP_EINVAL naming "milestones[i].tranche_bp").
 */
int	projects_plan_check(enum scheme_payment_pattern, int initial_max_bp,
	    int final_min_bp, const struct project_plan *, struct app_err *);
/*
 * Split total over n shares bp[] (each >= 0, summing to 10000): each part
 * rounded down, the remainder to the last part, so the parts sum to total
 * exactly.  APP_EINVAL if the shares do not sum to 10000; total >= 0.
 */
int	projects_split(cents_t total, const int *bp, size_t n, cents_t *out,
	    struct app_err *);
/*
 * The plan's tranche amounts for government contribution gov: *initial
 * and amounts[i] for milestone i (0 where the share is 0), summing to gov
 * exactly; the remainder of the rounding goes to the final tranche.
 */
int	projects_plan_amounts(cents_t gov, const struct project_plan *,
	    cents_t *initial, cents_t *amounts, struct app_err *);
/*
 * A lower government contribution total over n tranches (in order, the
 * last being the final one): tranches with fixed[i] set (paid or being
 * paid) keep cur[i]; the rest share what remains in proportion to bp[],
 * rounded down, the remainder to the last of them.  APP_EINVAL naming
 * "government_cents" if total is below the fixed tranches, if the final
 * tranche is fixed and something remains to share, or if the final tranche
 * would fall below final_min_bp of total.
 */
int	projects_rescale(cents_t total, const int *bp, const int *fixed,
	    const cents_t *cur, size_t n, int final_min_bp, cents_t *out,
	    struct app_err *);
/*
 * Close-out (design.md section 2): the government share of the audited
 * eligible cost is audited_cost x government / total_cost of the
 * agreement (the funding model's ratio as approved), rounded down and at
 * most the government contribution (the audited cost itself, capped the
 * same way, when the agreement has no cost basis, e.g. allowances); the
 * surplus is paid - share + interest; the refund due is the surplus, at
 * least 0 and at most paid (the ledger refunds no more than was paid).
 * Amounts must be >= 0 (APP_EINVAL naming the input).
 */
int	projects_surplus(cents_t paid, cents_t government, cents_t total_cost,
	    cents_t audited_cost, cents_t interest, struct project_surplus *,
	    struct app_err *);
/*
 * The media type of an upload from its first bytes, or NULL if it is not
 * one we accept: PDF, PNG, JPEG, ZIP containers (docx, xlsx), or UTF-8
 * text without NUL (CSV, plain text).  *ext gets a file extension for
 * downloads ("pdf").
 */
const char	*projects_sniff(const unsigned char *, size_t,
		    const char **ext);
/* A client file name for display: its last path component, control
 * characters and quotes replaced, at most PROJECT_FILENAME_MAX characters;
 * "" if nothing is left. */
void	projects_display_name(const char *in, char *out, size_t len);

/*
 * The hook for the approval (app/core/decisions.c), INSIDE the approval
 * transaction, after the application has moved to approved and after
 * ledger_commit(db, actor, application_id, approved_cents, ...) has
 * committed the money under project_id = application_id:
 *
 *	projects_create_from_approval(db, actor, app_id, approved_cents, err)
 *
 * creates project application_id awaiting signature: the government
 * contribution approved_cents (at most the request), the applicant's the
 * rest of the total cost, the application's period, budget lines (the
 * government part re-split pro rata) and milestones (one "Project
 * completion" milestone on the end date if it has none), and the tranche
 * plan of the scheme's payment pattern (read from the schemes table, as
 * itfctl schemes load left it), as agreement version 1; audited
 * "project.create"; the organisation is notified.  Refused (so the whole
 * approval rolls back) with APP_EINTERNAL outside a transaction, APP_ESTATE
 * unless the application is approved, APP_ECONFLICT if the project exists
 * or the ledger holds no outstanding commitment of approved_cents for it,
 * APP_EINVAL if approved_cents is not 1..requested.
 */
int	projects_create_from_approval(struct db *, const struct actor *,
	    int64_t application_id, cents_t approved_cents, struct app_err *);

/* List filters; zero / NULL / -1 means any. */
struct project_filter {
	unsigned	 statuses;	/* bits (1 << enum project_status) */
	const char	*scheme;	/* code */
	int64_t		 org_id;
	int		 on_hold;	/* -1 any, 0 payable, 1 held */
	int64_t		 before_id;	/* keyset cursor */
	int		 limit;		/* 1..PROJECT_LIST_MAX */
};

/*
 * GET /projects/{id}: the project with its agreement (current figures,
 * budget lines), milestones (with their reports), tranches (with each
 * one's state: locked, unlocked, prepared, paid), payments, holds (kind,
 * days overdue), variations, refunds, agreement versions, and for staff
 * the ledger's sub-ledger line.
 */
int	projects_get_json(struct db *, const struct actor *, int64_t id,
	    json_t **out, struct app_err *);
/* {"projects": [...], "limit": n, "next_cursor": "id" or null}. */
int	projects_list_json(struct db *, const struct actor *,
	    const struct project_filter *, json_t **out, struct app_err *);
/*
 * The list as a download (GET /projects?format=xlsx|csv, see
 * reports/export.h): every project the filters match, newest first, as
 * the list shows them to actor (an applicant its organisation's), no page.
 * arg is a struct projects_export, copied into a Kore task: no pointers.
 */
struct projects_export {
	enum export_format	 format;
	int			 bom;		/* CSV: UTF-8 byte-order mark */
	struct actor		 actor;
	unsigned		 statuses;	/* bits, 0 = any */
	char			 scheme[16];	/* "" = any */
	int64_t			 org_id;	/* 0 = any */
	int			 on_hold;	/* -1 any */
	char			 filters[512];	/* for the title block */
};
int	projects_export(struct db *, const void *arg, const char *path,
	    struct app_err *);

/*
 * PUT /projects/{id}/milestones {initial_bp?, milestones: [{title,
 * deliverables?, due_date, tranche_bp}]}: officers, awaiting signature.
 * Replaces the schedule (due dates within the period, in order; the last
 * one final; the plan as projects_plan_check()), re-splits the tranches
 * and makes a new agreement version.
 */
int	projects_schedule_set(struct db *, const struct actor *, int64_t id,
	    const json_t *body, json_t **out, struct app_err *);
/*
 * POST /projects/{id}/sign {note?}: the organisation's applicant user, or
 * an officer recording a paper signature.  awaiting_signature -> active;
 * unlocks the initial tranche; moves the application from approved to
 * agreement_signed (applications_transition_tx(), action sign).
 */
int	projects_sign(struct db *, const struct actor *, int64_t id,
	    const char *note, json_t **out, struct app_err *);
/* POST /projects/{id}/suspend {reason}: officers; active -> suspended. */
int	projects_suspend(struct db *, const struct actor *, int64_t id,
	    const char *reason, json_t **out, struct app_err *);
/* POST /projects/{id}/resume {note?}: officers; suspended -> active. */
int	projects_resume(struct db *, const struct actor *, int64_t id,
	    const char *note, json_t **out, struct app_err *);
/*
 * POST /projects/{id}/terminate {reason}: officers; cancels prepared
 * payments and releases the outstanding commitment (ledger_release).
 */
int	projects_terminate(struct db *, const struct actor *, int64_t id,
	    const char *reason, json_t **out, struct app_err *);
/*
 * POST /projects/{id}/close {note?}: officers, an active project whose
 * final report and audited accounts are accepted and with no payment
 * waiting for approval.  Computes the surplus (projects_surplus() on what
 * the ledger says was paid), releases the unpaid commitment, and moves to
 * refund_due (the organisation is told the amount) or closed.
 */
int	projects_close(struct db *, const struct actor *, int64_t id,
	    const char *note, json_t **out, struct app_err *);
/*
 * POST /projects/{id}/refund {amount_cents, reference?}: officers or
 * finance, refund_due; posts ledger_refund and, once the whole refund due
 * is recorded, closes the project.
 */
int	projects_refund(struct db *, const struct actor *, int64_t id,
	    const json_t *body, json_t **out, struct app_err *);
/*
 * POST /projects/{id}/termination-cost {eligible_cost_cents,
 * interest_cents?, note?}: officers, a terminated project whose agreement
 * was signed, once.  The government share of the eligible cost incurred up
 * to termination and the refund due are computed as at close-out
 * (projects_surplus() on what the ledger says was paid); the project moves
 * to refund_due (the organisation is told the amount), or to closed when
 * nothing is due.  The refund is then recorded with projects_refund(),
 * which posts ledger_refund and closes the project.
 */
int	projects_settle_termination(struct db *, const struct actor *,
	    int64_t id, const json_t *body, json_t **out, struct app_err *);

/*
 * Progress reports (projects_reports.c).
 */

/* An uploaded file: its bytes and the client's name (display only). */
struct project_upload {
	const unsigned char	*data;
	size_t			 len;
	const char		*filename;
};

/*
 * POST /projects/{id}/milestones/{seq}/reports: the organisation's
 * applicant, an active or suspended project.  body {kind?: "progress" |
 * "audited_accounts", text, expenditure_cents, audited_cost_cents and
 * interest_cents (audited accounts, final milestone only)}.  file (may be
 * NULL) is sniffed (APP_EINVAL if not an accepted type), limited to
 * PROJECT_UPLOAD_MAX (APP_ETOOLARGE) and stored in upload_dir under a
 * random server-chosen name; it is removed again if the transaction
 * fails.  One report of a kind waits or is accepted at a time
 * (APP_ESTATE).
 */
int	projects_report_submit(struct db *, const struct actor *,
	    const char *upload_dir, int64_t project_id, int milestone_seq,
	    const json_t *body, const struct project_upload *file,
	    json_t **out, struct app_err *);
/*
 * POST /progress-reports/{id}/accept {note?} and /return {note}:
 * officers, a submitted report.  Accepting a milestone's progress report
 * unlocks its tranche; on the final milestone the tranche waits for both
 * the final report and the audited accounts, whose figures are recorded
 * on the project.  Returning notifies the organisation.
 */
int	projects_report_review(struct db *, const struct actor *,
	    int64_t report_id, int accept, const char *note, json_t **out,
	    struct app_err *);
int	projects_report_get_json(struct db *, const struct actor *,
	    int64_t report_id, json_t **out, struct app_err *);
/*
 * The stored file of a report for download: its path under upload_dir,
 * sniffed media type and a download name ("report-12.pdf").
 * APP_ENOTFOUND if the report has none.
 */
int	projects_report_file(struct db *, const struct actor *,
	    const char *upload_dir, int64_t report_id, char *path, size_t,
	    char *type, size_t, char *name, size_t, struct app_err *);

/*
 * Variations (projects_variations.c).
 */

/*
 * POST /projects/{id}/variations {reason, budget_lines?: [{line_no,
 * amount_cents}], end_date?, milestones?: [{seq, title?, deliverables?,
 * due_date?}], government_cents?}: the organisation's applicant, an
 * active project, one open request at a time.
 */
int	projects_variation_request(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t project_id, const json_t *body,
	    json_t **out, struct app_err *);
/*
 * POST /variations/{id}/approve {note?} or /reject {note}: officers.
 * Approval re-checks the request against the project as it is now and
 * makes a new agreement version: a reallocation keeps the total cost and
 * the government contribution; an extension lengthens the period within
 * the scheme's max_months; milestone changes touch only milestones whose
 * report is not yet accepted; a government contribution may only fall
 * (never above the approved amount or the scheme's per-project caps), the
 * unpaid tranches are rescaled and the difference of commitment released
 * in the ledger.
 */
int	projects_variation_decide(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t variation_id, int approve,
	    const char *note, json_t **out, struct app_err *);
int	projects_variations_list_json(struct db *, const struct actor *,
	    int64_t project_id, json_t **out, struct app_err *);

/*
 * Shared with payments.c and the other projects_*.c files.
 */

/* Today's Hong Kong date for holds and due dates (ITF_FAKE_TODAY honoured). */
int	projects_today(void);
/* May actor read a project of org_id?  APP_ENOTFOUND / APP_EFORBIDDEN. */
int	projects_may_read(const struct actor *, int64_t org_id,
	    struct app_err *);
/* Staff who may read everything (not applicants). */
int	projects_is_staff(const struct actor *);
/* May actor list projects and payments (staff; applicants their own
 * organisation's)?  APP_EFORBIDDEN if not. */
int	projects_may_list(const struct actor *, struct app_err *);
/*
 * Load project id as actor may see it; with lock, SELECT ... FOR UPDATE
 * (inside the caller's transaction).  Every change to a project, its
 * tranches and its payments locks this row first.
 */
int	projects_load(struct db *, const struct actor *, int64_t id, int lock,
	    struct project *, struct app_err *);
/*
 * projects_load() of the project of another table's row: sql takes the
 * row's id as $1 and returns its project_id.  No such row, or a project
 * actor may not see, is APP_ENOTFOUND "no such <what>"; with forbidden
 * set, a role without access to projects is told that (APP_EFORBIDDEN)
 * rather than that the row is missing.
 */
int	projects_load_by(struct db *, const struct actor *, const char *sql,
	    int64_t id, int lock, const char *what, const char *forbidden,
	    struct project *, struct app_err *);
/*
 * May the project pay now?  APP_ESTATE naming the hold: not active
 * (suspended, unsigned, closed...), or a milestone report overdue (the
 * message gives the milestone and the days).
 */
int	projects_payable_tx(struct db *, const struct project *,
	    struct app_err *);
/* Inside the caller's transaction: the project's JSON for audit rows. */
json_t	*projects_brief_json(const struct project *);
/* Write the project's next agreement version from its current rows. */
int	projects_snapshot_tx(struct db *, const struct actor *, int64_t id,
	    const char *reason, int64_t variation_id, struct app_err *);
/*
 * Record an accepted report on the milestone (inside the review
 * transaction) and unlock its tranche when its conditions are met.
 * kind "progress" or "audited_accounts" (with the audited figures).
 */
int	projects_milestone_accepted_tx(struct db *, int64_t project_id,
	    int seq, const char *kind, cents_t audited_cost, cents_t interest,
	    struct app_err *);
/* A JSON text member: string of min..max characters (see projects.c). */
int	projects_json_text(const json_t *obj, const char *key, long min,
	    long max, int multiline, const char **out, struct app_err *);
/* A C string as projects_json_text() judges it (NULL is absent). */
int	projects_text_ok(const char *s, const char *field, long min, long max,
	    int multiline, struct app_err *);
/*
 * A note or reason argument as projects_json_text() judges it in a body
 * {key: s}, lines allowed: *out is s, or NULL when s is NULL, empty or
 * (optional, min 0) not UTF-8.
 */
int	projects_text_arg(const char *s, const char *key, long min, long max,
	    const char **out, struct app_err *);
/* A JSON integer member >= 0 (money); absent: *present 0. */
int	projects_json_cents(const json_t *obj, const char *key, int required,
	    cents_t *out, int *present, struct app_err *);
/* Refuse keys of obj not in allowed (NULL-terminated); prefix for errors. */
int	projects_json_only(const json_t *obj, const char *const *allowed,
	    const char *prefix, struct app_err *);
/* Put prefix ("milestones[2].") before err->field. */
void	projects_err_prefix(struct app_err *, const char *prefix);
/* Notify the organisation, in English and Chinese. */
int	projects_notify(struct db *, int64_t org_id, const char *kind,
	    const char *record_type, int64_t record_id, const char *en,
	    const char *zh, struct app_err *);

#endif
