/*
 * migrate.h: numbered SQL migrations, applied once each, in order.
 *
 * Files are migrations/NNNN_what.sql.  Each runs inside one transaction
 * together with its row in schema_migrations (version, name, sha256).  A
 * file already applied whose checksum has changed is refused: migrations
 * are never edited once applied; write a new one.
 */
#ifndef ITF_MIGRATE_H
#define ITF_MIGRATE_H

#include <stdio.h>

#include "db.h"

/*
 * Apply every pending migration in dir.  Progress lines go to out (may be
 * NULL).  *applied gets the number newly applied.  Holds an advisory lock
 * so two migrators never race.
 */
int	migrate_run(struct db *, const char *dir, FILE *out, int *applied,
	    struct app_err *);

/* The number of files in dir not yet applied (0 = up to date). */
int	migrate_pending(struct db *, const char *dir, int *pending,
	    struct app_err *);

#endif
