/*
 * notify.h: each user's inbox.  Owns the table notifications
 * (migrations/0002_accounts.sql).
 *
 * Other resources call notify_user() / notify_org() INSIDE the
 * transaction that makes the change they report (db_tx_run), so a
 * notification exists exactly when its change does; they write no audit
 * row of their own (the change's audit row covers them).
 */
#ifndef ITF_NOTIFY_H
#define ITF_NOTIFY_H

#include <stdint.h>

#include <jansson.h>

#include "actor.h"
#include "db.h"
#include "errors.h"

#define NOTIFY_PAGE_MAX		100
#define NOTIFY_KIND_MAX		64	/* e.g. "application.returned" */
#define NOTIFY_MESSAGE_MAX	4000	/* characters, each language */

/*
 * Put a message in one user's inbox.  kind is a short dotted code
 * ("application.submitted"); record_type/record_id name what it is about
 * ("application", 42), so a client can link to it; message_en and
 * message_zh are the English and Traditional Chinese texts (valid UTF-8;
 * newlines allowed).  APP_EINVAL for a missing, empty, over-long or
 * malformed argument; unknown user APP_ECONFLICT.
 */
int	notify_user(struct db *, int64_t user_id, const char *kind,
	    const char *record_type, int64_t record_id, const char *message_en,
	    const char *message_zh, struct app_err *);

/*
 * The same message to every active applicant user of an organisation
 * (an organisation with none is not an error).
 */
int	notify_org(struct db *, int64_t org_id, const char *kind,
	    const char *record_type, int64_t record_id, const char *message_en,
	    const char *message_zh, struct app_err *);

/*
 * The actor's own inbox, newest first: {"notifications": [{id,
 * created_at, kind, record_type, record_id, message_en, message_zh,
 * read, read_at}], "total": N (matching), "unread": N (all unread),
 * "limit": N, "offset": N}.  unread_only keeps the unread ones.
 */
int	notify_list(struct db *, const struct actor *, int unread_only,
	    int limit, int64_t offset, json_t **out, struct app_err *);

/*
 * Mark one of the actor's notifications read (audited
 * "notification.read"; already read: unchanged).  Someone else's, or none,
 * is APP_ENOTFOUND.  *out gets the notification.
 */
int	notify_mark_read(struct db *, const struct actor *, int64_t id,
	    json_t **out, struct app_err *);

#endif
