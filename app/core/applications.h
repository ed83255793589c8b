/*
 * applications.h: funding applications, from draft to under assessment
 * (design.md section 2, "Application lifecycle"; docs/api.md,
 * "Applications").
 *
 * An application belongs to one organisation and one scheme.  Its content
 * is a title, a summary, a project period, budget lines, milestones and the
 * scheme-specific fields the definition's application_fields name.  The
 * government contribution is never typed in: submission computes it with
 * the scheme's funding model (funding.h) on the rule version in force on
 * the submission date, inside the transaction that holds the
 * organisation's lock, so cumulative caps cannot be overrun by concurrent
 * submissions.
 *
 * Status changes go through one table (application_transitions[] in
 * applications.c): {from, to, action, roles}.  Every change runs in one
 * transaction with an application_events row, an audit row and, when it
 * concerns them, notifications to the organisation's users.
 *
 * The later moves are in the same table: under_assessment -> recommended /
 * not_recommended (the panel's chair or an officer, decisions.c), ->
 * approved / rejected (an approver, decisions.c), approved ->
 * agreement_signed (the organisation or an officer signing the project's
 * agreement, projects_db.c).  Those resources decide the finer rules
 * (chair, quorum, conflicts, authority) and then take the move with
 * applications_transition_tx().
 *
 * Who may do what is decided here, never in the HTTP layer:
 *	applicant	creates, reads, edits, submits and withdraws the
 *			applications of its own organisation; another
 *			organisation's application reads as APP_ENOTFOUND
 *	officer		reads and lists all, screens, sees duplicates; may not
 *			screen an application of its own organisation
 *	auditor		reads and lists all; every change is APP_EFORBIDDEN
 *	approver	reads and lists the applications waiting for a
 *			decision or decided (application_status_decidable():
 *			recommended, not_recommended, approved, rejected,
 *			agreement_signed); others are APP_EFORBIDDEN, or left
 *			out of the list
 *	panel_member	reads (GET by id or reference) an application on the
 *			agenda of a meeting it takes part in, unless it declared
 *			a conflict (panels_member_may_read(): 404 / 403)
 *	others		APP_EFORBIDDEN
 *
 * All functions return 1 on success, 0 with err set.  JSON outputs are new
 * references the caller json_decref()s.
 */
#ifndef ITF_APPLICATIONS_H
#define ITF_APPLICATIONS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "db.h"
#include "errors.h"
#include "export.h"
#include "funding.h"
#include "money.h"
#include "schemes.h"

#define APPLICATION_TITLE_MAX		200	/* characters */
#define APPLICATION_SUMMARY_MAX		5000
#define APPLICATION_NOTE_MAX		2000
#define APPLICATION_LINES_MAX		100
#define APPLICATION_LINE_DESC_MAX	500
#define APPLICATION_MILESTONES_MAX	50
#define APPLICATION_DELIVERABLES_MAX	2000
#define APPLICATION_FIELD_STRING_MAX	200	/* string without max_length */
#define APPLICATION_FIELD_TEXT_MAX	4000	/* text without max_length */
#define APPLICATION_LIST_MAX		100	/* page size limit */
#define APPLICATION_LIST_DEFAULT	50
#define APPLICATION_REF_MAX		24	/* "PREFIX/NNNN/YY" + NUL */

enum application_status {
	APPLICATION_DRAFT,
	APPLICATION_SUBMITTED,
	APPLICATION_SCREENING,
	APPLICATION_RETURNED,
	APPLICATION_RESUBMITTED,
	APPLICATION_UNDER_ASSESSMENT,
	APPLICATION_RECOMMENDED,
	APPLICATION_NOT_RECOMMENDED,
	APPLICATION_APPROVED,
	APPLICATION_AGREEMENT_SIGNED,	/* the project's agreement is signed */
	APPLICATION_REJECTED,
	APPLICATION_WITHDRAWN,
	APPLICATION_NSTATUS
};

enum application_action {
	APPLICATION_ACT_SUBMIT,		/* draft -> submitted */
	APPLICATION_ACT_START_SCREENING, /* (re)submitted -> screening */
	APPLICATION_ACT_RETURN,		/* screening -> returned */
	APPLICATION_ACT_RESUBMIT,	/* returned -> resubmitted */
	APPLICATION_ACT_ACCEPT,		/* screening -> under_assessment */
	APPLICATION_ACT_WITHDRAW,	/* before approval -> withdrawn */
	/* Taken by other resources through applications_transition_tx(). */
	APPLICATION_ACT_RECOMMEND,	/* under_assessment -> recommended */
	APPLICATION_ACT_NOT_RECOMMEND,	/* ... -> not_recommended */
	APPLICATION_ACT_APPROVE,	/* recommended -> approved */
	APPLICATION_ACT_REJECT,		/* (not_)recommended -> rejected */
	APPLICATION_ACT_SIGN,		/* approved -> agreement_signed */
	APPLICATION_NACTION
};

/* The actions of the applications endpoints themselves (allowed_actions). */
#define APPLICATION_NACTION_OWN		(APPLICATION_ACT_WITHDRAW + 1)

/* One row of the state table. */
struct application_transition {
	enum application_status	 from;
	enum application_status	 to;
	enum application_action	 action;
	unsigned		 roles;		/* enum role bits, any of */
	int			 note_required;	/* a reason must be given */
	const char		*notify;	/* notification kind, or NULL */
};

extern const struct application_transition	application_transitions[];
extern const size_t				application_ntransitions;

/* A loaded application: what other resources need (panels, agreements). */
struct application {
	int64_t			 id;
	int64_t			 org_id;
	char			 org_name_en[256];
	char			 org_type[16];
	char			 scheme[16];		/* scheme code */
	enum application_status	 status;
	char			 reference[APPLICATION_REF_MAX]; /* or "" */
	char			 title[4 * APPLICATION_TITLE_MAX + 1];
	int			 submitted_on;		/* day, -1 if none */
	int			 start_date;		/* day, -1 if none */
	int			 end_date;		/* day, -1 if none */
	cents_t			 total_cost_cents;
	cents_t			 requested_cents;	/* -1 until submitted */
	char			 rule_version[64];	/* "" until submitted */
	int			 version;
};

/* List filters; zero / NULL / -1 means "any". */
struct application_filter {
	const char	*scheme;	/* code, any case */
	unsigned	 statuses;	/* bits 1 << application_status */
	int64_t		 org_id;
	int		 submitted_from;	/* day or -1 */
	int		 submitted_to;		/* day or -1 */
	const char	*reference;
	int64_t		 before_id;	/* keyset cursor: ids below this */
	int		 limit;		/* 1..APPLICATION_LIST_MAX */
};

/*
 * Names and the state table (pure).
 */
const char	*application_status_name(enum application_status);
int		 application_status_parse(const char *,
		    enum application_status *);
const char	*application_action_name(enum application_action);
int		 application_action_parse(const char *,
		    enum application_action *);
/* The row for action from status from, or NULL if the move is illegal. */
const struct application_transition *application_transition_find(
		    enum application_status from, enum application_action);
/*
 * Does actor hold a role that may ever take action (APP_EFORBIDDEN;
 * auditors are told they only read)?  No record needed.
 */
int	application_may_act(const struct actor *, enum application_action,
	    struct app_err *);
/*
 * May actor take action on an application of org_id now in status from?
 * Checks, in order: the action's roles (application_may_act()), that actor
 * may see it (APP_ENOTFOUND for another organisation's applicant), the
 * organisation (applicants act on their own, officers never on their own:
 * APP_EFORBIDDEN), and the table (APP_ESTATE naming the current status).
 * For the later actions (recommend .. sign) the calling resource has
 * decided who may see the application; this checks the roles, that an
 * applicant signs for its own organisation (APP_ENOTFOUND), that staff
 * never act on their own organisation's application (APP_EFORBIDDEN), and
 * the table.  *t gets the row.
 */
int	application_may(const struct actor *, int64_t org_id,
	    enum application_status from, enum application_action,
	    const struct application_transition **t, struct app_err *);
/*
 * May actor read an application of org_id whatever its status
 * (APP_ENOTFOUND/APP_EFORBIDDEN)?  Applicants (their organisation's),
 * officers, auditors.
 */
int	application_may_read(const struct actor *, int64_t org_id,
	    struct app_err *);
/*
 * May actor read an application of org_id now in status st?  As
 * application_may_read(), and approvers those whose status is decidable
 * (APP_EFORBIDDEN naming "status" for the others).  Panel members are
 * panels.c's to decide (panels_member_may_read()).
 */
int	application_may_view(const struct actor *, int64_t org_id,
	    enum application_status st, struct app_err *);
/* May actor list applications at all (APP_EFORBIDDEN)?  Approvers list
 * the decidable ones only. */
int	application_may_list(const struct actor *, struct app_err *);
/* Does an application in this status count against cumulative caps
 * (pending or approved: submitted .. approved and agreement_signed, not
 * withdrawn, not recommended or rejected)? */
int	application_status_committed(enum application_status);
/* Is it waiting for an approver's decision, or decided (recommended,
 * not_recommended, approved, rejected, agreement_signed)?  What approvers
 * read. */
int	application_status_decidable(enum application_status);
/* Statuses an application may still be edited in (draft, returned). */
int	application_status_editable(enum application_status);
/*
 * May actor edit an application of org_id in status st?  Applicants of
 * the organisation, in draft or returned (APP_ESTATE otherwise); the same
 * APP_ENOTFOUND / APP_EFORBIDDEN answers as application_may().
 */
int	application_may_edit(const struct actor *, int64_t org_id,
	    enum application_status st, struct app_err *);
/* A reason or note: NULL allowed unless required; at most
 * APPLICATION_NOTE_MAX characters; APP_EINVAL naming field. */
int	application_note_check(const char *note, int required,
	    const char *field, struct app_err *);

/*
 * Content: {title, summary, start_date, end_date, budget_lines,
 * milestones, fields}, validated against scheme s (pure, no database).
 */

/*
 * Apply a create or PATCH body to content (an object, changed in place):
 * each known key is checked for JSON type (APP_EBADREQ) and value
 * (APP_EINVAL) and set, null clears an optional key, "fields" merges key by
 * key (null removes one).  Keys in skip (NULL-terminated, may be NULL) are
 * left to the caller; any other unknown key is APP_EBADREQ naming it.
 * Errors name the field: "title", "budget_lines[2].amount_cents",
 * "fields.talents[0].months".
 */
int	application_content_apply(const struct scheme *, json_t *content,
	    const json_t *in, const char *const *skip, struct app_err *);
/*
 * Cross-field checks: end after start, milestone due dates within the
 * period, the budget total within int64.  With submission set, also what
 * a submission needs: title, summary and period present, the period within
 * the scheme's max_months, budget lines when the funding model works on
 * them, milestones when the scheme pays by milestones, and the required
 * scheme fields (and required item fields of lists).
 */
int	application_content_check(const struct scheme *, const json_t *content,
	    int submission, struct app_err *);
/*
 * Check one scheme-specific value against its definition (an element of
 * application_fields).  path names it in errors ("fields.talents").
 */
int	application_field_check(const json_t *def, const json_t *value,
	    int submission, const char *path, struct app_err *);
/* The date member key ("start_date", ...) of an object as a day, or -1. */
int	application_content_date(const json_t *, const char *key);
/* Sum of the budget lines' amount_cents (0 and APP_EINVAL on overflow). */
int	application_budget_total(const json_t *content, cents_t *total,
	    struct app_err *);
/* Last day a period of months starting on start may end on. */
int	application_period_last_day(int start, int64_t months);

/*
 * Eligibility on day: the organisation type among eligible_applicants, and
 * the scheme accepting applications (a rule version in force; a merged or
 * closed scheme without a closing date accepts none).  *r gets the
 * version.  APP_EINVAL naming "org_type" or "scheme".
 */
int	application_eligible(const struct scheme *, const char *org_type,
	    int day, const struct scheme_rules **r, struct app_err *);
/*
 * The funding model's input from content: the eligible cost is the budget
 * total for grant, matching and block_grant, and the scheme's first
 * required cents field for rebate and co_investment (CRS's audited
 * expenditure, ITVF's partner investment; the budget total if none); the
 * allowance model reads the first list field whose items have "months"
 * (RTH talents, STEM interns), one person an item, by "qualification" when
 * the items have it.  talents must hold room for as many items as that list
 * has (application_talent_count()).  *basis_field gets the field the cost
 * came from ("budget_lines", "fields.audited_expenditure_cents", ...).
 */
size_t	application_talent_count(const struct scheme *, const json_t *content);
int	application_funding_input(const struct scheme *, const json_t *content,
	    struct funding_input *, struct funding_talent *talents,
	    const char **basis_field, struct app_err *);
/*
 * Split government_cents over the budget lines in proportion to their
 * amounts, rounding down and giving the remainder to the last line with
 * room, never more than a line's amount.  gov[i] for amounts[i].
 */
int	application_allocate(const cents_t *amounts, size_t n,
	    cents_t government_cents, cents_t *gov);
/* What an organisation already holds against a scheme's caps. */
struct application_priors {
	cents_t		committed_cents;	/* pending + approved */
	int64_t		projects;		/* their number */
	int64_t		heads;			/* people, overlapping */
};

/* What submission computes. */
struct application_funding {
	struct funding_result	 result;	/* government, applicant, ... */
	cents_t			 basis_cents;	/* -1: none (allowance) */
	int64_t			 heads;		/* people funded */
	json_t			*line_shares;	/* government_cents per line */
};

/*
 * The submission dates whose applications count against r's cumulative
 * caps for one judged on day: the financial year for a matching cap per
 * financial_year and for block grants, else all time (*from = *to = -1).
 */
void	application_cap_window(const struct scheme *,
	    const struct scheme_rules *, int day, int *from, int *to);
/*
 * Compute the government contribution of content on rule version r given
 * the organisation's priors (funding_compute()), naming the application's
 * fields in errors ("budget_lines", "fields.talents[1].months") and the
 * caps by their parameter ("per_applicant_cap_cents", "max_projects"), and
 * split it over the budget lines.  out->line_shares is a new array the
 * caller json_decref()s.
 */
int	application_compute(const struct scheme *, const struct scheme_rules *,
	    const json_t *content, const struct application_priors *,
	    struct application_funding *out, struct app_err *);
/* "TVP/0001/21"; 0 if it does not fit. */
int	application_reference_format(const char *prefix, int year, int seq,
	    char *buf, size_t len);
/* The Hong Kong date submissions are stamped with: ITF_FAKE_TODAY
 * (YYYY-MM-DD, tests and demonstrations only) if set, else today. */
int	application_today(void);

/*
 * Database operations.  Each change runs in its own db_tx_run() unless
 * the name ends in _tx (those run inside the caller's transaction).
 */

/*
 * Create a draft for the actor's organisation from body {scheme, title,
 * ...}.  *out is the new application's JSON (as applications_get_json).
 */
int	applications_create(struct db *, const struct scheme_set *,
	    const struct actor *, const json_t *body, json_t **out,
	    struct app_err *);
/* PATCH a draft or returned application; body may name "version". */
int	applications_update(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t id, const json_t *body, json_t **out,
	    struct app_err *);
/*
 * Submit (a draft) or resubmit (a returned application) on day (normally
 * application_today()).  A first submission is judged on day and gets the
 * next reference; a resubmission keeps its reference and is judged again
 * on its first submission date.  The request is (re)computed under the
 * organisation's lock.
 */
int	applications_submit(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t id, int day, json_t **out,
	    struct app_err *);
/*
 * Screening: decision "start" (submitted/resubmitted -> screening),
 * "accept" (-> under_assessment) or "return" (-> returned, note
 * required).  accept and return on a submitted or resubmitted application
 * pass through screening first, recorded as its own event.
 */
int	applications_screen(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t id, const char *decision,
	    const char *note, json_t **out, struct app_err *);
/* Withdraw (applicant, any state before approval); reason may be NULL. */
int	applications_withdraw(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t id, const char *reason, json_t **out,
	    struct app_err *);

/*
 * The whole application with its history and the actor's next actions.
 * History entries name the actor only for officers and auditors.
 */
int	applications_get_json(struct db *, const struct actor *, int64_t id,
	    json_t **out, struct app_err *);
int	applications_get_by_reference_json(struct db *, const struct actor *,
	    const char *reference, json_t **out, struct app_err *);
/* {"applications": [...], "limit": n, "next_cursor": "id" or null}. */
int	applications_list_json(struct db *, const struct actor *,
	    const struct application_filter *, json_t **out, struct app_err *);
/*
 * The list as a download (GET /applications?format=xlsx|csv, see
 * reports/export.h): every row the list's filters match, newest first,
 * with the list's visibility (an applicant its own organisation's, an
 * approver the decidable ones), no page.  arg is a struct
 * applications_export, copied into a Kore task, so it holds no pointer;
 * filters is the text the workbook's title block shows ("" for none).
 */
struct applications_export {
	enum export_format	 format;
	int			 bom;		/* CSV: UTF-8 byte-order mark */
	struct actor		 actor;
	char			 scheme[16];	/* "" = any */
	unsigned		 statuses;	/* bits, 0 = any */
	int64_t			 org_id;	/* 0 = any */
	int			 submitted_from;	/* day or -1 */
	int			 submitted_to;		/* day or -1 */
	char			 reference[APPLICATION_REF_MAX]; /* "" = any */
	char			 filters[512];
};
int	applications_export(struct db *, const void *arg, const char *path,
	    struct app_err *);
/*
 * Possible duplicate funding (officers): the organisation's other
 * applications and projects, and applications of any scheme with a similar
 * title or summary (pg_trgm), each with scheme, reference and status.
 */
int	applications_duplicates_json(struct db *, const struct actor *,
	    int64_t id, json_t **out, struct app_err *);

/*
 * For other resources (panels, approvals, agreements).
 */

/*
 * Load application id as actor may see it (APP_ENOTFOUND otherwise);
 * with lock, SELECT ... FOR UPDATE (inside the caller's transaction).
 */
int	applications_load(struct db *, const struct actor *, int64_t id,
	    int lock, struct application *, struct app_err *);
/*
 * Inside the caller's transaction, on an application loaded with lock:
 * check the move with application_may(), then change the status (guarded
 * by the status app was loaded in: APP_ESTATE if it moved meanwhile),
 * write the event (action name, from, to, note), the audit row
 * ("application.<action>", status before and after, note as the reason)
 * and the table row's notification, if any.  approved and rejected stamp
 * decided_at.  note is limited to APPLICATION_NOTE_MAX characters
 * (APP_EINVAL naming "note").  app is updated.  decisions.c (recommend,
 * not_recommend, approve, reject) and projects_db.c (sign) move
 * applications this way; submissions go through applications_submit().
 */
int	applications_transition_tx(struct db *, const struct actor *,
	    struct application *, enum application_action, const char *note,
	    struct app_err *);
/*
 * Inside the caller's transaction: lock the organisation's row (SELECT ...
 * FOR UPDATE), serialising every submission and approval that counts
 * against its cumulative caps.  *org_type (if not NULL, 16 bytes) gets its
 * type.  APP_ENOTFOUND if there is no such organisation.
 */
int	applications_lock_org_tx(struct db *, int64_t org_id, char *org_type,
	    struct app_err *);
/*
 * Inside the caller's transaction (after applications_lock_org_tx()): what
 * org_id already has committed to scheme (pending or approved), leaving out
 * application exclude_id; only submissions from from_day to to_day when
 * from_day >= 0.  heads counts people whose projects overlap
 * [start, end] (both -1: all).
 */
int	applications_committed_tx(struct db *, int64_t org_id,
	    const char *scheme, int64_t exclude_id, int from_day, int to_day,
	    int start, int end, cents_t *sum, int64_t *count, int64_t *heads,
	    struct app_err *);

#endif
