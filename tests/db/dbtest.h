/*
 * dbtest.h: what the tests in tests/db share: a private database of their
 * own on ITF_DATABASE_URL's server, migrated from migrations/, and
 * connections to it as the service's role.  Linked into every
 * tests/db/test_*.c (Makefile); not a test itself.
 */
#ifndef ITF_DBTEST_H
#define ITF_DBTEST_H

#include <stdint.h>

#include "db.h"

extern char	dbtest_ci[1024];	/* the private database */
extern char	dbtest_name[64];	/* its name */

/*
 * Create the database <prefix>_<pid> (dropping a leftover one) on the
 * server of ITF_DATABASE_URL (key=value words) and migrate it.  With keep
 * set, the owner's connection that migrated it is left open there;
 * otherwise it is closed.  prog names the test in messages on stderr.
 * 0, or -1 (cmocka's group setup convention).
 */
int	dbtest_create(const char *prog, const char *prefix, struct db *keep);
/* Drop the database (WITH (FORCE)); errors are ignored.  Returns 0. */
int	dbtest_drop(void);
/* A connection to the private database as itf_app; fails the test if not. */
void	dbtest_conn(struct db *);
/* The first column of the first row of sql; fails the test on an error. */
int64_t	dbtest_q64(struct db *, const char *sql);

#endif
