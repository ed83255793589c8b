/*
 * orgs.h: applicant organisations (companies, universities, R&D centres,
 * public bodies) and their self-registration.  Owns the table
 * organisations (migrations/0002_accounts.sql).
 *
 * Who sees what (decided here, not in HTTP): an applicant reads only its
 * own organisation (another one reads as APP_ENOTFOUND); officers,
 * auditors and admins read and search all; anyone else gets
 * APP_EFORBIDDEN.
 */
#ifndef ITF_ORGS_H
#define ITF_ORGS_H

#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "auth.h"
#include "db.h"
#include "errors.h"

#define ORG_NAME_MAX		200	/* characters */
#define ORG_BR_LEN		8	/* Business Registration number digits */
#define ORG_SEARCH_MAX		100	/* largest page */

/* An organisation as stored.  Text is UTF-8; br_number "" if none. */
struct org {
	int64_t		id;
	char		name_en[ORG_NAME_MAX * 4 + 1];
	char		name_zh[ORG_NAME_MAX * 4 + 1];
	char		type[16];	/* company, university, rd_centre, ... */
	char		br_number[ORG_BR_LEN + 1];
	char		created_at[32];	/* ISO 8601, UTC */
};

/* A new organisation. */
struct org_in {
	const char	*name_en;
	const char	*name_zh;
	const char	*type;
	const char	*br_number;	/* NULL or "" if none; required for companies */
};

/* 1 if s is one of company, university, rd_centre, public_body, other. */
int	orgs_type_ok(const char *s);
/* 1 if s has the shape of a BR number: exactly 8 ASCII digits. */
int	orgs_br_ok(const char *s);
/* Check a new organisation; fields named prefix + "name_en" and so on. */
int	orgs_validate(const struct org_in *, const char *prefix,
	    struct app_err *);

/* The organisation as JSON: id, name_en, name_zh, type, br_number, created_at. */
json_t	*orgs_json(const struct org *);

/*
 * For other core code (eligibility, reports): read an organisation with
 * no access check, e.g. to learn its type (org->type) when judging an
 * application by the scheme's "who may apply".  Works inside or outside a
 * transaction.  APP_ENOTFOUND if there is none.
 */
int	orgs_lookup(struct db *, int64_t id, struct org *, struct app_err *);

/* Read one organisation as actor (see the rules above). */
int	orgs_get(struct db *, const struct actor *, int64_t id, struct org *,
	    struct app_err *);

/*
 * Search by name (English or Chinese, case-insensitive substring) or exact
 * BR number; q NULL or "" lists all.  Ordered by English name.  *out gets
 * {"organisations": [...], "total": N, "limit": N, "offset": N}.
 * Officers, auditors and admins only.
 */
int	orgs_search(struct db *, const struct actor *, const char *q,
	    int limit, int64_t offset, json_t **out, struct app_err *);

/*
 * Create an organisation (officers, admins or the system actor, e.g.
 * itfctl org add), audited "organisation.create".  *out filled.
 * Duplicate BR number: APP_ECONFLICT field "br_number".
 */
int	orgs_create(struct db *, const struct actor *, const struct org_in *,
	    struct org *out, struct app_err *);

/*
 * Self-registration: from the JSON body {"organisation": {name_en,
 * name_zh, type, br_number}, "user": {email, password, name}} create the
 * organisation and its first applicant user, audited "organisation.register"
 * and "user.create", and sign the user in (sess, audited
 * "session.create"), all in one transaction.  *out gets {"organisation":
 * {...}, "user": {...}}.  Unknown or ill-typed fields APP_EBADREQ; bad
 * values APP_EINVAL; a taken email or BR number APP_ECONFLICT, naming the
 * field ("user.email", "organisation.br_number").
 */
int	orgs_register(struct db *, const json_t *in, struct auth_session *sess,
	    json_t **out, struct app_err *);

#endif
