/* actor.c: roles and the acting user. */
#include <stdio.h>
#include <string.h>

#include "actor.h"

static const struct {
	unsigned	 bit;
	const char	*name;
} roles[] = {
	{ ROLE_APPLICANT,	"applicant" },
	{ ROLE_OFFICER,		"officer" },
	{ ROLE_PANEL,		"panel_member" },
	{ ROLE_APPROVER,	"approver" },
	{ ROLE_FINANCE,		"finance" },
	{ ROLE_AUDITOR,		"auditor" },
	{ ROLE_ADMIN,		"admin" },
};

void
actor_system(struct actor *a, const char *label)
{
	memset(a, 0, sizeof(*a));
	a->roles = ROLE_ALL;
	snprintf(a->label, sizeof(a->label), "%s", label);
}

int
actor_has(const struct actor *a, unsigned anyof)
{
	return (a != NULL && (a->roles & anyof) != 0);
}

const char *
role_name(unsigned bit)
{
	size_t	i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (roles[i].bit == bit)
			return (roles[i].name);
	}
	return (NULL);
}

int
role_parse(const char *s, unsigned *out)
{
	size_t	i;

	for (i = 0; s != NULL && i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (strcmp(roles[i].name, s) == 0) {
			*out = roles[i].bit;
			return (1);
		}
	}
	return (0);
}
