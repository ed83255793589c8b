/*
 * cmd_user.c: itfctl user add, itfctl org add.
 *
 *   itfctl user add --email E --role R [--role R2 ...] [--org ORG_ID]
 *       [--name N] [--authority-cents N]  < password
 *   itfctl org add --name-en N --name-zh N --type T [--br NNNNNNNN]
 *
 * Each prints the new record's id alone on standard output, so scripts
 * can capture it.  The password is the first line of standard input
 * (never an argument, which other users could read in the process list).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "cli.h"
#include "orgs.h"

static int	opt_value(int, char **, int *, const char **);
static int	read_password(char *, size_t);
static int	user_usage(void);
static int	org_usage(void);

static int
user_usage(void)
{
	fprintf(stderr, "usage: itfctl user add --email E --role R "
	    "[--role R2 ...] [--org ORG_ID] [--name N] [--authority-cents N]"
	    "\n  reads the password from the first line of standard input\n"
	    "  roles: applicant officer panel_member approver finance "
	    "auditor admin\n");
	return (2);
}

static int
org_usage(void)
{
	fprintf(stderr, "usage: itfctl org add --name-en NAME --name-zh NAME "
	    "--type TYPE [--br NNNNNNNN]\n  types: company (needs --br) "
	    "university rd_centre public_body other\n");
	return (2);
}

/* The value after argv[*i]; advances *i.  0 if there is none. */
static int
opt_value(int argc, char **argv, int *i, const char **out)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "itfctl: %s needs a value\n", argv[*i]);
		return (0);
	}
	*out = argv[++*i];
	return (1);
}

/* First line of stdin, without its line ending; echo off on a terminal. */
static int
read_password(char *buf, size_t len)
{
	struct termios	 t, quiet;
	int		 tty;
	size_t		 n;

	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &t) == 0;
	if (tty) {
		fprintf(stderr, "password: ");
		quiet = t;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)len, stdin) == NULL)
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
		fprintf(stderr, "\n");
	}
	n = strlen(buf);
	if (n == len - 1 && buf[n - 1] != '\n') {
		fprintf(stderr, "itfctl: the password line is too long\n");
		return (0);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0) {
		fprintf(stderr, "itfctl: no password on standard input\n");
		return (0);
	}
	return (1);
}

int
cmd_user_add(int argc, char **argv)
{
	struct user_in	 in;
	struct app_err	 err;
	struct actor	 actor;
	struct db	 db;
	const char	*v;
	char		 pw[AUTH_PASSWORD_MAX + 2];
	unsigned	 bit;
	int64_t		 id;
	int		 i, rc;

	app_err_clear(&err);
	memset(&in, 0, sizeof(in));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			user_usage();
			return (0);
		}
		if (!opt_value(argc, argv, &i, &v))
			return (user_usage());
		if (strcmp(argv[i - 1], "--email") == 0)
			in.email = v;
		else if (strcmp(argv[i - 1], "--name") == 0)
			in.name = v;
		else if (strcmp(argv[i - 1], "--role") == 0) {
			if (!role_parse(v, &bit)) {
				fprintf(stderr, "itfctl: unknown role \"%s\"\n",
				    v);
				return (user_usage());
			}
			in.roles |= bit;
		} else if (strcmp(argv[i - 1], "--org") == 0) {
			if (!auth_parse_i64(v, 1, INT64_MAX, "--org",
			    &in.org_id, &err))
				return (cli_fail(&err));
		} else if (strcmp(argv[i - 1], "--authority-cents") == 0) {
			if (!auth_parse_i64(v, 0, INT64_MAX,
			    "--authority-cents", &in.authority_cents, &err))
				return (cli_fail(&err));
		} else {
			fprintf(stderr, "itfctl: unknown option %s\n",
			    argv[i - 1]);
			return (user_usage());
		}
	}
	if (in.email == NULL || in.roles == 0)
		return (user_usage());
	if (!read_password(pw, sizeof(pw)))
		return (1);
	in.password = pw;

	cli_db_open(&db);
	cli_actor(&actor);
	rc = 0;
	if (auth_user_create(&db, &actor, &in, &id, &err))
		printf("%lld\n", (long long)id);
	else
		rc = cli_fail(&err);
	sodium_memzero(pw, sizeof(pw));
	db_close(&db);
	return (rc);
}

int
cmd_org_add(int argc, char **argv)
{
	struct org_in	 in;
	struct org	 org;
	struct app_err	 err;
	struct actor	 actor;
	struct db	 db;
	const char	*v;
	int		 i, rc;

	app_err_clear(&err);
	memset(&in, 0, sizeof(in));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			org_usage();
			return (0);
		}
		if (!opt_value(argc, argv, &i, &v))
			return (org_usage());
		if (strcmp(argv[i - 1], "--name-en") == 0)
			in.name_en = v;
		else if (strcmp(argv[i - 1], "--name-zh") == 0)
			in.name_zh = v;
		else if (strcmp(argv[i - 1], "--type") == 0)
			in.type = v;
		else if (strcmp(argv[i - 1], "--br") == 0)
			in.br_number = v;
		else {
			fprintf(stderr, "itfctl: unknown option %s\n",
			    argv[i - 1]);
			return (org_usage());
		}
	}
	if (in.name_en == NULL || in.name_zh == NULL || in.type == NULL)
		return (org_usage());

	cli_db_open(&db);
	cli_actor(&actor);
	rc = 0;
	if (orgs_create(&db, &actor, &in, &org, &err))
		printf("%lld\n", (long long)org.id);
	else
		rc = cli_fail(&err);
	db_close(&db);
	return (rc);
}
