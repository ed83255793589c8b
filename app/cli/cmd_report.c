/*
 * cmd_report.c: itfctl report NAME [--from D] [--to D] [--fy 2020-21]
 *     [--on D] [--scheme CODE] [--year-basis calendar|financial]
 *     --out FILE.xlsx
 * and "itfctl report" alone, which lists the reports and their parameters.
 *
 * The workbook is written to a temporary file beside FILE and renamed over
 * it only when complete, so a failed run never leaves a broken FILE (nor
 * removes an earlier one).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

static int	report_usage(FILE *);

static int
report_usage(FILE *f)
{
	const struct report_def	*def;
	const char *const	*names;
	size_t			 i, j;

	fprintf(f, "usage: itfctl report NAME [--from YYYY-MM-DD] "
	    "[--to YYYY-MM-DD] [--fy 2020-21]\n"
	    "                     [--on YYYY-MM-DD] [--scheme CODE] "
	    "[--year-basis calendar|financial]\n"
	    "                     --out FILE.xlsx\n\nreports:\n");
	for (i = 0; (def = report_def_at(i)) != NULL; i++) {
		fprintf(f, "  %-22s %s %s\n", def->name, def->title_en,
		    def->title_zh);
		fprintf(f, "  %-22s options:", "");
		names = report_param_names(def);
		for (j = 0; names != NULL && names[j] != NULL; j++)
			fprintf(f, " --%s", strcmp(names[j], "year_basis") == 0 ?
			    "year-basis" : names[j]);
		fprintf(f, "\n");
	}
	return (f == stdout ? 0 : 2);
}

int
cmd_report(int argc, char **argv)
{
	const struct report_def	*def;
	struct report_params	 p;
	struct app_err		 err;
	struct stat		 st;
	struct db		 db;
	const char		*out, *opt;
	char			 name[32], tmp[4096];
	int			 i, fd;

	if (argc == 0 || strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "list") == 0)
		return (report_usage(argc == 0 ? stderr : stdout));
	app_err_clear(&err);
	if ((def = report_find(argv[0])) == NULL) {
		fprintf(stderr, "itfctl: no report named \"%s\"\n", argv[0]);
		return (report_usage(stderr));
	}
	report_params_init(&p);
	out = NULL;
	for (i = 1; i < argc; i += 2) {
		opt = argv[i];
		if (strncmp(opt, "--", 2) != 0 || i + 1 >= argc) {
			fprintf(stderr, "itfctl: report: expected --OPTION "
			    "VALUE, got \"%s\"\n", opt);
			return (report_usage(stderr));
		}
		if (strcmp(opt, "--out") == 0) {
			out = argv[i + 1];
			continue;
		}
		snprintf(name, sizeof(name), "%s", opt + 2);
		if (strcmp(name, "year-basis") == 0)
			snprintf(name, sizeof(name), "year_basis");
		if (!report_param_set(def, &p, name, argv[i + 1], &err))
			return (cli_fail(&err));
	}
	if (out == NULL) {
		fprintf(stderr, "itfctl: report: --out FILE.xlsx is required\n");
		return (2);
	}
	if (!report_params_check(def, &p, &err))
		return (cli_fail(&err));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", out) >=
	    (int)sizeof(tmp)) {
		fprintf(stderr, "itfctl: report: output path too long\n");
		return (1);
	}
	if ((fd = mkstemp(tmp)) == -1) {
		fprintf(stderr, "itfctl: report: cannot create a file beside "
		    "%s\n", out);
		return (1);
	}
	close(fd);
	cli_db_open(&db);
	if (!report_run(def, &db, &p, tmp, &err)) {
		db_close(&db);
		(void)unlink(tmp);
		return (cli_fail(&err));
	}
	db_close(&db);
	if (rename(tmp, out) == -1) {
		(void)unlink(tmp);
		fprintf(stderr, "itfctl: report: cannot write %s\n", out);
		return (1);
	}
	if (stat(out, &st) == 0)
		printf("%s: %lld bytes\n", out, (long long)st.st_size);
	return (0);
}
