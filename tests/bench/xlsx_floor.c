/*
 * xlsx_floor.c: the floor for the project-register report (make bench).
 *
 *	xlsx_floor ROWS.tsv OUT.xlsx
 *
 * Reads the register's rows (tests/bench/register.sql, exported by
 * psql's COPY as tab-separated text: reference, title, organisation
 * English and Chinese names, scheme, approved, government and paid
 * cents, start and end dates, status label) into memory, then writes the
 * same cells the report writes (a title block, the two-row bilingual
 * header, one row a project with HK$ numbers as #,##0.00 and real dates,
 * a total row, an autofilter, frozen panes) with libxlsxwriter in
 * constant_memory mode.  No database and no per-cell bookkeeping: what is
 * left is libxlsxwriter's own cost, the least any C program writing this
 * workbook can spend.  Prints the write time (after the rows are in
 * memory) on stdout; /usr/bin/time gives the wall time and peak memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#define NCOLS	11

struct row {
	char	*s[NCOLS];	/* pointers into the file buffer */
};

static const char *head_en[NCOLS] = { "Reference", "Project title",
	"Organisation (English name)", "Organisation (Chinese name)",
	"Scheme", "Approved amount (HK$)", "Government contribution (HK$)",
	"Paid to date, net of refunds (HK$)", "Start date", "End date",
	"Status" };
static const char *head_zh[NCOLS] = { "編號", "項目名稱", "機構名稱 (英文)",
	"機構名稱 (中文)", "資助計劃", "批出金額 (港元)", "政府資助額 (港元)",
	"已發放款項 (扣除退款) (港元)", "開始日期", "完結日期", "狀況" };
/* 't' text, 'm' money in cents, 'd' date YYYY-MM-DD */
static const char kinds[NCOLS + 1] = "tttttmmmddt";

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(1);
	}
	if ((buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return (buf);
}

int
main(int argc, char **argv)
{
	lxw_workbook_options	 opt = { .constant_memory = LXW_TRUE,
				    .tmpdir = NULL, .use_zip64 = LXW_TRUE };
	lxw_workbook		*wb;
	lxw_worksheet		*ws;
	lxw_format		*f_title, *f_head, *f_head_zh, *f_money, *f_date;
	lxw_format		*f_tmoney, *f_ttext;
	lxw_datetime		 dt;
	struct row		*rows;
	size_t			 len, nrows, cap, i;
	char			*buf, *p, *line, *nl, *tab;
	double			 t0, sum[3] = { 0, 0, 0 };
	int			 c, y, m, d;
	lxw_row_t		 r;

	if (argc != 3) {
		fprintf(stderr, "usage: xlsx_floor ROWS.tsv OUT.xlsx\n");
		return (2);
	}
	buf = slurp(argv[1], &len);
	cap = 1024;
	nrows = 0;
	rows = malloc(cap * sizeof(*rows));
	for (p = buf; p < buf + len && *p != '\0'; p = nl + 1) {
		line = p;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = buf + len;
		*nl = '\0';
		if (nrows == cap) {
			cap *= 2;
			rows = realloc(rows, cap * sizeof(*rows));
		}
		for (c = 0; c < NCOLS; c++) {
			rows[nrows].s[c] = line;
			if ((tab = strchr(line, '\t')) != NULL) {
				*tab = '\0';
				line = tab + 1;
			} else
				line = nl;
			if (strcmp(rows[nrows].s[c], "\\N") == 0)
				rows[nrows].s[c] = NULL;
		}
		nrows++;
	}

	t0 = now();
	if ((wb = workbook_new_opt(argv[2], &opt)) == NULL) {
		fprintf(stderr, "cannot create %s\n", argv[2]);
		return (1);
	}
	ws = workbook_add_worksheet(wb, "Project register");
	f_title = workbook_add_format(wb);
	format_set_bold(f_title);
	format_set_font_size(f_title, 14);
	f_head = workbook_add_format(wb);
	format_set_bold(f_head);
	format_set_bg_color(f_head, 0xDCE6F1);
	format_set_text_wrap(f_head);
	f_head_zh = workbook_add_format(wb);
	format_set_bold(f_head_zh);
	format_set_bg_color(f_head_zh, 0xDCE6F1);
	format_set_bottom(f_head_zh, LXW_BORDER_THIN);
	f_money = workbook_add_format(wb);
	format_set_num_format(f_money, "#,##0.00");
	f_date = workbook_add_format(wb);
	format_set_num_format(f_date, "yyyy-mm-dd");
	f_tmoney = workbook_add_format(wb);
	format_set_num_format(f_tmoney, "#,##0.00");
	format_set_bold(f_tmoney);
	format_set_top(f_tmoney, LXW_BORDER_THIN);
	f_ttext = workbook_add_format(wb);
	format_set_bold(f_ttext);
	format_set_top(f_ttext, LXW_BORDER_THIN);

	worksheet_write_string(ws, 0, 0,
	    "Project register 項目登記冊", f_title);
	worksheet_write_string(ws, 1, 0,
	    "Innovation and Technology Fund 創新及科技基金", NULL);
	worksheet_write_string(ws, 2, 0, "All projects 所有項目", NULL);
	for (c = 0; c < NCOLS; c++) {
		worksheet_write_string(ws, 4, (lxw_col_t)c, head_en[c], f_head);
		worksheet_write_string(ws, 5, (lxw_col_t)c, head_zh[c],
		    f_head_zh);
	}
	worksheet_freeze_panes(ws, 6, 0);
	r = 6;
	memset(&dt, 0, sizeof(dt));
	for (i = 0; i < nrows; i++, r++) {
		for (c = 0; c < NCOLS; c++) {
			const char *v = rows[i].s[c];

			if (v == NULL)
				continue;
			switch (kinds[c]) {
			case 't':
				worksheet_write_string(ws, r, (lxw_col_t)c, v,
				    NULL);
				break;
			case 'm':
				worksheet_write_number(ws, r, (lxw_col_t)c,
				    (double)strtoll(v, NULL, 10) / 100.0,
				    f_money);
				sum[c - 5] += (double)strtoll(v, NULL, 10);
				break;
			case 'd':
				if (sscanf(v, "%d-%d-%d", &y, &m, &d) == 3) {
					dt.year = y;
					dt.month = m;
					dt.day = d;
					worksheet_write_datetime(ws, r,
					    (lxw_col_t)c, &dt, f_date);
				}
				break;
			}
		}
	}
	worksheet_autofilter(ws, 5, 0, r - 1, NCOLS - 1);
	worksheet_write_string(ws, r, 0, "Total 總計", f_ttext);
	for (c = 5; c < 8; c++)
		worksheet_write_number(ws, r, (lxw_col_t)c, sum[c - 5] / 100.0,
		    f_tmoney);
	for (c = 0; c < NCOLS; c++)
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
		    c == 1 ? 60 : 18, NULL);
	if (workbook_close(wb) != LXW_NO_ERROR) {
		fprintf(stderr, "writing %s failed\n", argv[2]);
		return (1);
	}
	printf("rows %zu write_seconds %.3f\n", nrows, now() - t0);
	free(rows);
	free(buf);
	return (0);
}
