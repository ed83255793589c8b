/*
 * cmd_schemes.c: itfctl schemes load [DIR], itfctl schemes check FILE...
 */
#include <stdio.h>

#include "catalogue.h"
#include "cli.h"
#include "schemes.h"

int
cmd_schemes_load(int argc, char **argv)
{
	struct scheme_set	 set;
	struct app_err		 err;
	struct actor		 actor;
	struct db		 db;
	const char		*dir;
	int			 changed;

	app_err_clear(&err);
	dir = argc > 0 ? argv[0] : cli_path(0, "schemes");
	if (!schemes_load_dir_report(dir, &set, stderr, NULL, &err)) {
		fprintf(stderr, "itfctl: scheme definitions refused; nothing "
		    "loaded\n");
		return (1);
	}
	cli_db_open(&db);
	cli_actor(&actor);
	if (!catalogue_store(&db, &set, &actor, &changed, &err)) {
		schemes_free(&set);
		db_close(&db);
		return (cli_fail(&err));
	}
	printf("%zu schemes valid; %d definition%s changed in the database\n",
	    set.n, changed, changed == 1 ? "" : "s");
	schemes_free(&set);
	db_close(&db);
	return (0);
}

int
cmd_schemes_check(int argc, char **argv)
{
	struct app_err	err;
	size_t		problems;

	if (argc == 0) {
		fprintf(stderr, "usage: itfctl schemes check FILE...\n");
		return (2);
	}
	app_err_clear(&err);
	problems = 0;
	if (!schemes_check_files(argv, (size_t)argc, stderr, &problems,
	    &err)) {
		fprintf(stderr, "%zu problem%s found\n", problems,
		    problems == 1 ? "" : "s");
		return (1);
	}
	printf("%d file%s valid\n", argc, argc == 1 ? "" : "s");
	return (0);
}
