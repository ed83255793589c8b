/*
 * api.h: the HTTP layer's shared helpers.  Handlers only parse, call core
 * and reply; these helpers do the parsing and the replying.
 */
#ifndef ITF_API_H
#define ITF_API_H

#include <kore/kore.h>
#include <kore/http.h>

#include <jansson.h>

#include "actor.h"
#include "db.h"
#include "errors.h"
#include "schemes.h"

#define API_JSON_MAX		(256 * 1024)	/* largest JSON body */
#define API_CSRF_HEADER		"x-itf-request"	/* required on writes */
#define API_SESSION_COOKIE	"itf_session"

extern struct scheme_set	api_schemes;	/* loaded in the parent */
extern char			api_root[];	/* project root */
extern int			api_tls;	/* cookies get Secure */

/* This worker's database connection, (re)connected; NULL + err if down. */
struct db	*api_db(struct app_err *);

/*
 * Read and parse a JSON object body: application/json, at most
 * API_JSON_MAX bytes, no duplicate keys.  Errors name the problem and,
 * for malformed JSON, the line and column.
 */
int	api_json_body(struct http_request *, json_t **, struct app_err *);
/* The JSON body; with optional set, no body at all (Content-Length 0) is {}. */
int	api_json_body_opt(struct http_request *, int optional, json_t **,
	    struct app_err *);

/*
 * Refuse any member of the object in that is not in the NULL-terminated
 * list (400 naming it; projects_json_only() with no prefix).
 */
int	api_json_only(const json_t *, const char *const *, struct app_err *);
/* An optional string member of in: absent or null gives *out NULL. */
int	api_json_str(const json_t *, const char *key, const char **out,
	    struct app_err *);

/* Reply with body (stolen, may be NULL for no body) and status. */
int	api_reply(struct http_request *, int, json_t *);
/* Reply with {"error":{"code","message","field"}} and the mapped status. */
int	api_error(struct http_request *, const struct app_err *);
/* err set ? api_error : api_reply(status, body); body is stolen either way. */
int	api_finish(struct http_request *, int, json_t *, const struct app_err *);
/* 405 listing the allowed methods. */
int	api_method_not_allowed(struct http_request *, const char *allow);
int	api_status_of(enum app_errcode);

/*
 * Query string: the decoded value of name, or NULL.  Repeated names give
 * the first.  Values are copied into the request's memory (freed with it).
 */
const char	*api_query(struct http_request *, const char *name);
/* Refuse any query parameter not in the NULL-terminated list. */
int		 api_query_only(struct http_request *, const char *const *,
		    struct app_err *);

/*
 * Query parameter "scheme", when present: the scheme's code copied into
 * code (len bytes) and *scheme pointed at it; 400 for an unknown scheme.
 */
int		 api_query_scheme(struct http_request *, char *code, size_t len,
		    const char **scheme, struct app_err *);
/* One word of a list, for api_query_words(); sets err to refuse it. */
typedef int	(*api_word_fn)(const char *, void *, struct app_err *);
/*
 * Query parameter name as comma-separated words, each given to fn with
 * arg; 1 when absent, 400 when it has max (at most 256) bytes or more.
 */
int		 api_query_words(struct http_request *, const char *name,
		    size_t max, api_word_fn, void *arg, struct app_err *);

/*
 * The n-th segment of the path after prefix (0-based), copied into buf;
 * NULL if absent or too long.  "/api/v1/schemes/TVP/quote", prefix
 * "/api/v1/schemes/": segment 0 "TVP", segment 1 "quote".
 */
const char	*api_path_seg(struct http_request *, const char *prefix, int n,
		    char *buf, size_t len);
/* Parse a positive int64 id from a path segment. */
int		 api_path_id(struct http_request *, const char *prefix, int n,
		    int64_t *, struct app_err *);

/*
 * The session's actor.  Fills err with APP_EUNAUTH when there is no valid
 * session.  On state-changing methods it also checks the CSRF header.
 */
int	api_actor(struct http_request *, struct db *, struct actor *,
	    struct app_err *);
/* A core read of one record by id, for api_read_one(). */
typedef int	(*api_read_fn)(struct db *, const struct actor *, int64_t,
		    json_t **, struct app_err *);
/*
 * GET only: the session, the id in the path segment after prefix, no
 * query parameters; fn's JSON with 200, or its error.
 */
int	api_read_one(struct http_request *, const char *prefix, api_read_fn);
/* A core write to one record by id from a body, for api_write_one(). */
typedef int	(*api_write_fn)(struct db *, const struct actor *, int64_t,
		    const json_t *, json_t **, struct app_err *);
/*
 * method only (405 naming it, as allow): the session, the id in the path
 * segment after prefix, no query parameters, a JSON object body; fn's
 * JSON with 200, or its error.
 */
int	api_write_one(struct http_request *, int method, const char *allow,
	    const char *prefix, api_write_fn);
/* The worker's database and the session's actor (401 without one). */
int	api_signed_in(struct http_request *, struct db **, struct actor *,
	    struct app_err *);
/*
 * api_signed_in(), then the id in the path segment after prefix, then no
 * query parameters: how most handlers of /prefix/{id}[/...] begin.
 */
int	api_signed_in_id(struct http_request *, const char *prefix,
	    struct db **, struct actor *, int64_t *, struct app_err *);
/*
 * POST /prefix/{id}/{action}: api_signed_in_id(), the action segment
 * (len bytes; the route names the actions) and the optional JSON body.
 */
int	api_signed_in_action(struct http_request *, const char *prefix,
	    struct db **, struct actor *, int64_t *, char *action, size_t len,
	    json_t **, struct app_err *);
/*
 * Set (or, with an empty token and max_age 0, clear) the session cookie:
 * HttpOnly, SameSite=Strict, Path=/, Secure when TLS is on (session.c).
 */
void	api_session_cookie(struct http_request *, const char *token,
	    int max_age);
/* CSRF: state-changing requests must carry X-ITF-Request (see docs). */
int	api_csrf_ok(struct http_request *, struct app_err *);
/*
 * The client's address key (auth_client_address(): the TCP peer, or behind
 * a proxy listed in ITF_TRUSTED_PROXIES the X-Forwarded-For client) into
 * buf, AUTH_ADDR_MAX bytes.  Everything that throttles or records a client
 * address uses this.
 */
void	api_client_address(struct http_request *, char *buf, size_t len);

#endif
