/*
 * fuzz_scheme.c: the scheme-definition loader (app/core/schemes.c).
 *
 * schemes.h has only file APIs, so each input is written to a file in a
 * private temporary directory (on /dev/shm when there is one) and read
 * back by the loader.  The file is named after the input's "code" when
 * it has one of the right shape, so that inputs can pass the "code
 * matches the file name" check and reach everything behind it.
 *
 * Per input: scheme_load_file(), schemes_check_files() (every problem
 * reported, to a memory stream) and schemes_load_dir() (the set checks,
 * merged_into).  A definition that loads is then used as the service uses
 * it: its JSON views, the rule version in force on a few days, and quotes
 * for its model.  Properties: no crash, no leak (LeakSanitizer), an
 * accepted file has no problem and a refused one has at least one, with
 * a message naming the file; what loads is internally consistent (rule
 * versions ascending, criteria weights summing to 10000).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "dates.h"
#include "funding.h"
#include "schemes.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do {						\
	if (!(x)) {							\
		fprintf(stderr, "fuzz_scheme: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #x);					\
		abort();						\
	}								\
} while (0)

static char	tmpdir[64];

static void
cleanup(void)
{
	char	path[128];

	snprintf(path, sizeof(path), "%s", tmpdir);
	if (tmpdir[0] != '\0')
		rmdir(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*base;

	base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/itf-fuzz-scheme.XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(cleanup);
	return (0);
}

/* The file name the input wants: lower-cased "code" + ".json". */
static void
file_name(const uint8_t *data, size_t size, char *buf, size_t len)
{
	json_t		*root;
	const char	*code;
	size_t		 i, n;

	snprintf(buf, len, "x.json");
	if ((root = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return;
	code = json_string_value(json_object_get(root, "code"));
	n = code != NULL ? strlen(code) : 0;
	if (n >= 1 && n <= 16) {
		for (i = 0; i < n; i++) {
			if (!isalnum((unsigned char)code[i]))
				break;
		}
		if (i == n) {
			for (i = 0; i < n && i + 6 < len; i++)
				buf[i] = (char)tolower((unsigned char)code[i]);
			snprintf(buf + i, len - i, ".json");
		}
	}
	json_decref(root);
}

/* Use a loaded scheme as the service does. */
static void
exercise(const struct scheme *s)
{
	static const char *const	 days[] = { "1999-11-01", "2016-11-21",
					    "2020-04-01", "2024-06-30",
					    "9999-12-31" };
	static const char *const	 bodies[] = {
		"{\"submitted_on\":\"%s\",\"eligible_cost_cents\":100000000}",
		"{\"submitted_on\":\"%s\",\"eligible_cost_cents\":"
		    "9223372036854775807,\"prior_approved_cents\":1,"
		    "\"prior_projects\":1}",
		"{\"submitted_on\":\"%s\",\"eligible_cost_cents\":5000000,"
		    "\"institution_prior_cents\":1,\"startup_prior_cents\":2}",
		"{\"submitted_on\":\"%s\",\"qualification\":\"master\","
		    "\"head_count\":2,\"months\":12}",
		"{\"submitted_on\":\"%s\",\"talents\":[{\"qualification\":"
		    "\"doctorate\",\"months\":36}],\"prior_heads\":1}",
	};
	const struct scheme_rules	*r;
	struct app_err			 err;
	json_t				*j, *in, *out;
	char				 body[512];
	size_t				 i, k;
	int				 day;

	CHECK(s->code != NULL && s->nrules > 0);
	for (i = 0; i + 1 < s->nrules; i++)
		CHECK(s->rules[i].effective_from < s->rules[i + 1].effective_from);
	if (s->ncriteria > 0) {
		for (i = 0, k = 0; i < s->ncriteria; i++)
			k += (size_t)s->criteria[i].weight_bp;
		CHECK(k == 10000);
	}
	j = scheme_json(s);
	CHECK(j != NULL);
	json_decref(j);
	j = scheme_summary_json(s);
	CHECK(j != NULL);
	json_decref(j);
	for (i = 0; i < s->nrules; i++) {
		j = scheme_rules_json(s, &s->rules[i]);
		CHECK(j != NULL);
		json_decref(j);
		CHECK(scheme_rules_find(s, s->rules[i].id) != NULL);
	}
	for (i = 0; i < s->ncriteria; i++)
		CHECK(scheme_criterion_find(s, s->criteria[i].id) != NULL);
	(void)scheme_accepts_org_type(s, "company");

	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		CHECK(date_parse(days[i], &day));
		r = scheme_rules_on(s, day);
		if (r != NULL)
			CHECK(r->effective_from <= day);
		for (k = 0; k < sizeof(bodies) / sizeof(bodies[0]); k++) {
			snprintf(body, sizeof(body), bodies[k], days[i]);
			in = json_loads(body, 0, NULL);
			CHECK(in != NULL);
			app_err_clear(&err);
			out = NULL;
			if (funding_quote_json(s, in, &out, &err))
				CHECK(out != NULL);
			else
				CHECK(out == NULL && err.code != APP_OK &&
				    err.code != APP_EINTERNAL);
			json_decref(out);
			json_decref(in);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scheme		 s;
	struct scheme_set	 set;
	struct app_err		 err;
	FILE			*fp, *report;
	char			 name[32], path[128], *paths[1];
	char			*rbuf;
	size_t			 rlen, nproblems;
	int			 ok, ok2;

	file_name(data, size, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		abort();
	}
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	if (fclose(fp) != 0)
		abort();

	app_err_clear(&err);
	ok = scheme_load_file(path, &s, &err);
	if (ok) {
		CHECK(err.code == APP_OK);
		exercise(&s);
		scheme_free(&s);
	} else {
		CHECK(err.code == APP_EINVAL && err.msg[0] != '\0');
		CHECK(strncmp(err.msg, path, strlen(path)) == 0);
	}

	/* Every problem, one a line. */
	rbuf = NULL;
	rlen = 0;
	if ((report = open_memstream(&rbuf, &rlen)) == NULL)
		abort();
	paths[0] = path;
	app_err_clear(&err);
	nproblems = 0;
	ok2 = schemes_check_files(paths, 1, report, &nproblems, &err);
	fclose(report);
	CHECK(ok2 == ok);
	CHECK(ok2 ? nproblems == 0 : nproblems > 0 && rlen > 0);
	free(rbuf);

	/* As a directory of one: the set checks. */
	app_err_clear(&err);
	if (schemes_load_dir(tmpdir, &set, &err)) {
		CHECK(ok && set.n == 1);
		CHECK(schemes_find(&set, set.v[0].code) == &set.v[0]);
		schemes_free(&set);
	} else
		CHECK(set.n == 0 && set.v == NULL && err.code != APP_OK);

	unlink(path);
	return (0);
}
