/*
 * actor.h: who is acting.  Every core function that reads or writes a
 * record takes the actor and decides there, in core, whether it may.
 */
#ifndef ITF_ACTOR_H
#define ITF_ACTOR_H

#include <stdint.h>

enum role {
	ROLE_APPLICANT	= 1 << 0,
	ROLE_OFFICER	= 1 << 1,
	ROLE_PANEL	= 1 << 2,	/* "panel_member" */
	ROLE_APPROVER	= 1 << 3,
	ROLE_FINANCE	= 1 << 4,
	ROLE_AUDITOR	= 1 << 5,
	ROLE_ADMIN	= 1 << 6
};
#define ROLE_ALL	0x7f

struct actor {
	int64_t		user_id;	/* 0 for the system / CLI */
	int64_t		org_id;		/* applicant's organisation, 0 if none */
	unsigned	roles;		/* enum role bits */
	char		label[128];	/* email, or "itfctl" */
};

/* The system actor used by the CLI for migrations and loads. */
void		 actor_system(struct actor *, const char *label);
int		 actor_has(const struct actor *, unsigned anyof);
/* "applicant", "officer", "panel_member", ...; NULL for an unknown bit. */
const char	*role_name(unsigned);
/* 1 and *out set if s names a role. */
int		 role_parse(const char *s, unsigned *out);

#endif
