/*
 * money.c: int64 HK cents with checked arithmetic, parsing and formatting.
 */
#include <stdio.h>
#include <string.h>

#include "money.h"

int
money_add(cents_t a, cents_t b, cents_t *out)
{
	cents_t	r;

	if (__builtin_add_overflow(a, b, &r))
		return (0);
	*out = r;
	return (1);
}

int
money_sub(cents_t a, cents_t b, cents_t *out)
{
	cents_t	r;

	if (__builtin_sub_overflow(a, b, &r))
		return (0);
	*out = r;
	return (1);
}

int
money_mul(cents_t a, int64_t n, cents_t *out)
{
	cents_t	r;

	if (__builtin_mul_overflow(a, n, &r))
		return (0);
	*out = r;
	return (1);
}

int
money_ratio(cents_t a, int64_t num, int64_t den, cents_t *out)
{
	__int128	p;
	__int128	q;

	if (den <= 0 || num < 0)
		return (0);
	p = (__int128)a * (__int128)num;
	q = p / den;
	if (q > INT64_MAX || q < INT64_MIN)
		return (0);
	*out = (cents_t)q;
	return (1);
}

cents_t
money_min(cents_t a, cents_t b)
{
	return (a < b ? a : b);
}

cents_t
money_max(cents_t a, cents_t b)
{
	return (a > b ? a : b);
}

int
money_parse(const char *s, cents_t *out)
{
	const char	*p;
	int		 neg, ndigits, group, seen_comma, decimals;
	uint64_t	 v, limit;

	if (s == NULL)
		return (0);
	p = s;
	neg = 0;
	if (*p == '-' || *p == '+') {
		neg = (*p == '-');
		p++;
	}
	if (strncmp(p, "HK$", 3) == 0)
		p += 3;
	else if (*p == '$')
		p++;

	/* Magnitude limit in cents: INT64_MAX, or one more when negative. */
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	v = 0;
	ndigits = 0;
	group = 0;
	seen_comma = 0;
	for (; *p != '\0' && *p != '.'; p++) {
		if (*p == ',') {
			/* First group 1-3 digits, later groups exactly 3. */
			if (ndigits == 0 || (seen_comma && group != 3) ||
			    (!seen_comma && group > 3))
				return (0);
			seen_comma = 1;
			group = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			return (0);
		if (v > (UINT64_MAX - 9) / 10)
			return (0);
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > limit / 100)
			return (0);
		ndigits++;
		group++;
	}
	if (ndigits == 0 || (seen_comma && group != 3))
		return (0);
	v *= 100;

	decimals = 0;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (decimals == 2)
				return (0);
			v += (uint64_t)(*p - '0') * (decimals == 0 ? 10 : 1);
			decimals++;
			p++;
		}
		if (decimals == 0)
			return (0);
	}
	if (*p != '\0' || v > limit)
		return (0);
	if (neg)
		*out = (v == (uint64_t)INT64_MAX + 1) ? INT64_MIN :
		    -(cents_t)v;
	else
		*out = (cents_t)v;
	return (1);
}

char *
money_format_plain(cents_t c, char *buf, size_t len)
{
	char		 digits[32], grouped[48];
	uint64_t	 mag, whole;
	int		 n, i, j, lead;

	mag = c < 0 ? (uint64_t)(-(c + 1)) + 1 : (uint64_t)c;
	whole = mag / 100;
	n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)whole);
	lead = n % 3;
	if (lead == 0)
		lead = 3;
	for (i = 0, j = 0; i < n; i++) {
		if (i > 0 && (i - lead) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	snprintf(buf, len, "%s%s.%02u", c < 0 ? "-" : "", grouped,
	    (unsigned)(mag % 100));
	return (buf);
}

char *
money_format(cents_t c, char *buf, size_t len)
{
	char	plain[MONEY_FMT_MAX];

	money_format_plain(c, plain, sizeof(plain));
	if (plain[0] == '-')
		snprintf(buf, len, "-HK$%s", plain + 1);
	else
		snprintf(buf, len, "HK$%s", plain);
	return (buf);
}
