/* test_money.c: money.c: parsing, formatting, checked arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

static void
test_parse_good(void **state)
{
	static const struct {
		const char	*in;
		cents_t		 want;
	} cases[] = {
		{ "0", 0 },
		{ "1", 100 },
		{ "1.5", 150 },
		{ "1.05", 105 },
		{ "1234567.89", 123456789 },
		{ "1,234,567.89", 123456789 },
		{ "HK$400,000", 40000000 },
		{ "$600,000.00", 60000000 },
		{ "-HK$12.00", -1200 },
		{ "-0.01", -1 },
		{ "+7", 700 },
		{ "92233720368547758.07", INT64_MAX },
		{ "-92233720368547758.08", INT64_MIN },
	};
	size_t	i;
	cents_t	c;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = -42;
		assert_true(money_parse(cases[i].in, &c));
		assert_int_equal(c, cases[i].want);
	}
}

static void
test_parse_bad(void **state)
{
	static const char	*bad[] = { "", "-", "HK$", "1.", ".5", "1.234",
	    "1,23", "12,3456", ",123", "1,,234", "1 000", "1e5", "0x10",
	    "abc", "1.2.3", "92233720368547758.08", "-92233720368547758.09",
	    "99999999999999999999", "HK$-5", "1,234.5x", NULL };
	size_t			 i;
	cents_t			 c;

	for (i = 0; bad[i] != NULL; i++) {
		c = 77;
		assert_false(money_parse(bad[i], &c));
		assert_int_equal(c, 77);	/* untouched on failure */
	}
	assert_false(money_parse(NULL, &c));
}

static void
test_format(void **state)
{
	char	buf[MONEY_FMT_MAX];

	assert_string_equal(money_format(0, buf, sizeof(buf)), "HK$0.00");
	assert_string_equal(money_format(5, buf, sizeof(buf)), "HK$0.05");
	assert_string_equal(money_format(100000, buf, sizeof(buf)),
	    "HK$1,000.00");
	assert_string_equal(money_format(123456789, buf, sizeof(buf)),
	    "HK$1,234,567.89");
	assert_string_equal(money_format(-1200, buf, sizeof(buf)),
	    "-HK$12.00");
	assert_string_equal(money_format(INT64_MAX, buf, sizeof(buf)),
	    "HK$92,233,720,368,547,758.07");
	assert_string_equal(money_format(INT64_MIN, buf, sizeof(buf)),
	    "-HK$92,233,720,368,547,758.08");
	assert_string_equal(money_format_plain(475000000000, buf,
	    sizeof(buf)), "4,750,000,000.00");
}

static void
test_roundtrip(void **state)
{
	static const cents_t	v[] = { 0, 1, 99, 100, 101, 99999, 100000,
	    123456789012, -5, -123456, INT64_MAX, INT64_MIN };
	char			buf[MONEY_FMT_MAX];
	size_t			i;
	cents_t			c;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_true(money_parse(money_format(v[i], buf, sizeof(buf)),
		    &c));
		assert_int_equal(c, v[i]);
	}
}

static void
test_checked(void **state)
{
	cents_t	c = 1;

	assert_true(money_add(2, 3, &c));
	assert_int_equal(c, 5);
	assert_false(money_add(INT64_MAX, 1, &c));
	assert_int_equal(c, 5);
	assert_true(money_add(INT64_MAX, -1, &c));
	assert_false(money_sub(INT64_MIN, 1, &c));
	assert_true(money_sub(0, INT64_MAX, &c));
	assert_int_equal(c, -INT64_MAX);
	assert_false(money_mul(INT64_MAX / 2 + 1, 2, &c));
	assert_true(money_mul(1800000, 36, &c));
	assert_int_equal(c, 64800000);
	assert_int_equal(money_min(3, -4), -4);
	assert_int_equal(money_max(3, -4), 3);
}

static void
test_ratio(void **state)
{
	cents_t	c;

	/* TVP: 3/4 of HK$800,000 is HK$600,000. */
	assert_true(money_ratio(80000000, 3, 4, &c));
	assert_int_equal(c, 60000000);
	/* 2/3 of 100 cents rounds down to 66. */
	assert_true(money_ratio(100, 2, 3, &c));
	assert_int_equal(c, 66);
	/* 40% rebate in basis points. */
	assert_true(money_ratio(12345, 4000, 10000, &c));
	assert_int_equal(c, 4938);
	/* No intermediate overflow: INT64_MAX * 3 / 4. */
	assert_true(money_ratio(INT64_MAX, 3, 4, &c));
	assert_int_equal(c, (cents_t)(((__int128)INT64_MAX * 3) / 4));
	/* Results beyond int64, zero or negative denominators refused. */
	assert_false(money_ratio(INT64_MAX, 2, 1, &c));
	assert_false(money_ratio(100, 1, 0, &c));
	assert_false(money_ratio(100, -1, 2, &c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_checked),
		cmocka_unit_test(test_ratio),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
