/*
 * formdata.c: checking a multipart/form-data body before Kore 4.1 parses
 * it (formdata.h says why).  What "as Kore reads it" means below is
 * Kore 4.1.0's src/http.c: http_populate_multipart_form(),
 * multipart_find_data(), multipart_parse_headers(), multipart_add_field()
 * and multipart_file_add(), with kore_split_string() (src/utils.c), which
 * splits on any of the delimiter characters, skips empty pieces and keeps
 * at most ele - 1 of them.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "formdata.h"

enum {
	FD_PREAMBLE,		/* before the first delimiter */
	FD_DELIMLINE,		/* after a delimiter, up to its CRLF */
	FD_HEADERS,		/* a part's header block */
	FD_BODY,		/* a part's content */
	FD_DONE,		/* after the closing delimiter */
	FD_FAILED
};

static int	fd_step(struct formdata_scan *, unsigned char);
static int	fd_part_begin(struct formdata_scan *, struct app_err *);
static int	fd_part_end(struct formdata_scan *, struct app_err *);
static int	fd_is_field(const struct formdata_scan *, const char *);
static int	fd_disposition(const char *, size_t, struct formdata_part *,
		    const char **);
static int	fd_value(const char **, const char *, char *, size_t);

int
formdata_init(struct formdata_scan *s, const char *ct,
    const char *const *fields, const char *file, struct app_err *err)
{
	const char	*b;
	size_t		 i, k, blen;

	memset(s, 0, sizeof(*s));
	s->fields = fields;
	s->file = file;
	s->state = FD_FAILED;
	/*
	 * Kore splits the header on ';' into at most two pieces and takes
	 * the boundary from after the second piece's first '=', quotes and
	 * all: be exact.
	 */
	if (ct == NULL || strncasecmp(ct, "multipart/form-data;", 20) != 0) {
		return (app_err_set(err, APP_EBADREQ, "content-type",
		    "content-type: multipart/form-data; boundary=... "
		    "expected"));
	}
	for (b = ct + 20; *b == ' ' || *b == '\t'; b++)
		;
	if (strncasecmp(b, "boundary=", 9) != 0 || strchr(b, ';') != NULL) {
		return (app_err_set(err, APP_EBADREQ, "content-type",
		    "content-type: one parameter, boundary=..., expected"));
	}
	b += 9;
	blen = strlen(b);
	if (blen == 0 || blen > FORMDATA_BOUNDARY_MAX) {
		return (app_err_set(err, APP_EBADREQ, "content-type",
		    "content-type: the boundary has 1 to %d characters",
		    FORMDATA_BOUNDARY_MAX));
	}
	for (i = 0; i < blen; i++) {
		if (b[i] <= ' ' || b[i] == '"' || b[i] == 0x7f ||
		    (b[i] & 0x80) != 0) {
			return (app_err_set(err, APP_EBADREQ, "content-type",
			    "content-type: the boundary must be unquoted "
			    "printable ASCII without spaces"));
		}
	}
	s->dlen = blen + 2;
	s->delim[0] = s->delim[1] = '-';
	memcpy(s->delim + 2, b, blen);
	s->delim[s->dlen] = '\0';
	/* Knuth-Morris-Pratt failure function of the delimiter. */
	s->fail[0] = 0;
	for (i = 1, k = 0; i < s->dlen; i++) {
		while (k > 0 && s->delim[i] != s->delim[k])
			k = s->fail[k - 1];
		if (s->delim[i] == s->delim[k])
			k++;
		s->fail[i] = k;
	}
	s->state = FD_PREAMBLE;
	return (1);
}

/* One byte through the delimiter matcher: 1 when a delimiter ends here. */
static int
fd_step(struct formdata_scan *s, unsigned char c)
{
	while (s->match > 0 && (unsigned char)s->delim[s->match] != c)
		s->match = s->fail[s->match - 1];
	if ((unsigned char)s->delim[s->match] == c)
		s->match++;
	if (s->match == s->dlen) {
		s->match = 0;
		return (1);
	}
	return (0);
}

int
formdata_feed(struct formdata_scan *s, const unsigned char *buf, size_t n,
    struct app_err *err)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < n; i++) {
		c = buf[i];
		switch (s->state) {
		case FD_PREAMBLE:
			if (fd_step(s, c)) {
				s->state = FD_DELIMLINE;
				s->linelen = 0;
			}
			break;
		case FD_DELIMLINE:
			s->linelen++;
			if (s->linelen <= 2)
				s->line2[s->linelen - 1] = (char)c;
			if (s->linelen == 1 && c == '-')
				break;
			if (s->linelen == 2 && s->line2[0] == '-') {
				if (c != '-') {
					s->state = FD_FAILED;
					return (app_err_set(err, APP_EBADREQ,
					    "multipart", "multipart: a "
					    "boundary is followed by data on "
					    "its line"));
				}
				s->state = FD_DONE;
				s->linelen = 0;
				break;
			}
			if (c == '\n' && s->last[1] == '\r') {
				s->state = FD_HEADERS;
				s->hlen = 0;
				break;
			}
			s->last[1] = c;
			/* Only padding between a delimiter and its CRLF. */
			if ((c != ' ' && c != '\t' && c != '\r') ||
			    s->linelen > 256) {
				s->state = FD_FAILED;
				return (app_err_set(err, APP_EBADREQ,
				    "multipart", "multipart: a boundary is "
				    "followed by data on its line"));
			}
			break;
		case FD_HEADERS:
			if (s->hlen == sizeof(s->hbuf)) {
				s->state = FD_FAILED;
				return (app_err_set(err, APP_EBADREQ,
				    "multipart", "multipart: a part's headers "
				    "are over %d bytes", FORMDATA_HEADERS_MAX));
			}
			s->hbuf[s->hlen++] = (char)c;
			if (s->hlen >= 4 &&
			    memcmp(s->hbuf + s->hlen - 4, "\r\n\r\n", 4) == 0) {
				if (!formdata_part_headers(s->hbuf,
				    s->hlen - 4, &s->cur, err) ||
				    !fd_part_begin(s, err)) {
					s->state = FD_FAILED;
					return (0);
				}
				s->state = FD_BODY;
				s->partlen = 0;
				s->match = 0;
			}
			break;
		case FD_BODY:
			/* Kore hands a text field on as a C string. */
			if (c == '\0' && strcmp(s->cur.name, s->file) != 0) {
				s->state = FD_FAILED;
				return (app_err_set(err, APP_EBADREQ,
				    s->cur.name, "%s: a text field may not "
				    "hold a NUL byte", s->cur.name));
			}
			s->ring[s->partlen % sizeof(s->ring)] = c;
			s->partlen++;
			if (fd_step(s, c)) {
				if (!fd_part_end(s, err)) {
					s->state = FD_FAILED;
					return (0);
				}
				s->state = FD_DELIMLINE;
				s->linelen = 0;
				s->last[1] = 0;
			}
			break;
		case FD_DONE:
			/* At most the CRLF that ends the closing line. */
			if (++s->linelen > 2 || c != (s->linelen == 1 ?
			    '\r' : '\n')) {
				s->state = FD_FAILED;
				return (app_err_set(err, APP_EBADREQ,
				    "multipart", "multipart: data after the "
				    "closing boundary"));
			}
			break;
		default:
			return (app_err_set(err, APP_EBADREQ, "multipart",
			    "multipart: unreadable body"));
		}
	}
	return (1);
}

int
formdata_end(struct formdata_scan *s, struct app_err *err)
{
	if (s->state != FD_DONE) {
		return (app_err_set(err, APP_EBADREQ, "multipart",
		    "multipart: the body ends before its closing boundary"));
	}
	return (1);
}

static int
fd_is_field(const struct formdata_scan *s, const char *name)
{
	size_t	i;

	for (i = 0; s->fields != NULL && s->fields[i] != NULL; i++) {
		if (strcmp(s->fields[i], name) == 0)
			return (1);
	}
	return (0);
}

static int
fd_part_begin(struct formdata_scan *s, struct app_err *err)
{
	const char	*name = s->cur.name;
	int		 i;

	for (i = 0; i < s->nparts; i++) {
		if (strcmp(s->seen[i], name) == 0) {
			return (app_err_set(err, APP_EBADREQ, name,
			    "%s: sent twice", name));
		}
	}
	if (s->nparts == FORMDATA_PARTS_MAX) {
		return (app_err_set(err, APP_EBADREQ, "multipart",
		    "multipart: at most %d parts", FORMDATA_PARTS_MAX));
	}
	snprintf(s->seen[s->nparts++], FORMDATA_NAME_MAX, "%s", name);
	if (strcmp(name, s->file) == 0) {
		if (!s->cur.has_filename) {
			return (app_err_set(err, APP_EBADREQ, name,
			    "%s: must be sent as a file (with a filename)",
			    name));
		}
		return (1);
	}
	if (!fd_is_field(s, name)) {
		return (app_err_set(err, APP_EBADREQ, name,
		    "unknown field \"%.40s\"", name));
	}
	if (s->cur.has_filename) {
		return (app_err_set(err, APP_EBADREQ, name,
		    "%s: a text field, not a file", name));
	}
	return (1);
}

/* A part's content ended: partlen bytes, the delimiter's included. */
static int
fd_part_end(struct formdata_scan *s, struct app_err *err)
{
	const char	*name = s->cur.name;
	size_t		 len, r;

	/* Kore takes the last two bytes for the CRLF, whatever they are. */
	r = sizeof(s->ring);
	len = s->partlen - s->dlen;
	if (len < 2 || s->ring[(len - 2) % r] != '\r' ||
	    s->ring[(len - 1) % r] != '\n') {
		return (app_err_set(err, APP_EBADREQ, name,
		    "%s: the part does not end with CRLF before the boundary "
		    "(the boundary occurs in its content?)", name));
	}
	len -= 2;
	if (strcmp(name, s->file) != 0)
		return (1);
	if (s->cur.filename[0] == '\0') {
		/* A browser's empty file input: no file.  Else refuse. */
		if (len == 0)
			return (1);
		return (app_err_set(err, APP_EBADREQ, name,
		    "%s: the file has no name (filename=\"\")", name));
	}
	if (len == 0) {
		return (app_err_set(err, APP_EINVAL, name,
		    "%s: the attached file is empty", name));
	}
	s->has_file = 1;
	s->file_len = len;
	snprintf(s->filename, sizeof(s->filename), "%s", s->cur.filename);
	return (1);
}

/*
 * A parameter value at *pp (up to end): a quoted string without '"' inside
 * (Kore strips every '"' and knows no escapes; every client quotes).  Into
 * out; *pp moves past it.  0 if malformed or too long.
 */
static int
fd_value(const char **pp, const char *end, char *out, size_t len)
{
	const char	*p = *pp, *q;
	size_t		 n;

	if (p == end || *p != '"')
		return (0);
	p++;
	for (q = p; q < end && *q != '"'; q++)
		;
	if (q == end)
		return (0);
	n = (size_t)(q - p);
	*pp = q + 1;
	if (n >= len)
		return (0);
	memcpy(out, p, n);
	out[n] = '\0';
	return (1);
}

/*
 * A Content-Disposition value (after the ':'): "form-data" then
 * '; name=V' then optionally '; filename=V', nothing else, no spaces
 * around '=', which is all Kore reads right.  Sets *why on failure.
 */
static int
fd_disposition(const char *v, size_t n, struct formdata_part *out,
    const char **why)
{
	const char	*p = v, *end = v + n;

	while (p < end && isspace((unsigned char)*p))
		p++;
	if ((size_t)(end - p) < 9 || strncasecmp(p, "form-data", 9) != 0 ||
	    (p + 9 < end && p[9] != ';')) {
		*why = "not form-data";
		return (0);
	}
	p += 9;
	if (p == end || *p != ';') {
		*why = "no name";
		return (0);
	}
	for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if ((size_t)(end - p) < 5 || strncasecmp(p, "name=", 5) != 0) {
		*why = "name= must come first";
		return (0);
	}
	p += 5;
	if (!fd_value(&p, end, out->name, sizeof(out->name))) {
		*why = "a malformed or over-long name";
		return (0);
	}
	if (p == end)
		return (1);
	if (*p != ';') {
		*why = "data after the name";
		return (0);
	}
	for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if ((size_t)(end - p) < 9 || strncasecmp(p, "filename=", 9) != 0) {
		*why = "only filename= may follow the name";
		return (0);
	}
	p += 9;
	out->has_filename = 1;
	if (!fd_value(&p, end, out->filename, sizeof(out->filename))) {
		*why = "a malformed file name, or one over 1023 bytes";
		return (0);
	}
	if (p != end) {
		*why = "data after the file name";
		return (0);
	}
	return (1);
}

int
formdata_part_headers(const char *block, size_t len,
    struct formdata_part *out, struct app_err *err)
{
	const char	*line, *end, *colon, *why, *field;
	const char	*cd, *cdend;
	size_t		 i, nlines;
	int		 ok, ctl;
	unsigned char	 c;

	memset(out, 0, sizeof(*out));
	cd = cdend = NULL;
	ctl = 0;
	nlines = 0;
	for (line = block; line < block + len; line = end + 2) {
		end = line;
		while (end < block + len && !(*end == '\r' && end + 1 <
		    block + len && end[1] == '\n'))
			end++;
		if (end == block + len)
			end = block + len;
		nlines++;
		for (i = 0; line + i < end; i++) {
			c = (unsigned char)line[i];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				ctl = 1;
		}
		if ((colon = memchr(line, ':', (size_t)(end - line))) == NULL ||
		    colon == line) {
			return (app_err_set(err, APP_EBADREQ, "multipart",
			    "multipart: a part header is not \"Name: value\""));
		}
		if ((size_t)(colon - line) == 19 &&
		    strncasecmp(line, "content-disposition", 19) == 0) {
			if (cd != NULL) {
				return (app_err_set(err, APP_EBADREQ,
				    "multipart", "multipart: a part has two "
				    "Content-Disposition headers"));
			}
			cd = colon + 1;
			cdend = end;
		}
		if (end == block + len)
			break;
	}
	if (cd == NULL) {
		return (app_err_set(err, APP_EBADREQ, "multipart",
		    "multipart: a part has no Content-Disposition"));
	}
	why = "";
	ok = fd_disposition(cd, (size_t)(cdend - cd), out, &why);
	field = out->name[0] != '\0' ? out->name : "multipart";
	/*
	 * Kore skips a header line with a second ':', and splits on a bare CR
	 * or LF and at ';' whatever the quotes: the part, or part of its
	 * name, would be lost.  Say which.
	 */
	if (out->has_filename && strchr(out->filename, ':') != NULL) {
		return (app_err_set(err, APP_EBADREQ, field, "%s: a file name "
		    "may not contain ':' (rename the file and send it again)",
		    field));
	}
	if (out->has_filename && strchr(out->filename, ';') != NULL) {
		return (app_err_set(err, APP_EBADREQ, field, "%s: a file name "
		    "may not contain ';' (rename the file and send it again)",
		    field));
	}
	if (ctl) {
		return (app_err_set(err, APP_EBADREQ, field, "%s: a part "
		    "header holds a control character (a file name with a "
		    "NUL, CR or LF?)", field));
	}
	if (!ok) {
		return (app_err_set(err, APP_EBADREQ, field, "%s: "
		    "Content-Disposition must be form-data; name=\"...\" "
		    "[; filename=\"...\"]: %s", field, why));
	}
	if (memchr(cd, ':', (size_t)(cdend - cd)) != NULL) {
		return (app_err_set(err, APP_EBADREQ, field, "%s: a part "
		    "name may not contain ':'", field));
	}
	if (out->name[0] == '\0') {
		return (app_err_set(err, APP_EBADREQ, "multipart",
		    "multipart: a part has an empty name"));
	}
	if (nlines > FORMDATA_PART_HEADERS) {
		return (app_err_set(err, APP_EBADREQ, field, "%s: at most %d "
		    "headers per part", field, FORMDATA_PART_HEADERS));
	}
	return (1);
}
