/*
 * fuzz_money.c: money_parse() and money_format() (app/core/money.c).
 *
 * Properties, checked on every input:
 *   - money_parse() agrees with ref_parse(), an independent reading of the
 *     grammar in money.h, on acceptance and on the value;
 *   - a parsed amount formats (with and without "HK$") to text that parses
 *     back to the same amount, and that text is canonical: formatting it
 *     again gives the same string;
 *   - the first eight bytes, read as an int64, round-trip the same way
 *     (every int64 is a valid amount, INT64_MIN included);
 *   - the checked arithmetic agrees with 128-bit arithmetic.
 * A broken property calls abort(), which libFuzzer reports as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	ref_parse(const char *, cents_t *);
static void	roundtrip(cents_t);
static void	arith(cents_t, cents_t, int64_t, int64_t);

#define CHECK(x)	do {						\
	if (!(x)) {							\
		fprintf(stderr, "fuzz_money: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #x);					\
		abort();						\
	}								\
} while (0)

/*
 * The grammar of money.h, written differently from money.c: sign,
 * "HK$" or "$", then either plain digits or 1-3 digits followed by groups
 * of ",ddd", then optionally "." and one or two digits.  The value is
 * accumulated in 128 bits and compared with the int64 range at the end.
 */
static int
ref_parse(const char *s, cents_t *out)
{
	const char	*p, *q;
	__int128	 v;
	int		 neg, n, big;

	p = s;
	neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (strncmp(p, "HK$", 3) == 0)
		p += 3;
	else if (*p == '$')
		p++;

	for (q = p; *q >= '0' && *q <= '9'; q++)
		;
	n = (int)(q - p);
	if (n == 0)
		return (0);
	if (*q == ',') {
		/* Grouped: the first group has 1 to 3 digits. */
		if (n > 3)
			return (0);
		while (*q == ',') {
			if (!(q[1] >= '0' && q[1] <= '9' &&
			    q[2] >= '0' && q[2] <= '9' &&
			    q[3] >= '0' && q[3] <= '9'))
				return (0);
			q += 4;
		}
		if (*q >= '0' && *q <= '9')
			return (0);
	}
	v = 0;
	big = 0;
	for (; p < q; p++) {
		if (*p == ',')
			continue;
		v = v * 10 + (*p - '0');
		if (v > (__int128)1 << 80)
			big = 1, v = 0;
	}
	v *= 100;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return (0);
		v += (*p++ - '0') * 10;
		if (*p >= '0' && *p <= '9')
			v += *p++ - '0';
	}
	if (*p != '\0' || big)
		return (0);
	if (neg)
		v = -v;
	if (v > INT64_MAX || v < INT64_MIN)
		return (0);
	*out = (cents_t)v;
	return (1);
}

static void
roundtrip(cents_t v)
{
	char	a[MONEY_FMT_MAX], b[MONEY_FMT_MAX], c[MONEY_FMT_MAX];
	cents_t	w;

	memset(a, 'x', sizeof(a));
	money_format(v, a, sizeof(a));
	CHECK(memchr(a, '\0', sizeof(a)) != NULL);
	w = v == 0 ? 1 : 0;
	CHECK(money_parse(a, &w));
	CHECK(w == v);
	money_format(w, c, sizeof(c));
	CHECK(strcmp(a, c) == 0);

	money_format_plain(v, b, sizeof(b));
	w = v == 0 ? 1 : 0;
	CHECK(money_parse(b, &w));
	CHECK(w == v);
	/* money_format() is "HK$" + plain, with the sign in front. */
	CHECK(strncmp(a + (v < 0 ? 1 : 0), "HK$", 3) == 0);
	CHECK(strcmp(a + (v < 0 ? 4 : 3), b + (v < 0 ? 1 : 0)) == 0);

	/* A short buffer is truncated, never overrun. */
	money_format(v, c, 8);
	CHECK(strlen(c) <= 7);
}

static void
arith(cents_t a, cents_t b, int64_t num, int64_t den)
{
	__int128	r;
	cents_t		out;
	int		ok;

	r = (__int128)a + b;
	out = 7;
	ok = money_add(a, b, &out);
	CHECK(ok == (r >= INT64_MIN && r <= INT64_MAX));
	CHECK(ok ? out == (cents_t)r : out == 7);

	r = (__int128)a - b;
	out = 7;
	ok = money_sub(a, b, &out);
	CHECK(ok == (r >= INT64_MIN && r <= INT64_MAX));
	CHECK(ok ? out == (cents_t)r : out == 7);

	r = (__int128)a * num;
	out = 7;
	ok = money_mul(a, num, &out);
	CHECK(ok == (r >= INT64_MIN && r <= INT64_MAX));
	CHECK(ok ? out == (cents_t)r : out == 7);

	out = 7;
	ok = money_ratio(a, num, den, &out);
	if (den <= 0 || num < 0) {
		CHECK(!ok && out == 7);
	} else {
		r = (__int128)a * num / den;
		CHECK(ok == (r >= INT64_MIN && r <= INT64_MAX));
		CHECK(ok ? out == (cents_t)r : out == 7);
	}
	CHECK(money_min(a, b) <= money_max(a, b));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cents_t		 v, w;
	int64_t		 x[4];
	char		*s;
	int		 ok, rok;

	/* The bytes as a C string: up to the first NUL. */
	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	v = 12345;
	w = 12345;
	ok = money_parse(s, &v);
	rok = ref_parse(s, &w);
	if (ok != rok || (ok && v != w)) {
		fprintf(stderr, "fuzz_money: \"%s\": money_parse %d (%lld), "
		    "reference %d (%lld)\n", s, ok, (long long)v, rok,
		    (long long)w);
		abort();
	}
	if (!ok)
		CHECK(v == 12345);	/* untouched on failure */
	else
		roundtrip(v);
	free(s);

	memset(x, 0, sizeof(x));
	memcpy(x, data, size < sizeof(x) ? size : sizeof(x));
	roundtrip(x[0]);
	arith(x[0], x[1], x[2], x[3]);
	/* Small multipliers and shares are the common case. */
	arith(x[0], x[1], x[2] % 100000, x[3] % 10001);
	return (0);
}
