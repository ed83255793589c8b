/*
 * export.h: the table writer behind every list download (?format=xlsx or
 * ?format=csv on a list endpoint: applications, projects, payments, ledger
 * entries).  Columns plus rows in, one file out:
 *
 *	xlsx	the report look (report.h): bilingual title block with the
 *		filters and the time generated, two-row bilingual header,
 *		frozen panes, HK$ #,##0.00, real dates, fitted widths, an
 *		autofilter; written in constant_memory mode, so any number of
 *		rows costs the same memory.
 *	csv	RFC 4180: comma separated, CRLF line ends, a field quoted
 *		(with "" for ") when it holds a comma, quote, CR, LF or
 *		leading/trailing space; UTF-8, with a byte-order mark when
 *		asked (Excel needs it to read Chinese); one header row
 *		"English 中文".  Money as plain decimal HK$ ("1234567.89"),
 *		dates YYYY-MM-DD.  A text field starting with = + - @ TAB or
 *		CR gets a leading ' so a spreadsheet never runs it as a
 *		formula (CSV injection).
 *
 * Rows come from whichever source the list already has:
 *	export_row()		one row of text values (NULL = empty)
 *	export_pgresult()	every row of a PGresult, fields in column order
 *	export_query()		a query read through a server-side cursor in
 *				batches (all matching rows, never all in memory)
 *	export_json_rows()	a JSON array of objects (a list endpoint's
 *				page), each column picked by its key; dotted
 *				keys reach into objects ("organisation.name_en")
 * Values are text as PostgreSQL prints them: EXPORT_CENTS an integer
 * number of cents, EXPORT_DATE YYYY-MM-DD (a timestamp's date part is
 * used), EXPORT_BOOL t/f or true/false.
 *
 * How a list handler offers downloads (app/http/reports.c does the Kore
 * side; see docs/api.md "Reports"):
 *
 *	1. In core, next to the list query, a function
 *		int applications_export(struct db *db, const void *arg,
 *		    const char *path, struct app_err *err)
 *	   where arg is a plain struct (no pointers) with the filters and the
 *	   actor.  It opens an export_writer on path with the columns,
 *	   calls export_query() with the list's SQL minus LIMIT (the same
 *	   visibility rules as the list), and export_close().
 *	2. In the handler, first line:
 *		if (req->hdlr_extra != NULL)
 *			return (api_file_job_continue(req));
 *	   and, once the filters are parsed and the actor is known, when
 *	   ?format= is present:
 *		return (api_file_job_start(req, applications_export, &arg,
 *		    sizeof(arg), "applications", fmt));
 *	   which runs it in a Kore task thread with its own connection and
 *	   streams the file back as an attachment.  api_export_request()
 *	   reads format and bom, api_export_filters() the text of the
 *	   filters for the title block.
 *
 * Done for GET /api/v1/cash-flow-estimates (reports/estimates.c),
 * /applications (applications_db.c), /projects (projects_db.c),
 * /payments (payments.c) and /ledger/entries (ledger.c).
 */
#ifndef ITF_EXPORT_H
#define ITF_EXPORT_H

#include <stdio.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "db.h"
#include "errors.h"
#include "report.h"

#define EXPORT_COLS_MAX		64

enum export_format {
	EXPORT_XLSX,
	EXPORT_CSV
};

enum export_type {
	EXPORT_TEXT,
	EXPORT_INT,
	EXPORT_CENTS,
	EXPORT_DATE,
	EXPORT_BOOL
};

struct export_column {
	const char		*key;	/* JSON key for export_json_rows() */
	const char		*en;
	const char		*zh;
	enum export_type	 type;
};

struct export_options {
	enum export_format		 format;
	const char			*path;
	const char			*title_en;
	const char			*title_zh;
	const char			*filters;	/* text, or NULL: none */
	const struct export_column	*cols;
	size_t				 ncols;
	int				 bom;		/* CSV: UTF-8 BOM */
};

struct export_writer {
	enum export_format		 format;
	const struct export_column	*cols;
	size_t				 ncols;
	int64_t				 rows;
	char				 path[1024];
	FILE				*csv;
	int				 csv_failed;
	struct report_def		 def;
	struct report_params		 params;
	struct report_book		 book;
	struct report_sheet		 sheet;
	struct report_col		 rcols[EXPORT_COLS_MAX];
};

/* "xlsx" or "csv"; 0 with APP_EBADREQ "format" otherwise. */
int		 export_format_parse(const char *, enum export_format *,
		    struct app_err *);
const char	*export_content_type(enum export_format);
const char	*export_extension(enum export_format);

int	export_open(struct export_writer *, const struct export_options *,
	    struct app_err *);
int	export_row(struct export_writer *, const char *const *values,
	    struct app_err *);
int	export_pgresult(struct export_writer *, const PGresult *,
	    struct app_err *);
/* Runs inside the caller's transaction, or in a read-only one of its own. */
int	export_query(struct export_writer *, struct db *, const char *sql,
	    const struct db_params *, struct app_err *);
int	export_json_rows(struct export_writer *, const json_t *array,
	    struct app_err *);
/* Finish the file; on failure it is removed. */
int	export_close(struct export_writer *, struct app_err *);
/* Give up: close and remove the file. */
void	export_abort(struct export_writer *);
/*
 * The whole file in one call: open with o, write every row of sql with p
 * (export_query()), close; nothing is left behind on failure.
 */
int	export_run(const struct export_options *, struct db *, const char *sql,
	    const struct db_params *, struct app_err *);

/* Write one CSV field (quoted as above) to f; text fields are guarded
 * against formula injection.  Exposed for the tests. */
int	export_csv_field(FILE *, const char *, int is_text);

/*
 * The Kore side, in app/http/reports.c; declared here (a forward
 * declaration, no Kore header) so that a list handler needs only this
 * header.  api_file_job_start() copies arglen bytes of arg, runs
 * fn(db, copy, path, err) in a Kore task thread with a database
 * connection of its own (as itf_app), and returns KORE_RESULT_RETRY; the
 * handler, called again with req->hdlr_extra set, returns
 * api_file_job_continue(req), which sleeps until the file is built, then
 * answers 200 with the file as an attachment named filename (or the
 * error fn set, mapped as usual) and removes it.  arg must hold no
 * pointer into the request: the thread never sees the request.
 */
struct http_request;
typedef int	(*export_job_fn)(struct db *, const void *arg,
		    const char *path, struct app_err *);
int	api_file_job_start(struct http_request *, export_job_fn,
	    const void *arg, size_t arglen, const char *filename,
	    const char *content_type);
int	api_file_job_continue(struct http_request *);
/*
 * A list's ?format= and ?bom=: 0 when format is absent (the JSON list; bom
 * alone is APP_EBADREQ "format"), 1 with *fmt and *bom set for a download
 * (bom: 1 unless bom=0), -1 with err set for a value other than
 * xlsx / csv or 0 / 1.  The list's allowed parameters must name both.
 */
int	api_export_request(struct http_request *, enum export_format *fmt,
	    int *bom, struct app_err *);
/*
 * The filters a download was asked with, for the workbook's title block:
 * "name=value, ..." for each parameter in names (NULL-terminated) present
 * in the query string, cut to len; "" when none is.
 */
void	api_export_filters(struct http_request *, const char *const *names,
	    char *buf, size_t len);

#endif
