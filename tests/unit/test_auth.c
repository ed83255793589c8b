/*
 * test_auth.c: the pure parts of auth.c and orgs.c: email, password and
 * text rules, tokens and their hashes, Argon2id, BR numbers, organisation
 * validation, strict JSON input, whole-number parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth.h"
#include "orgs.h"

static int
setup(void **state)
{
	return (sodium_init() < 0 ? -1 : 0);
}

static int
email_ok(const char *in, const char *want)
{
	struct app_err	err;
	char		out[AUTH_EMAIL_MAX + 1];

	app_err_clear(&err);
	if (!auth_email_normalise(in, out, sizeof(out), "email", &err)) {
		assert_int_equal(err.code, APP_EINVAL);
		assert_string_equal(err.field, "email");
		return (0);
	}
	if (want != NULL)
		assert_string_equal(out, want);
	return (1);
}

static void
test_email(void **state)
{
	char	long_local[80], long_addr[300];

	assert_true(email_ok("Alice@Example.COM", "alice@example.com"));
	assert_true(email_ok("a.b+itf@hkstp.org.hk", "a.b+itf@hkstp.org.hk"));
	assert_true(email_ok("o'neil@cuhk.edu.hk", NULL));
	assert_true(email_ok("x@a-b.io", NULL));
	assert_false(email_ok("", NULL));
	assert_false(email_ok("alice", NULL));
	assert_false(email_ok("@example.com", NULL));
	assert_false(email_ok("alice@", NULL));
	assert_false(email_ok("alice@localhost", NULL));	/* one label */
	assert_false(email_ok("alice@@example.com", NULL));
	assert_false(email_ok("a@b@example.com", NULL));
	assert_false(email_ok(".alice@example.com", NULL));
	assert_false(email_ok("alice.@example.com", NULL));
	assert_false(email_ok("al..ice@example.com", NULL));
	assert_false(email_ok("al ice@example.com", NULL));
	assert_false(email_ok("alice@exa_mple.com", NULL));
	assert_false(email_ok("alice@-example.com", NULL));
	assert_false(email_ok("alice@example-.com", NULL));
	assert_false(email_ok("alice@example..com", NULL));
	assert_false(email_ok("alice@example.c", NULL));	/* 1-letter TLD */
	assert_false(email_ok("alice@example.c0m", NULL));
	assert_false(email_ok("alice@example.com.", NULL));
	assert_false(email_ok("alice\n@example.com", NULL));
	assert_false(email_ok("\xe9l\xe8ve@example.com", NULL));
	memset(long_local, 'a', 65);
	memcpy(long_local + 65, "@example.com", 13);
	assert_false(email_ok(long_local, NULL));		/* local > 64 */
	memset(long_addr, 'a', 64);
	long_addr[64] = '@';
	memset(long_addr + 65, 'b', 200);
	memcpy(long_addr + 265, ".com", 5);
	assert_false(email_ok(long_addr, NULL));		/* > 254 */
}

static void
test_password_policy(void **state)
{
	struct app_err	err;
	char		big[AUTH_PASSWORD_MAX + 2];

	app_err_clear(&err);
	assert_true(auth_password_policy("correct horse", "password", &err));
	assert_true(auth_password_policy("123456789012", "password", &err));
	/* 12 characters, 36 bytes: counted in characters. */
	assert_true(auth_password_policy("創新及科技基金創新及科技基",
	    "password", &err));
	assert_false(auth_password_policy("12345678901", "password", &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.field, "password");
	app_err_clear(&err);
	/* 11 characters although 33 bytes. */
	assert_false(auth_password_policy("創新及科技基金創新及科", "p", &err));
	app_err_clear(&err);
	assert_false(auth_password_policy("\xff\xfe invalid utf8 here", "p",
	    &err));
	app_err_clear(&err);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(auth_password_policy(big, "p", &err));
}

static void
test_text(void **state)
{
	struct app_err	err;

	assert_int_equal(auth_text_chars("abc"), 3);
	assert_int_equal(auth_text_chars("香港"), 2);
	assert_int_equal(auth_text_chars(""), 0);
	assert_int_equal(auth_text_chars("a\tb"), -1);		/* control */
	assert_int_equal(auth_text_chars("a\x7f"), -1);
	assert_int_equal(auth_text_chars("\xc2\x85"), -1);	/* C1 NEL */
	assert_int_equal(auth_text_chars("\xc0\xaf"), -1);	/* overlong */
	assert_int_equal(auth_text_chars("\xed\xa0\x80"), -1);	/* surrogate */
	assert_int_equal(auth_text_chars("\xf4\x90\x80\x80"), -1); /* > 10FFFF */
	assert_int_equal(auth_text_chars("\xe9\xa6"), -1);	/* truncated */
	assert_int_equal(auth_utf8_len("line 1\nline 2"), 13);
	assert_int_equal(auth_utf8_len("申請\n"), 3);
	assert_int_equal(auth_utf8_len("\xe9\xa6"), -1);
	app_err_clear(&err);
	assert_true(auth_text_ok("Hong Kong", 1, 200, "name", &err));
	assert_false(auth_text_ok("", 1, 200, "name", &err));
	assert_string_equal(err.field, "name");
}

static void
test_tokens(void **state)
{
	char	a[AUTH_TOKEN_HEX + 1], b[AUTH_TOKEN_HEX + 1];
	char	h[AUTH_HASH_HEX + 1];

	auth_token_new(a);
	auth_token_new(b);
	assert_int_equal(strlen(a), AUTH_TOKEN_HEX);
	assert_true(auth_token_shape_ok(a));
	assert_string_not_equal(a, b);
	assert_false(auth_token_shape_ok(""));
	assert_false(auth_token_shape_ok("abc"));
	b[10] = 'G';
	assert_false(auth_token_shape_ok(b));
	b[10] = 'A';					/* upper case: not ours */
	assert_false(auth_token_shape_ok(b));
	memcpy(b, a, sizeof(a));
	b[AUTH_TOKEN_HEX - 1] = '\0';
	assert_false(auth_token_shape_ok(b));

	/* FIPS 180-2 test vector: sha256("abc"). */
	auth_token_hash("abc", h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	auth_token_hash(a, h);
	assert_int_equal(strlen(h), AUTH_HASH_HEX);
	assert_string_not_equal(h, a);
}

static void
test_password_hash(void **state)
{
	struct app_err	err;
	char		h1[AUTH_PWHASH_LEN], h2[AUTH_PWHASH_LEN];

	app_err_clear(&err);
	assert_true(auth_password_hash("correct horse battery", h1, &err));
	assert_true(auth_password_hash("correct horse battery", h2, &err));
	assert_non_null(strstr(h1, "$argon2id$"));
	assert_string_not_equal(h1, h2);			/* salted */
	assert_true(auth_password_verify(h1, "correct horse battery"));
	assert_true(auth_password_verify(h2, "correct horse battery"));
	assert_false(auth_password_verify(h1, "correct horse batterY"));
	assert_false(auth_password_verify("not a hash", "x"));
	/* The stand-in for unknown users costs what a real hash costs. */
	assert_non_null(strstr(auth_dummy_hash(), "$argon2id$"));
	assert_int_equal(crypto_pwhash_str_needs_rehash(auth_dummy_hash(),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
	assert_int_equal(crypto_pwhash_str_needs_rehash(h1,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
	assert_false(auth_password_verify(auth_dummy_hash(),
	    "correct horse battery"));
}

static void
test_br_and_types(void **state)
{
	struct app_err	err;
	struct org_in	o;

	assert_true(orgs_br_ok("12345678"));
	assert_true(orgs_br_ok("00000001"));
	assert_false(orgs_br_ok("1234567"));
	assert_false(orgs_br_ok("123456789"));
	assert_false(orgs_br_ok("1234567a"));
	assert_false(orgs_br_ok("1234 678"));
	assert_false(orgs_br_ok("-1234567"));
	assert_false(orgs_br_ok(""));
	assert_false(orgs_br_ok(NULL));
	assert_true(orgs_type_ok("company"));
	assert_true(orgs_type_ok("rd_centre"));
	assert_true(orgs_type_ok("public_body"));
	assert_false(orgs_type_ok("Company"));
	assert_false(orgs_type_ok("ngo"));
	assert_false(orgs_type_ok(NULL));

	memset(&o, 0, sizeof(o));
	o.name_en = "Acme Robotics Limited";
	o.name_zh = "極致機械人有限公司";
	o.type = "company";
	app_err_clear(&err);
	assert_false(orgs_validate(&o, "organisation.", &err));
	assert_string_equal(err.field, "organisation.br_number");
	o.br_number = "12345678";
	app_err_clear(&err);
	assert_true(orgs_validate(&o, "organisation.", &err));
	o.br_number = "1234-5678";
	assert_false(orgs_validate(&o, "", &err));
	assert_string_equal(err.field, "br_number");
	o.type = "university";
	o.br_number = NULL;
	app_err_clear(&err);
	assert_true(orgs_validate(&o, "", &err));
	o.type = "charity";
	assert_false(orgs_validate(&o, "", &err));
	assert_string_equal(err.field, "type");
	o.type = "other";
	o.name_en = " Padded";
	app_err_clear(&err);
	assert_false(orgs_validate(&o, "", &err));
	assert_string_equal(err.field, "name_en");
	o.name_en = "Fine";
	o.name_zh = "";
	app_err_clear(&err);
	assert_false(orgs_validate(&o, "", &err));
	assert_string_equal(err.field, "name_zh");
}

static void
test_user_validate(void **state)
{
	struct app_err	err;
	struct user_in	u;
	char		email[AUTH_EMAIL_MAX + 1];

	memset(&u, 0, sizeof(u));
	u.email = "Officer@ITC.gov.hk";
	u.password = "long enough password";
	u.roles = ROLE_OFFICER | ROLE_APPROVER;
	u.authority_cents = 1000000000;
	app_err_clear(&err);
	assert_true(auth_user_validate(&u, "", email, sizeof(email), &err));
	assert_string_equal(email, "officer@itc.gov.hk");

	u.roles = ROLE_OFFICER;				/* authority: approvers */
	assert_false(auth_user_validate(&u, "", email, sizeof(email), &err));
	assert_string_equal(err.field, "authority_cents");
	u.authority_cents = 0;
	u.org_id = 3;					/* staff: no organisation */
	app_err_clear(&err);
	assert_false(auth_user_validate(&u, "", email, sizeof(email), &err));
	assert_string_equal(err.field, "org_id");
	u.roles = ROLE_APPLICANT;
	app_err_clear(&err);
	assert_true(auth_user_validate(&u, "", email, sizeof(email), &err));
	u.org_id = 0;					/* applicant: needs one */
	assert_false(auth_user_validate(&u, "", email, sizeof(email), &err));
	assert_string_equal(err.field, "org_id");
	u.org_id = 3;
	u.roles = ROLE_APPLICANT | ROLE_OFFICER;	/* segregation */
	app_err_clear(&err);
	assert_false(auth_user_validate(&u, "user.", email, sizeof(email),
	    &err));
	assert_string_equal(err.field, "user.roles");
	u.roles = 0;
	app_err_clear(&err);
	assert_false(auth_user_validate(&u, "", email, sizeof(email), &err));
	assert_string_equal(err.field, "roles");
	u.roles = ROLE_APPLICANT;
	u.password = "short";
	app_err_clear(&err);
	assert_false(auth_user_validate(&u, "user.", email, sizeof(email),
	    &err));
	assert_string_equal(err.field, "user.password");
	u.password = "long enough password";
	u.name = "Chan Tai Man\n";
	app_err_clear(&err);
	assert_false(auth_user_validate(&u, "", email, sizeof(email), &err));
	assert_string_equal(err.field, "name");
}

static void
test_json_helpers(void **state)
{
	static const char *const	 allowed[] = { "email", "password",
					    NULL };
	struct app_err			 err;
	json_t				*o;
	const char			*s;

	o = json_pack("{s:s,s:s}", "email", "a@b.hk", "password", "x");
	app_err_clear(&err);
	assert_true(auth_json_only(o, allowed, "", &err));
	assert_true(auth_json_str(o, "email", 1, "", &s, &err));
	assert_string_equal(s, "a@b.hk");
	assert_true(auth_json_str(o, "name", 0, "", &s, &err));
	assert_null(s);
	assert_false(auth_json_str(o, "name", 1, "user.", &s, &err));
	assert_int_equal(err.code, APP_EBADREQ);
	assert_string_equal(err.field, "user.name");
	json_object_set_new(o, "remember_me", json_true());
	app_err_clear(&err);
	assert_false(auth_json_only(o, allowed, "user.", &err));
	assert_int_equal(err.code, APP_EBADREQ);
	assert_string_equal(err.field, "user.remember_me");
	json_object_set_new(o, "password", json_integer(5));
	app_err_clear(&err);
	assert_false(auth_json_str(o, "password", 1, "", &s, &err));
	assert_string_equal(err.field, "password");
	json_object_set_new(o, "password", json_stringn("a\0b", 3));
	app_err_clear(&err);
	assert_false(auth_json_str(o, "password", 1, "", &s, &err));
	json_decref(o);
}

static void
test_parse_i64(void **state)
{
	struct app_err	err;
	int64_t		v;

	app_err_clear(&err);
	assert_true(auth_parse_i64("0", 0, 10, "n", &v, &err));
	assert_int_equal(v, 0);
	assert_true(auth_parse_i64("10", 0, 10, "n", &v, &err));
	assert_int_equal(v, 10);
	assert_true(auth_parse_i64("-5", -10, 10, "n", &v, &err));
	assert_int_equal(v, -5);
	assert_true(auth_parse_i64("9223372036854775807", 0, INT64_MAX, "n",
	    &v, &err));
	assert_false(auth_parse_i64("9223372036854775808", 0, INT64_MAX, "n",
	    &v, &err));
	assert_false(auth_parse_i64("11", 0, 10, "n", &v, &err));
	assert_false(auth_parse_i64("007", 0, 10, "n", &v, &err));
	assert_false(auth_parse_i64("+7", 0, 10, "n", &v, &err));
	assert_false(auth_parse_i64(" 7", 0, 10, "n", &v, &err));
	assert_false(auth_parse_i64("7 ", 0, 10, "n", &v, &err));
	assert_false(auth_parse_i64("1e3", 0, 10000, "n", &v, &err));
	assert_false(auth_parse_i64("-0", -10, 10, "n", &v, &err));
	assert_false(auth_parse_i64("", 0, 10, "n", &v, &err));
	assert_false(auth_parse_i64(NULL, 0, 10, "limit", &v, &err));
	assert_string_equal(err.field, "n");		/* first error kept */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_password_hash),
		cmocka_unit_test(test_br_and_types),
		cmocka_unit_test(test_user_validate),
		cmocka_unit_test(test_json_helpers),
		cmocka_unit_test(test_parse_i64),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
