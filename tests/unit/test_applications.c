/*
 * test_applications.c: the pure half of applications (app/core/
 * applications.c): the state table and who may move along it, content
 * validation against a scheme's application_fields, eligibility, the
 * funding computation with its caps and errors, the split over budget
 * lines, reference numbers.  Fixture schemes are written to a temporary
 * directory at setup, so these tests do not move when schemes/ changes:
 *	APPX	matching 3/4, caps 600k per project and per applicant, 6
 *		projects, pays by milestones, a field of every type
 *	APPR	allowance (RTH-like talents list)
 *	APPC	rebate 40% of a required cents field
 *	APPM	merged;  APPZ  closed on 2020-12-31
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "applications.h"
#include "dates.h"

struct fixture {
	const char	*name;
	const char	*text;
};

static const struct fixture fixtures[] = {
	{ "appx.json",
	    "{\"code\":\"APPX\",\"name_en\":\"Test APPX\",\"name_zh\":\"\\u6e"
	    "2c\\u8a66\",\"area\":\"rd\",\"launched\":\"2016-01-01\",\"status"
	    "\":\"open\",\"eligible_applicants\":[\"company\",\"university\"]"
	    ",\"eligibility_en\":\"x\",\"eligibility_zh\":\"x\",\"funding_mod"
	    "el\":\"matching\",\"reference_prefix\":\"APPX\",\"reference_pref"
	    "ix_source\":{\"source\":\"S\"},\"implementation_partner\":null,\""
	    "assessment_body\":{\"en\":\"Panel\",\"zh\":\"\\u5c0f\\u7d44\"},\""
	    "panel_quorum\":3,\"max_months\":{\"value\":12,\"source\":\"S\"},"
	    "\"criteria\":[{\"id\":\"merit\",\"name_en\":\"Merit\",\"name_zh\""
	    ":\"\\u50f9\\u503c\",\"weight_bp\":10000,\"max_score\":10,\"sourc"
	    "e\":\"S\"}],\"payment\":{\"pattern\":\"milestones\",\"source\":\""
	    "S\"},\"application_fields\":[{\"name\":\"provider\",\"type\":\"s"
	    "tring\",\"required\":true,\"max_length\":10,\"label_en\":\"P\",\""
	    "label_zh\":\"P\"},{\"name\":\"notes\",\"type\":\"text\",\"requir"
	    "ed\":false,\"label_en\":\"N\",\"label_zh\":\"N\"},{\"name\":\"st"
	    "aff\",\"type\":\"integer\",\"required\":false,\"label_en\":\"S\""
	    ",\"label_zh\":\"S\"},{\"name\":\"quote_cents\",\"type\":\"cents\""
	    ",\"required\":true,\"label_en\":\"Q\",\"label_zh\":\"Q\"},{\"nam"
	    "e\":\"quoted_on\",\"type\":\"date\",\"required\":false,\"label_e"
	    "n\":\"D\",\"label_zh\":\"D\"},{\"name\":\"listed\",\"type\":\"bo"
	    "olean\",\"required\":false,\"label_en\":\"L\",\"label_zh\":\"L\""
	    "},{\"name\":\"tier\",\"type\":\"enum\",\"required\":true,\"value"
	    "s\":[\"seed\",\"platform\"],\"label_en\":\"T\",\"label_zh\":\"T\""
	    "},{\"name\":\"partners\",\"type\":\"list\",\"required\":false,\""
	    "max_items\":2,\"label_en\":\"Ps\",\"label_zh\":\"Ps\",\"item_fie"
	    "lds\":[{\"name\":\"name\",\"type\":\"string\",\"required\":true,"
	    "\"label_en\":\"n\",\"label_zh\":\"n\"},{\"name\":\"share_cents\""
	    ",\"type\":\"cents\",\"required\":false,\"label_en\":\"s\",\"labe"
	    "l_zh\":\"s\"}]}],\"rule_versions\":[{\"id\":\"APPX-2016\",\"effe"
	    "ctive_from\":\"2016-01-01\",\"source\":\"S\",\"params\":{\"gov_s"
	    "hare_num\":{\"value\":3,\"source\":\"S\"},\"gov_share_den\":{\"v"
	    "alue\":4,\"source\":\"S\"},\"per_project_cap_cents\":{\"value\":"
	    "60000000,\"source\":\"S\"},\"per_applicant_cap_cents\":{\"value\""
	    ":60000000,\"source\":\"S\"},\"per_applicant_cap_period\":{\"valu"
	    "e\":\"lifetime\",\"source\":\"S\"},\"max_projects\":{\"value\":6"
	    ",\"source\":\"S\"}}}],\"sources\":{\"S\":\"test fixture\"}}" },
	{ "appr.json",
	    "{\"code\":\"APPR\",\"name_en\":\"Test APPR\",\"name_zh\":\"\\u6e"
	    "2c\\u8a66\",\"area\":\"rd\",\"launched\":\"2016-01-01\",\"status"
	    "\":\"open\",\"eligible_applicants\":[\"company\",\"university\"]"
	    ",\"eligibility_en\":\"x\",\"eligibility_zh\":\"x\",\"funding_mod"
	    "el\":\"allowance\",\"reference_prefix\":\"APPR\",\"reference_pre"
	    "fix_source\":{\"source\":\"S\"},\"implementation_partner\":null,"
	    "\"assessment_body\":{\"en\":\"Panel\",\"zh\":\"\\u5c0f\\u7d44\"}"
	    ",\"panel_quorum\":3,\"max_months\":{\"value\":12,\"source\":\"S\""
	    "},\"criteria\":[{\"id\":\"merit\",\"name_en\":\"Merit\",\"name_z"
	    "h\":\"\\u50f9\\u503c\",\"weight_bp\":10000,\"max_score\":10,\"so"
	    "urce\":\"S\"}],\"payment\":{\"pattern\":\"monthly_claims\",\"sou"
	    "rce\":\"S\"},\"application_fields\":[{\"name\":\"talents\",\"typ"
	    "e\":\"list\",\"required\":true,\"max_items\":4,\"label_en\":\"T\""
	    ",\"label_zh\":\"T\",\"item_fields\":[{\"name\":\"name\",\"type\""
	    ":\"string\",\"required\":true,\"label_en\":\"n\",\"label_zh\":\""
	    "n\"},{\"name\":\"qualification\",\"type\":\"enum\",\"required\":"
	    "true,\"values\":[\"bachelor\",\"master\",\"doctorate\"],\"label_"
	    "en\":\"q\",\"label_zh\":\"q\"},{\"name\":\"months\",\"type\":\"i"
	    "nteger\",\"required\":true,\"label_en\":\"m\",\"label_zh\":\"m\""
	    "}]}],\"rule_versions\":[{\"id\":\"APPR-2016\",\"effective_from\""
	    ":\"2016-01-01\",\"source\":\"S\",\"params\":{\"monthly_cents\":{"
	    "\"value\":{\"bachelor\":1800000,\"master\":2100000,\"doctorate\""
	    ":3200000},\"source\":\"S\"},\"max_heads\":{\"value\":4,\"source\""
	    ":\"S\"},\"max_months\":{\"value\":36,\"source\":\"S\"}}}],\"sour"
	    "ces\":{\"S\":\"test fixture\"}}" },
	{ "appc.json",
	    "{\"code\":\"APPC\",\"name_en\":\"Test APPC\",\"name_zh\":\"\\u6e"
	    "2c\\u8a66\",\"area\":\"rd\",\"launched\":\"2016-01-01\",\"status"
	    "\":\"open\",\"eligible_applicants\":[\"company\",\"university\"]"
	    ",\"eligibility_en\":\"x\",\"eligibility_zh\":\"x\",\"funding_mod"
	    "el\":\"rebate\",\"reference_prefix\":\"APPC\",\"reference_prefix"
	    "_source\":{\"source\":\"S\"},\"implementation_partner\":null,\"a"
	    "ssessment_body\":{\"en\":\"Panel\",\"zh\":\"\\u5c0f\\u7d44\"},\""
	    "panel_quorum\":3,\"max_months\":{\"value\":12,\"source\":\"S\"},"
	    "\"criteria\":[{\"id\":\"merit\",\"name_en\":\"Merit\",\"name_zh\""
	    ":\"\\u50f9\\u503c\",\"weight_bp\":10000,\"max_score\":10,\"sourc"
	    "e\":\"S\"}],\"payment\":{\"pattern\":\"single_rebate\",\"source\""
	    ":\"S\"},\"application_fields\":[{\"name\":\"expenditure_cents\","
	    "\"type\":\"cents\",\"required\":true,\"label_en\":\"E\",\"label_"
	    "zh\":\"E\"}],\"rule_versions\":[{\"id\":\"APPC-2016\",\"effectiv"
	    "e_from\":\"2016-01-01\",\"source\":\"S\",\"params\":{\"rate_bp\""
	    ":{\"value\":4000,\"source\":\"S\"}}}],\"sources\":{\"S\":\"test "
	    "fixture\"}}" },
	{ "appm.json",
	    "{\"code\":\"APPM\",\"name_en\":\"Test APPM\",\"name_zh\":\"\\u6e"
	    "2c\\u8a66\",\"area\":\"rd\",\"launched\":\"2016-01-01\",\"status"
	    "\":\"merged\",\"eligible_applicants\":[\"company\",\"university\""
	    "],\"eligibility_en\":\"x\",\"eligibility_zh\":\"x\",\"funding_mo"
	    "del\":\"grant\",\"reference_prefix\":\"APPM\",\"reference_prefix"
	    "_source\":{\"source\":\"S\"},\"implementation_partner\":null,\"a"
	    "ssessment_body\":{\"en\":\"Panel\",\"zh\":\"\\u5c0f\\u7d44\"},\""
	    "panel_quorum\":3,\"max_months\":{\"value\":12,\"source\":\"S\"},"
	    "\"criteria\":[{\"id\":\"merit\",\"name_en\":\"Merit\",\"name_zh\""
	    ":\"\\u50f9\\u503c\",\"weight_bp\":10000,\"max_score\":10,\"sourc"
	    "e\":\"S\"}],\"payment\":{\"pattern\":\"milestones\",\"source\":\""
	    "S\"},\"application_fields\":[],\"rule_versions\":[{\"id\":\"APPM"
	    "-2016\",\"effective_from\":\"2016-01-01\",\"source\":\"S\",\"par"
	    "ams\":{\"max_cents\":{\"value\":100000000,\"source\":\"S\"}}}],\""
	    "sources\":{\"S\":\"test fixture\"},\"merged_into\":\"APPX\"}" },
	{ "appz.json",
	    "{\"code\":\"APPZ\",\"name_en\":\"Test APPZ\",\"name_zh\":\"\\u6e"
	    "2c\\u8a66\",\"area\":\"rd\",\"launched\":\"2016-01-01\",\"status"
	    "\":\"closed\",\"eligible_applicants\":[\"company\",\"university\""
	    "],\"eligibility_en\":\"x\",\"eligibility_zh\":\"x\",\"funding_mo"
	    "del\":\"grant\",\"reference_prefix\":\"APPZ\",\"reference_prefix"
	    "_source\":{\"source\":\"S\"},\"implementation_partner\":null,\"a"
	    "ssessment_body\":{\"en\":\"Panel\",\"zh\":\"\\u5c0f\\u7d44\"},\""
	    "panel_quorum\":3,\"max_months\":{\"value\":12,\"source\":\"S\"},"
	    "\"criteria\":[{\"id\":\"merit\",\"name_en\":\"Merit\",\"name_zh\""
	    ":\"\\u50f9\\u503c\",\"weight_bp\":10000,\"max_score\":10,\"sourc"
	    "e\":\"S\"}],\"payment\":{\"pattern\":\"milestones\",\"source\":\""
	    "S\"},\"application_fields\":[],\"rule_versions\":[{\"id\":\"APPZ"
	    "-2016\",\"effective_from\":\"2016-01-01\",\"source\":\"S\",\"par"
	    "ams\":{\"max_cents\":{\"value\":100000000,\"source\":\"S\"}}}],\""
	    "sources\":{\"S\":\"test fixture\"},\"closes_on\":\"2020-12-31\"}" },
};

static struct scheme_set	set;
static char			dir[] = "/tmp/itf-test-applications.XXXXXX";

static int	setup(void **);
static int	teardown(void **);
static json_t	*J(const char *);
static const struct scheme *S(const char *);
static int	day(const char *);
static json_t	*content(const char *);
static void	actor_as(struct actor *, unsigned, int64_t, int64_t);
static void	bad_apply(const char *, const char *, const char *,
		    enum app_errcode, const char *);
static void	bad_check(const char *, const char *, int,
		    enum app_errcode, const char *);

static int
setup(void **state)
{
	struct app_err	 err;
	char		 path[256];
	FILE		*f;
	size_t		 i;

	if (mkdtemp(dir) == NULL)
		return (-1);
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixtures[i].name);
		if ((f = fopen(path, "w")) == NULL)
			return (-1);
		fputs(fixtures[i].text, f);
		fclose(f);
	}
	app_err_clear(&err);
	if (!schemes_load_dir(dir, &set, &err)) {
		fprintf(stderr, "fixtures: %s\n", err.msg);
		return (-1);
	}
	return (0);
}

static int
teardown(void **state)
{
	char	path[256];
	size_t	i;

	schemes_free(&set);
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, fixtures[i].name);
		unlink(path);
	}
	rmdir(dir);
	return (0);
}

/* JSON written with single quotes, for readable tests. */
static json_t *
J(const char *text)
{
	json_error_t	 jerr;
	json_t		*j;
	char		*s, *p;

	s = strdup(text);
	assert_non_null(s);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	j = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	free(s);
	return (j);
}

static const struct scheme *
S(const char *code)
{
	const struct scheme	*s;

	s = schemes_find(&set, code);
	assert_non_null(s);
	return (s);
}

static int
day(const char *iso)
{
	int	d;

	assert_true(date_parse(iso, &d));
	return (d);
}

/* A complete APPX application (3/4 of HK$100,000 is HK$75,000). */
static const char	appx_good[] =
    "{'title':'Smart factory vision','summary':'Adopt machine vision.',"
    "'start_date':'2021-01-01','end_date':'2021-12-31',"
    "'budget_lines':[{'category':'equipment','description':'Cameras',"
    "'amount_cents':6000000},{'category':'services','amount_cents':4000000}],"
    "'milestones':[{'title':'Installed','deliverables':'Cameras on line 1',"
    "'due_date':'2021-06-30'}],"
    "'fields':{'provider':'HKPC','quote_cents':10000000,'tier':'seed',"
    "'partners':[{'name':'A Ltd','share_cents':5}]}}";

/* A fresh content object with body applied; NULL if refused. */
static json_t *
content(const char *body)
{
	struct app_err	 err;
	json_t		*c, *in;

	app_err_clear(&err);
	c = J("{'summary':'','budget_lines':[],'milestones':[],'fields':{}}");
	in = J(body);
	if (!application_content_apply(S("APPX"), c, in, NULL, &err)) {
		json_decref(in);
		json_decref(c);
		fail_msg("refused: %s (%s)", err.msg, err.field);
	}
	json_decref(in);
	return (c);
}

static void
actor_as(struct actor *a, unsigned roles, int64_t user, int64_t org)
{
	memset(a, 0, sizeof(*a));
	a->roles = roles;
	a->user_id = user;
	a->org_id = org;
	snprintf(a->label, sizeof(a->label), "test");
}

/* Apply body to the content of base; expect code naming field. */
static void
bad_apply(const char *code, const char *base, const char *body,
    enum app_errcode want, const char *field)
{
	struct app_err	 err;
	json_t		*c, *in;

	app_err_clear(&err);
	c = J(base);
	in = J(body);
	assert_false(application_content_apply(S(code), c, in, NULL, &err));
	if (err.code != want || strcmp(err.field, field) != 0)
		fail_msg("%s: got code %d field \"%s\" (%s), want %d \"%s\"",
		    body, err.code, err.field, err.msg, want, field);
	json_decref(in);
	json_decref(c);
}

static void
bad_check(const char *code, const char *text, int submission,
    enum app_errcode want, const char *field)
{
	struct app_err	 err;
	json_t		*c;

	app_err_clear(&err);
	c = J(text);
	assert_false(application_content_check(S(code), c, submission, &err));
	if (err.code != want || strcmp(err.field, field) != 0)
		fail_msg("%s: got code %d field \"%s\" (%s), want %d \"%s\"",
		    text, err.code, err.field, err.msg, want, field);
	json_decref(c);
}

static void
test_names(void **state)
{
	enum application_status	st;
	enum application_action	a;
	int			i;

	for (i = 0; i < APPLICATION_NSTATUS; i++) {
		assert_true(application_status_parse(
		    application_status_name((enum application_status)i), &st));
		assert_int_equal(st, i);
	}
	for (i = 0; i < APPLICATION_NACTION; i++) {
		assert_true(application_action_parse(
		    application_action_name((enum application_action)i), &a));
		assert_int_equal(a, i);
	}
	assert_false(application_status_parse("Draft", &st));
	assert_false(application_status_parse("", &st));
	assert_false(application_status_parse(NULL, &st));
	assert_false(application_action_parse("Approve", &a));
	assert_true(application_action_parse("sign", &a));
	assert_int_equal(a, APPLICATION_ACT_SIGN);
	assert_string_equal(application_status_name(
	    APPLICATION_AGREEMENT_SIGNED), "agreement_signed");
	assert_string_equal(application_status_name(APPLICATION_NSTATUS),
	    "unknown");
	assert_string_equal(application_status_name(
	    APPLICATION_UNDER_ASSESSMENT), "under_assessment");
}

/* Every (status, action) pair: legal exactly when the table says so. */
static void
test_state_table(void **state)
{
	static const struct {
		enum application_status	from;
		enum application_action	action;
		enum application_status	to;
	} legal[] = {
		{ APPLICATION_DRAFT, APPLICATION_ACT_SUBMIT,
		    APPLICATION_SUBMITTED },
		{ APPLICATION_SUBMITTED, APPLICATION_ACT_START_SCREENING,
		    APPLICATION_SCREENING },
		{ APPLICATION_RESUBMITTED, APPLICATION_ACT_START_SCREENING,
		    APPLICATION_SCREENING },
		{ APPLICATION_SCREENING, APPLICATION_ACT_RETURN,
		    APPLICATION_RETURNED },
		{ APPLICATION_SCREENING, APPLICATION_ACT_ACCEPT,
		    APPLICATION_UNDER_ASSESSMENT },
		{ APPLICATION_RETURNED, APPLICATION_ACT_RESUBMIT,
		    APPLICATION_RESUBMITTED },
		{ APPLICATION_UNDER_ASSESSMENT, APPLICATION_ACT_RECOMMEND,
		    APPLICATION_RECOMMENDED },
		{ APPLICATION_UNDER_ASSESSMENT, APPLICATION_ACT_NOT_RECOMMEND,
		    APPLICATION_NOT_RECOMMENDED },
		{ APPLICATION_RECOMMENDED, APPLICATION_ACT_APPROVE,
		    APPLICATION_APPROVED },
		{ APPLICATION_RECOMMENDED, APPLICATION_ACT_REJECT,
		    APPLICATION_REJECTED },
		{ APPLICATION_NOT_RECOMMENDED, APPLICATION_ACT_REJECT,
		    APPLICATION_REJECTED },
		{ APPLICATION_APPROVED, APPLICATION_ACT_SIGN,
		    APPLICATION_AGREEMENT_SIGNED },
	};
	const struct application_transition	*t;
	int					 from, a, want;
	size_t					 i;

	for (from = 0; from < APPLICATION_NSTATUS; from++) {
		for (a = 0; a < APPLICATION_NACTION; a++) {
			t = application_transition_find(
			    (enum application_status)from,
			    (enum application_action)a);
			want = -1;
			for (i = 0; i < sizeof(legal) / sizeof(legal[0]); i++)
				if ((int)legal[i].from == from &&
				    (int)legal[i].action == a)
					want = (int)legal[i].to;
			/* Withdrawal: from every state before approval. */
			if (a == APPLICATION_ACT_WITHDRAW &&
			    from != APPLICATION_APPROVED &&
			    from != APPLICATION_AGREEMENT_SIGNED &&
			    from != APPLICATION_REJECTED &&
			    from != APPLICATION_WITHDRAWN)
				want = APPLICATION_WITHDRAWN;
			if (want < 0) {
				if (t != NULL)
					fail_msg("%s from %s should be illegal",
					    application_action_name(a),
					    application_status_name(from));
				continue;
			}
			if (t == NULL)
				fail_msg("%s from %s should be legal",
				    application_action_name(a),
				    application_status_name(from));
			assert_int_equal(t->to, want);
		}
	}
	/* Only returns need a note; the organisation hears of these. */
	t = application_transition_find(APPLICATION_SCREENING,
	    APPLICATION_ACT_RETURN);
	assert_true(t->note_required);
	assert_string_equal(t->notify, "application.returned");
	t = application_transition_find(APPLICATION_SCREENING,
	    APPLICATION_ACT_ACCEPT);
	assert_false(t->note_required);
	assert_string_equal(t->notify, "application.accepted");
	t = application_transition_find(APPLICATION_DRAFT,
	    APPLICATION_ACT_WITHDRAW);
	assert_null(t->notify);
	/* A decision needs its reasons; other resources notify. */
	t = application_transition_find(APPLICATION_NOT_RECOMMENDED,
	    APPLICATION_ACT_REJECT);
	assert_true(t->note_required);
	assert_null(t->notify);
	/*
	 * The roles: applicants submit and withdraw, officers screen, the
	 * chair (or an officer) recommends, approvers decide, the
	 * organisation (or an officer) signs.
	 */
	for (i = 0; i < application_ntransitions; i++) {
		t = &application_transitions[i];
		switch (t->action) {
		case APPLICATION_ACT_SUBMIT:
		case APPLICATION_ACT_RESUBMIT:
		case APPLICATION_ACT_WITHDRAW:
			assert_int_equal(t->roles, ROLE_APPLICANT);
			break;
		case APPLICATION_ACT_RECOMMEND:
		case APPLICATION_ACT_NOT_RECOMMEND:
			assert_int_equal(t->roles, ROLE_OFFICER | ROLE_PANEL);
			break;
		case APPLICATION_ACT_APPROVE:
		case APPLICATION_ACT_REJECT:
			assert_int_equal(t->roles, ROLE_APPROVER);
			break;
		case APPLICATION_ACT_SIGN:
			assert_int_equal(t->roles, ROLE_APPLICANT |
			    ROLE_OFFICER);
			break;
		default:
			assert_int_equal(t->roles, ROLE_OFFICER);
			break;
		}
	}
}

static void
test_permissions(void **state)
{
	const struct application_transition	*t;
	struct actor				 a;
	struct app_err				 err;

	/* The applicant of organisation 7. */
	actor_as(&a, ROLE_APPLICANT, 10, 7);
	app_err_clear(&err);
	assert_true(application_may_read(&a, 7, &err));
	assert_true(application_may(&a, 7, APPLICATION_DRAFT,
	    APPLICATION_ACT_SUBMIT, &t, &err));
	assert_int_equal(t->to, APPLICATION_SUBMITTED);
	assert_true(application_may(&a, 7, APPLICATION_RETURNED,
	    APPLICATION_ACT_RESUBMIT, &t, &err));
	assert_true(application_may_edit(&a, 7, APPLICATION_DRAFT, &err));
	assert_true(application_may_edit(&a, 7, APPLICATION_RETURNED, &err));
	assert_false(application_may_edit(&a, 7, APPLICATION_SUBMITTED, &err));
	assert_int_equal(err.code, APP_ESTATE);
	/* ... illegal moves are APP_ESTATE naming the status ... */
	app_err_clear(&err);
	assert_false(application_may(&a, 7, APPLICATION_SUBMITTED,
	    APPLICATION_ACT_SUBMIT, &t, &err));
	assert_int_equal(err.code, APP_ESTATE);
	assert_string_equal(err.field, "status");
	assert_non_null(strstr(err.msg, "submitted"));
	app_err_clear(&err);
	assert_false(application_may(&a, 7, APPLICATION_WITHDRAWN,
	    APPLICATION_ACT_WITHDRAW, &t, &err));
	assert_int_equal(err.code, APP_ESTATE);
	/* ... officers' moves are forbidden to it ... */
	app_err_clear(&err);
	assert_false(application_may(&a, 7, APPLICATION_SCREENING,
	    APPLICATION_ACT_ACCEPT, &t, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	/* ... and another organisation's application does not exist. */
	app_err_clear(&err);
	assert_false(application_may_read(&a, 8, &err));
	assert_int_equal(err.code, APP_ENOTFOUND);
	app_err_clear(&err);
	assert_false(application_may(&a, 8, APPLICATION_DRAFT,
	    APPLICATION_ACT_SUBMIT, &t, &err));
	assert_int_equal(err.code, APP_ENOTFOUND);
	app_err_clear(&err);
	assert_false(application_may_edit(&a, 8, APPLICATION_DRAFT, &err));
	assert_int_equal(err.code, APP_ENOTFOUND);

	/* An officer reads all and screens, but never submits or edits. */
	actor_as(&a, ROLE_OFFICER, 11, 0);
	app_err_clear(&err);
	assert_true(application_may_read(&a, 8, &err));
	assert_true(application_may_list(&a, &err));
	assert_true(application_may(&a, 8, APPLICATION_SUBMITTED,
	    APPLICATION_ACT_START_SCREENING, &t, &err));
	assert_true(application_may(&a, 8, APPLICATION_SCREENING,
	    APPLICATION_ACT_RETURN, &t, &err));
	assert_false(application_may(&a, 8, APPLICATION_DRAFT,
	    APPLICATION_ACT_SUBMIT, &t, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	app_err_clear(&err);
	assert_false(application_may_edit(&a, 8, APPLICATION_DRAFT, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	/* An officer screening a draft: the move is illegal (409). */
	app_err_clear(&err);
	assert_false(application_may(&a, 8, APPLICATION_DRAFT,
	    APPLICATION_ACT_ACCEPT, &t, &err));
	assert_int_equal(err.code, APP_ESTATE);
	/* An officer who belongs to the applicant organisation may not. */
	actor_as(&a, ROLE_OFFICER, 12, 8);
	app_err_clear(&err);
	assert_false(application_may(&a, 8, APPLICATION_SCREENING,
	    APPLICATION_ACT_ACCEPT, &t, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);

	/* Auditors read everything and change nothing. */
	actor_as(&a, ROLE_AUDITOR, 13, 0);
	app_err_clear(&err);
	assert_true(application_may_read(&a, 8, &err));
	assert_true(application_may_list(&a, &err));
	assert_false(application_may(&a, 8, APPLICATION_SCREENING,
	    APPLICATION_ACT_ACCEPT, &t, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	assert_non_null(strstr(err.msg, "auditors"));
	app_err_clear(&err);
	assert_false(application_may_edit(&a, 8, APPLICATION_DRAFT, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);

	/* Panel members, finance, admins: no access here. */
	actor_as(&a, ROLE_PANEL | ROLE_FINANCE | ROLE_ADMIN, 14, 0);
	app_err_clear(&err);
	assert_false(application_may_list(&a, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	app_err_clear(&err);
	assert_false(application_may_read(&a, 8, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	app_err_clear(&err);
	assert_false(application_may_view(&a, 8, APPLICATION_RECOMMENDED,
	    &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);

	/*
	 * Approvers list and read what waits for their decision, or is
	 * decided; they approve and reject, and nothing else.
	 */
	actor_as(&a, ROLE_APPROVER, 15, 0);
	app_err_clear(&err);
	assert_true(application_may_list(&a, &err));
	assert_true(application_may_view(&a, 8, APPLICATION_RECOMMENDED,
	    &err));
	assert_true(application_may_view(&a, 8, APPLICATION_NOT_RECOMMENDED,
	    &err));
	assert_true(application_may_view(&a, 8, APPLICATION_AGREEMENT_SIGNED,
	    &err));
	assert_false(application_may_view(&a, 8, APPLICATION_UNDER_ASSESSMENT,
	    &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	assert_string_equal(err.field, "status");
	app_err_clear(&err);
	assert_false(application_may_view(&a, 8, APPLICATION_DRAFT, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	app_err_clear(&err);
	assert_true(application_may(&a, 8, APPLICATION_RECOMMENDED,
	    APPLICATION_ACT_APPROVE, &t, &err));
	assert_int_equal(t->to, APPLICATION_APPROVED);
	assert_true(application_may(&a, 8, APPLICATION_NOT_RECOMMENDED,
	    APPLICATION_ACT_REJECT, &t, &err));
	assert_false(application_may(&a, 8, APPLICATION_NOT_RECOMMENDED,
	    APPLICATION_ACT_APPROVE, &t, &err));
	assert_int_equal(err.code, APP_ESTATE);
	app_err_clear(&err);
	assert_false(application_may(&a, 8, APPLICATION_SCREENING,
	    APPLICATION_ACT_ACCEPT, &t, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	app_err_clear(&err);
	assert_false(application_may(&a, 8, APPLICATION_UNDER_ASSESSMENT,
	    APPLICATION_ACT_RECOMMEND, &t, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	assert_non_null(strstr(err.msg, "chair"));
	/* A panel member (the chair, as decisions.c decides) recommends. */
	actor_as(&a, ROLE_PANEL, 16, 0);
	app_err_clear(&err);
	assert_true(application_may(&a, 8, APPLICATION_UNDER_ASSESSMENT,
	    APPLICATION_ACT_NOT_RECOMMEND, &t, &err));
	assert_false(application_may(&a, 8, APPLICATION_RECOMMENDED,
	    APPLICATION_ACT_APPROVE, &t, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	assert_non_null(strstr(err.msg, "approving officers"));
	/* Signing: the organisation's applicant, or an officer. */
	actor_as(&a, ROLE_APPLICANT, 10, 7);
	app_err_clear(&err);
	assert_true(application_may(&a, 7, APPLICATION_APPROVED,
	    APPLICATION_ACT_SIGN, &t, &err));
	assert_int_equal(t->to, APPLICATION_AGREEMENT_SIGNED);
	assert_false(application_may(&a, 8, APPLICATION_APPROVED,
	    APPLICATION_ACT_SIGN, &t, &err));
	assert_int_equal(err.code, APP_ENOTFOUND);
	app_err_clear(&err);
	assert_false(application_may(&a, 7, APPLICATION_AGREEMENT_SIGNED,
	    APPLICATION_ACT_SIGN, &t, &err));
	assert_int_equal(err.code, APP_ESTATE);
	actor_as(&a, ROLE_OFFICER, 11, 0);
	app_err_clear(&err);
	assert_true(application_may(&a, 8, APPLICATION_APPROVED,
	    APPLICATION_ACT_SIGN, &t, &err));
	/* Staff never move their own organisation's application. */
	actor_as(&a, ROLE_APPROVER, 17, 8);
	app_err_clear(&err);
	assert_false(application_may(&a, 8, APPLICATION_RECOMMENDED,
	    APPLICATION_ACT_APPROVE, &t, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);

	/* The system actor (itfctl) acts for any organisation. */
	actor_system(&a, "itfctl");
	app_err_clear(&err);
	assert_true(application_may(&a, 8, APPLICATION_DRAFT,
	    APPLICATION_ACT_SUBMIT, &t, &err));

	/* Committed statuses: pending and approved, not drafts or endings. */
	assert_false(application_status_committed(APPLICATION_DRAFT));
	assert_true(application_status_committed(APPLICATION_SUBMITTED));
	assert_true(application_status_committed(APPLICATION_RETURNED));
	assert_true(application_status_committed(
	    APPLICATION_UNDER_ASSESSMENT));
	assert_true(application_status_committed(APPLICATION_APPROVED));
	assert_true(application_status_committed(
	    APPLICATION_AGREEMENT_SIGNED));
	assert_false(application_status_committed(
	    APPLICATION_NOT_RECOMMENDED));
	assert_true(application_status_decidable(APPLICATION_REJECTED));
	assert_false(application_status_decidable(APPLICATION_WITHDRAWN));
	assert_false(application_status_committed(APPLICATION_WITHDRAWN));
	assert_false(application_status_committed(APPLICATION_REJECTED));
}

static void
test_content_apply(void **state)
{
	static const char	base[] =
	    "{'title':'T','summary':'','budget_lines':[],'milestones':[],"
	    "'fields':{'provider':'X','tier':'seed'}}";
	struct app_err		 err;
	json_t			*c, *in;

	c = content(appx_good);
	assert_string_equal(json_string_value(json_object_get(c, "title")),
	    "Smart factory vision");
	/* Lines are normalised: a missing description becomes "". */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(c, "budget_lines"), 1), "description")), "");
	/* PATCH: null clears optional keys, fields merge key by key. */
	app_err_clear(&err);
	in = J("{'end_date':null,'fields':{'notes':'line 1\\nline 2',"
	    "'provider':null},'summary':null}");
	assert_true(application_content_apply(S("APPX"), c, in, NULL, &err));
	json_decref(in);
	assert_null(json_object_get(c, "end_date"));
	assert_string_equal(json_string_value(json_object_get(c, "summary")),
	    "");
	assert_null(json_object_get(json_object_get(c, "fields"),
	    "provider"));
	assert_non_null(json_object_get(json_object_get(c, "fields"),
	    "quote_cents"));
	/* Keys the caller handles can be skipped. */
	in = J("{'scheme':'APPX','title':'New'}");
	{
		static const char *const skip[] = { "scheme", NULL };

		assert_true(application_content_apply(S("APPX"), c, in, skip,
		    &err));
	}
	json_decref(in);
	json_decref(c);

	/* Unknown keys and wrong JSON types: 400, naming the field. */
	bad_apply("APPX", base, "{'colour':'red'}", APP_EBADREQ, "colour");
	bad_apply("APPX", base, "{'title':5}", APP_EBADREQ, "title");
	bad_apply("APPX", base, "{'summary':[]}", APP_EBADREQ, "summary");
	bad_apply("APPX", base, "{'start_date':20210101}", APP_EBADREQ,
	    "start_date");
	bad_apply("APPX", base, "{'budget_lines':{}}", APP_EBADREQ,
	    "budget_lines");
	bad_apply("APPX", base, "{'budget_lines':[5]}", APP_EBADREQ,
	    "budget_lines[0]");
	bad_apply("APPX", base, "{'budget_lines':[{'category':'travel',"
	    "'amount_cents':1.5}]}", APP_EBADREQ, "budget_lines[0].amount_cents");
	bad_apply("APPX", base, "{'budget_lines':[{'category':'travel',"
	    "'amount_cents':'100'}]}", APP_EBADREQ,
	    "budget_lines[0].amount_cents");
	bad_apply("APPX", base, "{'budget_lines':[{'category':'travel',"
	    "'amount_cents':100,'government_cents':75}]}", APP_EBADREQ,
	    "budget_lines[0].government_cents");
	bad_apply("APPX", base, "{'milestones':[{'title':'M',"
	    "'due_date':'2021-01-01','owner':'me'}]}", APP_EBADREQ,
	    "milestones[0].owner");
	bad_apply("APPX", base, "{'fields':{'colour':'red'}}", APP_EBADREQ,
	    "fields.colour");
	bad_apply("APPX", base, "{'fields':{'staff':'3'}}", APP_EBADREQ,
	    "fields.staff");
	bad_apply("APPX", base, "{'fields':{'listed':'yes'}}", APP_EBADREQ,
	    "fields.listed");
	bad_apply("APPX", base, "{'fields':{'partners':[{'name':'A',"
	    "'role':'x'}]}}", APP_EBADREQ, "fields.partners[0].role");
	bad_apply("APPX", base, "{'fields':[]}", APP_EBADREQ, "fields");

	/* Values a rule refuses: 422. */
	bad_apply("APPX", base, "{'title':''}", APP_EINVAL, "title");
	bad_apply("APPX", base, "{'title':'   '}", APP_EINVAL, "title");
	bad_apply("APPX", base, "{'title':null}", APP_EINVAL, "title");
	bad_apply("APPX", base, "{'title':'a\\u0007b'}", APP_EINVAL,
	    "title");
	bad_apply("APPX", base, "{'title':'two\\nlines'}", APP_EINVAL,
	    "title");
	bad_apply("APPX", base, "{'start_date':'2021-02-30'}", APP_EINVAL,
	    "start_date");
	bad_apply("APPX", base, "{'end_date':'2021-2-1'}", APP_EINVAL,
	    "end_date");
	bad_apply("APPX", base, "{'budget_lines':[{'category':'travel',"
	    "'amount_cents':-1}]}", APP_EINVAL, "budget_lines[0].amount_cents");
	bad_apply("APPX", base, "{'budget_lines':[{'category':'bribes',"
	    "'amount_cents':1}]}", APP_EINVAL, "budget_lines[0].category");
	bad_apply("APPX", base, "{'budget_lines':[{'category':'travel'}]}",
	    APP_EINVAL, "budget_lines[0].amount_cents");
	bad_apply("APPX", base, "{'budget_lines':[{'category':'travel',"
	    "'amount_cents':9223372036854775807},{'category':'travel',"
	    "'amount_cents':1}]}", APP_EINVAL, "budget_lines");
	bad_apply("APPX", base, "{'milestones':[{'title':'M',"
	    "'due_date':'2021-04-31'}]}", APP_EINVAL, "milestones[0].due_date");
	bad_apply("APPX", base, "{'milestones':[{'due_date':'2021-04-30'}]}",
	    APP_EINVAL, "milestones[0].title");
	bad_apply("APPX", base, "{'fields':{'provider':'eleven chars'}}",
	    APP_EINVAL, "fields.provider");
	bad_apply("APPX", base, "{'fields':{'tier':'gold'}}", APP_EINVAL,
	    "fields.tier");
	bad_apply("APPX", base, "{'fields':{'quote_cents':-5}}", APP_EINVAL,
	    "fields.quote_cents");
	bad_apply("APPX", base, "{'fields':{'quoted_on':'2021-13-01'}}",
	    APP_EINVAL, "fields.quoted_on");
	bad_apply("APPX", base, "{'fields':{'partners':[{'name':'A'},"
	    "{'name':'B'},{'name':'C'}]}}", APP_EINVAL, "fields.partners");
	bad_apply("APPX", base, "{'fields':{'partners':[{'name':'A',"
	    "'share_cents':-1}]}}", APP_EINVAL, "fields.partners[0].share_cents");
	/* Control characters are refused; line breaks only in text. */
	c = content("{'fields':{'notes':'a\\tb\\r\\nc'}}");
	json_decref(c);
	bad_apply("APPX", base, "{'fields':{'provider':'a\\nb'}}",
	    APP_EINVAL, "fields.provider");
	/* Lengths count characters, not bytes: ten Chinese characters fit. */
	c = content("{'fields':{'provider':"
	    "'\\u79d1\\u6280\\u670d\\u52d9\\u63d0\\u4f9b\\u8005\\u516c\\u53f8"
	    "\\u7532'}}");
	json_decref(c);
}

static void
test_content_check(void **state)
{
	struct app_err	 err;
	json_t		*c;

	c = content(appx_good);
	app_err_clear(&err);
	assert_true(application_content_check(S("APPX"), c, 0, &err));
	assert_true(application_content_check(S("APPX"), c, 1, &err));
	json_decref(c);

	/* A draft: only what is there must agree. */
	bad_check("APPX", "{'title':'T','start_date':'2021-05-01',"
	    "'end_date':'2021-05-01','budget_lines':[],'milestones':[],"
	    "'fields':{}}", 0, APP_EINVAL, "end_date");
	bad_check("APPX", "{'title':'T','start_date':'2021-05-01',"
	    "'end_date':'2021-06-01','budget_lines':[],'milestones':["
	    "{'title':'M','deliverables':'','due_date':'2021-06-02'}],"
	    "'fields':{}}", 0, APP_EINVAL, "milestones[0].due_date");
	c = J("{'title':'T','summary':'','budget_lines':[],'milestones':[],"
	    "'fields':{}}");
	assert_true(application_content_check(S("APPX"), c, 0, &err));
	json_decref(c);

	/* A submission: everything the scheme needs. */
#define WITH_FIELDS(f) "{'title':'T','summary':'S','start_date':" \
	"'2021-01-01','end_date':'2021-12-31','budget_lines':[{'category':" \
	"'travel','description':'','amount_cents':100}],'milestones':[" \
	"{'title':'M','deliverables':'','due_date':'2021-02-01'}],'fields':" \
	"{'provider':'P','quote_cents':1,'tier':'seed'" f "}}"
	c = J(WITH_FIELDS(""));
	assert_true(application_content_check(S("APPX"), c, 1, &err));
	json_decref(c);
	bad_check("APPX", "{'title':'T','summary':' ','start_date':"
	    "'2021-01-01','end_date':'2021-12-31','budget_lines':[],"
	    "'milestones':[],'fields':{}}", 1, APP_EINVAL, "summary");
	bad_check("APPX", "{'title':'T','summary':'S','budget_lines':[],"
	    "'milestones':[],'fields':{}}", 1, APP_EINVAL, "start_date");
	bad_check("APPX", "{'title':'T','summary':'S','start_date':"
	    "'2021-01-01','budget_lines':[],'milestones':[],'fields':{}}", 1,
	    APP_EINVAL, "end_date");
	/* 12 months from 2021-01-01 end on 2021-12-31, not 2022-01-01. */
	bad_check("APPX", "{'title':'T','summary':'S','start_date':"
	    "'2021-01-01','end_date':'2022-01-01','budget_lines':[],"
	    "'milestones':[],'fields':{}}", 1, APP_EINVAL, "end_date");
	bad_check("APPX", "{'title':'T','summary':'S','start_date':"
	    "'2021-01-01','end_date':'2021-12-31','budget_lines':[],"
	    "'milestones':[],'fields':{}}", 1, APP_EINVAL, "budget_lines");
	bad_check("APPX", "{'title':'T','summary':'S','start_date':"
	    "'2021-01-01','end_date':'2021-12-31','budget_lines':[{'category':"
	    "'travel','description':'','amount_cents':0}],'milestones':[],"
	    "'fields':{}}", 1, APP_EINVAL, "budget_lines");
	bad_check("APPX", "{'title':'T','summary':'S','start_date':"
	    "'2021-01-01','end_date':'2021-12-31','budget_lines':[{'category':"
	    "'travel','description':'','amount_cents':5}],'milestones':[],"
	    "'fields':{}}", 1, APP_EINVAL, "milestones");
	bad_check("APPX", "{'title':'T','summary':'S','start_date':"
	    "'2021-01-01','end_date':'2021-12-31','budget_lines':[{'category':"
	    "'travel','description':'','amount_cents':5}],'milestones':["
	    "{'title':'M','deliverables':'','due_date':'2021-02-01'}],"
	    "'fields':{'provider':'P','tier':'seed'}}", 1, APP_EINVAL,
	    "fields.quote_cents");
	/* Required strings must say something; list items their own. */
	bad_check("APPX", "{'title':'T','summary':'S','start_date':"
	    "'2021-01-01','end_date':'2021-12-31','budget_lines':[{'category':"
	    "'travel','description':'','amount_cents':5}],'milestones':["
	    "{'title':'M','deliverables':'','due_date':'2021-02-01'}],"
	    "'fields':{'provider':'','quote_cents':1,'tier':'seed'}}", 1,
	    APP_EINVAL, "fields.provider");
	bad_check("APPX", WITH_FIELDS(",'partners':[{'name':'A'},"
	    "{'share_cents':3}]"), 1, APP_EINVAL, "fields.partners[1].name");
	/* A field the definition no longer has must go before submission. */
	bad_check("APPX", WITH_FIELDS(",'retired':1"), 1, APP_EINVAL,
	    "fields.retired");
	/* An allowance needs no budget; its talents list is required. */
	c = J("{'title':'T','summary':'S','start_date':'2021-01-01',"
	    "'end_date':'2021-12-31','budget_lines':[],'milestones':[],"
	    "'fields':{'talents':[{'name':'Dr A','qualification':'doctorate',"
	    "'months':12}]}}");
	assert_true(application_content_check(S("APPR"), c, 1, &err));
	json_decref(c);
	bad_check("APPR", "{'title':'T','summary':'S','start_date':"
	    "'2021-01-01','end_date':'2021-12-31','budget_lines':[],"
	    "'milestones':[],'fields':{'talents':[]}}", 1, APP_EINVAL,
	    "fields.talents");
}

static void
test_period(void **state)
{
	json_t	*j;
	char	 buf[DATE_ISO_LEN];

#define LAST(s, m) date_format(application_period_last_day(day(s), m), buf, \
	    sizeof(buf))
	assert_string_equal(LAST("2021-01-01", 12), "2021-12-31");
	assert_string_equal(LAST("2021-01-15", 1), "2021-02-14");
	/* No 31 February: the month's last day. */
	assert_string_equal(LAST("2021-01-31", 1), "2021-02-28");
	assert_string_equal(LAST("2020-01-31", 1), "2020-02-29");
	assert_string_equal(LAST("2021-11-15", 3), "2022-02-14");
	assert_string_equal(LAST("2021-12-31", 24), "2023-12-30");
	assert_string_equal(LAST("2019-03-01", 36), "2022-02-28");
	j = J("{'d':'2021-02-03','e':'nope','f':7}");
	assert_int_equal(application_content_date(j, "d"), day("2021-02-03"));
	assert_int_equal(application_content_date(j, "e"), -1);
	assert_int_equal(application_content_date(j, "f"), -1);
	assert_int_equal(application_content_date(j, "g"), -1);
	json_decref(j);
}

static void
test_eligible(void **state)
{
	const struct scheme_rules	*r;
	struct app_err			 err;

	app_err_clear(&err);
	assert_true(application_eligible(S("APPX"), "company",
	    day("2021-06-01"), &r, &err));
	assert_string_equal(r->id, "APPX-2016");
	/* Organisation type not among eligible_applicants. */
	assert_false(application_eligible(S("APPX"), "rd_centre",
	    day("2021-06-01"), &r, &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.field, "org_type");
	assert_non_null(strstr(err.msg, "company, university"));
	/* Before the first rule version. */
	app_err_clear(&err);
	assert_false(application_eligible(S("APPX"), "company",
	    day("2015-12-31"), &r, &err));
	assert_string_equal(err.field, "scheme");
	/* Closed: open until closes_on, closed after. */
	app_err_clear(&err);
	assert_true(application_eligible(S("APPZ"), "company",
	    day("2020-12-31"), &r, &err));
	assert_false(application_eligible(S("APPZ"), "company",
	    day("2021-01-01"), &r, &err));
	assert_string_equal(err.field, "scheme");
	assert_non_null(strstr(err.msg, "2020-12-31"));
	/* Merged without a closing date: no applications at all. */
	app_err_clear(&err);
	assert_false(application_eligible(S("APPM"), "company",
	    day("2021-01-01"), &r, &err));
	assert_string_equal(err.field, "scheme");
	assert_non_null(strstr(err.msg, "merged into APPX"));
}

static void
test_compute(void **state)
{
	struct application_priors	 pr;
	struct application_funding	 af;
	const struct scheme_rules	*r;
	struct app_err			 err;
	json_t				*c;

	memset(&pr, 0, sizeof(pr));
	r = scheme_rules_on(S("APPX"), day("2021-01-04"));
	assert_non_null(r);

	/* 3/4 of HK$100,000, split 60:40 over the two lines. */
	c = content(appx_good);
	app_err_clear(&err);
	assert_true(application_compute(S("APPX"), r, c, &pr, &af, &err));
	assert_int_equal(af.result.government_cents, 7500000);
	assert_int_equal(af.result.applicant_cents, 2500000);
	assert_null(af.result.capped_by);
	assert_string_equal(af.result.rule_version, "APPX-2016");
	assert_int_equal(af.basis_cents, 10000000);
	assert_int_equal(json_integer_value(json_array_get(af.line_shares, 0)),
	    4500000);
	assert_int_equal(json_integer_value(json_array_get(af.line_shares, 1)),
	    3000000);
	json_decref(af.line_shares);

	/* HK$500,000 already pending leaves HK$100,000 under the ceiling. */
	pr.committed_cents = 50000000;
	pr.projects = 2;
	assert_true(application_compute(S("APPX"), r, c, &pr, &af, &err));
	assert_int_equal(af.result.government_cents, 7500000);
	json_decref(af.line_shares);
	pr.committed_cents = 55000000;
	assert_true(application_compute(S("APPX"), r, c, &pr, &af, &err));
	assert_int_equal(af.result.government_cents, 5000000);
	assert_string_equal(af.result.capped_by, "per_applicant_cap_cents");
	json_decref(af.line_shares);
	/* At the ceiling: refused, naming the cap. */
	pr.committed_cents = 60000000;
	assert_false(application_compute(S("APPX"), r, c, &pr, &af, &err));
	assert_int_equal(err.code, APP_EINVAL);
	assert_string_equal(err.field, "per_applicant_cap_cents");
	assert_null(af.line_shares);
	/* Six projects already: refused, naming max_projects. */
	app_err_clear(&err);
	pr.committed_cents = 0;
	pr.projects = 6;
	assert_false(application_compute(S("APPX"), r, c, &pr, &af, &err));
	assert_string_equal(err.field, "max_projects");
	json_decref(c);

	/* Allowance: 36 doctorate months and 12 master months. */
	memset(&pr, 0, sizeof(pr));
	app_err_clear(&err);
	r = scheme_rules_on(S("APPR"), day("2021-01-04"));
	c = J("{'title':'T','budget_lines':[],'fields':{'talents':["
	    "{'name':'A','qualification':'doctorate','months':36},"
	    "{'name':'B','qualification':'master','months':12}]}}");
	assert_true(application_compute(S("APPR"), r, c, &pr, &af, &err));
	assert_int_equal(af.result.government_cents, 3200000 * 36 +
	    2100000 * 12);
	assert_int_equal(af.heads, 2);
	assert_int_equal(af.basis_cents, -1);
	assert_int_equal(json_array_size(af.line_shares), 0);
	json_decref(af.line_shares);
	/* Three people already employed: four is the most. */
	pr.heads = 3;
	assert_false(application_compute(S("APPR"), r, c, &pr, &af, &err));
	assert_string_equal(err.field, "max_heads");
	json_decref(c);
	/* The model's errors name the application's fields. */
	pr.heads = 0;
	app_err_clear(&err);
	c = J("{'title':'T','budget_lines':[],'fields':{'talents':["
	    "{'name':'A','qualification':'doctorate','months':12},"
	    "{'name':'B','qualification':'master','months':0}]}}");
	assert_false(application_compute(S("APPR"), r, c, &pr, &af, &err));
	assert_string_equal(err.field, "fields.talents[1].months");
	json_decref(c);
	app_err_clear(&err);
	c = J("{'title':'T','budget_lines':[],'fields':{'talents':["
	    "{'name':'A','qualification':'doctorate','months':40}]}}");
	assert_false(application_compute(S("APPR"), r, c, &pr, &af, &err));
	assert_string_equal(err.field, "max_months");
	json_decref(c);

	/* Rebate: 40% of the expenditure field, not of the budget. */
	app_err_clear(&err);
	r = scheme_rules_on(S("APPC"), day("2021-01-04"));
	c = J("{'title':'T','budget_lines':[{'category':'other',"
	    "'amount_cents':999}],'fields':{'expenditure_cents':1000001}}");
	assert_true(application_compute(S("APPC"), r, c, &pr, &af, &err));
	assert_int_equal(af.result.government_cents, 400000);
	assert_int_equal(af.basis_cents, 1000001);
	/* The contribution never exceeds a line: 999 of 999 here. */
	assert_int_equal(json_integer_value(json_array_get(af.line_shares, 0)),
	    999);
	json_decref(af.line_shares);
	json_decref(c);
}

static void
test_allocate(void **state)
{
	cents_t	a[4], g[4];

	/* 100 over 1:1:1 rounds down to 33 each, the last gets 34. */
	a[0] = a[1] = a[2] = 300;
	assert_true(application_allocate(a, 3, 100, g));
	assert_int_equal(g[0], 33);
	assert_int_equal(g[1], 33);
	assert_int_equal(g[2], 34);
	/* A remainder skips lines with no room. */
	a[0] = 7; a[1] = 5; a[2] = 0;
	assert_true(application_allocate(a, 3, 11, g));
	assert_int_equal(g[0] + g[1] + g[2], 11);
	assert_int_equal(g[2], 0);
	assert_true(g[0] <= 7 && g[1] <= 5);
	/* More than the budget: every line in full, no more. */
	a[0] = 10; a[1] = 20;
	assert_true(application_allocate(a, 2, 1000, g));
	assert_int_equal(g[0], 10);
	assert_int_equal(g[1], 20);
	/* Nothing to share, or nowhere to put it. */
	assert_true(application_allocate(a, 2, 0, g));
	assert_int_equal(g[0] + g[1], 0);
	a[0] = a[1] = 0;
	assert_true(application_allocate(a, 2, 50, g));
	assert_int_equal(g[0] + g[1], 0);
	assert_true(application_allocate(a, 0, 50, g));
	/* Large amounts: no overflow in amount x share. */
	a[0] = INT64_MAX / 2; a[1] = INT64_MAX / 2 - 1;
	assert_true(application_allocate(a, 2, INT64_MAX / 3, g));
	assert_int_equal(g[0] + g[1], INT64_MAX / 3);
	/* Negative amounts or a total past int64 are refused. */
	a[0] = -1;
	assert_false(application_allocate(a, 1, 5, g));
	a[0] = INT64_MAX; a[1] = 1;
	assert_false(application_allocate(a, 2, 5, g));
}

static void
test_reference(void **state)
{
	char	buf[APPLICATION_REF_MAX];

	assert_true(application_reference_format("TVP", 2021, 1, buf,
	    sizeof(buf)));
	assert_string_equal(buf, "TVP/0001/21");
	assert_true(application_reference_format("ITS", 11, 292, buf,
	    sizeof(buf)));
	assert_string_equal(buf, "ITS/0292/11");
	assert_true(application_reference_format("TVP", 2100, 12345, buf,
	    sizeof(buf)));
	assert_string_equal(buf, "TVP/12345/00");
	assert_false(application_reference_format("TVP", 21, 1, buf, 8));
}

static void
test_cap_window(void **state)
{
	const struct scheme_rules	*r;
	char				 a[DATE_ISO_LEN], b[DATE_ISO_LEN];
	int				 from, to;

	r = scheme_rules_on(S("APPX"), day("2021-01-04"));
	application_cap_window(S("APPX"), r, day("2021-01-04"), &from, &to);
	assert_int_equal(from, -1);
	assert_int_equal(to, -1);
	/* A per-financial-year cap counts April to March. */
	((struct scheme_rules *)r)->cap_period = SCHEME_PERIOD_FINANCIAL_YEAR;
	application_cap_window(S("APPX"), r, day("2021-01-04"), &from, &to);
	assert_string_equal(date_format(from, a, sizeof(a)), "2020-04-01");
	assert_string_equal(date_format(to, b, sizeof(b)), "2021-03-31");
	((struct scheme_rules *)r)->cap_period = SCHEME_PERIOD_LIFETIME;
}

static void
test_today(void **state)
{
	setenv("ITF_FAKE_TODAY", "2021-06-01", 1);
	assert_int_equal(application_today(), day("2021-06-01"));
	setenv("ITF_FAKE_TODAY", "2021-02-30", 1);
	assert_int_equal(application_today(), date_today_hk());
	unsetenv("ITF_FAKE_TODAY");
	assert_int_equal(application_today(), date_today_hk());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_state_table),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_content_apply),
		cmocka_unit_test(test_content_check),
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_eligible),
		cmocka_unit_test(test_compute),
		cmocka_unit_test(test_allocate),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_cap_window),
		cmocka_unit_test(test_today),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
