/*
 * dates.h: calendar dates as day numbers, ISO 8601 text, financial years.
 *
 * A date is an int: days since 1970-01-01 (proleptic Gregorian).  Only the
 * strict form YYYY-MM-DD is accepted, and only real days (2021-02-30 is
 * refused).  The Hong Kong Government's financial year runs 1 April to
 * 31 March and is written "2021-22".
 */
#ifndef ITF_DATES_H
#define ITF_DATES_H

#include <stddef.h>

#define DATE_ISO_LEN	11	/* "YYYY-MM-DD" + NUL */
#define FY_LABEL_LEN	8	/* "2021-22" + NUL */

int	 date_from_ymd(int y, int m, int d, int *out);	/* 0 if not a real day */
void	 date_to_ymd(int day, int *y, int *m, int *d);
int	 date_parse(const char *s, int *out);		/* strict YYYY-MM-DD */
char	*date_format(int day, char *buf, size_t len);
int	 date_today_hk(void);				/* today in Hong Kong (UTC+8) */
/*
 * A simulated "today" for a process that replays history: itfctl seed demo
 * enters twenty years of records through the same core functions as the
 * service, each on the day it happened, so every date rule (the rule
 * version in force, payment holds, ledger value dates and their order)
 * judges it by that day.  While set (day >= 0), date_today_hk() returns day
 * instead of the clock; -1 returns to the clock.  Process-local and never
 * read from the environment: the service never sets it.
 */
void	 date_set_today(int day);

/* Start year of the financial year containing day: 2021-03-31 -> 2020. */
int	 fy_of(int day);
/* "2020-21" for start year 2020. */
char	*fy_label(int start_year, char *buf, size_t len);
/* Parse "2020-21" (second part must be the next year); 0 if malformed. */
int	 fy_parse(const char *s, int *start_year);
/* First and last day of the financial year starting in start_year. */
void	 fy_bounds(int start_year, int *first, int *last);

#endif
