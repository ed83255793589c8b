/*
 * fuzz_accounts.c: the account request validators that need no database
 * (app/core/auth.c, app/core/orgs.c, app/core/actor.c).
 *
 * Each input is used three ways:
 *   1. as a JSON body of POST /api/v1/organisations (self-registration),
 *      checked the way orgs_register() checks it before it hashes the
 *      password and opens a transaction (that part of orgs_register() is
 *      inline, so it is mirrored here: auth_json_only(), auth_json_str(),
 *      orgs_validate(), auth_user_validate()), and as a body of
 *      POST /api/v1/session (auth_json_only(), auth_json_str());
 *   2. as raw text for auth_email_normalise(), auth_text_chars(),
 *      auth_utf8_len(), auth_text_ok(), auth_password_policy(),
 *      auth_token_shape_ok(), orgs_br_ok(), orgs_type_ok() and role_parse();
 *   3. as a query parameter for auth_parse_i64() with bounds from the bytes.
 *
 * Properties: no crash, no leak; UTF-8 verdicts agree with a table-driven
 * reference (Unicode 15 table 3-7); an accepted email is its own lower-case
 * normal form and normalising it again changes nothing; auth_parse_i64()
 * accepts exactly the canonical decimal text of a value in range; every
 * refusal names a field and says why.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "actor.h"
#include "auth.h"
#include "orgs.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do {						\
	if (!(x)) {							\
		fprintf(stderr, "fuzz_accounts: %s:%d: %s\n", __FILE__,\
		    __LINE__, #x);					\
		abort();						\
	}								\
} while (0)

/* A refusal must say what and why. */
#define REFUSED(e)	CHECK((e).code != APP_OK && (e).msg[0] != '\0')

/*
 * Characters in s if it is well-formed UTF-8 (table 3-7), else -1; with
 * !ctl, also -1 for C0 and C1 control characters and DEL.
 */
static long
ref_utf8(const unsigned char *s, int ctl)
{
	long	n;
	int	len, lo, hi, i;

	for (n = 0; *s != '\0'; n++) {
		lo = 0x80;
		hi = 0xbf;
		if (*s < 0x80) {
			if (!ctl && (*s < 0x20 || *s == 0x7f))
				return (-1);
			s++;
			continue;
		} else if (*s >= 0xc2 && *s <= 0xdf) {
			len = 2;
			if (!ctl && *s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
				return (-1);
		} else if (*s == 0xe0) {
			len = 3;
			lo = 0xa0;
		} else if (*s >= 0xe1 && *s <= 0xec) {
			len = 3;
		} else if (*s == 0xed) {
			len = 3;
			hi = 0x9f;
		} else if (*s >= 0xee && *s <= 0xef) {
			len = 3;
		} else if (*s == 0xf0) {
			len = 4;
			lo = 0x90;
		} else if (*s >= 0xf1 && *s <= 0xf3) {
			len = 4;
		} else if (*s == 0xf4) {
			len = 4;
			hi = 0x8f;
		} else
			return (-1);
		if (s[1] < lo || s[1] > hi)
			return (-1);
		for (i = 2; i < len; i++) {
			if (s[i] < 0x80 || s[i] > 0xbf)
				return (-1);
		}
		s += len;
	}
	return (n);
}

static void
check_text(const char *s)
{
	struct app_err	 err;
	char		 out[AUTH_EMAIL_MAX + 1], again[AUTH_EMAIL_MAX + 1];
	const char	*at;
	long		 n, m;
	size_t		 i, len;
	unsigned	 role;

	n = auth_text_chars(s);
	m = auth_utf8_len(s);
	CHECK(n == ref_utf8((const unsigned char *)s, 0));
	CHECK(m == ref_utf8((const unsigned char *)s, 1));
	CHECK(n < 0 || n == m);

	app_err_clear(&err);
	if (auth_text_ok(s, 1, 200, "f", &err))
		CHECK(n >= 1 && n <= 200);
	else {
		REFUSED(err);
		CHECK(strcmp(err.field, "f") == 0);
	}

	app_err_clear(&err);
	if (auth_password_policy(s, "password", &err))
		CHECK(m >= AUTH_PASSWORD_MIN &&
		    strlen(s) <= AUTH_PASSWORD_MAX);
	else
		REFUSED(err);

	app_err_clear(&err);
	len = strlen(s);
	if (auth_email_normalise(s, out, sizeof(out), "email", &err)) {
		CHECK(strlen(out) == len && len <= AUTH_EMAIL_MAX);
		for (i = 0; i < len; i++) {
			CHECK(out[i] == tolower((unsigned char)s[i]));
			CHECK(s[i] > 0x20 && s[i] < 0x7f);
		}
		CHECK((at = strchr(out, '@')) != NULL && at != out);
		CHECK(strchr(at + 1, '@') == NULL);
		CHECK(at - out <= 64);
		CHECK(strchr(at + 1, '.') != NULL);
		app_err_clear(&err);
		CHECK(auth_email_normalise(out, again, sizeof(again), "email",
		    &err));
		CHECK(strcmp(out, again) == 0);
	} else {
		REFUSED(err);
		CHECK(strcmp(err.field, "email") == 0);
	}

	if (auth_token_shape_ok(s)) {
		CHECK(len == AUTH_TOKEN_HEX);
		for (i = 0; i < len; i++)
			CHECK(isdigit((unsigned char)s[i]) ||
			    (s[i] >= 'a' && s[i] <= 'f'));
	}
	if (orgs_br_ok(s)) {
		CHECK(len == ORG_BR_LEN);
		for (i = 0; i < len; i++)
			CHECK(isdigit((unsigned char)s[i]));
	}
	if (orgs_type_ok(s))
		CHECK(len >= 5 && len <= 11);
	if (role_parse(s, &role))
		CHECK(role != 0 && role_name(role) != NULL &&
		    strcmp(role_name(role), s) == 0);
}

static void
check_i64(const char *s, const uint8_t *data, size_t size)
{
	struct app_err	 err;
	int64_t		 b[2], lo, hi, v;
	char		 canon[32];

	memset(b, 0, sizeof(b));
	if (size > 8)
		memcpy(b, data + size - (size >= 24 ? 16 : size - 8),
		    size >= 24 ? 16 : size - 8);
	lo = b[0] < b[1] ? b[0] : b[1];
	hi = b[0] < b[1] ? b[1] : b[0];
	if (lo == 0 && hi == 0)
		hi = INT64_MAX;

	app_err_clear(&err);
	v = 42;
	if (auth_parse_i64(s, lo, hi, "limit", &v, &err)) {
		CHECK(v >= lo && v <= hi);
		snprintf(canon, sizeof(canon), "%" PRId64, v);
		CHECK(strcmp(canon, s) == 0);
	} else {
		REFUSED(err);
		CHECK(err.code == APP_EBADREQ &&
		    strcmp(err.field, "limit") == 0);
		CHECK(v == 42);
	}
	/* The canonical text of any value in range is accepted. */
	v = 0;
	memcpy(&v, data, size < sizeof(v) ? size : sizeof(v));
	if (v >= lo && v <= hi) {
		snprintf(canon, sizeof(canon), "%" PRId64, v);
		app_err_clear(&err);
		b[0] = 0;
		CHECK(auth_parse_i64(canon, lo, hi, "limit", &b[0], &err));
		CHECK(b[0] == v);
	}
}

/* orgs_register() up to the password hash, then auth_user_validate(). */
static void
check_register(const json_t *in, const uint8_t *data, size_t size)
{
	static const char *const	 top[] = { "organisation", "user", NULL };
	static const char *const	 ofields[] = { "name_en", "name_zh",
					    "type", "br_number", NULL };
	static const char *const	 ufields[] = { "email", "password",
					    "name", NULL };
	struct app_err			 err;
	struct org_in			 oi;
	struct user_in			 ui;
	const json_t			*jo, *ju;
	char				 email[AUTH_EMAIL_MAX + 1];
	int				 ok;

	app_err_clear(&err);
	memset(&oi, 0, sizeof(oi));
	memset(&ui, 0, sizeof(ui));
	jo = json_object_get(in, "organisation");
	ju = json_object_get(in, "user");
	ok = auth_json_only(in, top, "", &err) && json_is_object(jo) &&
	    json_is_object(ju) &&
	    auth_json_only(jo, ofields, "organisation.", &err) &&
	    auth_json_only(ju, ufields, "user.", &err) &&
	    auth_json_str(jo, "name_en", 1, "organisation.", &oi.name_en,
	    &err) &&
	    auth_json_str(jo, "name_zh", 1, "organisation.", &oi.name_zh,
	    &err) &&
	    auth_json_str(jo, "type", 1, "organisation.", &oi.type, &err) &&
	    auth_json_str(jo, "br_number", 0, "organisation.", &oi.br_number,
	    &err) &&
	    auth_json_str(ju, "email", 1, "user.", &ui.email, &err) &&
	    auth_json_str(ju, "password", 1, "user.", &ui.password, &err) &&
	    auth_json_str(ju, "name", 0, "user.", &ui.name, &err);
	if (!ok) {
		if (err.code != APP_OK) {
			REFUSED(err);
			/* Empty only for the key "" (unknown field ""). */
			CHECK(err.field[0] != '\0' ||
			    strstr(err.msg, "\"\"") != NULL);
		}
		return;
	}
	CHECK(oi.name_en != NULL && oi.name_zh != NULL && oi.type != NULL);
	CHECK(ui.email != NULL && ui.password != NULL);
	if (orgs_validate(&oi, "organisation.", &err)) {
		CHECK(auth_text_chars(oi.name_en) >= 1 &&
		    auth_text_chars(oi.name_zh) >= 1);
		CHECK(orgs_type_ok(oi.type));
		if (strcmp(oi.type, "company") == 0)
			CHECK(orgs_br_ok(oi.br_number));
	} else {
		REFUSED(err);
		CHECK(strncmp(err.field, "organisation.", 13) == 0);
	}

	/* As self-registration makes it, then with roles from the bytes. */
	ui.roles = ROLE_APPLICANT;
	ui.org_id = INT64_MAX;
	app_err_clear(&err);
	if (auth_user_validate(&ui, "user.", email, sizeof(email), &err))
		CHECK(auth_password_policy(ui.password, "p", &err));
	else {
		REFUSED(err);
		CHECK(strncmp(err.field, "user.", 5) == 0);
	}
	if (size >= 3) {
		ui.roles = data[0];
		ui.org_id = (int8_t)data[1];
		ui.authority_cents = (int8_t)data[2];
		app_err_clear(&err);
		if (auth_user_validate(&ui, "", email, sizeof(email), &err)) {
			CHECK(ui.roles != 0 && (ui.roles & ~(unsigned)ROLE_ALL) == 0);
			CHECK(!(ui.roles & ROLE_APPLICANT) ||
			    ui.roles == ROLE_APPLICANT);
			CHECK(((ui.roles & ROLE_APPLICANT) != 0) ==
			    (ui.org_id > 0));
			CHECK(ui.authority_cents == 0 ||
			    (ui.authority_cents > 0 &&
			    (ui.roles & ROLE_APPROVER)));
		} else
			REFUSED(err);
	}
}

static void
check_login(const json_t *in)
{
	static const char *const	 fields[] = { "email", "password", NULL };
	struct app_err			 err;
	const char			*email, *password;

	app_err_clear(&err);
	email = password = NULL;
	if (auth_json_only(in, fields, "", &err) &&
	    auth_json_str(in, "email", 1, "", &email, &err) &&
	    auth_json_str(in, "password", 1, "", &password, &err)) {
		CHECK(email != NULL && password != NULL);
		CHECK(json_string_length(json_object_get(in, "email")) ==
		    strlen(email));
	} else
		REFUSED(err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t	*in;
	char	*s;

	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	if (in != NULL && json_is_object(in)) {
		check_register(in, data, size);
		check_login(in);
	}
	json_decref(in);

	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	check_text(s);
	check_i64(s, data, size);
	free(s);
	return (0);
}
