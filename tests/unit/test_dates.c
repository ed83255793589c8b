/* test_dates.c: dates.c: strict ISO dates and financial years. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dates.h"

static void
test_parse(void **state)
{
	char	buf[DATE_ISO_LEN];
	int	d, y, m, dd;

	assert_true(date_parse("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_true(date_parse("2020-04-01", &d));
	assert_string_equal(date_format(d, buf, sizeof(buf)), "2020-04-01");
	assert_true(date_parse("2020-02-29", &d));		/* leap */
	date_to_ymd(d, &y, &m, &dd);
	assert_int_equal(y, 2020);
	assert_int_equal(m, 2);
	assert_int_equal(dd, 29);
	assert_true(date_parse("2000-02-29", &d));		/* 400-year leap */
	assert_false(date_parse("1900-02-29", &d));		/* not leap */
	assert_false(date_parse("2021-02-29", &d));
	assert_false(date_parse("2021-02-30", &d));
	assert_false(date_parse("2021-04-31", &d));
	assert_false(date_parse("2021-13-01", &d));
	assert_false(date_parse("2021-00-10", &d));
	assert_false(date_parse("2021-1-01", &d));
	assert_false(date_parse("2021-01-01T00:00", &d));
	assert_false(date_parse("20210101", &d));
	assert_false(date_parse("2021/01/01", &d));
	assert_false(date_parse("", &d));
	assert_false(date_parse(NULL, &d));
}

static void
test_consecutive(void **state)
{
	int	a, b;

	assert_true(date_parse("2020-03-31", &a));
	assert_true(date_parse("2020-04-01", &b));
	assert_int_equal(b - a, 1);
	assert_true(date_parse("2020-12-31", &a));
	assert_true(date_parse("2021-01-01", &b));
	assert_int_equal(b - a, 1);
	assert_true(date_parse("2021-01-01", &a));
	assert_true(date_parse("2022-01-01", &b));
	assert_int_equal(b - a, 365);
}

static void
test_fy(void **state)
{
	char	buf[FY_LABEL_LEN], iso[DATE_ISO_LEN];
	int	d, first, last, y;

	assert_true(date_parse("2021-03-31", &d));
	assert_int_equal(fy_of(d), 2020);
	assert_true(date_parse("2021-04-01", &d));
	assert_int_equal(fy_of(d), 2021);
	assert_string_equal(fy_label(2021, buf, sizeof(buf)), "2021-22");
	assert_string_equal(fy_label(1999, buf, sizeof(buf)), "1999-00");
	fy_bounds(2020, &first, &last);
	assert_string_equal(date_format(first, iso, sizeof(iso)), "2020-04-01");
	assert_true(date_parse("2021-03-31", &d));
	assert_int_equal(last, d);
	assert_true(fy_parse("2020-21", &y));
	assert_int_equal(y, 2020);
	assert_true(fy_parse("1999-00", &y));
	assert_false(fy_parse("2020-22", &y));
	assert_false(fy_parse("2020/21", &y));
	assert_false(fy_parse("20-21", &y));
	/* 9999-00 would end on 10000-03-31, past the last date we hold. */
	assert_false(fy_parse("9999-00", &y));
	assert_true(fy_parse("9998-99", &y));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_consecutive),
		cmocka_unit_test(test_fy),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
