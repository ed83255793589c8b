/*
 * catalogue.h: the database copy of the scheme definitions (table schemes),
 * kept so SQL can join scheme names and reports can group by area.  The
 * files in schemes/ stay the source of truth; itfctl schemes load copies
 * them here.
 */
#ifndef ITF_CATALOGUE_H
#define ITF_CATALOGUE_H

#include "actor.h"
#include "db.h"
#include "schemes.h"

/*
 * Upsert every scheme of set in one transaction, with an audit row for
 * each definition that changed; *changed gets their number.
 */
int	catalogue_store(struct db *, const struct scheme_set *,
	    const struct actor *, int *changed, struct app_err *);

#endif
