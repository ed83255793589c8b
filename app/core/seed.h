/*
 * seed.h: the demo data set (itfctl seed demo; docs/seed.md).
 *
 * seed_demo() plans twenty-odd years of the fund's history in memory from
 * a fixed pseudo-random seed, then replays it day by day through the same
 * core functions the API calls (organisations, users, applications,
 * panels, decisions, projects, payments, the ledger), with the core's
 * "today" set to the day being replayed (date_set_today()), so that every
 * rule of the day holds: the scheme rules in force on the submission date,
 * payment holds, caps, maker-checker, ledger value dates in order.  The
 * plan is calibrated so that the scheme-statistics and
 * applications-by-year reports over April 2017 to February 2021 give the
 * figures of FCR(2021-22)22 paragraphs 6 and 24 (docs/seed.md lists each
 * figure and what it is calibrated to).
 *
 * It needs an empty database (seed_db_empty()).  Every row is written by
 * the core, in one transaction per operation as the API does; afterwards
 * the timestamps the core stamped with the clock (history, decisions,
 * signatures, payments...) are moved to the replayed day, except in the
 * append-only audit trail, ledger entries and agreement versions, which
 * keep the real time they were written.
 */
#ifndef ITF_SEED_H
#define ITF_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "errors.h"
#include "money.h"
#include "schemes.h"

/* Every demo user's password (README.md, "Demo data"). */
#define SEED_PASSWORD		"ITF-demo-2021"
#define SEED_LOGINS_MAX		24

struct seed_opts {
	double		 scale;		/* volume multiplier; 1 = calibrated */
	uint64_t	 seed;		/* pseudo-random seed */
	int		 until;		/* last day replayed; -1: today */
	const char	*upload_dir;	/* where progress-report files go */
	int		 dry_run;	/* plan and report, write nothing */
	/* Progress lines (may be NULL). */
	void		(*progress)(void *, const char *);
	void		*progress_arg;
};

/* A demo login to print. */
struct seed_login {
	char		 role[32];
	char		 email[128];
	char		 name[160];
	char		 note[160];
};

struct seed_result {
	int64_t		 organisations;
	int64_t		 users;
	int64_t		 applications;
	int64_t		 projects;
	int64_t		 payments;
	int64_t		 ledger_entries;
	int64_t		 operations;	/* core calls made */
	double		 seconds;
	struct seed_login logins[SEED_LOGINS_MAX];
	size_t		 nlogins;
	/* Plan notes (deviations from the paper the rules force). */
	char		 notes[2048];
};

#define SEED_DEFAULT_SEED	20210528ULL	/* the paper's date */

void	seed_opts_init(struct seed_opts *);
/* 1 and *empty set: no organisation, user or application yet. */
int	seed_db_empty(struct db *, int *empty, struct app_err *);
enum seed_db_state {
	SEED_DB_EMPTY,		/* no organisation, user or application */
	SEED_DB_DATA,		/* data, from a finished seed or elsewhere */
	SEED_DB_INTERRUPTED	/* a seed started and never finished */
};
int	seed_db_state(struct db *, enum seed_db_state *, struct app_err *);
/*
 * Plan and replay the data set into db (an empty, migrated database with
 * the schemes loaded), using the scheme definitions in schemes.  The
 * connection is put in the fast mode the seed needs (statement cache,
 * asynchronous commit).  1 on success with *res filled; 0 with err naming
 * the operation that failed.
 */
int	seed_demo(struct db *, const struct scheme_set *,
	    const struct seed_opts *, struct seed_result *, struct app_err *);
/*
 * The demo logins of a database seeded before (staff of the demo and the
 * showcase organisations' users that exist), into res->logins.
 */
int	seed_logins(struct db *, struct seed_result *, struct app_err *);

#endif
