/*
 * errors.h: the one error record every core function fills.
 *
 * Core functions return int: 1 on success, 0 on failure, in which case the
 * first function that failed has filled a struct app_err.  No HTTP here: only
 * app/http/api.c maps codes to statuses.
 */
#ifndef ITF_ERRORS_H
#define ITF_ERRORS_H

#include <stdarg.h>

enum app_errcode {
	APP_OK = 0,
	APP_EBADREQ,		/* malformed request body or parameter: 400 */
	APP_EINVAL,		/* a field or a rule refuses the value: 422 */
	APP_EUNAUTH,		/* no valid session: 401 */
	APP_EFORBIDDEN,		/* authenticated but not allowed: 403 */
	APP_ENOTFOUND,		/* no such record (or not visible): 404 */
	APP_ECONFLICT,		/* conflicts with existing data: 409 */
	APP_ESTATE,		/* illegal state transition: 409 */
	APP_ETOOLARGE,		/* body or file over the limit: 413 */
	APP_ETHROTTLED,		/* too many attempts: 429 */
	APP_EUNAVAIL,		/* database unreachable: 503 */
	APP_EDB,		/* unexpected database error: 500 */
	APP_EINTERNAL		/* anything else unexpected: 500 */
};

struct app_err {
	enum app_errcode	code;
	char			field[64];
	char			msg[256];
};

void		 app_err_clear(struct app_err *);
/* Fill err (if not already set) and return 0, so callers can write
 * "return (app_err_set(err, APP_EINVAL, "title", "too long"));". */
int		 app_err_set(struct app_err *, enum app_errcode, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
int		 app_err_vset(struct app_err *, enum app_errcode, const char *,
		    const char *, va_list);
/* Stable string code for the JSON body, e.g. "invalid". */
const char	*app_err_codestr(enum app_errcode);

#endif
