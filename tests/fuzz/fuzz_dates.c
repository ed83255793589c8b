/*
 * fuzz_dates.c: strict ISO dates and financial years (app/core/dates.c).
 *
 * Properties:
 *   - date_parse() accepts exactly the text date_format() writes: a
 *     parsed date formats back to the same ten characters;
 *   - day numbers round-trip through date_to_ymd()/date_from_ymd() over
 *     the whole supported range (1900-01-01 to 9999-12-31);
 *   - fy_parse() accepts exactly what fy_label() writes, and the year it
 *     names has bounds: fy_bounds() sets both days, 1 April to 31 March,
 *     and fy_of() of each is the year.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do {						\
	if (!(x)) {							\
		fprintf(stderr, "fuzz_dates: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #x);					\
		abort();						\
	}								\
} while (0)

#define DAY_MIN		(-25567)	/* 1900-01-01 */
#define DAY_MAX		2932896		/* 9999-12-31 */

static void
check_day(int day)
{
	char	buf[DATE_ISO_LEN];
	int	y, m, d, back;

	date_to_ymd(day, &y, &m, &d);
	CHECK(date_from_ymd(y, m, d, &back));
	CHECK(back == day);
	date_format(day, buf, sizeof(buf));
	CHECK(strlen(buf) == 10);
	back = INT_MIN;
	CHECK(date_parse(buf, &back));
	CHECK(back == day);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 s[32], buf[32];
	uint32_t	 u;
	int		 day, y, first, last;

	memset(s, 0, sizeof(s));
	memcpy(s, data, size < sizeof(s) - 1 ? size : sizeof(s) - 1);

	day = INT_MIN;
	if (date_parse(s, &day)) {
		CHECK(day >= DAY_MIN && day <= DAY_MAX);
		date_format(day, buf, sizeof(buf));
		CHECK(strcmp(buf, s) == 0);
		check_day(day);
	} else
		CHECK(day == INT_MIN);

	y = INT_MIN;
	if (fy_parse(s, &y)) {
		fy_label(y, buf, sizeof(buf));
		CHECK(strcmp(buf, s) == 0);
		first = last = INT_MIN;
		fy_bounds(y, &first, &last);
		if (first == INT_MIN || last == INT_MIN) {
			fprintf(stderr, "fuzz_dates: fy_parse(\"%s\") accepts "
			    "financial year %d but fy_bounds() leaves %s "
			    "unset\n", s, y, first == INT_MIN ? "first" :
			    "last");
			abort();
		}
		CHECK(first < last);
		CHECK(fy_of(first) == y && fy_of(last) == y);
		CHECK(fy_of(first - 1) == y - 1 && fy_of(last + 1) == y + 1);
	} else
		CHECK(y == INT_MIN);

	/* Any day in range, from the first four bytes. */
	u = 0;
	memcpy(&u, data, size < sizeof(u) ? size : sizeof(u));
	check_day(DAY_MIN + (int)(u % (uint32_t)(DAY_MAX - DAY_MIN + 1)));
	return (0);
}
