/*
 * cmd_seed.c: itfctl seed demo (docs/seed.md).
 *
 *   itfctl seed demo [--scale N] [--if-empty] [--seed S] [--until DATE]
 *
 * Fills an empty database with the demo data set through the core (see
 * app/core/seed.h), printing its progress, and at the end the demo logins
 * and their password.  --if-empty does nothing but print the logins when
 * the database already holds data (scripts/run.sh calls it on every
 * start).  --scale multiplies the volume (benchmarks; the figures match
 * FCR(2021-22)22 only at 1); --until stops the history at a date.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cli.h"
#include "dates.h"
#include "schemes.h"
#include "projects.h"
#include "seed.h"

/* Exit status of --if-empty on a database an earlier seed left unfinished. */
#define SEED_EXIT_INTERRUPTED	3

static int	seed_usage(void);
static void	seed_progress(void *, const char *);
static void	print_logins(const struct seed_result *);

static int
seed_usage(void)
{
	fprintf(stderr, "usage: itfctl seed demo [--scale N] [--if-empty] "
	    "[--seed S] [--until YYYY-MM-DD]\n"
	    "  --scale N     multiply the volume (default 1: the figures of "
	    "FCR(2021-22)22)\n"
	    "  --if-empty    only seed an empty database; else print the "
	    "logins\n"
	    "  --seed S      pseudo-random seed (default %llu)\n"
	    "  --until DATE  stop the history on DATE (default today)\n"
	    "  --dry-run     plan and print what the reports will show; write "
	    "nothing\n",
	    (unsigned long long)SEED_DEFAULT_SEED);
	return (2);
}

static void
seed_progress(void *arg, const char *line)
{
	(void)arg;
	printf("%s\n", line);
	fflush(stdout);
}

static void
print_logins(const struct seed_result *res)
{
	size_t	i;

	if (res->nlogins == 0)
		return;
	printf("\nDemo logins (every demo user's password: %s):\n",
	    SEED_PASSWORD);
	for (i = 0; i < res->nlogins; i++)
		printf("  %-13s %-46s %s\n  %-13s %-46s   %s\n",
		    res->logins[i].role, res->logins[i].email,
		    res->logins[i].name, "", "", res->logins[i].note);
	fflush(stdout);
}

int
cmd_seed_demo(int argc, char **argv)
{
	struct seed_opts	 o;
	struct seed_result	 res;
	struct scheme_set	 set;
	struct app_err		 err;
	struct db		 db;
	int64_t			 v;
	char			*end;
	enum seed_db_state	 state;
	int			 i, if_empty, empty, rc;

	app_err_clear(&err);
	seed_opts_init(&o);
	if_empty = 0;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			seed_usage();
			return (0);
		} else if (strcmp(argv[i], "--if-empty") == 0)
			if_empty = 1;
		else if (strcmp(argv[i], "--dry-run") == 0)
			o.dry_run = 1;
		else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
			o.scale = strtod(argv[++i], &end);
			if (*end != '\0' || !(o.scale > 0 && o.scale <= 1000)) {
				fprintf(stderr, "itfctl: --scale: a number above "
				    "0 and at most 1000\n");
				return (seed_usage());
			}
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			if (!auth_parse_i64(argv[++i], 0, INT64_MAX, "--seed",
			    &v, &err))
				return (cli_fail(&err));
			o.seed = (uint64_t)v;
		} else if (strcmp(argv[i], "--until") == 0 && i + 1 < argc) {
			if (!date_parse(argv[++i], &o.until)) {
				fprintf(stderr, "itfctl: --until: a date "
				    "YYYY-MM-DD\n");
				return (seed_usage());
			}
		} else {
			fprintf(stderr, "itfctl: unknown option %s\n", argv[i]);
			return (seed_usage());
		}
	}
	o.upload_dir = cli_path(1, PROJECT_UPLOAD_DIR);
	o.progress = seed_progress;
	cli_db_open(&db);
	state = SEED_DB_EMPTY;
	if (!o.dry_run && !seed_db_state(&db, &state, &err)) {
		db_close(&db);
		return (cli_fail(&err));
	}
	if (state == SEED_DB_INTERRUPTED && !o.dry_run) {
		fprintf(stderr, "itfctl: seed demo: an earlier seed of this "
		    "database did not finish (see the audit trail, action "
		    "seed.demo.started), so its data is incomplete; seed an "
		    "empty database instead (make run does this by itself "
		    "for its private one)\n");
		db_close(&db);
		return (SEED_EXIT_INTERRUPTED);
	}
	empty = state == SEED_DB_EMPTY;
	if (!empty && if_empty && !o.dry_run) {
		printf("seed demo: the database already holds data; not "
		    "seeding\n");
		if (seed_logins(&db, &res, &err))
			print_logins(&res);
		db_close(&db);
		return (0);
	}
	if (!schemes_load_dir(cli_path(0, "schemes"), &set, &err)) {
		db_close(&db);
		return (cli_fail(&err));
	}
	printf("seed demo: scale %g, seed %llu; this replays the fund's "
	    "history day by day through the core\n", o.scale,
	    (unsigned long long)o.seed);
	fflush(stdout);
	rc = 0;
	if (!seed_demo(&db, &set, &o, &res, &err))
		rc = cli_fail(&err);
	else if (o.dry_run)
		printf("%s", res.notes);
	else {
		printf("seed demo: %lld organisations, %lld users, %lld "
		    "applications, %lld projects, %lld payments; %lld core "
		    "calls in %.1f s\n", (long long)res.organisations,
		    (long long)res.users, (long long)res.applications,
		    (long long)res.projects, (long long)res.payments,
		    (long long)res.operations, res.seconds);
		if (res.notes[0] != '\0')
			printf("seed demo: notes (docs/seed.md):\n%s",
			    res.notes);
		print_logins(&res);
	}
	schemes_free(&set);
	db_close(&db);
	return (rc);
}
