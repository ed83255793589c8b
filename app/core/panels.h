/*
 * panels.h: vetting panels, meetings and their agendas, conflicts of
 * interest, scoring, the panel's recommendation, the Ministry of Science
 * and Technology's assessment (MHKJFS), and the approving officer's
 * decision (design.md section 2, "Vetting panels"; docs/api.md, "Panels
 * and decisions").  Tables: migrations/0006_panels.sql.  panels.c holds the
 * panel's own work (panels, members, meetings, agendas, declarations,
 * scores, the scoresheet); decisions.c (decisions.h) what comes of it (the
 * recommendation, MOST's assessment, the decision, the status changes).
 *
 * The path of an application through here:
 *	under_assessment: an officer puts it on the agenda of a meeting of a
 *	    panel of its scheme; each member whose term covers the meeting
 *	    date declares no conflict or a conflict (with a reason); each
 *	    unconflicted member scores every criterion of the scheme;
 *	-> recommended / not_recommended: when a quorum of unconflicted
 *	    members has scored every criterion, the chair (or an officer on
 *	    the panel's behalf) records support, support with conditions
 *	    (optionally a reduced amount) or not support.  MHKJFS also needs
 *	    MOST's assessment: only an application both support is
 *	    recommended, and MOST not supporting makes it not recommended;
 *	-> approved / rejected: an approver within their financial authority
 *	    decides; approval re-checks the scheme's caps and commits the
 *	    money in the ledger in the same transaction.
 *
 * Who may do what (decided here, never in HTTP):
 *	officer		creates panels and meetings, appoints members, sets
 *			agendas, records MOST's assessment and, on the panel's
 *			behalf, recommendations; reads everything here, with
 *			members' names
 *	panel_member	reads the panels it sits on, their meetings and the
 *			applications on their agendas (panels_member_may_read);
 *			declares, scores; the chair recommends
 *	approver	reads panels, meetings and scoresheets; decides
 *	auditor		reads everything, changes nothing
 *	others		APP_EFORBIDDEN
 *
 * Every change runs in one db_tx_run() with its audit row; a refusal
 * writes nothing.  Unknown or ill-typed JSON fields are APP_EBADREQ naming
 * the field; refused values APP_EINVAL naming it.  JSON outputs are new
 * references the caller json_decref()s.
 */
#ifndef ITF_PANELS_H
#define ITF_PANELS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "applications.h"
#include "db.h"
#include "errors.h"
#include "money.h"
#include "schemes.h"

#define PANEL_NAME_MAX		200	/* characters */
#define PANEL_QUORUM_MAX	50
#define PANEL_VENUE_MAX		200
#define PANEL_TEXT_MAX		4000	/* reasons, conditions, notes */
#define PANEL_REASON_MAX	2000	/* a conflict's reason */
#define PANEL_REF_MAX		100	/* MOST's reference */
#define PANEL_AGENDA_MAX	100	/* applications added at once */
#define PANEL_FULL_BP		10000	/* full marks, in basis points */

/*
 * Pure functions (no database), also used by tests/unit/test_panels.c.
 */

/*
 * One member's weighted total over the n criteria c[] with scores[i] for
 * c[i] (0..max_score), as the exact fraction *num / *den of basis points
 * of full marks: sum over i of scores[i] / c[i].max_score x
 * c[i].weight_bp, written over den = lcm of the max_scores, so num is an
 * integer and nothing is rounded.  APP_EINVAL naming the criterion if a
 * score is out of range; APP_EINTERNAL if den would overflow.
 */
int	panels_weighted(const struct scheme_criterion *c, size_t n,
	    const int *scores, int64_t *num, int64_t *den, struct app_err *);
/* num / den rounded to the nearest integer, halves up (num >= 0, den > 0). */
int64_t	panels_round(int64_t num, int64_t den);
/*
 * The weighted total in whole basis points (0..10000): the exact value
 * of panels_weighted() rounded once, halves up.  Scores of the schemes
 * (weights summing to 10000, max_score 10) give e.g. 7000 for 7/10 on
 * every criterion.
 */
int	panels_weighted_bp(const struct scheme_criterion *c, size_t n,
	    const int *scores, int *bp, struct app_err *);
/*
 * The mean of n members' exact totals nums[i] / den (same den, as
 * panels_weighted() gives for one scheme), in basis points rounded once,
 * halves up.  n must be >= 1.
 */
int	panels_mean_bp(const int64_t *nums, size_t n, int64_t den, int *bp,
	    struct app_err *);
/*
 * Check one score: v must be a JSON integer (APP_EBADREQ) for a criterion
 * of s (APP_EINVAL "... has no criterion ...") within 0..max_score
 * (APP_EINVAL); errors name path ("scores.budget").  *score gets it.
 */
int	panels_score_check(const struct scheme *s, const char *criterion,
	    const json_t *v, const char *path, int *score, struct app_err *);
/*
 * A text field: a JSON string (APP_EBADREQ otherwise) of min..max
 * characters, not only spaces when min > 0, no control characters but
 * line breaks and tabs (APP_EINVAL naming field).  Absent or null: *out
 * NULL, and APP_EINVAL "is required" when min > 0.
 */
int	panels_json_text(const json_t *obj, const char *key, long min,
	    long max, const char **out, struct app_err *);

/*
 * Cut s (valid UTF-8) to at most max characters, never inside a
 * character; a notification's text has a limit (notify.h).
 */
void	panels_utf8_cut(char *s, size_t max);

/*
 * Panels and meetings.
 */

/* POST /panels {scheme, name_en, name_zh, quorum?}: officers. */
int	panels_create(struct db *, const struct scheme_set *,
	    const struct actor *, const json_t *body, json_t **out,
	    struct app_err *);
/* {"panels": [...]}; scheme (code, any case) may be NULL. */
int	panels_list_json(struct db *, const struct actor *,
	    const char *scheme, json_t **out, struct app_err *);
/* A panel with its members (names to staff) and meetings. */
int	panels_get_json(struct db *, const struct actor *, int64_t id,
	    json_t **out, struct app_err *);
/*
 * POST /panels/{id}/members {user_id, role: "chair"|"member",
 * term_from, term_to}: officers.  The user must hold the panel_member
 * role (APP_EINVAL naming user_id otherwise).  Appointing a member again
 * renews the term; appointing a chair makes the previous chair a member.
 * *created is 1 for a new appointment.  *out: the panel.
 */
int	panels_member_appoint(struct db *, const struct actor *,
	    int64_t panel_id, const json_t *body, int *created, json_t **out,
	    struct app_err *);

/* POST /meetings {panel_id, meeting_date, venue?}: officers. */
int	panels_meeting_create(struct db *, const struct actor *,
	    const json_t *body, json_t **out, struct app_err *);
/* The meeting, its panel, quorum, participating members and agenda. */
int	panels_meeting_get_json(struct db *, const struct actor *, int64_t id,
	    json_t **out, struct app_err *);
/*
 * POST /meetings/{id}/agenda {application_ids: [...]}: officers.  Each
 * must be under_assessment, of the panel's scheme and on no agenda yet;
 * a refusal names the application (field "application_ids[i]") and adds
 * none of them.  *out: the agenda.
 */
int	panels_agenda_add(struct db *, const struct actor *, int64_t id,
	    const json_t *body, json_t **out, struct app_err *);
/*
 * GET /meetings/{id}/agenda: the items with each application's summary.
 * A member sees the items of meetings it takes part in, with its own
 * declaration; an item it declared a conflict on shows only the id,
 * reference and the declaration.
 */
int	panels_agenda_json(struct db *, const struct actor *, int64_t id,
	    json_t **out, struct app_err *);
/* GET /meetings/{id}/declarations: staff and the meeting's members. */
int	panels_declarations_json(struct db *, const struct actor *,
	    int64_t id, json_t **out, struct app_err *);
/*
 * GET /meetings/{id}/scoresheet: per application, each unconflicted
 * scorer's scores and weighted total, the mean, the quorum and whether the
 * item can be decided.  Members are named only to officers (others see
 * "Member 1", "Member 2" in a stable order); a member sees no scores of
 * an item it is conflicted on.
 */
int	panels_scoresheet_json(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t id, json_t **out, struct app_err *);

/*
 * The applications read path (GET /api/v1/applications/{id}) calls this
 * for an actor whose only reading role is panel_member: 1 if the
 * application is on the agenda of a meeting of a panel the actor sits on
 * (term covering the meeting date) and the actor has not declared a
 * conflict on it; 0 with APP_EFORBIDDEN when a conflict is declared, or
 * APP_ENOTFOUND when it is on none of the actor's agendas (or the actor is
 * no panel member).
 */
int	panels_member_may_read(struct db *, const struct actor *,
	    int64_t application_id, struct app_err *);

/*
 * Actions on an application.
 */

/*
 * POST /applications/{id}/conflicts {conflict: bool, reason?}: a member
 * taking part in the item's meeting, while the application is
 * under_assessment.  Declaring the same again changes nothing; no conflict
 * may become a conflict (the member's scores for the item are removed),
 * never the reverse (APP_ESTATE).  *out: the declaration.
 */
int	panels_declare(struct db *, const struct actor *, int64_t app_id,
	    const json_t *body, json_t **out, struct app_err *);
/*
 * POST /applications/{id}/scores {scores: {criterion: n, ...}}: a
 * member who declared no conflict, while under_assessment.  A criterion
 * scored again is updated.  *out: the member's scores, whether complete,
 * and the weighted total once complete.
 */
int	panels_score(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t app_id, const json_t *body,
	    json_t **out, struct app_err *);
/*
 * Shared with decisions.c (not for other resources).
 */

/* An application's agenda item as the actor stands to it. */
struct panels_item {
	int64_t		 meeting_id;
	int64_t		 panel_id;
	int		 quorum;
	char		 scheme[16];
	int		 participant;
	int		 chair;
	int		 declared;
	int		 conflict;
};

/* One member's scores of an item: scores[i] for criterion i, -1 if none. */
struct panels_scorer {
	int64_t		 user_id;
	int		*scores;
	int		 complete;
	int64_t		 num;		/* when complete: total num / den */
};

/*
 * The agenda item of application app_id and where actor stands at its
 * meeting: taking part (term covering the date), as the chair, and its
 * declaration.  APP_ENOTFOUND if the application is on no agenda.
 */
int	panels_item_context(struct db *, const struct actor *, int64_t app_id,
	    struct panels_item *, struct app_err *);
/*
 * Every scorer of an item (only unconflicted members can have scores: see
 * the foreign key in 0006), with scores by criterion index of s; complete
 * ones carry their exact weighted total num over panels_scheme_den().
 * Free with panels_scorers_free().
 */
int	panels_item_scorers(struct db *, const struct scheme *s,
	    int64_t meeting_id, int64_t app_id, struct panels_scorer **,
	    size_t *, struct app_err *);
void	panels_scorers_free(struct panels_scorer *, size_t);
/* The common denominator of s's weighted totals (panels_weighted()). */
int	panels_scheme_den(const struct scheme *s, int64_t *den,
	    struct app_err *);
/*
 * Body fields: an integer in min..max, a date (YYYY-MM-DD), a boolean
 * (required).  Absent or null is 1 with *out untouched (-1 for a date)
 * unless required (APP_EINVAL "is required"); a wrong JSON type is
 * APP_EBADREQ, a value out of range APP_EINVAL, each naming key.
 */
int	panels_json_int(const json_t *, const char *key, int required,
	    int64_t min, int64_t max, int64_t *out, struct app_err *);
int	panels_json_date(const json_t *, const char *key, int required,
	    int *day, struct app_err *);
int	panels_json_bool(const json_t *, const char *key, int *out,
	    struct app_err *);
/* The acting user's id as a parameter (NULL for the system actor). */
void	panels_dbp_user(struct db_params *, const struct actor *);
/* Officers, approvers and auditors: they read everything here. */
int	panels_staff(const struct actor *);
/* APP_EFORBIDDEN "only secretariat officers <what>" for anyone else. */
int	panels_officer_only(const struct actor *, const char *what,
	    struct app_err *);
/* APP_EFORBIDDEN when a staff member acts on its own organisation's. */
int	panels_not_own_org(const struct actor *, const struct application *,
	    struct app_err *);

#endif
