/*
 * fuzz_quote.c: funding_quote_json() (app/core/funding.c) on the 17 real
 * scheme definitions, as POST /api/v1/schemes/{code}/quote runs it.
 *
 * Input: a first line naming the scheme ("TVP\n"), then the request body.
 * When the first line names no scheme, the first byte picks one, so every
 * input reaches a model.  The body is parsed as api_json_body() does
 * (jansson, duplicate keys refused).
 *
 * Properties: no crash, no leak, no undefined behaviour (integer
 * overflow included); a refusal is APP_EBADREQ or APP_EINVAL with a
 * message (never an internal error); a quote has government_cents >= 0,
 * applicant_cents >= 0 and, for the cost-based models, government +
 * applicant = the eligible cost; capped_by, when set, names a parameter
 * of the rule version that produced the quote.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "funding.h"
#include "schemes.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do {						\
	if (!(x)) {							\
		fprintf(stderr, "fuzz_quote: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #x);					\
		abort();						\
	}								\
} while (0)

static struct scheme_set	set;

static void
cleanup(void)
{
	schemes_free(&set);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct app_err	 err;
	const char	*dir;

	if ((dir = getenv("ITF_SCHEMES_DIR")) == NULL || *dir == '\0')
		dir = "schemes";
	app_err_clear(&err);
	if (!schemes_load_dir(dir, &set, &err)) {
		fprintf(stderr, "fuzz_quote: %s: %s (run from the project "
		    "root or set ITF_SCHEMES_DIR)\n", dir, err.msg);
		exit(1);
	}
	atexit(cleanup);
	return (0);
}

static void
check_quote(const struct scheme *s, const json_t *in, const json_t *out)
{
	const struct scheme_rules	*r;
	const char			*capped;
	json_int_t			 gov, app, cost;
	__int128			 sum;

	CHECK(json_is_object(out));
	CHECK(json_is_integer(json_object_get(out, "government_cents")));
	CHECK(json_is_integer(json_object_get(out, "applicant_cents")));
	gov = json_integer_value(json_object_get(out, "government_cents"));
	app = json_integer_value(json_object_get(out, "applicant_cents"));
	CHECK(gov >= 0 && app >= 0);
	CHECK(strcmp(json_string_value(json_object_get(out, "scheme")),
	    s->code) == 0);
	r = scheme_rules_find(s, json_string_value(json_object_get(out,
	    "rule_version")));
	CHECK(r != NULL);
	switch (s->funding_model) {
	case SCHEME_MODEL_GRANT:
	case SCHEME_MODEL_MATCHING:
	case SCHEME_MODEL_REBATE:
	case SCHEME_MODEL_BLOCK_GRANT:
		cost = json_integer_value(json_object_get(in,
		    "eligible_cost_cents"));
		sum = (__int128)gov + app;
		CHECK(sum == cost);
		break;
	case SCHEME_MODEL_ALLOWANCE:
		CHECK(app == 0);
		break;
	case SCHEME_MODEL_CO_INVESTMENT:
		cost = json_integer_value(json_object_get(in,
		    "eligible_cost_cents"));
		CHECK(app == cost);
		break;
	}
	capped = json_string_value(json_object_get(out, "capped_by"));
	if (capped != NULL)
		CHECK(json_object_get(json_object_get(r->json, "params"),
		    capped) != NULL);
	else
		CHECK(json_is_null(json_object_get(out, "capped_by")));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct scheme	*s;
	struct app_err		 err;
	json_error_t		 jerr;
	json_t			*in, *out;
	const uint8_t		*nl;
	char			 code[16];
	size_t			 n;

	if (size == 0 || set.n == 0)
		return (0);
	s = NULL;
	if ((nl = memchr(data, '\n', size < 16 ? size : 16)) != NULL) {
		n = (size_t)(nl - data);
		memcpy(code, data, n);
		code[n] = '\0';
		if ((s = schemes_find(&set, code)) != NULL) {
			size -= n + 1;
			data = nl + 1;
		}
	}
	if (s == NULL) {
		s = &set.v[data[0] % set.n];
		data++;
		size--;
	}

	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (in == NULL || !json_is_object(in)) {
		json_decref(in);
		return (0);
	}
	app_err_clear(&err);
	out = NULL;
	if (funding_quote_json(s, in, &out, &err)) {
		CHECK(err.code == APP_OK);
		check_quote(s, in, out);
	} else {
		CHECK(out == NULL);
		if (!((err.code == APP_EBADREQ || err.code == APP_EINVAL) &&
		    err.msg[0] != '\0')) {
			fprintf(stderr, "fuzz_quote: %s: error code %d: %s\n",
			    s->code, err.code, err.msg);
			abort();
		}
	}
	json_decref(out);
	json_decref(in);
	return (0);
}
