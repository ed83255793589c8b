/*
 * test_report.c: reports/report.c and reports/export.c without a
 * database: the registry, parameter parsing and checking, file names,
 * roles, and the CSV / workbook writers.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dates.h"
#include "export.h"
#include "report.h"

static const struct report_def *
def_of(const char *name)
{
	const struct report_def	*d;

	d = report_find(name);
	assert_non_null(d);
	return (d);
}

/* Set name=value on a fresh or given params; return 1/0 and the error. */
static int
set(const char *report, struct report_params *p, const char *name,
    const char *value, struct app_err *err)
{
	app_err_clear(err);
	return (report_param_set(def_of(report), p, name, value, err));
}

static void
test_registry(void **state)
{
	const char *const	*names;
	const struct report_def	*d;
	size_t			 i;
	json_t			*list, *r;

	assert_null(report_find("nope"));
	assert_null(report_find(NULL));
	for (i = 0; (d = report_def_at(i)) != NULL; i++) {
		assert_non_null(d->build);
		assert_true(strlen(d->title_en) > 0);
		assert_true(strlen(d->title_zh) > 0);
		assert_ptr_equal(report_find(d->name), d);
	}
	assert_int_equal(i, 6);
	names = report_param_names(def_of("applications-by-year"));
	assert_string_equal(names[0], "from");
	assert_string_equal(names[3], "year_basis");
	assert_null(names[4]);

	list = report_list_json();
	assert_non_null(list);
	assert_int_equal(json_integer_value(json_object_get(list, "count")), 6);
	r = json_array_get(json_object_get(list, "reports"), 1);
	assert_string_equal(json_string_value(json_object_get(r, "name")),
	    "cash-flow");
	assert_string_equal(json_string_value(json_object_get(r, "title_zh")),
	    "按財政年度劃分的現金流量");
	assert_int_equal(json_array_size(json_object_get(r, "parameters")), 5);
	json_decref(list);
}

static void
test_dates(void **state)
{
	struct report_params	p;
	struct app_err		err;
	char			buf[DATE_ISO_LEN];

	report_params_init(&p);
	assert_int_equal(p.from, -1);
	assert_int_equal(p.to, -1);
	assert_true(set("scheme-statistics", &p, "from", "2020-04-01", &err));
	assert_string_equal(date_format(p.from, buf, sizeof(buf)),
	    "2020-04-01");
	assert_true(set("scheme-statistics", &p, "to", "2021-03-31", &err));
	assert_true(report_params_check(def_of("scheme-statistics"), &p,
	    &err));

	/* Given twice. */
	assert_false(set("scheme-statistics", &p, "to", "2021-03-31", &err));
	assert_int_equal(err.code, APP_EBADREQ);
	assert_string_equal(err.field, "to");

	report_params_init(&p);
	assert_false(set("scheme-statistics", &p, "from", "2021-02-30", &err));
	assert_int_equal(err.code, APP_EBADREQ);
	assert_string_equal(err.field, "from");
	assert_non_null(strstr(err.msg, "not a date"));
	assert_false(set("scheme-statistics", &p, "from", "2021-2-3", &err));
	assert_false(set("scheme-statistics", &p, "to", "yesterday", &err));
	assert_string_equal(err.field, "to");
	assert_false(set("scheme-statistics", &p, "from", "1989-12-31", &err));
	assert_non_null(strstr(err.msg, "out of range"));
	assert_false(set("scheme-statistics", &p, "to", "2101-01-01", &err));
	assert_true(set("scheme-statistics", &p, "from", "1990-01-01", &err));
	assert_false(set("scheme-statistics", &p, "to", "", &err));
	assert_string_equal(err.field, "to");
	assert_true(set("commitment-position", &p, "on", "2021-02-28", &err));
}

static void
test_from_after_to(void **state)
{
	struct report_params	p;
	struct app_err		err;

	report_params_init(&p);
	assert_true(set("cash-flow", &p, "from", "2021-04-01", &err));
	assert_true(set("cash-flow", &p, "to", "2021-03-31", &err));
	app_err_clear(&err);
	assert_false(report_params_check(def_of("cash-flow"), &p, &err));
	assert_int_equal(err.code, APP_EBADREQ);
	assert_string_equal(err.field, "from");
	assert_string_equal(err.msg,
	    "from: 2021-04-01 is after to (2021-03-31)");

	/* One day is a period. */
	report_params_init(&p);
	assert_true(set("cash-flow", &p, "from", "2021-03-31", &err));
	assert_true(set("cash-flow", &p, "to", "2021-03-31", &err));
	assert_true(report_params_check(def_of("cash-flow"), &p, &err));
}

static void
test_fy(void **state)
{
	struct report_params	p;
	struct app_err		err;
	char			a[DATE_ISO_LEN], b[DATE_ISO_LEN];

	report_params_init(&p);
	assert_true(set("scheme-statistics", &p, "fy", "2020-21", &err));
	assert_int_equal(p.fy, 2020);
	assert_true(report_params_check(def_of("scheme-statistics"), &p,
	    &err));
	assert_string_equal(date_format(p.from, a, sizeof(a)), "2020-04-01");
	assert_string_equal(date_format(p.to, b, sizeof(b)), "2021-03-31");
	/* Checking twice changes nothing. */
	assert_true(report_params_check(def_of("scheme-statistics"), &p,
	    &err));

	report_params_init(&p);
	assert_true(set("scheme-statistics", &p, "fy", "1999-00", &err));
	report_params_init(&p);
	assert_true(set("scheme-statistics", &p, "fy", "2100-01", &err));

	report_params_init(&p);
	assert_false(set("scheme-statistics", &p, "fy", "2020-22", &err));
	assert_int_equal(err.code, APP_EBADREQ);
	assert_string_equal(err.field, "fy");
	assert_false(set("scheme-statistics", &p, "fy", "2020/21", &err));
	assert_false(set("scheme-statistics", &p, "fy", "2020", &err));
	assert_false(set("scheme-statistics", &p, "fy", "2020-2021", &err));
	assert_false(set("scheme-statistics", &p, "fy", "1998-99", &err));
	assert_string_equal(err.field, "fy");
	assert_non_null(strstr(err.msg, "out of range"));
	assert_false(set("scheme-statistics", &p, "fy", "2101-02", &err));
	assert_non_null(strstr(err.msg, "out of range"));
	assert_int_equal(p.fy, -1);

	/* fy and from/to exclude each other. */
	report_params_init(&p);
	assert_true(set("scheme-statistics", &p, "fy", "2020-21", &err));
	assert_true(set("scheme-statistics", &p, "from", "2020-05-01", &err));
	app_err_clear(&err);
	assert_false(report_params_check(def_of("scheme-statistics"), &p,
	    &err));
	assert_string_equal(err.field, "fy");
}

static void
test_scheme_and_basis(void **state)
{
	struct report_params	p;
	struct app_err		err;

	report_params_init(&p);
	assert_true(set("applications-by-year", &p, "scheme", "tvp", &err));
	assert_string_equal(p.scheme, "TVP");
	report_params_init(&p);
	assert_true(set("applications-by-year", &p, "scheme", "MHKJFS", &err));
	assert_string_equal(p.scheme, "MHKJFS");
	report_params_init(&p);
	assert_false(set("applications-by-year", &p, "scheme", "T", &err));
	assert_string_equal(err.field, "scheme");
	assert_false(set("applications-by-year", &p, "scheme", "ABCDEFGHI",
	    &err));
	assert_false(set("applications-by-year", &p, "scheme", "T1", &err));
	assert_false(set("applications-by-year", &p, "scheme", "TVP'--",
	    &err));
	assert_string_equal(p.scheme, "");

	assert_int_equal(p.year_basis, REPORT_YEAR_CALENDAR);
	assert_true(set("applications-by-year", &p, "year_basis", "financial",
	    &err));
	assert_int_equal(p.year_basis, REPORT_YEAR_FINANCIAL);
	report_params_init(&p);
	assert_true(set("applications-by-year", &p, "year_basis", "calendar",
	    &err));
	report_params_init(&p);
	assert_false(set("applications-by-year", &p, "year_basis", "Calendar",
	    &err));
	assert_string_equal(err.field, "year_basis");
}

static void
test_unknown_and_not_taken(void **state)
{
	struct report_params	p;
	struct app_err		err;

	report_params_init(&p);
	assert_false(set("cash-flow", &p, "colour", "red", &err));
	assert_int_equal(err.code, APP_EBADREQ);
	assert_string_equal(err.field, "colour");
	assert_non_null(strstr(err.msg, "unknown parameter"));
	/* A parameter another report takes. */
	assert_false(set("commitment-position", &p, "scheme", "TVP", &err));
	assert_string_equal(err.field, "scheme");
	assert_non_null(strstr(err.msg, "does not take"));
	assert_false(set("cash-flow", &p, "year_basis", "calendar", &err));
	assert_false(set("project-register", &p, "from", "2020-01-01", &err));
	assert_int_equal(p.given, 0);
}

static void
test_filename(void **state)
{
	struct report_params	p;
	struct app_err		err;
	char			buf[160];

	report_params_init(&p);
	assert_true(set("cash-flow", &p, "fy", "2020-21", &err));
	assert_true(set("cash-flow", &p, "scheme", "tvp", &err));
	assert_true(report_params_check(def_of("cash-flow"), &p, &err));
	report_filename(def_of("cash-flow"), &p, buf, sizeof(buf));
	assert_string_equal(buf, "cash-flow-TVP-2020-21.xlsx");

	report_params_init(&p);
	assert_true(set("scheme-statistics", &p, "from", "2017-04-01", &err));
	assert_true(set("scheme-statistics", &p, "to", "2021-02-28", &err));
	report_filename(def_of("scheme-statistics"), &p, buf, sizeof(buf));
	assert_string_equal(buf,
	    "scheme-statistics-2017-04-01-2021-02-28.xlsx");

	report_params_init(&p);
	assert_true(set("commitment-position", &p, "on", "2021-02-28", &err));
	report_filename(def_of("commitment-position"), &p, buf, sizeof(buf));
	assert_string_equal(buf, "commitment-position-2021-02-28.xlsx");
}

static void
test_roles(void **state)
{
	struct actor	a;
	struct app_err	err;
	unsigned	ok[] = { ROLE_OFFICER, ROLE_FINANCE, ROLE_APPROVER,
			    ROLE_AUDITOR, ROLE_ADMIN };
	size_t		i;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		a.roles = ok[i];
		app_err_clear(&err);
		assert_true(report_may_run(&a, &err));
	}
	a.roles = ROLE_APPLICANT | ROLE_PANEL;
	app_err_clear(&err);
	assert_false(report_may_run(&a, &err));
	assert_int_equal(err.code, APP_EFORBIDDEN);
	assert_false(report_may_run(NULL, &err));
}

static void
test_areas(void **state)
{
	assert_string_equal(report_area_zh("rd"), "支持研究及發展");
	assert_string_equal(report_area_en("culture"), "Foster an I&T culture");
	assert_null(report_area_en("space"));
	assert_int_equal(report_area_rank("rd"), 0);
	assert_int_equal(report_area_rank("startups"), 3);
	assert_int_equal(report_area_rank("space"), 5);
}

/* Read a whole file into a NUL-terminated heap string. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 n;

	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return (buf);
}

static void
test_csv_field(void **state)
{
	char	*buf;
	size_t	 len;
	FILE	*f;

	f = open_memstream(&buf, &len);
	assert_true(export_csv_field(f, "plain", 1));
	fputc('|', f);
	assert_true(export_csv_field(f, "a,b", 1));
	fputc('|', f);
	assert_true(export_csv_field(f, "say \"hi\"", 1));
	fputc('|', f);
	assert_true(export_csv_field(f, "two\nlines", 1));
	fputc('|', f);
	assert_true(export_csv_field(f, " padded", 1));
	fputc('|', f);
	assert_true(export_csv_field(f, "=HYPERLINK(\"x\")", 1));
	fputc('|', f);
	assert_true(export_csv_field(f, "-5", 1));
	fputc('|', f);
	assert_true(export_csv_field(f, "-5", 0));
	fputc('|', f);
	assert_true(export_csv_field(f, "科技券", 1));
	fputc('|', f);
	assert_true(export_csv_field(f, NULL, 1));
	fclose(f);
	assert_string_equal(buf, "plain|\"a,b\"|\"say \"\"hi\"\"\"|"
	    "\"two\nlines\"|\" padded\"|\"'=HYPERLINK(\"\"x\"\")\"|'-5|-5|"
	    "科技券|");
	free(buf);
}

static const struct export_column ecols[] = {
	{ "reference", "Reference", "編號", EXPORT_TEXT },
	{ "amount_cents", "Amount (HK$)", "金額 (港元)", EXPORT_CENTS },
	{ "on", "Date", "日期", EXPORT_DATE },
	{ "count", "Count", "數目", EXPORT_INT },
	{ "ok", "Approved", "獲批", EXPORT_BOOL },
	{ "org.name_zh", "Organisation", "機構", EXPORT_TEXT },
};

static void
test_csv_export(void **state)
{
	struct export_options	 o;
	struct export_writer	 w;
	struct app_err		 err;
	const char		*row1[] = { "TVP/0001/21", "123456789",
				    "2021-02-28", "3", "t", "香港, 公司" };
	const char		*row2[] = { "ESS/0002/21", "-1234505",
				    "2021-03-01T10:00:00Z", NULL, "f", NULL };
	const char		*row3[] = { NULL, "5", NULL, NULL, NULL,
				    "=cmd" };
	char			 path[] = "/tmp/itf-test-export-XXXXXX";
	char			*text;
	int			 fd;

	assert_true((fd = mkstemp(path)) != -1);
	close(fd);
	memset(&o, 0, sizeof(o));
	o.format = EXPORT_CSV;
	o.path = path;
	o.cols = ecols;
	o.ncols = sizeof(ecols) / sizeof(ecols[0]);
	o.bom = 1;
	app_err_clear(&err);
	assert_true(export_open(&w, &o, &err));
	assert_true(export_row(&w, row1, &err));
	assert_true(export_row(&w, row2, &err));
	assert_true(export_row(&w, row3, &err));
	assert_true(export_close(&w, &err));
	text = slurp(path);
	assert_string_equal(text, "\xEF\xBB\xBF"
	    "Reference 編號,Amount (HK$) 金額 (港元),Date 日期,Count 數目,"
	    "Approved 獲批,Organisation 機構\r\n"
	    "TVP/0001/21,1234567.89,2021-02-28,3,true,\"香港, 公司\"\r\n"
	    "ESS/0002/21,-12345.05,2021-03-01,,false,\r\n"
	    ",0.05,,,,'=cmd\r\n");
	free(text);
	unlink(path);
}

static void
test_json_rows(void **state)
{
	struct export_options	 o;
	struct export_writer	 w;
	struct app_err		 err;
	json_t			*rows;
	char			 path[] = "/tmp/itf-test-export-XXXXXX";
	char			*text;
	int			 fd;

	assert_true((fd = mkstemp(path)) != -1);
	close(fd);
	rows = json_loads("[{\"reference\":\"TVP/0001/21\","
	    "\"amount_cents\":60000000,\"on\":\"2021-02-28\",\"count\":2,"
	    "\"ok\":true,\"org\":{\"name_zh\":\"甲公司\"}},"
	    "{\"reference\":null,\"amount_cents\":1}]", 0, NULL);
	assert_non_null(rows);
	memset(&o, 0, sizeof(o));
	o.format = EXPORT_CSV;
	o.path = path;
	o.cols = ecols;
	o.ncols = sizeof(ecols) / sizeof(ecols[0]);
	app_err_clear(&err);
	assert_true(export_open(&w, &o, &err));
	assert_true(export_json_rows(&w, rows, &err));
	assert_true(export_close(&w, &err));
	assert_int_equal(w.rows, 2);
	text = slurp(path);
	assert_non_null(strstr(text, "\r\nTVP/0001/21,600000.00,2021-02-28,2,"
	    "true,甲公司\r\n,0.01,,,,\r\n"));
	assert_true(text[0] == 'R');	/* no BOM unless asked */
	free(text);
	json_decref(rows);
	unlink(path);
}

static void
test_xlsx_export(void **state)
{
	struct export_options	 o;
	struct export_writer	 w;
	struct app_err		 err;
	struct stat		 st;
	const char		*row1[] = { "TVP/0001/21", "123456789",
				    "2021-02-28", "3", "t", "香港" };
	char			 path[] = "/tmp/itf-test-export-XXXXXX";
	char			*text;
	int			 fd, i;

	assert_true((fd = mkstemp(path)) != -1);
	close(fd);
	memset(&o, 0, sizeof(o));
	o.format = EXPORT_XLSX;
	o.path = path;
	o.title_en = "Applications";
	o.title_zh = "申請";
	o.filters = "scheme = TVP";
	o.cols = ecols;
	o.ncols = sizeof(ecols) / sizeof(ecols[0]);
	app_err_clear(&err);
	assert_true(export_open(&w, &o, &err));
	for (i = 0; i < 2500; i++)
		assert_true(export_row(&w, row1, &err));
	assert_true(export_close(&w, &err));
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 1000);
	text = slurp(path);
	assert_true(text[0] == 'P' && text[1] == 'K');	/* a zip */
	free(text);
	unlink(path);

	/* An abandoned export leaves no file. */
	assert_true(export_open(&w, &o, &err));
	export_abort(&w);
	assert_int_equal(stat(path, &st), -1);
}

static const struct report_col rcols[] = {
	{ "Reference", "編號", REPORT_TEXT },
	{ "Approved amount (HK$)", "批出金額 (港元)", REPORT_MONEY },
	{ "Status", "狀況", REPORT_TEXT },
};

/* Open a constant-memory register-like book whose sheets hold rows rows. */
static void
open_register(struct report_book *b, struct report_sheet *s,
    struct report_params *p, char *path, lxw_row_t rows)
{
	struct app_err	err;
	int		fd;

	memcpy(path + strlen(path) - 6, "XXXXXX", 6);	/* anew each time */
	assert_true((fd = mkstemp(path)) != -1);
	close(fd);
	report_params_init(p);
	p->generated = time(NULL);
	app_err_clear(&err);
	assert_true(report_book_open(b, def_of("project-register"), p, path,
	    1, &err));
	assert_int_equal(b->sheet_rows, REPORT_SHEET_ROWS);
	assert_int_equal(REPORT_SHEET_ROWS, 1048576);
	b->sheet_rows = rows;
	assert_true(report_sheet_add(b, s, "Project register", NULL, NULL,
	    "As at 截至: 2021-02-28"));
	assert_true(report_sheet_columns(s, rcols, 3, 1));
	assert_int_equal(s->row, 8);	/* 5 title lines, a gap, 2 headings */
}

static void
register_row(struct report_sheet *s, int i)
{
	char	ref[32];

	assert_true(report_sheet_room(s, 1));
	report_row(s, REPORT_ROW_PLAIN);
	snprintf(ref, sizeof(ref), "TVP/%04d/21", i);
	report_text(s, 0, ref);
	report_cents(s, 1, (cents_t)i * 100);
	report_text(s, 2, "Active 進行中");
	report_row_end(s);
}

/* A sheet as report_sheet_room() leaves it: frozen under its header,
 * filtered over its rows. */
static void
check_sheet(struct report_book *b, const char *name, lxw_row_t last)
{
	lxw_worksheet	*ws;

	assert_non_null(ws = workbook_get_worksheet_by_name(b->wb, name));
	assert_int_equal(ws->panes.type, FREEZE_PANES);
	assert_int_equal(ws->panes.first_row, 8);
	assert_int_equal(ws->panes.first_col, 1);
	if (last == 0) {
		assert_false(ws->autofilter.in_use);
		return;
	}
	assert_true(ws->autofilter.in_use);
	assert_int_equal(ws->autofilter.first_row, 7);	/* Chinese headings */
	assert_int_equal(ws->autofilter.last_row, last);
}

/*
 * Past a sheet's rows (Excel's 1,048,576, lowered here to 13: 5 rows
 * under the title block and header) a register continues on sheets "2",
 * "3" ... with the same title block and header; the total row ends the
 * last sheet, or opens one of its own when the last is full.
 */
static void
test_sheet_continues(void **state)
{
	struct report_book	 b;
	struct report_sheet	 s;
	struct report_params	 p;
	struct app_err		 err;
	struct stat		 st;
	char			 path[] = "/tmp/itf-test-report-XXXXXX";
	int			 i;

	open_register(&b, &s, &p, path, 13);
	for (i = 1; i <= 12; i++) {
		register_row(&s, i);
		assert_int_equal(s.number, (i - 1) / 5 + 1);
	}
	assert_int_equal(s.row, 10);
	/* The sheets carry the widths on: the longest reference so far. */
	assert_true(s.width[0] >= 11);
	report_sheet_autofilter(&s);
	assert_true(report_sheet_room(&s, 0));
	report_row(&s, REPORT_ROW_TOTAL);
	report_text(&s, 0, "Total: 12 projects 總計：12 個項目");
	report_row_end(&s);
	assert_int_equal(s.number, 3);
	check_sheet(&b, "Project register", 12);
	check_sheet(&b, "Project register 2", 12);
	check_sheet(&b, "Project register 3", 9);
	assert_null(workbook_get_worksheet_by_name(b.wb, "Project register 4"));
	app_err_clear(&err);
	assert_true(report_book_close(&b, &err));
	assert_int_equal(stat(path, &st), 0);
	unlink(path);

	/* 10 rows fill two sheets: the total goes on a third. */
	open_register(&b, &s, &p, path, 13);
	for (i = 1; i <= 10; i++)
		register_row(&s, i);
	assert_int_equal(s.number, 2);
	assert_int_equal(s.row, 13);
	report_sheet_autofilter(&s);
	assert_true(report_sheet_room(&s, 0));
	assert_int_equal(s.number, 3);
	assert_int_equal(s.row, 8);
	report_row(&s, REPORT_ROW_TOTAL);
	report_text(&s, 0, "Total: 10 projects 總計：10 個項目");
	report_row_end(&s);
	check_sheet(&b, "Project register 2", 12);
	check_sheet(&b, "Project register 3", 0);
	assert_true(report_book_close(&b, &err));
	unlink(path);

	/* No room under the header at all: refused, no file. */
	open_register(&b, &s, &p, path, 8);
	assert_false(report_sheet_room(&s, 1));
	assert_false(report_sheet_room(&s, 1));
	app_err_clear(&err);
	assert_false(report_book_close(&b, &err));
	assert_int_equal(err.code, APP_EINTERNAL);
	assert_int_equal(stat(path, &st), -1);
}

static void
test_format_parse(void **state)
{
	enum export_format	f;
	struct app_err		err;

	app_err_clear(&err);
	assert_true(export_format_parse("csv", &f, &err));
	assert_int_equal(f, EXPORT_CSV);
	assert_true(export_format_parse("xlsx", &f, &err));
	assert_int_equal(f, EXPORT_XLSX);
	assert_false(export_format_parse("pdf", &f, &err));
	assert_string_equal(err.field, "format");
	assert_string_equal(export_content_type(EXPORT_XLSX),
	    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	assert_string_equal(export_extension(EXPORT_CSV), "csv");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_from_after_to),
		cmocka_unit_test(test_fy),
		cmocka_unit_test(test_scheme_and_basis),
		cmocka_unit_test(test_unknown_and_not_taken),
		cmocka_unit_test(test_filename),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_areas),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_csv_export),
		cmocka_unit_test(test_json_rows),
		cmocka_unit_test(test_xlsx_export),
		cmocka_unit_test(test_sheet_continues),
		cmocka_unit_test(test_format_parse),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
