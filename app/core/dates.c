/*
 * dates.c: day numbers <-> civil dates (Howard Hinnant's algorithms),
 * strict ISO 8601 parsing, and Hong Kong financial years.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dates.h"

static int	days_in_month(int, int);

static int
days_in_month(int y, int m)
{
	static const int	dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			leap;

	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return (m == 2 && leap ? 29 : dm[m - 1]);
}

int
date_from_ymd(int y, int m, int d, int *out)
{
	int		era, yoe, doy, doe;

	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return (0);
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*out = era * 146097 + doe - 719468;
	return (1);
}

void
date_to_ymd(int day, int *y, int *m, int *d)
{
	int	z, era, doe, yoe, doy, mp, yy;

	z = day + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

int
date_parse(const char *s, int *out)
{
	int	i, y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (0);
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return (0);
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return (date_from_ymd(y, m, d, out));
}

char *
date_format(int day, char *buf, size_t len)
{
	int	y, m, d;

	date_to_ymd(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
	return (buf);
}

/* date_set_today(): a simulated day, or -1 for the clock. */
static int	simulated_today = -1;

void
date_set_today(int day)
{
	simulated_today = day >= 0 ? day : -1;
}

int
date_today_hk(void)
{
	time_t	now;

	if (simulated_today >= 0)
		return (simulated_today);
	now = time(NULL) + 8 * 3600;
	return ((int)(now / 86400));
}

int
fy_of(int day)
{
	int	y, m, d;

	date_to_ymd(day, &y, &m, &d);
	return (m >= 4 ? y : y - 1);
}

char *
fy_label(int start_year, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d", start_year, (start_year + 1) % 100);
	return (buf);
}

int
fy_parse(const char *s, int *start_year)
{
	int	y, n, i;

	if (s == NULL || strlen(s) != 7 || s[4] != '-')
		return (0);
	for (i = 0; i < 7; i++) {
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return (0);
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	n = (s[5] - '0') * 10 + (s[6] - '0');
	if (y < 1900 || y > 9998 || (y + 1) % 100 != n)
		return (0);
	*start_year = y;
	return (1);
}

void
fy_bounds(int start_year, int *first, int *last)
{
	date_from_ymd(start_year, 4, 1, first);
	date_from_ymd(start_year + 1, 3, 31, last);
}
