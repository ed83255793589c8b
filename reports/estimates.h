/*
 * estimates.h: the cash-flow estimates finance enters for the cash-flow
 * report (table cash_flow_estimates, migrations/0008_reports.sql).
 *
 * An estimate is the expected payments of one financial year, for one
 * scheme or not allocated to a scheme.  Setting one again replaces it;
 * every change writes an audit row ("cash_flow_estimate.set", record
 * "2022-23/TVP" or "2022-23/-") with the amount before and after, in the
 * same transaction.  Estimates are never deleted (set 0 instead).
 */
#ifndef ITF_ESTIMATES_H
#define ITF_ESTIMATES_H

#include <jansson.h>

#include "actor.h"
#include "db.h"
#include "errors.h"
#include "export.h"

#define ESTIMATES_PUT_MAX	200	/* estimates in one request */

/*
 * body: {"estimates": [{"fy": "2022-23", "scheme": "TVP" | null,
 * "amount_cents": 123}, ...]}.  Finance only (APP_EFORBIDDEN).  Unknown
 * keys and wrong JSON types are APP_EBADREQ; a malformed or out-of-range
 * year, an unknown scheme, a negative or non-integer amount, or the same
 * year and scheme twice are APP_EINVAL naming "estimates[i].field".  All
 * or none are written.  *out: as estimates_list().
 */
int	estimates_put(struct db *, const struct actor *, const json_t *body,
	    json_t **out, struct app_err *);
/*
 * {"estimates": [{fy, scheme, amount_cents, updated_by, updated_at}],
 * "count": n}, by year then scheme.  Officers, finance, approvers,
 * auditors and admins.
 */
int	estimates_list(struct db *, const struct actor *, json_t **out,
	    struct app_err *);

/*
 * The list as a download (GET /api/v1/cash-flow-estimates?format=...),
 * and the worked example of a list export (reports/export.h): arg is a
 * struct estimates_export, copied into the task; estimates_export() runs
 * in the task thread and writes path.
 */
struct estimates_export {
	enum export_format	format;
	int			bom;
	struct actor		actor;
};
int	estimates_export(struct db *, const void *arg, const char *path,
	    struct app_err *);

#endif
