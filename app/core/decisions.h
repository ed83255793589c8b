/*
 * decisions.h: what comes of a panel's assessment: the panel's
 * recommendation, the Ministry of Science and Technology's assessment
 * (MHKJFS), the approving officer's decision, and the status changes
 * under_assessment -> recommended / not_recommended -> approved /
 * rejected (design.md section 2; docs/api.md, "Panels and decisions").
 * Owns recommendations, partner_assessments and decisions
 * (migrations/0006_panels.sql); panels.h has the panels, meetings,
 * declarations and scores this builds on, and the roles overview.
 *
 * The status changes are rows of the applications state table
 * (applications.c); this file decides who may take them (the chair,
 * conflicts, quorum, authority, separation of duties) and takes them with
 * applications_transition_tx().  Every change runs in one db_tx_run()
 * with its audit rows; a refusal writes nothing.  JSON outputs are new
 * references the caller json_decref()s.
 */
#ifndef ITF_DECISIONS_H
#define ITF_DECISIONS_H

#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "applications.h"
#include "db.h"
#include "errors.h"
#include "money.h"
#include "schemes.h"

enum decisions_rec {
	DECISIONS_SUPPORT,
	DECISIONS_SUPPORT_WITH_CONDITIONS,
	DECISIONS_NOT_SUPPORT
};

/* MOST's assessment as decisions_outcome() sees it. */
enum decisions_partner {
	DECISIONS_PARTNER_NONE = -1,	/* not yet recorded */
	DECISIONS_PARTNER_NOT_SUPPORTED = 0,
	DECISIONS_PARTNER_SUPPORTED = 1
};

/*
 * A parsed recommendation body: reasons and conditions (NULL unless
 * support_with_conditions) are borrowed from it; recommended_cents is -1
 * when not supported.
 */
struct decisions_recommendation {
	enum decisions_rec	 rec;
	const char		*reasons;
	const char		*conditions;
	cents_t			 recommended_cents;
};

/*
 * Pure functions (no database), also used by tests/unit/test_panels.c.
 */

/*
 * Parse a recommendation body {recommendation, reasons, conditions?,
 * recommended_cents?} for an application requesting requested_cents:
 * conditions are required with, and refused without,
 * support_with_conditions; recommended_cents only with it, 1..requested
 * (default the request).  out borrows strings from in.
 */
int	decisions_recommendation_from_json(const json_t *in,
	    cents_t requested_cents, struct decisions_recommendation *out,
	    struct app_err *);
const char	*decisions_rec_name(enum decisions_rec);
int		 decisions_rec_parse(const char *, enum decisions_rec *);
/*
 * The status a recommendation leads to: not_support -> not_recommended;
 * support (with or without conditions) -> recommended, except that a
 * scheme with partner_required (MHKJFS) needs the partner's assessment
 * first (APP_ESTATE naming "partner_assessment") and MOST not supporting
 * gives not_recommended.
 */
int	decisions_outcome(int partner_required, enum decisions_partner,
	    enum decisions_rec, enum application_status *to, struct app_err *);
/*
 * May an approver whose authority is authority_cents decide an amount?
 * APP_EFORBIDDEN naming "authority_cents" and both amounts in HK$ if not.
 */
int	decisions_authority_check(cents_t authority_cents, cents_t amount,
	    struct app_err *);
/*
 * The scheme's caps at approval (rule version r, the one the application
 * was judged by): amount against max_cents / per_project_cap_cents /
 * per_deal_cap_cents, prior_cents + amount against per_applicant_cap_cents
 * / per_company_cap_cents / per_institution_annual_cap_cents,
 * prior_projects against max_projects, prior_heads + heads against
 * max_heads.  The priors are the organisation's approved projects under
 * the scheme (in the cap's period).  APP_ECONFLICT naming the cap.
 */
int	decisions_caps_check(const struct scheme_rules *r, cents_t amount,
	    cents_t prior_cents, int64_t prior_projects, int64_t prior_heads,
	    int64_t heads, struct app_err *);

/*
 * POST /applications/{id}/recommendation: the panel's chair (not
 * conflicted) or an officer on the panel's behalf, while the application
 * is under assessment and once a quorum of unconflicted members has
 * scored every criterion (APP_ESTATE naming "quorum" otherwise).  Moves
 * the application to recommended or not_recommended (decisions_outcome())
 * and tells its organisation the outcome (not the reasons).  *out: as
 * decisions_assessment_json().
 */
int	decisions_recommend(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t app_id, const json_t *body,
	    json_t **out, struct app_err *);
/*
 * POST /applications/{id}/partner-assessment {supported, reference,
 * assessed_on, notes?}: officers, schemes with partner_assessment
 * (MHKJFS; others APP_EINVAL naming "scheme"), under_assessment, once
 * (APP_ECONFLICT).  Not supported moves the application to not_recommended
 * at once: either side not supporting ends it.
 */
int	decisions_partner_assessment(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t app_id, const json_t *body,
	    json_t **out, struct app_err *);
/*
 * GET /applications/{id}/recommendation: {application, partner_assessment,
 * recommendation, decision}, each null until recorded.  Staff; members of
 * the item's meeting (panels_member_may_read()); the application's own
 * applicant, who sees the recommendation's outcome only and the decision
 * with its reasons but not who took it.
 */
int	decisions_assessment_json(struct db *, const struct actor *,
	    int64_t app_id, json_t **out, struct app_err *);
/*
 * POST /applications/{id}/decision {decision: approve | reject, reasons}.
 * An approver holding authority for the amount (the recommended amount,
 * or the request when not recommended); not the officer who screened it
 * (field "screened_by"), nor a member who declared a conflict on it
 * (field "conflict"): APP_EFORBIDDEN.  A not recommended application can
 * only be rejected.  Approval, in the same transaction: locks the
 * organisation, re-checks the caps (decisions_caps_check() over its
 * approved projects), commits the amount in the ledger (ledger_commit()),
 * moves the application to approved.  Rejection moves it to rejected.
 * Either way the organisation is notified with the outcome and the
 * reasons.  *out: as decisions_assessment_json().
 */
int	decisions_record(struct db *, const struct scheme_set *,
	    const struct actor *, int64_t app_id, const json_t *body,
	    json_t **out, struct app_err *);

#endif
