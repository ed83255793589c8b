/*
 * export.c: the table writer for list downloads (see export.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dates.h"
#include "export.h"

struct query_arg {
	struct export_writer	*w;
	const char		*sql;
	const struct db_params	*params;
};

static int	csv_row(struct export_writer *, const char *const *);
static int	csv_cents(FILE *, const char *);
static void	xlsx_row(struct export_writer *, const char *const *);
static int	query_rows(struct db *, void *, struct app_err *);
static int	query_tx(struct db *, void *, struct app_err *);
static const json_t *json_path(const json_t *, const char *);
static const char *json_text(const json_t *, enum export_type, char *,
		    size_t);

int
export_format_parse(const char *s, enum export_format *out,
    struct app_err *err)
{
	if (s != NULL && strcmp(s, "xlsx") == 0)
		*out = EXPORT_XLSX;
	else if (s != NULL && strcmp(s, "csv") == 0)
		*out = EXPORT_CSV;
	else
		return (app_err_set(err, APP_EBADREQ, "format",
		    "format: xlsx or csv"));
	return (1);
}

const char *
export_content_type(enum export_format f)
{
	return (f == EXPORT_CSV ? "text/csv; charset=utf-8" :
	    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

const char *
export_extension(enum export_format f)
{
	return (f == EXPORT_CSV ? "csv" : "xlsx");
}

int
export_open(struct export_writer *w, const struct export_options *o,
    struct app_err *err)
{
	size_t	i;

	memset(w, 0, sizeof(*w));
	if (o->ncols == 0 || o->ncols > EXPORT_COLS_MAX)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "an export has 1 to %d columns", EXPORT_COLS_MAX));
	w->format = o->format;
	w->cols = o->cols;
	w->ncols = o->ncols;
	snprintf(w->path, sizeof(w->path), "%s", o->path);
	if (o->format == EXPORT_CSV) {
		if ((w->csv = fopen(o->path, "w")) == NULL)
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "cannot create the export file"));
		if (o->bom)
			fputs("\xEF\xBB\xBF", w->csv);
		for (i = 0; i < w->ncols; i++) {
			char	head[256];

			snprintf(head, sizeof(head), "%s %s", o->cols[i].en,
			    o->cols[i].zh);
			if (i > 0)
				fputc(',', w->csv);
			export_csv_field(w->csv, head, 0);
		}
		fputs("\r\n", w->csv);
		return (1);
	}

	w->def.name = "export";
	w->def.title_en = o->title_en;
	w->def.title_zh = o->title_zh;
	report_params_init(&w->params);
	w->params.generated = time(NULL);
	w->params.today = date_today_hk();
	for (i = 0; i < w->ncols; i++) {
		w->rcols[i].en = o->cols[i].en;
		w->rcols[i].zh = o->cols[i].zh;
		switch (o->cols[i].type) {
		case EXPORT_INT:
			w->rcols[i].kind = REPORT_INT;
			break;
		case EXPORT_CENTS:
			w->rcols[i].kind = REPORT_MONEY;
			break;
		case EXPORT_DATE:
			w->rcols[i].kind = REPORT_DATE;
			break;
		default:
			w->rcols[i].kind = REPORT_TEXT;
			break;
		}
	}
	if (!report_book_open(&w->book, &w->def, &w->params, o->path, 1, err))
		return (0);
	w->book.filters = o->filters != NULL ? o->filters : "none 無";
	report_sheet_add(&w->book, &w->sheet, "Export", NULL, NULL, NULL);
	report_sheet_columns(&w->sheet, w->rcols, (int)w->ncols, 1);
	return (1);
}

/*
 * CSV.
 */

int
export_csv_field(FILE *f, const char *s, int is_text)
{
	const char	*p;
	size_t		 n;
	int		 quote;

	if (s == NULL)
		return (1);
	n = strlen(s);
	quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
	for (p = s; *p != '\0' && !quote; p++) {
		if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
			quote = 1;
	}
	if (quote && fputc('"', f) == EOF)
		return (0);
	/* A spreadsheet would run =..., +..., -..., @... as a formula. */
	if (is_text && (s[0] == '=' || s[0] == '+' || s[0] == '-' ||
	    s[0] == '@' || s[0] == '\t' || s[0] == '\r') &&
	    fputc('\'', f) == EOF)
		return (0);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' && fputc('"', f) == EOF)
			return (0);
		if (fputc(*p, f) == EOF)
			return (0);
	}
	if (quote && fputc('"', f) == EOF)
		return (0);
	return (1);
}

/* Cents as a plain decimal amount of dollars: "-1234.05". */
static int
csv_cents(FILE *f, const char *v)
{
	long long	c;
	char		*end;

	errno = 0;
	c = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v)
		return (export_csv_field(f, v, 1));
	return (fprintf(f, "%s%lld.%02lld", c < 0 ? "-" : "",
	    c < 0 ? -(c / 100) : c / 100, c < 0 ? -(c % 100) : c % 100) > 0);
}

static int
csv_row(struct export_writer *w, const char *const *v)
{
	char	date[DATE_ISO_LEN];
	size_t	i;
	int	ok;

	ok = 1;
	for (i = 0; i < w->ncols && ok; i++) {
		if (i > 0 && fputc(',', w->csv) == EOF)
			ok = 0;
		if (v[i] == NULL || !ok)
			continue;
		switch (w->cols[i].type) {
		case EXPORT_CENTS:
			ok = csv_cents(w->csv, v[i]);
			break;
		case EXPORT_DATE:
			snprintf(date, sizeof(date), "%.10s", v[i]);
			ok = export_csv_field(w->csv, date, 0);
			break;
		case EXPORT_BOOL:
			ok = fputs(v[i][0] == 't' ? "true" : "false",
			    w->csv) != EOF;
			break;
		case EXPORT_INT:
			ok = export_csv_field(w->csv, v[i], 0);
			break;
		default:
			ok = export_csv_field(w->csv, v[i], 1);
			break;
		}
	}
	if (ok && fputs("\r\n", w->csv) == EOF)
		ok = 0;
	return (ok);
}

/*
 * XLSX.
 */

static void
xlsx_row(struct export_writer *w, const char *const *v)
{
	struct report_sheet	*s = &w->sheet;
	char			 date[DATE_ISO_LEN];
	size_t			 i;
	int			 day;

	report_row(s, REPORT_ROW_PLAIN);
	for (i = 0; i < w->ncols; i++) {
		if (v[i] == NULL)
			continue;
		switch (w->cols[i].type) {
		case EXPORT_INT:
			report_int(s, (int)i, strtoll(v[i], NULL, 10));
			break;
		case EXPORT_CENTS:
			report_cents(s, (int)i, strtoll(v[i], NULL, 10));
			break;
		case EXPORT_DATE:
			snprintf(date, sizeof(date), "%.10s", v[i]);
			report_date(s, (int)i, date_parse(date, &day) ? day :
			    -1);
			break;
		case EXPORT_BOOL:
			report_text(s, (int)i, v[i][0] == 't' ? "Yes 是" :
			    "No 否");
			break;
		default:
			report_text(s, (int)i, v[i]);
			break;
		}
	}
	report_row_end(s);
}

int
export_row(struct export_writer *w, const char *const *values,
    struct app_err *err)
{
	w->rows++;
	if (w->format == EXPORT_CSV) {
		if (!csv_row(w, values)) {
			w->csv_failed = 1;
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "writing the export failed"));
		}
		return (1);
	}
	xlsx_row(w, values);
	if (w->book.failed)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "writing the export failed"));
	return (1);
}

int
export_pgresult(struct export_writer *w, const PGresult *res,
    struct app_err *err)
{
	const char	*v[EXPORT_COLS_MAX];
	size_t		 c;
	int		 r;

	if ((size_t)PQnfields(res) < w->ncols)
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "the query has fewer fields than the export columns"));
	for (r = 0; r < PQntuples(res); r++) {
		for (c = 0; c < w->ncols; c++)
			v[c] = db_str(res, r, (int)c);
		if (!export_row(w, v, err))
			return (0);
	}
	return (1);
}

static int
query_rows(struct db *db, void *arg, struct app_err *err)
{
	struct query_arg	*a = arg;
	struct report_cursor	 cur;
	const PGresult		*res;
	const char		*v[EXPORT_COLS_MAX];
	size_t			 c;
	int			 row, ok;

	if (!report_cursor_open(&cur, db, a->sql, a->params, err))
		return (0);
	ok = 1;
	while (ok && report_cursor_next(&cur, &res, &row, err)) {
		if ((size_t)PQnfields(res) < a->w->ncols) {
			ok = app_err_set(err, APP_EINTERNAL, NULL, "the query "
			    "has fewer fields than the export columns");
			break;
		}
		for (c = 0; c < a->w->ncols; c++)
			v[c] = db_str(res, row, (int)c);
		ok = export_row(a->w, v, err);
	}
	report_cursor_close(&cur);
	return (ok && err->code == APP_OK);
}

static int
query_tx(struct db *db, void *arg, struct app_err *err)
{
	return (db_exec(db, "SET TRANSACTION READ ONLY", NULL, err) &&
	    query_rows(db, arg, err));
}

int
export_query(struct export_writer *w, struct db *db, const char *sql,
    const struct db_params *params, struct app_err *err)
{
	struct query_arg	a;

	a.w = w;
	a.sql = sql;
	a.params = params;
	if (db->in_tx)
		return (query_rows(db, &a, err));
	/* A retry must not append the rows twice: reads only, no retry. */
	return (db_tx_run(db, DB_REPEATABLE_READ, query_tx, &a, err));
}

/* The value at a dotted key path, or NULL. */
static const json_t *
json_path(const json_t *obj, const char *key)
{
	char		 part[128];
	const char	*dot;
	size_t		 n;

	while (obj != NULL && (dot = strchr(key, '.')) != NULL) {
		n = (size_t)(dot - key);
		if (n >= sizeof(part))
			return (NULL);
		memcpy(part, key, n);
		part[n] = '\0';
		obj = json_object_get(obj, part);
		key = dot + 1;
	}
	return (obj != NULL ? json_object_get(obj, key) : NULL);
}

static const char *
json_text(const json_t *v, enum export_type type, char *buf, size_t len)
{
	if (v == NULL || json_is_null(v))
		return (NULL);
	if (json_is_string(v))
		return (json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return (buf);
	}
	if (json_is_boolean(v))
		return (json_is_true(v) ? "t" : "f");
	if (json_is_real(v) && type != EXPORT_CENTS) {
		snprintf(buf, len, "%g", json_real_value(v));
		return (buf);
	}
	return (NULL);
}

int
export_json_rows(struct export_writer *w, const json_t *array,
    struct app_err *err)
{
	const char	*v[EXPORT_COLS_MAX];
	char		 buf[EXPORT_COLS_MAX][32];
	const json_t	*row;
	size_t		 i, c;

	if (!json_is_array(array))
		return (app_err_set(err, APP_EINTERNAL, NULL,
		    "export_json_rows: not an array"));
	json_array_foreach(array, i, row) {
		for (c = 0; c < w->ncols; c++) {
			v[c] = w->cols[c].key == NULL ? NULL :
			    json_text(json_path(row, w->cols[c].key),
			    w->cols[c].type, buf[c], sizeof(buf[c]));
		}
		if (!export_row(w, v, err))
			return (0);
	}
	return (1);
}

int
export_close(struct export_writer *w, struct app_err *err)
{
	int	ok;

	if (w->format == EXPORT_CSV) {
		ok = w->csv != NULL && !w->csv_failed && !ferror(w->csv);
		if (w->csv != NULL && fclose(w->csv) != 0)
			ok = 0;
		w->csv = NULL;
		if (!ok) {
			(void)unlink(w->path);
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "writing the export failed"));
		}
		return (1);
	}
	report_sheet_autofilter(&w->sheet);
	report_sheet_fit(&w->sheet);
	return (report_book_close(&w->book, err));
}

void
export_abort(struct export_writer *w)
{
	if (w->format == EXPORT_CSV) {
		if (w->csv != NULL)
			fclose(w->csv);
		w->csv = NULL;
		(void)unlink(w->path);
		return;
	}
	report_book_abort(&w->book);
}

int
export_run(const struct export_options *o, struct db *db, const char *sql,
    const struct db_params *p, struct app_err *err)
{
	struct export_writer	w;

	if (!export_open(&w, o, err))
		return (0);
	if (!export_query(&w, db, sql, p, err)) {
		export_abort(&w);
		return (0);
	}
	return (export_close(&w, err));
}
