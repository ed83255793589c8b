/*
 * ui.c: the web UI's static files, served by the same service.
 *   GET /              index.html
 *   GET /assets/...    the files listed in the build's MANIFEST
 *
 * make ui builds build/ui from app/ui and the vendored npm libraries and
 * writes build/ui/MANIFEST, one relative path a line.  Only the files the
 * manifest lists are ever served: the request path is looked up in that
 * table, never joined onto a directory, so no path can reach another file.
 *
 * Kore 4.1's filemap cannot add headers, hence this handler: every answer
 * carries the strict Content-Security-Policy (the UI has no inline script
 * or style), nosniff and an ETag; files are revalidated on each use
 * (no-cache), since their names carry no version.
 *
 * The files are read into memory by each worker on its first UI request
 * (kore_worker_configure belongs to api.c) and kept for the worker's life.
 * A SIGHUP reload resets the table, and the next request reads them again.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api.h"

#define UI_FILES_MAX	256
#define UI_FILE_MAX	(8 * 1024 * 1024)	/* largest file served */
#define UI_PATH_MAX	200			/* longest manifest path */
#define UI_ETAG_LEN	24
#define UI_INDEX	"index.html"
#define UI_ASSETS	"/assets/"

#define UI_CSP		"default-src 'self'; frame-ancestors 'none'; "	\
			"object-src 'none'; base-uri 'none'; "		\
			"form-action 'self'"

struct ui_file {
	char		*path;		/* "assets/app.js", from the manifest */
	const char	*type;		/* content-type */
	u_int8_t	*data;
	size_t		 len;
	char		 etag[UI_ETAG_LEN];
};

static const struct {
	const char	*ext;
	const char	*type;
} ui_types[] = {
	{ ".html",	"text/html; charset=utf-8" },
	{ ".js",	"text/javascript; charset=utf-8" },
	{ ".mjs",	"text/javascript; charset=utf-8" },
	{ ".css",	"text/css; charset=utf-8" },
	{ ".json",	"application/json; charset=utf-8" },
	{ ".svg",	"image/svg+xml" },
	{ ".png",	"image/png" },
	{ ".ico",	"image/x-icon" },
	{ ".woff2",	"font/woff2" },
	{ ".txt",	"text/plain; charset=utf-8" },
	{ NULL,		NULL }
};

static struct ui_file	ui_files[UI_FILES_MAX];
static size_t		ui_nfiles;
static int		ui_loaded;
static int		ui_warned;

int	api_ui(struct http_request *);

static int			 ui_load(void);
static void			 ui_unload(void);
static int			 ui_read(const char *, u_int8_t **, size_t *);
static int			 ui_path_ok(const char *);
static const char		*ui_type(const char *);
static void			 ui_etag(struct ui_file *);
static const struct ui_file	*ui_find(const char *);
static void			 ui_headers(struct http_request *);
static int			 ui_text(struct http_request *, int,
				    const char *);

/*
 * Serve one UI file: "/" is index.html, "/assets/x" the manifest's
 * "assets/x".  GET and HEAD only.  An unbuilt UI answers 503 (and is
 * looked for again on the next request), an unknown path 404.
 */
int
api_ui(struct http_request *req)
{
	const struct ui_file	*f;
	const char		*key, *inm;

	if (req->method != HTTP_METHOD_GET &&
	    req->method != HTTP_METHOD_HEAD) {
		http_response_header(req, "allow", "GET, HEAD");
		return (ui_text(req, 405, "method not allowed\n"));
	}
	if (!ui_loaded && !ui_load())
		return (ui_text(req, 503, "the web UI is not built: run "
		    "make ui\n"));

	if (strcmp(req->path, "/") == 0)
		key = UI_INDEX;
	else if (strncmp(req->path, UI_ASSETS, strlen(UI_ASSETS)) == 0)
		key = req->path + 1;
	else
		key = NULL;
	if (key == NULL || !ui_path_ok(key) || (f = ui_find(key)) == NULL)
		return (ui_text(req, 404, "not found\n"));

	ui_headers(req);
	http_response_header(req, "cache-control", "no-cache");
	http_response_header(req, "etag", f->etag);
	if (http_request_header(req, "if-none-match", &inm) &&
	    strcmp(inm, f->etag) == 0) {
		http_response(req, HTTP_STATUS_NOT_MODIFIED, NULL, 0);
		return (KORE_RESULT_OK);
	}
	http_response_header(req, "content-type", f->type);
	/* The table outlives the connection: send it without a copy. */
	http_response_stream(req, HTTP_STATUS_OK, f->data, f->len, NULL, NULL);
	return (KORE_RESULT_OK);
}

/* Headers every UI answer carries, files and errors alike. */
static void
ui_headers(struct http_request *req)
{
	http_response_header(req, "content-security-policy", UI_CSP);
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "referrer-policy", "no-referrer");
	http_response_header(req, "cross-origin-opener-policy", "same-origin");
}

static int
ui_text(struct http_request *req, int status, const char *msg)
{
	ui_headers(req);
	http_response_header(req, "content-type", "text/plain; charset=utf-8");
	http_response_header(req, "cache-control", "no-store");
	http_response(req, status, msg, strlen(msg));
	return (KORE_RESULT_OK);
}

/*
 * Read build/ui/MANIFEST (or $ITF_UI_DIR/MANIFEST) and every file it
 * lists into memory.  All or nothing: a listed file that is missing,
 * unreadable, too large or of an unknown type fails the load, logged once.
 */
static int
ui_load(void)
{
	const char	*env;
	char		 dir[PATH_MAX], path[PATH_MAX + UI_PATH_MAX + 2];
	char		*line, *next;
	u_int8_t	*manifest;
	size_t		 mlen;
	struct ui_file	*f;
	int		 ok;

	if ((env = getenv("ITF_UI_DIR")) != NULL && *env != '\0')
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/build/ui", api_root);
	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	if (!ui_read(path, &manifest, &mlen)) {
		if (!ui_warned)
			kore_log(LOG_NOTICE, "ui: %s: %s", path, errno_s);
		ui_warned = 1;
		return (0);
	}

	ok = 1;
	for (line = (char *)manifest; ok && line != NULL && *line != '\0';
	    line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0')
			continue;
		if (ui_nfiles == UI_FILES_MAX) {
			kore_log(LOG_NOTICE, "ui: more than %d files",
			    UI_FILES_MAX);
			ok = 0;
			break;
		}
		f = &ui_files[ui_nfiles];
		memset(f, 0, sizeof(*f));
		if (!ui_path_ok(line) || (f->type = ui_type(line)) == NULL) {
			kore_log(LOG_NOTICE, "ui: MANIFEST: refused \"%.64s\"",
			    line);
			ok = 0;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, line);
		if (!ui_read(path, &f->data, &f->len)) {
			kore_log(LOG_NOTICE, "ui: %s: %s", path, errno_s);
			ok = 0;
			break;
		}
		f->path = kore_strdup(line);
		ui_etag(f);
		ui_nfiles++;
	}
	kore_free(manifest);
	if (!ok || ui_find(UI_INDEX) == NULL) {
		if (ok)
			kore_log(LOG_NOTICE, "ui: MANIFEST lists no %s",
			    UI_INDEX);
		ui_unload();
		ui_warned = 1;
		return (0);
	}
	ui_loaded = 1;
	return (1);
}

static void
ui_unload(void)
{
	size_t	i;

	for (i = 0; i < ui_nfiles; i++) {
		kore_free(ui_files[i].path);
		kore_free(ui_files[i].data);
	}
	ui_nfiles = 0;
	ui_loaded = 0;
}

/* The whole of a regular file, NUL-terminated, into kore memory. */
static int
ui_read(const char *path, u_int8_t **out, size_t *len)
{
	struct stat	 st;
	u_int8_t	*buf;
	size_t		 off;
	ssize_t		 n;
	int		 fd, saved;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	if (fstat(fd, &st) == -1)
		saved = errno;
	else if (!S_ISREG(st.st_mode))
		saved = EISDIR;
	else if (st.st_size > UI_FILE_MAX)
		saved = EFBIG;
	else
		saved = 0;
	if (saved != 0) {
		close(fd);
		errno = saved;
		return (0);
	}
	buf = kore_malloc((size_t)st.st_size + 1);
	for (off = 0; off < (size_t)st.st_size; off += (size_t)n) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			saved = n == 0 ? EIO : errno;
			close(fd);
			kore_free(buf);
			errno = saved;
			return (0);
		}
	}
	close(fd);
	buf[off] = '\0';
	*out = buf;
	*len = off;
	return (1);
}

/*
 * A manifest path: relative, made of [A-Za-z0-9._-] segments joined by
 * single slashes, no segment starting with a dot (so no "..", no hidden
 * files), at most UI_PATH_MAX bytes.
 */
static int
ui_path_ok(const char *p)
{
	size_t	i, seg;

	seg = 0;
	for (i = 0; p[i] != '\0'; i++) {
		if (i >= UI_PATH_MAX)
			return (0);
		if (p[i] == '/') {
			if (seg == 0)
				return (0);
			seg = 0;
			continue;
		}
		if (seg == 0 && p[i] == '.')
			return (0);
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') ||
		    p[i] == '.' || p[i] == '_' || p[i] == '-'))
			return (0);
		seg++;
	}
	return (seg > 0);
}

static const char *
ui_type(const char *path)
{
	const char	*dot;
	int		 i;

	if ((dot = strrchr(path, '.')) == NULL)
		return (NULL);
	for (i = 0; ui_types[i].ext != NULL; i++) {
		if (strcmp(dot, ui_types[i].ext) == 0)
			return (ui_types[i].type);
	}
	return (NULL);
}

/* A strong ETag from the content (64-bit FNV-1a) and its length. */
static void
ui_etag(struct ui_file *f)
{
	u_int64_t	h;
	size_t		i;

	h = 0xcbf29ce484222325ULL;
	for (i = 0; i < f->len; i++) {
		h ^= f->data[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(f->etag, sizeof(f->etag), "\"%016llx%x\"",
	    (unsigned long long)h, (unsigned int)(f->len & 0xfff));
}

static const struct ui_file *
ui_find(const char *path)
{
	size_t	i;

	for (i = 0; i < ui_nfiles; i++) {
		if (strcmp(ui_files[i].path, path) == 0)
			return (&ui_files[i]);
	}
	return (NULL);
}
