/*
 * money.h: Hong Kong dollars as int64 cents.
 *
 * Money is never floating point.  Every operation that can overflow is
 * checked and returns 0 on overflow, leaving *out untouched.  Decimal
 * strings appear only here: money_parse() and money_format().
 */
#ifndef ITF_MONEY_H
#define ITF_MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t cents_t;

#define MONEY_HKD(d)		((cents_t)(d) * 100)	/* whole dollars */
#define MONEY_FMT_MAX		40	/* "-HK$92,233,720,368,547,758.07" + NUL */

/* a + b, a - b, a * n; 1 on success, 0 on overflow. */
int	money_add(cents_t a, cents_t b, cents_t *out);
int	money_sub(cents_t a, cents_t b, cents_t *out);
int	money_mul(cents_t a, int64_t n, cents_t *out);

/*
 * a * num / den, rounded down (towards zero for a >= 0), computed without
 * intermediate overflow.  den must be > 0 and num >= 0.  Used for shares
 * ("3/4 of eligible cost") and basis points (num = bp, den = 10000).
 */
int	money_ratio(cents_t a, int64_t num, int64_t den, cents_t *out);

/* The smaller / larger of two amounts. */
cents_t	money_min(cents_t, cents_t);
cents_t	money_max(cents_t, cents_t);

/*
 * Parse a decimal amount of HK dollars: optional sign, optional "HK$" or
 * "$", digits with optional comma thousands separators (in groups of three),
 * optional "." and one or two decimals.  "1,234,567.89", "HK$400,000",
 * "-0.5".  Anything else, or a value outside int64 cents, returns 0.
 */
int	money_parse(const char *s, cents_t *out);

/* "HK$1,234,567.89" (negative: "-HK$12.00"); buf of at least MONEY_FMT_MAX. */
char	*money_format(cents_t, char *buf, size_t len);
/* "1,234,567.89" without the currency sign. */
char	*money_format_plain(cents_t, char *buf, size_t len);

#endif
