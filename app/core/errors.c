/* errors.c: the app_err record. */
#include <stdio.h>
#include <string.h>

#include "errors.h"

void
app_err_clear(struct app_err *err)
{
	if (err == NULL)
		return;
	err->code = APP_OK;
	err->field[0] = '\0';
	err->msg[0] = '\0';
}

int
app_err_vset(struct app_err *err, enum app_errcode code, const char *field,
    const char *fmt, va_list ap)
{
	if (err == NULL || err->code != APP_OK)
		return (0);	/* keep the first, most specific error */
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s",
	    field != NULL ? field : "");
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return (0);
}

int
app_err_set(struct app_err *err, enum app_errcode code, const char *field,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	app_err_vset(err, code, field, fmt, ap);
	va_end(ap);
	return (0);
}

const char *
app_err_codestr(enum app_errcode code)
{
	switch (code) {
	case APP_OK:		return ("ok");
	case APP_EBADREQ:	return ("bad_request");
	case APP_EINVAL:	return ("invalid");
	case APP_EUNAUTH:	return ("unauthenticated");
	case APP_EFORBIDDEN:	return ("forbidden");
	case APP_ENOTFOUND:	return ("not_found");
	case APP_ECONFLICT:	return ("conflict");
	case APP_ESTATE:	return ("invalid_state");
	case APP_ETOOLARGE:	return ("too_large");
	case APP_ETHROTTLED:	return ("throttled");
	case APP_EUNAVAIL:	return ("unavailable");
	case APP_EDB:		return ("database_error");
	case APP_EINTERNAL:	return ("internal_error");
	}
	return ("internal_error");
}
