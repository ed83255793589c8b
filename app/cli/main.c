/*
 * main.c: itfctl's entry point: global options and the command table.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

const char	*cli_database;

static int	usage(FILE *);

static const struct cli_cmd commands[] = {
	{ NULL, "migrate", "", "apply pending database migrations",
	    cmd_migrate },
	{ "migrate", "status", "", "list applied and pending migrations; "
	    "exit 1 if any is pending", cmd_migrate_status },
	{ "schemes", "load", "[DIR]", "validate schemes/*.json and load them "
	    "into the database", cmd_schemes_load },
	{ "schemes", "check", "FILE...", "validate scheme definition files "
	    "and report every problem", cmd_schemes_check },
	{ "audit", "verify", "", "check the audit trail's hash chain; print "
	    "the first broken link", cmd_audit_verify },
	{ "ledger", "verify", "", "check every ledger invariant; exit 1 if "
	    "one is broken", cmd_ledger_verify },
	{ "user", "add", "--email E --role R ...", "create a user, password "
	    "on stdin (see user add --help); print its id", cmd_user_add },
	{ "org", "add", "--name-en N --type T ...", "create an organisation "
	    "(see org add --help); print its id", cmd_org_add },
	{ NULL, "report", "NAME --out FILE.xlsx ...", "write an Excel report "
	    "(itfctl report lists them)", cmd_report },
	{ "seed", "demo", "[--scale N] [--if-empty] [--seed S]", "fill an "
	    "empty database with the demo data set (docs/seed.md)",
	    cmd_seed_demo },
};

static int
usage(FILE *f)
{
	size_t	i;
	char	name[64];

	fprintf(f, "usage: itfctl [--database CONNINFO] COMMAND [ARGS]\n\n"
	    "Innovation and Technology Fund administration tool.\n"
	    "By default it uses the same database as the service: "
	    "$ITF_DATABASE_URL,\nelse libpq's PG* environment, else the "
	    "private cluster under var/.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		snprintf(name, sizeof(name), "%s%s%s %s",
		    commands[i].group ? commands[i].group : "",
		    commands[i].group ? " " : "", commands[i].name,
		    commands[i].args);
		fprintf(f, "  %-34s %s\n", name, commands[i].help);
	}
	return (f == stdout ? 0 : 2);
}

const char *
cli_root(void)
{
	static char	root[PATH_MAX];
	const char	*env;
	char		*slash;
	ssize_t		 n;
	int		 i;

	if (root[0] != '\0')
		return (root);
	if ((env = getenv("ITF_ROOT")) != NULL && *env != '\0') {
		snprintf(root, sizeof(root), "%s", env);
		return (root);
	}
	n = readlink("/proc/self/exe", root, sizeof(root) - 1);
	if (n <= 0) {
		snprintf(root, sizeof(root), ".");
		return (root);
	}
	root[n] = '\0';
	for (i = 0; i < 2; i++) {	/* strip "/itfctl", then "/bin" */
		if ((slash = strrchr(root, '/')) != NULL)
			*slash = '\0';
	}
	if (root[0] == '\0')
		snprintf(root, sizeof(root), "/");
	return (root);
}

const char *
cli_path(int slot, const char *rel)
{
	static char	buf[4][PATH_MAX];

	snprintf(buf[slot & 3], sizeof(buf[0]), "%s/%s", cli_root(), rel);
	return (buf[slot & 3]);
}

void
cli_db_open(struct db *db)
{
	char		ci[DB_CONNINFO_MAX];
	struct app_err	err;

	app_err_clear(&err);
	if (cli_database != NULL)
		snprintf(ci, sizeof(ci), "%s", cli_database);
	else
		db_default_conninfo(cli_root(), ci, sizeof(ci));
	if (!db_open(db, ci, &err)) {
		fprintf(stderr, "itfctl: cannot connect to the database (%s)\n",
		    ci[0] != '\0' ? ci : "libpq environment");
		exit(1);
	}
}

int
cli_fail(const struct app_err *err)
{
	if (err->field[0] != '\0')
		fprintf(stderr, "itfctl: %s: %s\n", err->field, err->msg);
	else
		fprintf(stderr, "itfctl: %s\n", err->msg);
	return (1);
}

void
cli_actor(struct actor *a)
{
	const char	*who;
	char		 label[128];

	who = getenv("SUDO_USER");
	if (who == NULL || *who == '\0')
		who = getenv("USER");
	snprintf(label, sizeof(label), "itfctl:%s", who != NULL ? who : "?");
	actor_system(a, label);
}

int
main(int argc, char **argv)
{
	size_t	i;

	if (sodium_init() < 0) {
		fprintf(stderr, "itfctl: libsodium failed to initialise\n");
		return (1);
	}
	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)
			return (usage(stdout));
		if (strcmp(argv[0], "--database") == 0 && argc > 1) {
			cli_database = argv[1];
			argc -= 2;
			argv += 2;
			continue;
		}
		fprintf(stderr, "itfctl: unknown option %s\n", argv[0]);
		return (usage(stderr));
	}
	if (argc == 0)
		return (usage(stderr));
	if (strcmp(argv[0], "help") == 0)
		return (usage(stdout));
	/* "group name" first, so "migrate status" is not "migrate". */
	for (i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (commands[i].group != NULL &&
		    strcmp(argv[0], commands[i].group) == 0 &&
		    strcmp(argv[1], commands[i].name) == 0)
			return (commands[i].fn(argc - 2, argv + 2));
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (commands[i].group == NULL &&
		    strcmp(argv[0], commands[i].name) == 0)
			return (commands[i].fn(argc - 1, argv + 1));
	}
	fprintf(stderr, "itfctl: unknown command \"%s%s%s\"\n", argv[0],
	    argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	return (usage(stderr));
}
