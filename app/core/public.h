/*
 * public.h: the public register of funded projects (docs/api.md, "Public
 * project register").  Anyone may read it, without a session, so it shows
 * only what the Fund publishes about a project: its reference, title,
 * organisation (both names), scheme, approved amount, period, approval
 * date and a public status.  Nothing else of a project, its organisation,
 * its application or its money ever leaves through here.
 *
 * Public statuses (a project's own status stays internal; a suspension,
 * for one, is a payment hold and is not published):
 *	approved	awaiting_signature
 *	ongoing		active, suspended
 *	completed	refund_due, closed
 *	terminated	terminated
 *
 * Only projects are listed, so an application that was never approved
 * (a draft, a rejected or a withdrawn one) can never appear.
 */
#ifndef ITF_PUBLIC_H
#define ITF_PUBLIC_H

#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "errors.h"

#define PUBLIC_LIST_MAX		100
#define PUBLIC_LIST_DEFAULT	20
#define PUBLIC_Q_MAX		200	/* characters */
#define PUBLIC_YEAR_MIN		1999
#define PUBLIC_YEAR_MAX		2100

enum public_status {
	PUBLIC_APPROVED,
	PUBLIC_ONGOING,
	PUBLIC_COMPLETED,
	PUBLIC_TERMINATED,
	PUBLIC_NSTATUS
};

/* Filters; NULL / 0 means any. */
struct public_filter {
	const char	*q;		/* text: title, organisation, reference */
	const char	*scheme;	/* a scheme code, already checked */
	int64_t		 org_id;
	int		 year;		/* approval year, Hong Kong time */
	unsigned	 statuses;	/* bits (1 << enum public_status) */
	int64_t		 before_id;	/* keyset cursor */
	int		 limit;		/* 1..PUBLIC_LIST_MAX */
};

const char	*public_status_name(enum public_status);
int		 public_status_parse(const char *, enum public_status *);
/*
 * The search text: 1..PUBLIC_Q_MAX characters of UTF-8 without control
 * characters (APP_EBADREQ naming "q" otherwise).
 */
int		 public_q_ok(const char *, struct app_err *);

/*
 * {"projects": [{reference, title, scheme, organisation: {id, name_en,
 * name_zh}, approved_cents, start_date, end_date, approved_on, status}],
 * "total": n, "limit": n, "next_cursor": "id" or null}, newest first
 * (by project id, descending).  q matches the reference exactly (any
 * case) or a substring of the title or of either organisation name,
 * case-insensitively, with LIKE's wildcards taken literally.
 */
int		 public_projects_json(struct db *, const struct public_filter *,
		    json_t **out, struct app_err *);

#endif
