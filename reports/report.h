/*
 * report.h: the report framework.  Each report is one Excel workbook
 * written with libxlsxwriter by one function in reports/<name>.c:
 *
 *	int report_<name>(struct db *, const struct report_params *,
 *	    const char *out_path, struct app_err *);
 *
 * The function reads only the database (every figure comes from a query,
 * none is typed into report code) and writes out_path.  No Kore here: the
 * CLI (itfctl report), the Kore module (app/http/reports.c, in a task
 * thread with its own connection) and the tests all call report_run().
 *
 * Parameters are parsed and checked here, once for every caller:
 *	from, to	dates YYYY-MM-DD (from after to: APP_EBADREQ "from")
 *	fy		a financial year "2020-21" (1999-00 .. 2100-01)
 *	on		an "as at" date
 *	scheme		a scheme code, checked against table schemes
 *	year_basis	calendar | financial
 * Every problem is APP_EBADREQ naming the parameter in err->field; an
 * unknown report is APP_ENOTFOUND.  A report that fails leaves no file.
 *
 * The shared writer (struct report_book / report_sheet) gives every report
 * the same look: a bilingual title block (title, fund, period or "as at"
 * date, filters, time generated), a two-row header (English, then
 * Traditional Chinese) frozen under the title, HK$ cells formatted
 * #,##0.00 (or in HK$ million, as FC papers print them), percentages, and
 * column widths fitted to what was written.
 */
#ifndef ITF_REPORT_H
#define ITF_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <xlsxwriter.h>

#include "actor.h"
#include "db.h"
#include "errors.h"
#include "money.h"

#define REPORT_NAME_MAX		40	/* "commitment-position" + NUL */
#define REPORT_SCHEME_MAX	9	/* "MHKJFS" + NUL; codes are 2-8 letters */
#define REPORT_LABEL_MAX	256	/* a scheme's name */
#define REPORT_COLS_MAX		128	/* columns per sheet */
#define REPORT_FY_MIN		1999	/* the fund's first year: 1999-00 */
#define REPORT_FY_MAX		2100
#define REPORT_YEAR_MIN		1990	/* earliest date a parameter may name */
#define REPORT_YEAR_MAX		2100
#define REPORT_FETCH_ROWS	1000	/* rows per FETCH of a cursor */
#define REPORT_SHEET_ROWS	LXW_ROW_MAX	/* rows in an Excel sheet */
#define REPORT_SHEET_NAME_MAX	32	/* 31 characters + NUL */
#define REPORT_PERIOD_MAX	256

/* Parameter bits: which a report takes, and which a request gave. */
#define REPORT_P_FROM		0x01
#define REPORT_P_TO		0x02
#define REPORT_P_FY		0x04
#define REPORT_P_ON		0x08
#define REPORT_P_SCHEME		0x10
#define REPORT_P_YEAR_BASIS	0x20
#define REPORT_P_ALL		0x3f

enum report_year_basis {
	REPORT_YEAR_CALENDAR,
	REPORT_YEAR_FINANCIAL
};

/*
 * A request's parameters.  Days are day numbers (dates.h), -1 when not
 * given.  After report_params_check(), a given fy has also set from and to
 * to its first and last day.  report_run() fills the rest.
 */
struct report_params {
	unsigned		 given;		/* REPORT_P_* bits */
	int			 from;
	int			 to;
	int			 fy;		/* start year, -1 */
	int			 on;
	char			 scheme[REPORT_SCHEME_MAX];	/* "" = all */
	enum report_year_basis	 year_basis;

	/* Set by report_run(). */
	char			 scheme_en[REPORT_LABEL_MAX];
	char			 scheme_zh[REPORT_LABEL_MAX];
	int			 today;		/* Hong Kong date */
	time_t			 generated;	/* when the run started */
};

/* A report in the registry. */
struct report_def {
	const char	*name;		/* URL and CLI name, "cash-flow" */
	const char	*title_en;
	const char	*title_zh;
	const char	*summary;	/* one line for the listing */
	int		(*build)(struct db *, const struct report_params *,
			    const char *, struct app_err *);
};

/*
 * The registry.  report_find() returns NULL for an unknown name;
 * report_def_at() the i-th report, NULL past the last.
 */
const struct report_def	*report_find(const char *name);
const struct report_def	*report_def_at(size_t i);
/* {"reports":[{name,title_en,title_zh,summary,parameters:[{name,...}]}]} */
json_t			*report_list_json(void);
/* The names of the parameters def takes, NULL-terminated, in a static
 * table (for api_query_only()). */
const char *const	*report_param_names(const struct report_def *);

/* May actor run reports (officer, finance, approver, auditor, admin)?
 * APP_EFORBIDDEN otherwise. */
int	report_may_run(const struct actor *, struct app_err *);

void	report_params_init(struct report_params *);
/*
 * Set one parameter from its text (a query value or a CLI option).
 * APP_EBADREQ naming it if def does not take it, if it is malformed or out
 * of range, or if it was already given.
 */
int	report_param_set(const struct report_def *, struct report_params *,
	    const char *name, const char *value, struct app_err *);
/*
 * Check the combination once all are set: fy excludes from/to, from must
 * not be after to.  Sets from/to from fy.
 */
int	report_params_check(const struct report_def *, struct report_params *,
	    struct app_err *);

/*
 * Run def into out_path: check the parameters, then in one read-only
 * REPEATABLE READ transaction (so every table of the workbook is taken
 * from the same snapshot) resolve the scheme (unknown: APP_EBADREQ
 * "scheme") and build.  On any failure out_path is removed.
 */
int	report_run(const struct report_def *, struct db *,
	    struct report_params *, const char *out_path, struct app_err *);

/* "scheme-statistics-2020-04-01-2021-03-31.xlsx" into buf. */
void	report_filename(const struct report_def *,
	    const struct report_params *, char *buf, size_t len);

/*
 * The directory for temporary workbooks: ITF_TMPDIR, else root/var/tmp
 * (created if missing).  0 with err if it cannot be made.
 */
int	report_tmpdir(const char *root, char *buf, size_t len,
	    struct app_err *);

/*
 * Workbook writing.
 */

enum report_cell {
	REPORT_TEXT,
	REPORT_INT,
	REPORT_MONEY,		/* cents, shown as HK$ #,##0.00 */
	REPORT_MILLION,		/* cents, shown in HK$ million #,##0.0 */
	REPORT_PCT,		/* a ratio, shown 0.0% */
	REPORT_DATE		/* a day number, shown yyyy-mm-dd */
};

/* A column: its English and Chinese heading and its kind. */
struct report_col {
	const char	*en;
	const char	*zh;
	enum report_cell kind;
};

/* Row styles. */
#define REPORT_ROW_PLAIN	0
#define REPORT_ROW_TOTAL	1	/* bold, ruled above */
#define REPORT_ROW_GROUP	2	/* a group heading, bold on grey */

struct report_book {
	lxw_workbook		*wb;
	const struct report_def	*def;
	const struct report_params *p;
	const char		*filters;	/* overrides the filters line */
	char			 path[1024];
	char			 tmpdir[1024];
	int			 constant_memory;
	lxw_row_t		 sheet_rows;	/* rows a sheet holds:
						 * REPORT_SHEET_ROWS; tests
						 * lower it */
	int			 failed;	/* a libxlsxwriter call failed */
	lxw_error		 lxw_err;
	lxw_format		*f_title, *f_sub, *f_head, *f_head_zh;
	lxw_format		*f_fmt[2][6];	/* [total][enum report_cell] */
	lxw_format		*f_group;
	lxw_format		*f_note;
};

struct report_sheet {
	struct report_book	*book;
	lxw_worksheet		*ws;
	const struct report_col	*cols;
	int			 ncols;
	lxw_row_t		 row;		/* next row to write */
	lxw_row_t		 head_row;	/* first header row */
	int			 style;		/* of the current row */
	unsigned char		 written[REPORT_COLS_MAX];
	double			 width[REPORT_COLS_MAX];

	/* To continue on another sheet (report_sheet_room()). */
	char			 name[REPORT_SHEET_NAME_MAX];	/* first's */
	const char		*subtitle_en, *subtitle_zh;
	char			 period[REPORT_PERIOD_MAX];
	int			 has_period;
	int			 freeze_cols;
	int			 number;	/* 1, then 2, 3 ... */
};

/*
 * Open out_path for writing (constant_memory: rows must then be written
 * in order, each row leaves memory once the next starts; used for reports
 * that may run to hundreds of thousands of rows).  Temporary files go to
 * the directory of out_path.
 */
int	report_book_open(struct report_book *, const struct report_def *,
	    const struct report_params *, const char *out_path,
	    int constant_memory, struct app_err *);
/*
 * Write and close the workbook; 0 with APP_EINTERNAL if any write failed.
 * The file is removed on failure.
 */
int	report_book_close(struct report_book *, struct app_err *);
/* Abandon a workbook: free it and remove the file. */
void	report_book_abort(struct report_book *);

/*
 * Add a worksheet (name at most 31 characters) and write the title block:
 * the report's titles, the fund, period (e.g. "Period 期間: 2020-04-01 to
 * 至 2021-03-31", made by report_period_line()), the filters and the time
 * generated.  The sheet's columns follow with report_sheet_columns().
 */
int	report_sheet_add(struct report_book *, struct report_sheet *,
	    const char *name, const char *subtitle_en, const char *subtitle_zh,
	    const char *period);
/* Write the two header rows and freeze the panes under them, left of
 * column freeze_cols. */
int	report_sheet_columns(struct report_sheet *, const struct report_col *,
	    int ncols, int freeze_cols);
/*
 * Make room for one more row.  A sheet holds b->sheet_rows rows (Excel's
 * 1,048,576): when the sheet is full, give it its autofilter (if
 * autofilter) and its column widths, and continue on a new sheet named
 * "<first sheet's name> 2", " 3" ..., with the same title block and the
 * same two header rows frozen alike; the column widths carry over.  Call
 * it before report_row() in a report that may exceed a sheet (the sheet
 * must have its columns).  0 if the workbook failed or a fresh sheet has
 * no room either.
 */
int	report_sheet_room(struct report_sheet *, int autofilter);
/* A free line of text (a note, a unit) in the first column. */
void	report_sheet_note(struct report_sheet *, const char *);
/* Leave n empty rows. */
void	report_sheet_skip(struct report_sheet *, int n);
/* Fit the column widths to what was written (done by close too). */
void	report_sheet_fit(struct report_sheet *);
/* An autofilter over the header and the rows written so far. */
void	report_sheet_autofilter(struct report_sheet *);

/* Start a row with a style; cells are then written by column index. */
void	report_row(struct report_sheet *, int style);
void	report_text(struct report_sheet *, int col, const char *);
void	report_int(struct report_sheet *, int col, int64_t);
void	report_cents(struct report_sheet *, int col, cents_t);	/* by kind */
void	report_ratio(struct report_sheet *, int col, int64_t num,
	    int64_t den);			/* blank when den is 0 */
void	report_date(struct report_sheet *, int col, int day);	/* -1: blank */
/* The cell of a PGresult, written as the column's kind (NULL: blank). */
void	report_value(struct report_sheet *, int col, const PGresult *,
	    int row, int field);
void	report_blank(struct report_sheet *, int col);
/* End the row. */
void	report_row_end(struct report_sheet *);

/* The period line for the title block, from p (from/to/fy, or "as at"). */
void	report_period_line(const struct report_params *, int as_at,
	    char *buf, size_t len);
/* The bilingual name of a programme area code ("rd"), or NULL. */
const char	*report_area_en(const char *);
const char	*report_area_zh(const char *);
/* Sort rank of an area code (rd 0 .. culture 4; unknown 5). */
int		 report_area_rank(const char *);

/*
 * A row source: a query read through a server-side cursor, REPORT_FETCH_ROWS
 * rows at a time, so that a report of any length holds one batch in memory.
 * Must run inside a transaction (report_run() provides one).  After a full
 * batch the next FETCH is sent at once (PQsendQuery) and its result read
 * when the batch is used up, so PostgreSQL reads the next rows while the
 * report writes these; the connection is busy until report_cursor_close().
 */
struct report_cursor {
	struct db	*db;
	PGresult	*res;
	int		 row;		/* current row in res */
	int		 nrows;
	int		 open;
	int		 done;
	int		 pending;	/* the next FETCH is sent, unread */
};

int	report_cursor_open(struct report_cursor *, struct db *,
	    const char *sql, const struct db_params *, struct app_err *);
/*
 * The next row: 1 with *res and *row set (valid until the next call), 0 at
 * the end (err untouched) or on error (err set).
 */
int	report_cursor_next(struct report_cursor *, const PGresult **res,
	    int *row, struct app_err *);
void	report_cursor_close(struct report_cursor *);

/* The reports (reports/<name>.c). */
int	report_scheme_statistics(struct db *, const struct report_params *,
	    const char *, struct app_err *);
int	report_cash_flow(struct db *, const struct report_params *,
	    const char *, struct app_err *);
int	report_applications_by_year(struct db *, const struct report_params *,
	    const char *, struct app_err *);
int	report_commitment_position(struct db *, const struct report_params *,
	    const char *, struct app_err *);
int	report_appropriation(struct db *, const struct report_params *,
	    const char *, struct app_err *);
int	report_project_register(struct db *, const struct report_params *,
	    const char *, struct app_err *);

#endif
