/*
 * cli.h: itfctl, the command-line tool.  One file per command group; each
 * command is int cmd_x(int argc, char **argv) returning the exit status.
 */
#ifndef ITF_CLI_H
#define ITF_CLI_H

#include "actor.h"
#include "db.h"

struct cli_cmd {
	const char	*group;		/* "schemes", or NULL for a plain command */
	const char	*name;
	const char	*args;		/* usage words */
	const char	*help;
	int		(*fn)(int, char **);
};

/* The project root: ITF_ROOT, else the directory above bin/itfctl. */
const char	*cli_root(void);
/* A path under the root, in a static buffer per call slot (0..3). */
const char	*cli_path(int slot, const char *rel);
/* Open the database the service would use (or --database); exits on error. */
void		 cli_db_open(struct db *);
/* Print "itfctl: message" (with the field when set) to stderr; returns 1. */
int		 cli_fail(const struct app_err *);
/* The CLI's actor: the system, labelled "itfctl" plus $SUDO_USER/$USER. */
void		 cli_actor(struct actor *);

extern const char	*cli_database;	/* --database, or NULL */

int	cmd_migrate(int, char **);
int	cmd_migrate_status(int, char **);
int	cmd_schemes_load(int, char **);
int	cmd_schemes_check(int, char **);
int	cmd_audit_verify(int, char **);
int	cmd_ledger_verify(int, char **);
int	cmd_user_add(int, char **);
int	cmd_org_add(int, char **);
int	cmd_report(int, char **);
int	cmd_seed_demo(int, char **);

#endif
