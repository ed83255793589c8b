/*
 * formdata.h: checking a multipart/form-data body before Kore 4.1 parses it.
 *
 * Kore 4.1's parser (src/http.c, http_populate_multipart_form() and
 * multipart_parse_headers()) drops, without a word, what it cannot read:
 * a part whose Content-Disposition holds a second ':' (it splits the
 * header line on ':' and skips a line that does not split in exactly two,
 * so a file named "Q1: report.pdf" vanishes), a Content-Disposition after
 * the fourth header line, parameters in another order or spelled
 * filename*=, a file of 0 bytes or with an empty name, an empty field; it
 * cuts a file name at ';' or NUL, a part's last two bytes whatever they
 * are, and a Content-Type with a parameter besides the boundary makes it
 * parse nothing at all.  A progress report would then be saved without the
 * file its author sent.
 *
 * formdata_scan reads the body as Kore will (parts split on "--boundary"
 * wherever it occurs, as Kore does) and refuses every such request with a
 * message naming the part, so what Kore hands the handler is exactly what
 * was sent: the text fields allowed, each at most once, and at most one
 * file part, whose name and length the handler can compare with Kore's.
 * Pure code (no Kore, no I/O): the handler feeds it the body in chunks.
 */
#ifndef ITF_FORMDATA_H
#define ITF_FORMDATA_H

#include <stddef.h>

#include "errors.h"

#define FORMDATA_BOUNDARY_MAX	70	/* RFC 2046 */
#define FORMDATA_HEADERS_MAX	4096	/* one part's header block */
#define FORMDATA_PARTS_MAX	32
#define FORMDATA_NAME_MAX	64	/* a part's name, with NUL */
#define FORMDATA_FILENAME_MAX	1024	/* a file's name, with NUL */
#define FORMDATA_PART_HEADERS	4	/* Kore reads no more */

/* One part's Content-Disposition, as formdata_part_headers() reads it. */
struct formdata_part {
	char	name[FORMDATA_NAME_MAX];
	int	has_filename;
	char	filename[FORMDATA_FILENAME_MAX];
};

struct formdata_scan {
	/* What the request may hold: text fields, and one file field. */
	const char *const	*fields;	/* NULL-terminated */
	const char		*file;

	/* Results, valid after formdata_end(). */
	int			 has_file;	/* a named, non-empty file */
	char			 filename[FORMDATA_FILENAME_MAX];
	size_t			 file_len;

	/* State. */
	int			 state;
	char			 delim[FORMDATA_BOUNDARY_MAX + 3];
	size_t			 dlen;
	size_t			 fail[FORMDATA_BOUNDARY_MAX + 3];
	size_t			 match;
	char			 hbuf[FORMDATA_HEADERS_MAX + 4];
	size_t			 hlen;
	size_t			 linelen;
	char			 line2[2];	/* after a delimiter */
	unsigned char		 last[2];	/* [1]: the byte before */
	unsigned char		 ring[FORMDATA_BOUNDARY_MAX + 8];
	size_t			 partlen;
	int			 nparts;
	struct formdata_part	 cur;
	char			 seen[FORMDATA_PARTS_MAX]
				     [FORMDATA_NAME_MAX];
};

/*
 * Start a scan for the request's Content-Type (as Kore reads it: exactly
 * "multipart/form-data; boundary=B", B unquoted, 1 to 70 characters).
 * fields and file stay the caller's and must outlive the scan.
 * APP_EBADREQ naming "content-type" otherwise.
 */
int	formdata_init(struct formdata_scan *, const char *content_type,
	    const char *const *fields, const char *file, struct app_err *);

/* Feed the next n bytes of the body.  APP_EBADREQ (or APP_EINVAL for an
 * empty file) naming the part at the first thing Kore would not read as
 * sent; then stop feeding. */
int	formdata_feed(struct formdata_scan *, const unsigned char *, size_t,
	    struct app_err *);

/* The body has ended: APP_EBADREQ if it ended before the closing
 * boundary.  Then has_file, filename and file_len describe the file. */
int	formdata_end(struct formdata_scan *, struct app_err *);

/*
 * One part's header block (the bytes between the delimiter line and the
 * blank line, without either) into *out: at most FORMDATA_PART_HEADERS
 * lines ending in CRLF, no other control characters, and exactly one
 * Content-Disposition: form-data; name="N"[; filename="F"], with no ':'
 * or ';' in N or F.  APP_EBADREQ naming the part (or "multipart") if not.
 */
int	formdata_part_headers(const char *block, size_t len,
	    struct formdata_part *out, struct app_err *);

#endif
