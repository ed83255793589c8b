/*
 * ledger.c: the appropriation ledger (docs/ledger.md).
 *
 * Every write goes through post_entry(): it takes the row locks (accounts
 * in code order, then projects in id order), checks every balance the
 * entry draws down, inserts the entry and all its postings in one
 * statement, and writes the audit row.  The database repeats the checks
 * that matter (migrations/0005_ledger.sql): entries balance, restricted
 * balances never go below zero, a project's refunds never exceed its
 * payments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "dates.h"
#include "ledger.h"

#define LEDGER_MAX_ACCOUNTS	64
/* S¶34: the Fund was set up by resolution on 30 June 1999. */
#define LEDGER_FUND_START	"1999-06-30"

#define ROLES_READ	(ROLE_FINANCE | ROLE_AUDITOR | ROLE_APPROVER | \
			    ROLE_ADMIN)
#define ROLES_FINANCE	(ROLE_FINANCE)
#define ROLES_COMMIT	(ROLE_APPROVER | ROLE_FINANCE)
#define ROLES_PAY	(ROLE_APPROVER | ROLE_FINANCE)
#define ROLES_RELEASE	(ROLE_OFFICER | ROLE_APPROVER | ROLE_FINANCE)
#define ROLES_REFUND	(ROLE_OFFICER | ROLE_FINANCE)

/* One entry as JSON; $1 is the entry id (used by SQL_ENTRY and the list). */
#define ENTRY_JSON \
    "json_build_object('id', e.id, 'kind', e.kind," \
    " 'value_date', e.value_date, 'approved_on', e.approved_on," \
    " 'paper_ref', e.paper_ref," \
    " 'amount_cents', e.amount_cents, 'project_id', e.project_id," \
    " 'from', e.from_account, 'to', e.to_account," \
    " 'whole_balance', e.whole_balance, 'reverses_id', e.reverses_id," \
    " 'reversed_by', (SELECT r.id FROM ledger_entries r" \
    "   WHERE r.reverses_id = e.id)," \
    " 'narrative', e.narrative, 'actor', e.actor_label," \
    " 'actor_id', e.actor_id, 'created_at'," \
    " to_char(e.created_at AT TIME ZONE 'UTC'," \
    "   'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
    " 'postings', (SELECT json_agg(json_build_object('line', p.line," \
    "   'account', p.account, 'amount_cents', p.amount_cents," \
    "   'debit_cents', greatest(p.amount_cents, 0)," \
    "   'credit_cents', greatest(-p.amount_cents, 0)," \
    "   'project_id', p.project_id) ORDER BY p.line)" \
    "   FROM ledger_postings p WHERE p.entry_id = e.id))"

static const char SQL_CHART[] =
    "SELECT code, kind, normal_side = 'debit', NOT may_be_negative, in_fund,"
    " coalesce(subhead_of, ''), balance_cents, last_value_date"
    " FROM ledger_accounts ORDER BY sort_order";

static const char SQL_LOCK_ACCOUNT[] =
    "SELECT balance_cents, last_value_date FROM ledger_accounts"
    " WHERE code = $1 FOR UPDATE";

static const char SQL_LOCK_PROJECT[] =
    "SELECT account, outstanding_cents, paid_cents, refunded_cents,"
    " last_value_date FROM ledger_commitments WHERE project_id = $1"
    " FOR UPDATE";

static const char SQL_PEEK_PROJECT[] =
    "SELECT account FROM ledger_commitments WHERE project_id = $1";

static const char SQL_PROJECTS_ON[] =
    "SELECT project_id, outstanding_cents FROM ledger_commitments"
    " WHERE account = $1 AND outstanding_cents > 0 ORDER BY project_id"
    " FOR UPDATE";

static const char SQL_INSERT_ENTRY[] =
    "INSERT INTO ledger_entries (kind, value_date, approved_on, paper_ref,"
    " amount_cents, project_id, from_account, to_account, whole_balance,"
    " reverses_id, narrative, actor_id, actor_label)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    " RETURNING id";

/* All lines in one statement: the trigger sees the entry whole. */
static const char SQL_INSERT_POSTINGS[] =
    "INSERT INTO ledger_postings (entry_id, line, account, amount_cents,"
    " value_date, project_id)"
    " SELECT $1, l.ord, l.account, l.amount, $2, l.project"
    " FROM unnest($3::text[], $4::bigint[], $5::bigint[])"
    " WITH ORDINALITY AS l(account, amount, project, ord)";

static const char SQL_ENTRY[] =
    "SELECT " ENTRY_JSON " FROM ledger_entries e WHERE e.id = $1";

static const char SQL_ENTRY_HEAD[] =
    "SELECT kind, value_date, approved_on, paper_ref, amount_cents,"
    " coalesce(project_id, 0),"
    " (SELECT r.id FROM ledger_entries r WHERE r.reverses_id = e.id)"
    " FROM ledger_entries e WHERE e.id = $1";

static const char SQL_ENTRY_LINES[] =
    "SELECT account, amount_cents, coalesce(project_id, 0)"
    " FROM ledger_postings WHERE entry_id = $1 ORDER BY line";

static const char SQL_REVERSED_BY[] =
    "SELECT id FROM ledger_entries WHERE reverses_id = $1";

/*
 * The entries the filters match (the list and the download share it,
 * entries_params()): $1 account, $2 kind, $3 paper_ref, $4 project,
 * $5 from, $6 to.
 */
#define ENTRIES_WHERE							\
    " ($1::text IS NULL OR EXISTS (SELECT 1 FROM ledger_postings p"	\
    "   WHERE p.entry_id = e.id AND p.account = $1))"			\
    " AND ($2::text IS NULL OR e.kind = $2)"				\
    " AND ($3::text IS NULL OR e.paper_ref = $3)"			\
    " AND ($4::bigint IS NULL OR e.project_id = $4 OR EXISTS (SELECT 1"	\
    "   FROM ledger_postings p WHERE p.entry_id = e.id"		\
    "   AND p.project_id = $4))"					\
    " AND ($5::date IS NULL OR e.value_date >= $5)"			\
    " AND ($6::date IS NULL OR e.value_date <= $6)"

/* $7 limit, $8 offset, $9 ascending. */
static const char SQL_LIST_ENTRIES[] =
    "WITH f AS (SELECT e.id FROM ledger_entries e WHERE" ENTRIES_WHERE "),"
    " page AS (SELECT f.id FROM f ORDER BY"
    "   CASE WHEN $9::boolean THEN f.id ELSE -f.id END"
    "   LIMIT $7 OFFSET $8)"
    " SELECT (SELECT count(*) FROM f), coalesce((SELECT json_agg(" ENTRY_JSON
    "   ORDER BY CASE WHEN $9::boolean THEN e.id ELSE -e.id END)"
    "   FROM ledger_entries e JOIN page ON page.id = e.id), '[]')";

/*
 * Every matching entry as text columns, for export_query() (see
 * export_cols); $7 ascending.  The postings as one text column:
 * "H111-101 +1000.00; GRA -1000.00" (debit positive), the first 200 lines
 * and "; ... N more lines" (a whole-balance transfer moves every project's
 * commitment; a spreadsheet cell holds at most 32,767 characters).
 */
static const char SQL_EXPORT_ENTRIES[] =
    "SELECT e.id, e.kind, e.value_date, e.approved_on, e.paper_ref,"
    " e.amount_cents, e.project_id, e.from_account, e.to_account,"
    " e.whole_balance, e.reverses_id,"
    " (SELECT r.id FROM ledger_entries r WHERE r.reverses_id = e.id),"
    " e.narrative, e.actor_label, e.actor_id,"
    " to_char(e.created_at AT TIME ZONE 'UTC',"
    "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " (SELECT string_agg(p.account || ' ' || CASE WHEN p.amount_cents < 0"
    "   THEN '-' ELSE '+' END || (abs(p.amount_cents) / 100)::text || '.'"
    "   || lpad((abs(p.amount_cents) % 100)::text, 2, '0'), '; '"
    "   ORDER BY p.line) FROM (SELECT * FROM ledger_postings q"
    "   WHERE q.entry_id = e.id ORDER BY q.line LIMIT 200) p)"
    " || coalesce((SELECT '; ... ' || (count(*) - 200)::text || ' more lines'"
    "   FROM ledger_postings q WHERE q.entry_id = e.id"
    "   HAVING count(*) > 200), '')"
    " FROM ledger_entries e WHERE" ENTRIES_WHERE
    " ORDER BY CASE WHEN $7::boolean THEN e.id ELSE -e.id END";

static const struct export_column export_cols[] = {
	{ "id", "Entry ID", "記項編號", EXPORT_INT },
	{ "kind", "Kind", "類別", EXPORT_TEXT },
	{ "value_date", "Value date", "起息日", EXPORT_DATE },
	{ "approved_on", "Approved on", "批准日期", EXPORT_DATE },
	{ "paper_ref", "Paper reference", "文件編號", EXPORT_TEXT },
	{ "amount_cents", "Amount (HK$)", "金額 (港元)", EXPORT_CENTS },
	{ "project_id", "Project ID", "項目編號", EXPORT_INT },
	{ "from", "From account", "轉出賬戶", EXPORT_TEXT },
	{ "to", "To account", "轉入賬戶", EXPORT_TEXT },
	{ "whole_balance", "Whole balance", "全數結餘", EXPORT_BOOL },
	{ "reverses_id", "Reverses entry", "沖銷記項", EXPORT_INT },
	{ "reversed_by", "Reversed by entry", "被沖銷記項", EXPORT_INT },
	{ "narrative", "Narrative", "說明", EXPORT_TEXT },
	{ "actor", "Entered by", "記錄人", EXPORT_TEXT },
	{ "actor_id", "Entered by (user ID)", "記錄人 (用戶編號)",
	    EXPORT_INT },
	{ "created_at", "Entered at (UTC)", "記錄時間 (協調世界時)",
	    EXPORT_TEXT },
	{ NULL, "Postings (debit +, credit -)", "過賬 (借 +，貸 -)",
	    EXPORT_TEXT },
};

static const char SQL_POSITION_ACCOUNTS[] =
    "SELECT a.code, a.name_en, a.name_zh, a.kind, a.normal_side = 'debit',"
    " a.may_be_negative, a.in_fund, a.head, a.subhead, a.item, a.subhead_of,"
    " coalesce(sum(p.amount_cents), 0)::bigint,"
    " coalesce(sum(p.amount_cents) FILTER (WHERE p.amount_cents > 0), 0)"
    "   ::bigint,"
    " coalesce(-sum(p.amount_cents) FILTER (WHERE p.amount_cents < 0), 0)"
    "   ::bigint"
    " FROM ledger_accounts a LEFT JOIN ledger_postings p"
    "   ON p.account = a.code AND ($1::date IS NULL OR p.value_date <= $1)"
    " GROUP BY a.code ORDER BY a.sort_order";

/* Flows by kind since inception; a reversal counts against its original. */
static const char SQL_POSITION_FLOWS[] =
    "SELECT coalesce(o.kind, e.kind), sum(CASE WHEN e.reverses_id IS NULL"
    " THEN e.amount_cents ELSE -e.amount_cents END)::bigint, count(*)"
    " FROM ledger_entries e LEFT JOIN ledger_entries o ON o.id = e.reverses_id"
    " WHERE e.value_date <= $1 GROUP BY 1";

static const char SQL_PROJECT_FLOWS[] =
    "SELECT coalesce(o.kind, e.kind), sum(CASE WHEN e.reverses_id IS NULL"
    " THEN e.amount_cents ELSE -e.amount_cents END)::bigint"
    " FROM ledger_entries e LEFT JOIN ledger_entries o ON o.id = e.reverses_id"
    " WHERE e.project_id = $1 GROUP BY 1";

static const char SQL_PROJECT_ROW[] =
    "SELECT c.account, a.subhead_of, c.outstanding_cents, c.paid_cents,"
    " c.refunded_cents, c.last_value_date FROM ledger_commitments c"
    " JOIN ledger_accounts a ON a.code = c.account WHERE c.project_id = $1";

/* ledger_verify(): each query returns counts of violations. */
static const char SQL_VERIFY_ENTRIES[] =
    "SELECT count(*), count(*) FILTER (WHERE s <> 0),"
    " count(*) FILTER (WHERE n < 2) FROM (SELECT e.id,"
    " coalesce(sum(p.amount_cents), 0) AS s, count(p.id) AS n"
    " FROM ledger_entries e LEFT JOIN ledger_postings p ON p.entry_id = e.id"
    " GROUP BY e.id) x";

static const char SQL_VERIFY_ACCOUNTS[] =
    "SELECT count(*) FILTER (WHERE a.balance_cents <> coalesce(s.sum, 0)),"
    " count(*) FILTER (WHERE NOT a.may_be_negative AND"
    "   (CASE a.normal_side WHEN 'debit' THEN coalesce(s.sum, 0)"
    "   ELSE -coalesce(s.sum, 0) END) < 0),"
    " coalesce(sum(coalesce(s.sum, 0)) FILTER (WHERE a.in_fund AND"
    "   a.kind = 'subhead'), 0)::bigint"
    " FROM ledger_accounts a LEFT JOIN (SELECT account, sum(amount_cents)"
    " FROM ledger_postings GROUP BY account) s ON s.account = a.code";

static const char SQL_VERIFY_DATED[] =
    "SELECT count(*) FROM (SELECT x.normal_side, sum(x.day) OVER"
    " (PARTITION BY x.account ORDER BY x.value_date) AS run FROM"
    " (SELECT p.account, a.normal_side, p.value_date,"
    "  sum(p.amount_cents) AS day FROM ledger_postings p"
    "  JOIN ledger_accounts a ON a.code = p.account"
    "  WHERE NOT a.may_be_negative GROUP BY 1, 2, 3) x) y"
    " WHERE (normal_side = 'debit' AND run < 0) OR"
    " (normal_side = 'credit' AND run > 0)";

static const char SQL_VERIFY_CLEARING[] =
    "SELECT count(*) FROM (SELECT p.entry_id FROM ledger_postings p"
    " JOIN ledger_accounts a ON a.code = p.account WHERE a.kind = 'clearing'"
    " GROUP BY p.entry_id, p.account HAVING sum(p.amount_cents) <> 0) x";

static const char SQL_VERIFY_PROJECTS[] =
    "SELECT count(*) FROM (SELECT p.project_id,"
    " coalesce(sum(p.amount_cents) FILTER (WHERE a.kind = 'commitments'), 0)"
    "   AS o,"
    " coalesce(sum(p.amount_cents) FILTER (WHERE a.kind = 'commitments'"
    "   AND p.account = c.account), 0) AS o_here,"
    " coalesce(sum(p.amount_cents) FILTER (WHERE a.kind = 'expenditure'), 0)"
    "   AS paid,"
    " coalesce(-sum(p.amount_cents) FILTER (WHERE a.kind = 'income'), 0)"
    "   AS ref,"
    " c.project_id AS c_id, c.outstanding_cents, c.paid_cents,"
    " c.refunded_cents FROM ledger_postings p"
    " JOIN ledger_accounts a ON a.code = p.account"
    " LEFT JOIN ledger_commitments c ON c.project_id = p.project_id"
    " WHERE p.project_id IS NOT NULL"
    " AND a.kind IN ('commitments', 'expenditure', 'income')"
    " GROUP BY p.project_id, c.project_id) x"
    " WHERE c_id IS NULL OR o <> outstanding_cents OR o_here <> o"
    " OR paid <> paid_cents OR ref <> refunded_cents";

static const char SQL_VERIFY_PROJECTS_DATED[] =
    "SELECT count(*) FROM (SELECT kind, sum(day) OVER w AS run"
    " FROM (SELECT p.project_id, CASE WHEN a.kind = 'commitments'"
    "  THEN p.account ELSE '' END AS acct, a.kind, p.value_date,"
    "  sum(p.amount_cents) AS day"
    "  FROM ledger_postings p JOIN ledger_accounts a ON a.code = p.account"
    "  WHERE p.project_id IS NOT NULL"
    "  AND a.kind IN ('commitments', 'expenditure', 'income')"
    "  GROUP BY 1, 2, 3, 4) x"
    " WINDOW w AS (PARTITION BY project_id, acct, kind ORDER BY value_date)"
    ") y WHERE (kind <> 'income' AND run < 0) OR (kind = 'income' AND run > 0)";

/* Refunds never exceed payments as of any day, per project. */
static const char SQL_VERIFY_REFUNDS_DATED[] =
    "SELECT count(*) FROM (SELECT sum(paid) OVER w AS run_paid,"
    " sum(ref) OVER w AS run_ref FROM (SELECT p.project_id, p.value_date,"
    "  coalesce(sum(p.amount_cents) FILTER (WHERE a.kind = 'expenditure'), 0)"
    "   AS paid,"
    "  coalesce(-sum(p.amount_cents) FILTER (WHERE a.kind = 'income'), 0)"
    "   AS ref"
    "  FROM ledger_postings p JOIN ledger_accounts a ON a.code = p.account"
    "  WHERE p.project_id IS NOT NULL AND a.kind IN ('expenditure', 'income')"
    "  GROUP BY 1, 2) x"
    " WINDOW w AS (PARTITION BY project_id ORDER BY value_date)) y"
    " WHERE run_ref > run_paid";

static const char *const kind_names[] = {
	"opening", "injection", "transfer", "commitment", "payment",
	"release", "refund", "reversal"
};

/* An account of the chart, as loaded (and, once locked, current). */
struct acct {
	char		code[LEDGER_CODE_MAX];
	char		kind[16];
	char		subhead_of[LEDGER_CODE_MAX];
	int		debit_normal;
	int		restricted;
	int		in_fund;
	cents_t		balance;	/* signed, debit positive */
	int		last;		/* last value date, -1 if none */
	int		locked;
};

struct chart {
	struct acct	v[LEDGER_MAX_ACCOUNTS];
	size_t		n;
};

/* One posting line being built. */
struct lline {
	const char	*account;	/* points into the chart */
	cents_t		 amount;	/* debit positive */
	int64_t		 project_id;	/* 0 = none */
};

/* A project row, as locked. */
struct lproj {
	int64_t		id;
	int		exists;
	char		account[LEDGER_CODE_MAX];
	cents_t		outstanding;
	cents_t		paid;
	cents_t		refunded;
	int		last;
};

/* The entry being built. */
struct lentry {
	enum ledger_kind	 kind;
	const char		*what;		/* "this payment" (messages) */
	const char		*action;	/* audit action */
	int			 value_date;
	int			 approved_on;	/* -1 = none */
	const char		*paper_ref;	/* NULL = none */
	cents_t			 amount;
	int64_t			 project_id;
	const char		*from;
	const char		*to;
	int			 whole;
	int64_t			 reverses;
	const char		*narrative;	/* NULL = none */
	struct lline		*lines;
	size_t			 n;
	size_t			 cap;
	struct chart		 chart;
};

/* Where a line of an operation on one project's commitment goes. */
enum pside { PS_SUBHEAD, PS_COMMITMENTS, PS_PAYMENTS, PS_REFUNDS };

/*
 * The operations on one project's commitment (project_post()): who may,
 * the entry's names, and its two lines: credit (-amount), debit (+amount).
 */
struct projop {
	unsigned		 roles;
	const char		*may;		/* "your role may not ..." */
	enum ledger_kind	 kind;
	const char		*what;		/* "this payment" (messages) */
	const char		*action;	/* audit action */
	const char		*text_field;	/* "narrative" or "reason" */
	const char		*extra;		/* locked with the subhead */
	enum pside		 credit;
	enum pside		 debit;
	int			 from_subhead;	/* e.from (else e.to) */
	int			 remainder;	/* takes LEDGER_REMAINDER */
};

enum { PO_COMMIT, PO_RELEASE, PO_PAY, PO_REFUND };

static const struct projop projops[] = {
	[PO_COMMIT] = { ROLES_COMMIT, "commit funds", LEDGER_COMMITMENT,
	    "this commitment", "ledger.commitment", "narrative", NULL,
	    PS_SUBHEAD, PS_COMMITMENTS, 0, 0 },
	[PO_RELEASE] = { ROLES_RELEASE, "release commitments",
	    LEDGER_RELEASE, "this release", "ledger.release", "reason", NULL,
	    PS_COMMITMENTS, PS_SUBHEAD, 0, 1 },
	[PO_PAY] = { ROLES_PAY, "record payments", LEDGER_PAYMENT,
	    "this payment", "ledger.payment", "narrative", "PAYMENTS",
	    PS_COMMITMENTS, PS_PAYMENTS, 1, 0 },
	[PO_REFUND] = { ROLES_REFUND, "record refunds", LEDGER_REFUND,
	    "this refund", "ledger.refund", "narrative", "REFUNDS",
	    PS_REFUNDS, PS_SUBHEAD, 0, 0 },
};

/* The arguments of a _tx wrapper, replayed by db_tx_run on a retry. */
struct txargs {
	int				 op;
	const struct actor		*actor;
	const struct ledger_funding	*funding;
	const struct ledger_transfer	*transfer;
	const struct projop		*pop;		/* OP_PROJECT */
	int64_t				 id;
	cents_t				 amount;
	const char			*subhead;
	int				 value_date;
	const char			*text;
	int64_t				*out;
};

enum { OP_OPEN, OP_INJECT, OP_TRANSFER, OP_PROJECT, OP_REVERSE };

static void	 entries_params(const struct ledger_filter *,
		    struct db_params *);
static int	 entries_account_check(struct db *,
		    const struct ledger_filter *, struct app_err *);
static int	 need_role(const struct actor *, unsigned, const char *,
		    struct app_err *);
static int	 entry_init(struct db *, struct lentry *, enum ledger_kind,
		    const char *, const char *, struct app_err *);
static void	 entry_free(struct lentry *);
static int	 entry_line(struct lentry *, const char *, cents_t, int64_t,
		    struct app_err *);
static int	 chart_load(struct db *, struct chart *, struct app_err *);
static struct acct *chart_find(struct chart *, const char *);
static struct acct *chart_commitments(struct chart *, const char *);
static struct acct *subhead_find(struct chart *, const char *, const char *,
		    struct app_err *);
static int	 entry_h184(struct lentry *, cents_t, struct app_err *);
static int	 lock_account(struct db *, struct acct *, struct app_err *);
static int	 lock_accounts(struct db *, struct lentry *,
		    const char *const *, size_t, struct app_err *);
static int	 lock_project(struct db *, int64_t, struct lproj *,
		    struct app_err *);
static int	 post_entry(struct db *, const struct actor *, struct lentry *,
		    int64_t *, struct app_err *);
static int	 check_projects(struct db *, struct lentry *, struct app_err *);
static int	 check_accounts(struct lentry *, struct app_err *);
static int	 insert_entry(struct db *, const struct actor *,
		    struct lentry *, int64_t *, struct app_err *);
static int	 entry_json(struct db *, int64_t, json_t **, struct app_err *);
static int	 check_amount(cents_t, const char *, struct app_err *);
static int	 check_dates(int, int, struct app_err *);
static int	 check_text(const char *, size_t, const char *, int,
		    struct app_err *);
static int	 check_project_id(int64_t, struct app_err *);
static int	 resolve_day(int, int, int *, struct app_err *);
static int	 project_prepare(struct db *, struct lentry *, int64_t,
		    const char *, const char *, struct lproj *, struct acct **,
		    struct app_err *);
static int	 project_post(struct db *, const struct actor *,
		    const struct projop *, int64_t, cents_t, const char *, int,
		    const char *, int64_t *, struct app_err *);
static const char *project_side(struct lentry *, const struct acct *,
		    enum pside);
static int	 project_tx(struct db *, const struct actor *, int, int64_t,
		    cents_t, const char *, int, const char *, int64_t *,
		    struct app_err *);
static int	 cmp_code(const void *, const void *);
static int	 chart_listed(const char *const *, size_t, const char *);
static int	 cmp_i64(const void *, const void *);
static cents_t	 normal(const struct acct *, cents_t);
static const char *day_str(int, char *, size_t);
static int	 fund_start(void);
static int	 funding_post(struct db *, const struct actor *,
		    const struct ledger_funding *, int, int64_t *,
		    struct app_err *);
static int	 verify_row(struct db *, const char *, int64_t *const *,
		    struct app_err *);
static int	 tx_fn(struct db *, void *, struct app_err *);
static int	 tx_run(struct db *, struct txargs *, struct app_err *);
static int	 json_only(const json_t *, const char *const *,
		    struct app_err *);
static int	 json_field(const json_t *, const char *, int, const json_t **,
		    struct app_err *);
static int	 json_str(const json_t *, const char *, char *, size_t, int,
		    struct app_err *);
static int	 json_amount(const json_t *, const char *, cents_t *, int,
		    struct app_err *);
static int	 json_day(const json_t *, const char *, int *, int,
		    struct app_err *);
static int	 text_array(struct lentry *, char **, char **, char **,
		    struct app_err *);

int
ledger_authorise(const struct actor *actor, int write, struct app_err *err)
{
	if (write)
		return (need_role(actor, ROLES_FINANCE, "change the ledger "
		    "(finance only)", err));
	return (need_role(actor, ROLES_READ, "read the ledger", err));
}

/*
 * Writes, in the caller's transaction.
 */

int
ledger_open(struct db *db, const struct actor *actor,
    const struct ledger_funding *f, int64_t *entry_id, struct app_err *err)
{
	return (funding_post(db, actor, f, 1, entry_id, err));
}

int
ledger_inject(struct db *db, const struct actor *actor,
    const struct ledger_funding *f, int64_t *entry_id, struct app_err *err)
{
	return (funding_post(db, actor, f, 0, entry_id, err));
}

int
ledger_transfer(struct db *db, const struct actor *actor,
    const struct ledger_transfer *t, int64_t *entry_id, struct app_err *err)
{
	struct lentry	 e;
	struct acct	*from, *to, *fc, *tc;
	PGresult	*res;
	struct db_params p;
	const char	*codes[5];
	cents_t		 total, o;
	int64_t		 pid;
	int		 via, i, rows, ok;

	if (!need_role(actor, ROLES_FINANCE, "enter subhead transfers", err))
		return (0);
	if (t->whole_balance && t->amount != 0) {
		return (app_err_set(err, APP_EINVAL, "amount_cents", "give "
		    "either amount_cents or whole_balance, not both"));
	}
	if (!t->whole_balance && !check_amount(t->amount, "amount_cents", err))
		return (0);
	if (!check_text(t->paper_ref, LEDGER_REF_MAX, "paper_ref", 1, err) ||
	    !check_text(t->narrative, LEDGER_TEXT_MAX, "narrative", 0, err) ||
	    !entry_init(db, &e, LEDGER_TRANSFER, "this transfer",
	    "ledger.transfer", err))
		return (0);
	ok = 0;
	if ((from = subhead_find(&e.chart, t->from, "from", err)) == NULL ||
	    (to = subhead_find(&e.chart, t->to, "to", err)) == NULL)
		goto out;
	if (from == to) {
		app_err_set(err, APP_EINVAL, "to", "a subhead cannot be "
		    "transferred to itself");
		goto out;
	}
	if (!to->in_fund) {
		app_err_set(err, APP_EINVAL, "to", "%s is not a subhead of the "
		    "Fund; transfers move money into the Fund's Head 111 "
		    "subheads only", to->code);
		goto out;
	}
	e.approved_on = t->approved_on;
	if (!resolve_day(t->value_date, t->approved_on, &e.value_date, err) ||
	    !check_dates(e.approved_on, e.value_date, err))
		goto out;
	fc = chart_commitments(&e.chart, from->code);
	tc = chart_commitments(&e.chart, to->code);
	if (fc == NULL || tc == NULL) {
		app_err_set(err, APP_EINTERNAL, NULL, "chart of accounts "
		    "lacks a commitments account");
		goto out;
	}
	/* Money leaving general revenue for the Fund passes Head 184. */
	via = !from->in_fund;
	codes[0] = from->code;
	codes[1] = fc->code;
	codes[2] = to->code;
	codes[3] = tc->code;
	codes[4] = "H184-ITF";
	if (!lock_accounts(db, &e, codes, via ? 5 : 4, err))
		goto out;

	e.paper_ref = t->paper_ref;
	e.narrative = t->narrative[0] != '\0' ? t->narrative : NULL;
	e.from = from->code;
	e.to = to->code;
	e.whole = t->whole_balance;
	if (!t->whole_balance) {
		total = t->amount;
		if (!entry_line(&e, from->code, -total, 0, err) ||
		    (via && !entry_h184(&e, total, err)) ||
		    !entry_line(&e, to->code, total, 0, err))
			goto out;
	} else {
		/* All of it: uncommitted, and each project's commitment. */
		db_params_init(&p);
		dbp_str(&p, fc->code);
		if ((res = db_query(db, SQL_PROJECTS_ON, &p, err)) == NULL)
			goto out;
		total = normal(from, from->balance);
		rows = PQntuples(res);
		if (total > 0 && (!entry_line(&e, from->code, -total, 0, err) ||
		    !entry_line(&e, to->code, total, 0, err))) {
			PQclear(res);
			goto out;
		}
		for (i = 0; i < rows; i++) {
			pid = db_i64(res, i, 0);
			o = db_i64(res, i, 1);
			if (!money_add(total, o, &total) ||
			    !entry_line(&e, fc->code, -o, pid, err) ||
			    !entry_line(&e, tc->code, o, pid, err)) {
				PQclear(res);
				app_err_set(err, APP_EINVAL, "from", "balance "
				    "too large");
				goto out;
			}
		}
		PQclear(res);
		if (total <= 0) {
			app_err_set(err, APP_ECONFLICT, "from", "%s has no "
			    "balance to transfer", from->code);
			goto out;
		}
		if (via && !entry_h184(&e, total, err))
			goto out;
	}
	e.amount = total;
	ok = post_entry(db, actor, &e, entry_id, err);
out:
	entry_free(&e);
	return (ok);
}

int
ledger_commit(struct db *db, const struct actor *actor, int64_t project_id,
    cents_t amount, const char *subhead, int value_date,
    const char *narrative, int64_t *entry_id, struct app_err *err)
{
	return (project_post(db, actor, &projops[PO_COMMIT], project_id, amount,
	    subhead, value_date, narrative, entry_id, err));
}

int
ledger_release(struct db *db, const struct actor *actor, int64_t project_id,
    cents_t amount, int value_date, const char *reason, int64_t *entry_id,
    struct app_err *err)
{
	return (project_post(db, actor, &projops[PO_RELEASE], project_id,
	    amount, NULL, value_date, reason, entry_id, err));
}

int
ledger_pay(struct db *db, const struct actor *actor, int64_t project_id,
    cents_t amount, int value_date, const char *narrative, int64_t *entry_id,
    struct app_err *err)
{
	return (project_post(db, actor, &projops[PO_PAY], project_id, amount,
	    NULL, value_date, narrative, entry_id, err));
}

int
ledger_refund(struct db *db, const struct actor *actor, int64_t project_id,
    cents_t amount, int value_date, const char *narrative, int64_t *entry_id,
    struct app_err *err)
{
	return (project_post(db, actor, &projops[PO_REFUND], project_id, amount,
	    NULL, value_date, narrative, entry_id, err));
}

int
ledger_reverse(struct db *db, const struct actor *actor, int64_t entry_id,
    const char *reason, int value_date, int64_t *reversal_id,
    struct app_err *err)
{
	struct lentry		 e;
	struct db_params	 p;
	PGresult		*res;
	struct acct		*a;
	char			 kind[16], ref[LEDGER_REF_MAX];
	char			 d1[DATE_ISO_LEN];
	int			 orig_day, rows, i, ok;
	enum ledger_kind	 k;

	if (!need_role(actor, ROLES_FINANCE, "reverse ledger entries", err))
		return (0);
	if (reason == NULL || reason[0] == '\0')
		return (app_err_set(err, APP_EINVAL, "reason", "a reversal "
		    "needs a reason"));
	if (!check_text(reason, LEDGER_TEXT_MAX, "reason", 1, err) ||
	    !entry_init(db, &e, LEDGER_REVERSAL, "this reversal",
	    "ledger.reversal", err))
		return (0);
	ok = 0;
	db_params_init(&p);
	dbp_i64(&p, entry_id);
	if ((res = db_query(db, SQL_ENTRY_HEAD, &p, err)) == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		PQclear(res);
		app_err_set(err, APP_ENOTFOUND, "id", "no ledger entry %lld",
		    (long long)entry_id);
		goto out;
	}
	snprintf(kind, sizeof(kind), "%s", db_str(res, 0, 0));
	orig_day = db_date(res, 0, 1);
	e.approved_on = db_date(res, 0, 2);
	snprintf(ref, sizeof(ref), "%s", db_isnull(res, 0, 3) ? "" :
	    db_str(res, 0, 3));
	e.amount = db_i64(res, 0, 4);
	e.project_id = db_i64(res, 0, 5);
	if (!db_isnull(res, 0, 6)) {
		app_err_set(err, APP_ECONFLICT, "id", "entry %lld was already "
		    "reversed by entry %lld", (long long)entry_id,
		    (long long)db_i64(res, 0, 6));
		PQclear(res);
		goto out;
	}
	PQclear(res);
	if (ledger_kind_parse(kind, &k) && k == LEDGER_REVERSAL) {
		app_err_set(err, APP_ECONFLICT, "id", "entry %lld is a "
		    "reversal and cannot itself be reversed; enter the "
		    "operation again instead", (long long)entry_id);
		goto out;
	}
	if (!resolve_day(value_date, date_today_hk(), &e.value_date, err) ||
	    !check_dates(-1, e.value_date, err))
		goto out;
	if (e.value_date < orig_day) {
		app_err_set(err, APP_EINVAL, "value_date", "a reversal cannot "
		    "be dated before the entry it reverses (%s)",
		    day_str(orig_day, d1, sizeof(d1)));
		goto out;
	}

	if ((res = db_query(db, SQL_ENTRY_LINES, &p, err)) == NULL)
		goto out;
	rows = PQntuples(res);
	for (i = 0; i < rows; i++) {
		if ((a = chart_find(&e.chart, db_str(res, i, 0))) == NULL) {
			PQclear(res);
			app_err_set(err, APP_EINTERNAL, NULL, "unknown "
			    "account");
			goto out;
		}
		if (!entry_line(&e, a->code, -db_i64(res, i, 1),
		    db_i64(res, i, 2), err)) {
			PQclear(res);
			goto out;
		}
	}
	PQclear(res);
	if (!lock_accounts(db, &e, NULL, 0, err))
		goto out;
	/* Two reversals of one entry: the loser waited for the locks above. */
	if ((res = db_query(db, SQL_REVERSED_BY, &p, err)) == NULL)
		goto out;
	if (PQntuples(res) > 0) {
		app_err_set(err, APP_ECONFLICT, "id", "entry %lld was already "
		    "reversed by entry %lld", (long long)entry_id,
		    (long long)db_i64(res, 0, 0));
		PQclear(res);
		goto out;
	}
	PQclear(res);
	e.paper_ref = ref[0] != '\0' ? ref : NULL;
	e.reverses = entry_id;
	e.narrative = reason;
	ok = post_entry(db, actor, &e, reversal_id, err);
out:
	entry_free(&e);
	return (ok);
}

/*
 * Writes, each in a transaction of its own.
 */

int
ledger_open_tx(struct db *db, const struct actor *actor,
    const struct ledger_funding *f, int64_t *id, struct app_err *err)
{
	struct txargs	a = { .op = OP_OPEN, .actor = actor, .funding = f,
			    .out = id };

	return (tx_run(db, &a, err));
}

int
ledger_inject_tx(struct db *db, const struct actor *actor,
    const struct ledger_funding *f, int64_t *id, struct app_err *err)
{
	struct txargs	a = { .op = OP_INJECT, .actor = actor, .funding = f,
			    .out = id };

	return (tx_run(db, &a, err));
}

int
ledger_transfer_tx(struct db *db, const struct actor *actor,
    const struct ledger_transfer *t, int64_t *id, struct app_err *err)
{
	struct txargs	a = { .op = OP_TRANSFER, .actor = actor, .transfer = t,
			    .out = id };

	return (tx_run(db, &a, err));
}

int
ledger_commit_tx(struct db *db, const struct actor *actor, int64_t project,
    cents_t amount, const char *subhead, int value_date, const char *text,
    int64_t *id, struct app_err *err)
{
	return (project_tx(db, actor, PO_COMMIT, project, amount, subhead,
	    value_date, text, id, err));
}

int
ledger_release_tx(struct db *db, const struct actor *actor, int64_t project,
    cents_t amount, int value_date, const char *text, int64_t *id,
    struct app_err *err)
{
	return (project_tx(db, actor, PO_RELEASE, project, amount, NULL,
	    value_date, text, id, err));
}

int
ledger_pay_tx(struct db *db, const struct actor *actor, int64_t project,
    cents_t amount, int value_date, const char *text, int64_t *id,
    struct app_err *err)
{
	return (project_tx(db, actor, PO_PAY, project, amount, NULL,
	    value_date, text, id, err));
}

int
ledger_refund_tx(struct db *db, const struct actor *actor, int64_t project,
    cents_t amount, int value_date, const char *text, int64_t *id,
    struct app_err *err)
{
	return (project_tx(db, actor, PO_REFUND, project, amount, NULL,
	    value_date, text, id, err));
}

int
ledger_reverse_tx(struct db *db, const struct actor *actor, int64_t entry,
    const char *reason, int value_date, int64_t *id, struct app_err *err)
{
	struct txargs	a = { .op = OP_REVERSE, .actor = actor, .id = entry,
			    .text = reason, .value_date = value_date,
			    .out = id };

	return (tx_run(db, &a, err));
}

/*
 * Reads.
 */

int
ledger_position(struct db *db, const struct actor *actor, int day,
    json_t **out, struct app_err *err)
{
	static const char *const flows[] = { "opening", "injection",
	    "transfer", "commitment", "payment", "release", "refund" };
	static const char *const flow_keys[] = { "openings_cents",
	    "injections_cents", "transfers_cents", "commitments_cents",
	    "payments_cents", "releases_cents", "refunds_cents" };
	struct db_params	 p;
	PGresult		*res;
	json_t			*accounts, *subheads, *totals;
	cents_t			 bal, capacity, outstanding, avail;
	cents_t			 f_cap, f_out, f_avail, head184, flow[7];
	int			 rows, i, j, dn;
	char			 d[DATE_ISO_LEN];

	*out = NULL;
	if (!need_role(actor, ROLES_READ, "read the ledger", err))
		return (0);
	db_params_init(&p);
	dbp_date(&p, day);
	if ((res = db_query(db, SQL_POSITION_ACCOUNTS, &p, err)) == NULL)
		return (0);
	accounts = json_array();
	subheads = json_array();
	f_cap = f_out = f_avail = head184 = 0;
	rows = PQntuples(res);
	for (i = 0; i < rows; i++) {
		dn = db_bool(res, i, 4);
		bal = db_i64(res, i, 11);
		json_array_append_new(accounts, json_pack("{s:s,s:s,s:s,s:s,"
		    "s:s,s:b,s:b,s:s?,s:s?,s:s?,s:s?,s:I,s:I,s:I,s:I}",
		    "code", db_str(res, i, 0), "name_en", db_str(res, i, 1),
		    "name_zh", db_str(res, i, 2), "kind", db_str(res, i, 3),
		    "normal_side", dn ? "debit" : "credit",
		    "may_be_negative", db_bool(res, i, 5),
		    "in_fund", db_bool(res, i, 6), "head", db_str(res, i, 7),
		    "subhead", db_str(res, i, 8), "item", db_str(res, i, 9),
		    "subhead_of", db_str(res, i, 10),
		    "balance_cents", (json_int_t)(dn ? bal : -bal),
		    "net_debit_cents", (json_int_t)bal,
		    "debit_cents", (json_int_t)db_i64(res, i, 12),
		    "credit_cents", (json_int_t)db_i64(res, i, 13)));
		if (strcmp(db_str(res, i, 0), "H184-ITF") == 0)
			head184 = db_i64(res, i, 12);
		if (strcmp(db_str(res, i, 3), "subhead") != 0)
			continue;
		/* Its commitments account: the row whose subhead_of is it. */
		outstanding = 0;
		for (j = 0; j < rows; j++) {
			if (!db_isnull(res, j, 10) && strcmp(db_str(res, j, 10),
			    db_str(res, i, 0)) == 0)
				outstanding = db_i64(res, j, 11);
		}
		avail = bal;
		capacity = avail + outstanding;
		json_array_append_new(subheads, json_pack("{s:s,s:s,s:s,s:b,"
		    "s:I,s:I,s:I}", "code", db_str(res, i, 0),
		    "name_en", db_str(res, i, 1), "name_zh", db_str(res, i, 2),
		    "in_fund", db_bool(res, i, 6),
		    "approved_capacity_cents", (json_int_t)capacity,
		    "commitments_outstanding_cents", (json_int_t)outstanding,
		    "available_commitment_cents", (json_int_t)avail));
		if (db_bool(res, i, 6)) {
			f_cap += capacity;
			f_out += outstanding;
			f_avail += avail;
		}
	}
	PQclear(res);

	memset(flow, 0, sizeof(flow));
	if ((res = db_query(db, SQL_POSITION_FLOWS, &p, err)) == NULL) {
		json_decref(accounts);
		json_decref(subheads);
		return (0);
	}
	for (i = 0; i < PQntuples(res); i++) {
		for (j = 0; j < 7; j++) {
			if (strcmp(db_str(res, i, 0), flows[j]) == 0)
				flow[j] = db_i64(res, i, 1);
		}
	}
	PQclear(res);
	totals = json_object();
	for (j = 0; j < 7; j++)
		json_object_set_new(totals, flow_keys[j],
		    json_integer((json_int_t)flow[j]));
	json_object_set_new(totals, "paid_through_head184_cents",
	    json_integer((json_int_t)head184));
	json_object_set_new(totals, "approved_capacity_cents",
	    json_integer((json_int_t)f_cap));
	json_object_set_new(totals, "commitments_outstanding_cents",
	    json_integer((json_int_t)f_out));
	json_object_set_new(totals, "available_commitment_cents",
	    json_integer((json_int_t)f_avail));
	json_object_set_new(totals, "fund_balance_cents",
	    json_integer((json_int_t)f_cap));
	*out = json_pack("{s:s,s:o,s:o,s:o}", "on", day_str(day, d, sizeof(d)),
	    "accounts", accounts, "subheads", subheads, "totals", totals);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

/* $1..$6 of ENTRIES_WHERE from the filters. */
static void
entries_params(const struct ledger_filter *f, struct db_params *p)
{
	db_params_init(p);
	dbp_str(p, f->account[0] != '\0' ? f->account : NULL);
	dbp_str(p, f->kind >= 0 ? kind_names[f->kind] : NULL);
	dbp_str(p, f->paper_ref[0] != '\0' ? f->paper_ref : NULL);
	if (f->project_id > 0)
		dbp_i64(p, f->project_id);
	else
		dbp_null(p);
	if (f->from >= 0)
		dbp_date(p, f->from);
	else
		dbp_null(p);
	if (f->to >= 0)
		dbp_date(p, f->to);
	else
		dbp_null(p);
}

/* An account filter must name an account of the chart (APP_EINVAL). */
static int
entries_account_check(struct db *db, const struct ledger_filter *f,
    struct app_err *err)
{
	struct chart	chart;

	if (f->account[0] == '\0')
		return (1);
	if (!chart_load(db, &chart, err))
		return (0);
	if (chart_find(&chart, f->account) == NULL)
		return (app_err_set(err, APP_EINVAL, "account", "no "
		    "account \"%.40s\" in the ledger (see GET "
		    "/api/v1/ledger/accounts)", f->account));
	return (1);
}

int
ledger_entries_list(struct db *db, const struct actor *actor,
    const struct ledger_filter *f, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*list;
	json_error_t		 jerr;
	int64_t			 total, next;
	int			 limit;

	*out = NULL;
	if (!need_role(actor, ROLES_READ, "read the ledger", err) ||
	    !entries_account_check(db, f, err))
		return (0);
	limit = f->limit > 0 && f->limit <= LEDGER_PAGE_MAX ? f->limit : 50;
	entries_params(f, &p);
	dbp_int(&p, limit);
	dbp_i64(&p, f->offset);
	dbp_bool(&p, f->ascending);
	if ((res = db_query(db, SQL_LIST_ENTRIES, &p, err)) == NULL)
		return (0);
	total = db_i64(res, 0, 0);
	list = json_loads(db_str(res, 0, 1), 0,
	    &jerr);
	PQclear(res);
	if (list == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad entry "
		    "JSON"));
	next = f->offset + (int64_t)json_array_size(list);
	*out = json_pack("{s:o,s:I,s:i,s:I,s:o}", "entries", list,
	    "total", (json_int_t)total, "limit", limit,
	    "offset", (json_int_t)f->offset, "next_offset",
	    next < total ? json_integer((json_int_t)next) : json_null());
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

int
ledger_entries_export(struct db *db, const void *arg, const char *path,
    struct app_err *err)
{
	const struct ledger_export	*x = arg;
	struct export_options		 o;
	struct db_params		 p;

	if (!need_role(&x->actor, ROLES_READ, "read the ledger", err) ||
	    !entries_account_check(db, &x->f, err))
		return (0);
	entries_params(&x->f, &p);
	dbp_bool(&p, x->f.ascending);
	memset(&o, 0, sizeof(o));
	o.format = x->format;
	o.path = path;
	o.title_en = "Ledger entries";
	o.title_zh = "分類賬記項";
	o.filters = x->filters[0] != '\0' ? x->filters : NULL;
	o.cols = export_cols;
	o.ncols = sizeof(export_cols) / sizeof(export_cols[0]);
	o.bom = x->bom;
	return (export_run(&o, db, SQL_EXPORT_ENTRIES, &p, err));
}

int
ledger_entry_get(struct db *db, const struct actor *actor, int64_t id,
    json_t **out, struct app_err *err)
{
	*out = NULL;
	if (!need_role(actor, ROLES_READ, "read the ledger", err))
		return (0);
	return (entry_json(db, id, out, err));
}

int
ledger_accounts_list(struct db *db, const struct actor *actor, json_t **out,
    struct app_err *err)
{
	json_t	*pos, *acc;

	*out = NULL;
	if (!ledger_position(db, actor, date_today_hk(), &pos, err))
		return (0);
	acc = json_incref(json_object_get(pos, "accounts"));
	json_decref(pos);
	*out = json_pack("{s:o}", "accounts", acc);
	return (1);
}

int
ledger_project_get(struct db *db, const struct actor *actor,
    int64_t project_id, struct ledger_project *out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	const char		*k;
	int			 i;

	memset(out, 0, sizeof(*out));
	out->project_id = project_id;
	out->last_value_date = -1;
	if (!need_role(actor, ROLES_READ | ROLES_RELEASE | ROLES_REFUND,
	    "read the ledger", err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, project_id);
	if ((res = db_query(db, SQL_PROJECT_ROW, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) == 1) {
		snprintf(out->account, sizeof(out->account), "%s",
		    db_str(res, 0, 0));
		snprintf(out->subhead, sizeof(out->subhead), "%s",
		    db_str(res, 0, 1));
		out->outstanding = db_i64(res, 0, 2);
		out->paid = db_i64(res, 0, 3);
		out->refunded = db_i64(res, 0, 4);
		out->last_value_date = db_date(res, 0, 5);
	}
	PQclear(res);
	if ((res = db_query(db, SQL_PROJECT_FLOWS, &p, err)) == NULL)
		return (0);
	for (i = 0; i < PQntuples(res); i++) {
		k = db_str(res, i, 0);
		if (strcmp(k, "commitment") == 0)
			out->committed = db_i64(res, i, 1);
		else if (strcmp(k, "release") == 0)
			out->released = db_i64(res, i, 1);
	}
	PQclear(res);
	return (1);
}

int
ledger_verify(struct db *db, const struct actor *actor,
    struct ledger_check *c, struct app_err *err)
{
	int64_t	refunds;

	memset(c, 0, sizeof(*c));
	if (!need_role(actor, ROLES_READ, "verify the ledger", err))
		return (0);
	refunds = 0;
	if (!verify_row(db, SQL_VERIFY_ENTRIES, (int64_t *[]){ &c->entries,
	    &c->unbalanced, &c->short_entries, NULL }, err) ||
	    !verify_row(db, SQL_VERIFY_ACCOUNTS, (int64_t *[]){
	    &c->stale_balances, &c->negative_now, &c->available, NULL }, err) ||
	    !verify_row(db, SQL_VERIFY_DATED, (int64_t *[]){ &c->negative_dated,
	    NULL }, err) ||
	    !verify_row(db, SQL_VERIFY_CLEARING, (int64_t *[]){
	    &c->clearing_open, NULL }, err) ||
	    !verify_row(db, SQL_VERIFY_PROJECTS, (int64_t *[]){
	    &c->project_mismatch, NULL }, err) ||
	    !verify_row(db, SQL_VERIFY_PROJECTS_DATED, (int64_t *[]){
	    &c->project_negative, NULL }, err) ||
	    !verify_row(db, SQL_VERIFY_REFUNDS_DATED, (int64_t *[]){ &refunds,
	    NULL }, err))
		return (0);
	c->project_negative += refunds;
	return (1);
}

int
ledger_check_ok(const struct ledger_check *c)
{
	return (c->unbalanced == 0 && c->short_entries == 0 &&
	    c->stale_balances == 0 && c->negative_now == 0 &&
	    c->negative_dated == 0 && c->clearing_open == 0 &&
	    c->project_mismatch == 0 && c->project_negative == 0 &&
	    c->available >= 0);
}

/*
 * Request parsing.
 */

int
ledger_funding_from_json(const json_t *in, int is_opening,
    struct ledger_funding *f, struct app_err *err)
{
	static const char *const inj[] = { "amount_cents", "paper_ref",
	    "approved_on", "value_date", "subhead", "narrative", NULL };
	static const char *const opn[] = { "amount_cents", "paper_ref",
	    "approved_on", "value_date", "account", "narrative", NULL };

	memset(f, 0, sizeof(*f));
	f->value_date = LEDGER_TODAY;
	return (json_only(in, is_opening ? opn : inj, err) &&
	    json_amount(in, "amount_cents", &f->amount, 1, err) &&
	    json_str(in, is_opening ? "account" : "subhead", f->account,
	    sizeof(f->account), is_opening, err) &&
	    json_str(in, "paper_ref", f->paper_ref, sizeof(f->paper_ref), 1,
	    err) &&
	    json_day(in, "approved_on", &f->approved_on, 1, err) &&
	    json_day(in, "value_date", &f->value_date, 0, err) &&
	    json_str(in, "narrative", f->narrative, sizeof(f->narrative), 0,
	    err));
}

int
ledger_transfer_from_json(const json_t *in, struct ledger_transfer *t,
    struct app_err *err)
{
	static const char *const keys[] = { "from", "to", "amount_cents",
	    "whole_balance", "paper_ref", "approved_on", "value_date",
	    "narrative", NULL };
	const json_t	*w;

	memset(t, 0, sizeof(*t));
	t->value_date = LEDGER_TODAY;
	if (!json_only(in, keys, err) ||
	    !json_str(in, "from", t->from, sizeof(t->from), 1, err) ||
	    !json_str(in, "to", t->to, sizeof(t->to), 1, err))
		return (0);
	if ((w = json_object_get(in, "whole_balance")) != NULL) {
		if (!json_is_boolean(w))
			return (app_err_set(err, APP_EBADREQ, "whole_balance",
			    "whole_balance must be true or false"));
		t->whole_balance = json_is_true(w);
	}
	if (t->whole_balance && json_object_get(in, "amount_cents") != NULL)
		return (app_err_set(err, APP_EINVAL, "amount_cents", "give "
		    "either amount_cents or \"whole_balance\": true, not "
		    "both"));
	if (!t->whole_balance && !json_amount(in, "amount_cents", &t->amount,
	    1, err))
		return (0);
	return (json_str(in, "paper_ref", t->paper_ref, sizeof(t->paper_ref),
	    1, err) &&
	    json_day(in, "approved_on", &t->approved_on, 1, err) &&
	    json_day(in, "value_date", &t->value_date, 0, err) &&
	    json_str(in, "narrative", t->narrative, sizeof(t->narrative), 0,
	    err));
}

int
ledger_reverse_from_json(const json_t *in, char *reason, size_t len,
    int *value_date, struct app_err *err)
{
	static const char *const keys[] = { "reason", "value_date", NULL };

	*value_date = LEDGER_TODAY;
	reason[0] = '\0';
	return (json_only(in, keys, err) &&
	    json_str(in, "reason", reason, len, 1, err) &&
	    json_day(in, "value_date", value_date, 0, err));
}

void
ledger_filter_init(struct ledger_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = -1;
	f->from = -1;
	f->to = -1;
	f->limit = 50;
}

int
ledger_filter_set(struct ledger_filter *f, const char *name,
    const char *value, struct app_err *err)
{
	enum ledger_kind	 k;
	char			*end;
	long long		 v;

	if (strcmp(name, "account") == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(f->account))
			return (app_err_set(err, APP_EINVAL, name, "unknown "
			    "account code"));
		snprintf(f->account, sizeof(f->account), "%s", value);
	} else if (strcmp(name, "kind") == 0) {
		if (!ledger_kind_parse(value, &k))
			return (app_err_set(err, APP_EINVAL, name, "kind is "
			    "one of opening, injection, transfer, commitment, "
			    "payment, release, refund, reversal"));
		f->kind = (int)k;
	} else if (strcmp(name, "paper_ref") == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(f->paper_ref))
			return (app_err_set(err, APP_EINVAL, name, "paper_ref "
			    "is 1 to 64 characters"));
		snprintf(f->paper_ref, sizeof(f->paper_ref), "%s", value);
	} else if (strcmp(name, "from") == 0 || strcmp(name, "to") == 0) {
		if (!date_parse(value, strcmp(name, "from") == 0 ? &f->from :
		    &f->to))
			return (app_err_set(err, APP_EBADREQ, name, "\"%s\" "
			    "must be a real date written YYYY-MM-DD", name));
		if (f->from >= 0 && f->to >= 0 && f->from > f->to)
			return (app_err_set(err, APP_EINVAL, "from", "from is "
			    "after to"));
	} else if (strcmp(name, "order") == 0) {
		if (strcmp(value, "asc") == 0)
			f->ascending = 1;
		else if (strcmp(value, "desc") == 0)
			f->ascending = 0;
		else
			return (app_err_set(err, APP_EBADREQ, name, "order is "
			    "asc or desc"));
	} else if (strcmp(name, "project_id") == 0 ||
	    strcmp(name, "limit") == 0 || strcmp(name, "offset") == 0) {
		if (value[0] < '0' || value[0] > '9' || strlen(value) > 15)
			return (app_err_set(err, APP_EBADREQ, name, "\"%s\" "
			    "must be a non-negative integer", name));
		v = strtoll(value, &end, 10);
		if (*end != '\0')
			return (app_err_set(err, APP_EBADREQ, name, "\"%s\" "
			    "must be a non-negative integer", name));
		if (strcmp(name, "project_id") == 0) {
			if (v <= 0)
				return (app_err_set(err, APP_EINVAL, name,
				    "project_id must be positive"));
			f->project_id = v;
		} else if (strcmp(name, "limit") == 0) {
			if (v < 1 || v > LEDGER_PAGE_MAX)
				return (app_err_set(err, APP_EINVAL, name,
				    "limit is 1 to %d", LEDGER_PAGE_MAX));
			f->limit = (int)v;
		} else
			f->offset = v;
	} else {
		return (app_err_set(err, APP_EBADREQ, name, "unknown query "
		    "parameter \"%.64s\"", name));
	}
	return (1);
}

const char *
ledger_kind_name(enum ledger_kind k)
{
	if ((unsigned)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return ("unknown");
	return (kind_names[k]);
}

int
ledger_kind_parse(const char *s, enum ledger_kind *out)
{
	size_t	i;

	for (i = 0; s != NULL && i < sizeof(kind_names) / sizeof(kind_names[0]);
	    i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum ledger_kind)i;
			return (1);
		}
	}
	return (0);
}

/*
 * Static helpers.
 */

static int
need_role(const struct actor *actor, unsigned roles, const char *what,
    struct app_err *err)
{
	if (actor_has(actor, roles))
		return (1);
	return (app_err_set(err, APP_EFORBIDDEN, NULL, "your role may not %s",
	    what));
}

static int
entry_init(struct db *db, struct lentry *e, enum ledger_kind kind,
    const char *what, const char *action, struct app_err *err)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->what = what;
	e->action = action;
	e->approved_on = -1;
	return (chart_load(db, &e->chart, err));
}

static void
entry_free(struct lentry *e)
{
	free(e->lines);
	e->lines = NULL;
	e->n = e->cap = 0;
}

/* Add a line; account must name an account of e's chart. */
static int
entry_line(struct lentry *e, const char *account, cents_t amount,
    int64_t project_id, struct app_err *err)
{
	struct lline	*v;
	struct acct	*a;
	size_t		 cap;

	if ((a = chart_find(&e->chart, account)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "no account %s "
		    "in the chart", account));
	if (e->n == e->cap) {
		cap = e->cap == 0 ? 8 : e->cap * 2;
		if ((v = reallocarray(e->lines, cap, sizeof(*v))) == NULL)
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory"));
		e->lines = v;
		e->cap = cap;
	}
	e->lines[e->n].account = a->code;
	e->lines[e->n].amount = amount;
	e->lines[e->n].project_id = project_id;
	e->n++;
	return (1);
}

/* Money from general revenue into the Fund passes Head 184: in, out. */
static int
entry_h184(struct lentry *e, cents_t amount, struct app_err *err)
{
	return (entry_line(e, "H184-ITF", amount, 0, err) &&
	    entry_line(e, "H184-ITF", -amount, 0, err));
}

static int
chart_load(struct db *db, struct chart *c, struct app_err *err)
{
	PGresult	*res;
	struct acct	*a;
	int		 i, rows;

	c->n = 0;
	if ((res = db_query(db, SQL_CHART, NULL, err)) == NULL)
		return (0);
	rows = PQntuples(res);
	for (i = 0; i < rows && c->n < LEDGER_MAX_ACCOUNTS; i++) {
		a = &c->v[c->n++];
		memset(a, 0, sizeof(*a));
		snprintf(a->code, sizeof(a->code), "%s", db_str(res, i, 0));
		snprintf(a->kind, sizeof(a->kind), "%s", db_str(res, i, 1));
		a->debit_normal = db_bool(res, i, 2);
		a->restricted = db_bool(res, i, 3);
		a->in_fund = db_bool(res, i, 4);
		snprintf(a->subhead_of, sizeof(a->subhead_of), "%s",
		    db_str(res, i, 5));
		a->balance = db_i64(res, i, 6);
		a->last = db_date(res, i, 7);
	}
	PQclear(res);
	return (1);
}

static struct acct *
chart_find(struct chart *c, const char *code)
{
	size_t	i;

	for (i = 0; code != NULL && i < c->n; i++) {
		if (strcmp(c->v[i].code, code) == 0)
			return (&c->v[i]);
	}
	return (NULL);
}

/* The subhead code names; NULL and APP_EINVAL on field if none. */
static struct acct *
subhead_find(struct chart *c, const char *code, const char *field,
    struct app_err *err)
{
	struct acct	*a;

	if ((a = chart_find(c, code)) == NULL ||
	    strcmp(a->kind, "subhead") != 0) {
		app_err_set(err, APP_EINVAL, field, "\"%.40s\" is not a "
		    "subhead of the ledger (see GET /api/v1/ledger/accounts)",
		    code);
		return (NULL);
	}
	return (a);
}

/* The commitments account of subhead code. */
static struct acct *
chart_commitments(struct chart *c, const char *code)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].subhead_of, code) == 0)
			return (&c->v[i]);
	}
	return (NULL);
}

static int
lock_account(struct db *db, struct acct *a, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	if (a->locked)
		return (1);
	db_params_init(&p);
	dbp_str(&p, a->code);
	if ((res = db_query(db, SQL_LOCK_ACCOUNT, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_EINTERNAL, NULL, "account %s "
		    "vanished", a->code));
	}
	a->balance = db_i64(res, 0, 0);
	a->last = db_date(res, 0, 1);
	a->locked = 1;
	PQclear(res);
	return (1);
}

/*
 * Lock the named accounts (and any of e's lines) in code order.  Locking
 * an account again later in the same order is a no-op.  Every writer takes
 * its account locks in this one order, so writers never deadlock on them.
 */
static int
lock_accounts(struct db *db, struct lentry *e, const char *const *codes,
    size_t n, struct app_err *err)
{
	const char	*v[LEDGER_MAX_ACCOUNTS];
	struct acct	*a;
	size_t		 i, m;

	m = 0;
	for (i = 0; i < n + e->n; i++) {
		if ((a = chart_find(&e->chart, i < n ? codes[i] :
		    e->lines[i - n].account)) == NULL)
			return (app_err_set(err, APP_EINTERNAL, NULL, "no "
			    "account %s", i < n ? codes[i] :
			    e->lines[i - n].account));
		if (!a->locked && !chart_listed(v, m, a->code))
			v[m++] = a->code;	/* m <= chart size */
	}
	qsort(v, m, sizeof(v[0]), cmp_code);
	for (i = 0; i < m; i++) {
		if (!lock_account(db, chart_find(&e->chart, v[i]), err))
			return (0);
	}
	return (1);
}

static int
lock_project(struct db *db, int64_t id, struct lproj *pj,
    struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;

	memset(pj, 0, sizeof(*pj));
	pj->id = id;
	pj->last = -1;
	db_params_init(&p);
	dbp_i64(&p, id);
	if ((res = db_query(db, SQL_LOCK_PROJECT, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) == 1) {
		pj->exists = 1;
		snprintf(pj->account, sizeof(pj->account), "%s",
		    db_str(res, 0, 0));
		pj->outstanding = db_i64(res, 0, 1);
		pj->paid = db_i64(res, 0, 2);
		pj->refunded = db_i64(res, 0, 3);
		pj->last = db_date(res, 0, 4);
	}
	PQclear(res);
	return (1);
}

/*
 * For an operation on one project: find the subhead holding its commitment
 * (or, for a new one, subhead or the block vote), lock that subhead, its
 * commitments account and the fund's payment and refund accounts in code
 * order, then the project row.  If a concurrent whole-balance transfer
 * moved the project between our first look and the lock, give up with a
 * retryable conflict: db_tx_run starts over.
 */
static int
project_prepare(struct db *db, struct lentry *e, int64_t id,
    const char *subhead, const char *extra, struct lproj *pj,
    struct acct **sp, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	struct acct		*s, *c, *held, *want;
	const char		*codes[3];
	char			 seen[LEDGER_CODE_MAX];
	size_t			 n;

	want = NULL;
	if (subhead != NULL && subhead[0] != '\0' &&
	    ((want = chart_find(&e->chart, subhead)) == NULL ||
	    strcmp(want->kind, "subhead") != 0))
		return (app_err_set(err, APP_EINVAL, "subhead", "\"%.40s\" is "
		    "not a subhead of the ledger", subhead));
	seen[0] = '\0';
	db_params_init(&p);
	dbp_i64(&p, id);
	if ((res = db_query(db, SQL_PEEK_PROJECT, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) == 1)
		snprintf(seen, sizeof(seen), "%s", db_str(res, 0, 0));
	PQclear(res);

	held = seen[0] != '\0' ? chart_find(&e->chart, seen) : NULL;
	if (held != NULL)
		s = chart_find(&e->chart, held->subhead_of);
	else if (want != NULL)
		s = want;
	else
		s = chart_find(&e->chart, LEDGER_BLOCK_VOTE);
	if (s == NULL || (c = chart_commitments(&e->chart, s->code)) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "chart of "
		    "accounts lacks %s", LEDGER_BLOCK_VOTE));
	n = 0;
	codes[n++] = s->code;
	codes[n++] = c->code;
	if (extra != NULL)
		codes[n++] = extra;
	if (!lock_accounts(db, e, codes, n, err) ||
	    !lock_project(db, id, pj, err))
		return (0);
	if (strcmp(pj->account, seen) != 0) {
		db->retryable = 1;
		return (app_err_set(err, APP_ECONFLICT, "project_id", "a "
		    "concurrent transfer moved project %lld's commitment; "
		    "try again", (long long)id));
	}
	if (want != NULL && want != s) {
		/* More commitment goes where the outstanding commitment is. */
		if (pj->outstanding > 0)
			return (app_err_set(err, APP_ECONFLICT, "subhead",
			    "project %lld's commitment is held under %s, not "
			    "%s", (long long)id, s->code, want->code));
		/* Nothing outstanding: a new commitment may go elsewhere. */
		s = want;
		c = chart_commitments(&e->chart, s->code);
		codes[0] = s->code;
		codes[1] = c->code;
		/* Out of order: a deadlock here is detected and retried. */
		if (!lock_accounts(db, e, codes, 2, err))
			return (0);
	}
	*sp = s;
	return (1);
}

/*
 * An entry on one project's commitment, as op says (ledger_commit,
 * _release, _pay and _refund): check the request, lock through
 * project_prepare(), post the two lines.  subhead only for a commitment.
 */
static int
project_post(struct db *db, const struct actor *actor,
    const struct projop *op, int64_t project_id, cents_t amount,
    const char *subhead, int value_date, const char *text,
    int64_t *entry_id, struct app_err *err)
{
	struct lentry	 e;
	struct lproj	 pj;
	struct acct	*s;
	const char	*cr, *dr;
	int		 ok;

	if (!need_role(actor, op->roles, op->may, err) ||
	    !check_project_id(project_id, err) ||
	    (!(op->remainder && amount == LEDGER_REMAINDER) &&
	    !check_amount(amount, "amount_cents", err)) ||
	    !check_text(text, LEDGER_TEXT_MAX, op->text_field, 0, err) ||
	    !entry_init(db, &e, op->kind, op->what, op->action, err))
		return (0);
	ok = 0;
	s = NULL;
	if (!resolve_day(value_date, date_today_hk(), &e.value_date, err) ||
	    !check_dates(-1, e.value_date, err) ||
	    !project_prepare(db, &e, project_id, subhead, op->extra, &pj, &s,
	    err))
		goto out;
	if (op->remainder && amount == LEDGER_REMAINDER) {
		if (pj.outstanding <= 0) {
			app_err_set(err, APP_ECONFLICT, "amount_cents",
			    "project %lld has no outstanding commitment to "
			    "release", (long long)project_id);
			goto out;
		}
		amount = pj.outstanding;
	}
	if ((cr = project_side(&e, s, op->credit)) == NULL ||
	    (dr = project_side(&e, s, op->debit)) == NULL) {
		app_err_set(err, APP_EINTERNAL, NULL, "chart of accounts "
		    "lacks a commitments account");
		goto out;
	}
	e.amount = amount;
	e.project_id = project_id;
	if (op->from_subhead)
		e.from = s->code;
	else
		e.to = s->code;
	e.narrative = text;
	if (entry_line(&e, cr, -amount, project_id, err) &&
	    entry_line(&e, dr, amount, project_id, err))
		ok = post_entry(db, actor, &e, entry_id, err);
out:
	entry_free(&e);
	return (ok);
}

/* The account code of side, for a project whose subhead is s. */
static const char *
project_side(struct lentry *e, const struct acct *s, enum pside side)
{
	struct acct	*c;

	switch (side) {
	case PS_SUBHEAD:
		return (s->code);
	case PS_COMMITMENTS:
		c = chart_commitments(&e->chart, s->code);
		return (c != NULL ? c->code : NULL);
	case PS_PAYMENTS:
		return ("PAYMENTS");
	case PS_REFUNDS:
		return ("REFUNDS");
	}
	return (NULL);
}

/*
 * The one way into the ledger: lock, check every draw, insert, audit.
 * Nothing is written unless every check passes.
 */
static int
post_entry(struct db *db, const struct actor *actor, struct lentry *e,
    int64_t *entry_id, struct app_err *err)
{
	cents_t	sum;
	size_t	i;

	if (e->n < 2)
		return (app_err_set(err, APP_EINTERNAL, NULL, "an entry needs "
		    "two lines"));
	for (i = 0, sum = 0; i < e->n; i++) {
		if (e->lines[i].amount == 0 ||
		    !money_add(sum, e->lines[i].amount, &sum))
			return (app_err_set(err, APP_EINTERNAL, NULL, "bad "
			    "line amount"));
	}
	if (sum != 0)		/* by construction; the database checks too */
		return (app_err_set(err, APP_EINTERNAL, NULL, "entry does not "
		    "balance"));
	if (!lock_accounts(db, e, NULL, 0, err) ||
	    !check_projects(db, e, err) ||
	    !check_accounts(e, err))
		return (0);
	return (insert_entry(db, actor, e, entry_id, err));
}

/*
 * Lock each project the entry touches, in id order, and check its
 * sub-ledger: an outstanding commitment never below zero and held under
 * one subhead, refunds never above payments, no back-dating.
 */
static int
check_projects(struct db *db, struct lentry *e, struct app_err *err)
{
	int64_t		 ids[512], *v;
	struct lproj	 pj;
	struct acct	*a;
	const char	*dec_acct, *inc_acct;
	cents_t		 d_out, d_paid, d_ref, paid, ref, left;
	size_t		 i, j, n;
	int		 touched, ok;
	char		 b1[MONEY_FMT_MAX], b2[MONEY_FMT_MAX];
	char		 b3[MONEY_FMT_MAX], d1[DATE_ISO_LEN];

	v = e->n <= sizeof(ids) / sizeof(ids[0]) ? ids :
	    calloc(e->n, sizeof(*v));
	if (v == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	for (i = 0, n = 0; i < e->n; i++) {
		if (e->lines[i].project_id != 0)
			v[n++] = e->lines[i].project_id;
	}
	qsort(v, n, sizeof(v[0]), cmp_i64);
	ok = 1;
	for (i = 0; ok && i < n; i++) {
		if (i > 0 && v[i] == v[i - 1])
			continue;
		if (!lock_project(db, v[i], &pj, err)) {
			ok = 0;
			break;
		}
		d_out = d_paid = d_ref = 0;
		dec_acct = inc_acct = NULL;
		touched = 0;
		for (j = 0; j < e->n; j++) {
			if (e->lines[j].project_id != v[i])
				continue;
			a = chart_find(&e->chart, e->lines[j].account);
			if (strcmp(a->kind, "commitments") == 0) {
				touched = 1;
				d_out += e->lines[j].amount;
				if (e->lines[j].amount < 0)
					dec_acct = a->code;
				else
					inc_acct = a->code;
			} else if (strcmp(a->kind, "expenditure") == 0) {
				touched = 1;
				d_paid += e->lines[j].amount;
			} else if (strcmp(a->kind, "income") == 0) {
				touched = 1;
				d_ref -= e->lines[j].amount;
			}
		}
		if (!touched)
			continue;
		if (pj.exists && e->value_date < pj.last) {
			ok = app_err_set(err, APP_ECONFLICT, "value_date",
			    "project %lld has ledger entries up to %s; %s "
			    "cannot be dated before them", (long long)v[i],
			    day_str(pj.last, d1, sizeof(d1)), e->what);
			break;
		}
		if (dec_acct != NULL) {
			left = pj.exists && strcmp(pj.account, dec_acct) == 0 ?
			    pj.outstanding : 0;
			/* What this entry draws from the commitment. */
			for (j = 0, d_out = 0; j < e->n; j++) {
				if (e->lines[j].project_id == v[i] &&
				    strcmp(e->lines[j].account, dec_acct) == 0)
					d_out += e->lines[j].amount;
			}
			if (left + d_out < 0) {
				ok = app_err_set(err, APP_ECONFLICT,
				    "amount_cents", "%s of %s exceeds project "
				    "%lld's outstanding commitment (%s) by %s",
				    e->what, money_format(-d_out, b1,
				    sizeof(b1)), (long long)v[i],
				    money_format(left, b2, sizeof(b2)),
				    money_format(-(left + d_out), b3,
				    sizeof(b3)));
				break;
			}
		}
		/* What stays where the commitment is now held. */
		left = pj.exists ? pj.outstanding : 0;
		for (j = 0; pj.exists && j < e->n; j++) {
			if (e->lines[j].project_id == v[i] &&
			    strcmp(e->lines[j].account, pj.account) == 0)
				left += e->lines[j].amount;
		}
		if (inc_acct != NULL && left > 0 &&
		    strcmp(pj.account, inc_acct) != 0) {
			ok = app_err_set(err, APP_ECONFLICT, "project_id",
			    "project %lld's commitment is held in %s; %s would "
			    "put part of it in %s", (long long)v[i], pj.account,
			    e->what, inc_acct);
			break;
		}
		paid = pj.paid + d_paid;
		ref = pj.refunded + d_ref;
		if (paid < 0) {
			ok = app_err_set(err, APP_ECONFLICT, "amount_cents",
			    "%s takes back %s of payments from project %lld, "
			    "which was paid %s", e->what, money_format(-d_paid,
			    b1, sizeof(b1)), (long long)v[i],
			    money_format(pj.paid, b2, sizeof(b2)));
			break;
		}
		if (ref > paid && d_paid == 0 && d_ref > 0) {
			ok = app_err_set(err, APP_ECONFLICT, "amount_cents",
			    "%s of %s exceeds what project %lld was paid net "
			    "of refunds (%s) by %s", e->what,
			    money_format(d_ref, b1, sizeof(b1)),
			    (long long)v[i], money_format(pj.paid -
			    pj.refunded, b2, sizeof(b2)),
			    money_format(ref - paid, b3, sizeof(b3)));
			break;
		}
		if (ref < 0 || ref > paid) {
			ok = app_err_set(err, APP_ECONFLICT, "amount_cents",
			    "%s would leave project %lld with refunds of %s "
			    "against payments of %s: short by %s", e->what,
			    (long long)v[i], money_format(ref < 0 ? 0 : ref,
			    b1, sizeof(b1)), money_format(paid, b2, sizeof(b2)),
			    money_format(ref < 0 ? -ref : ref - paid, b3,
			    sizeof(b3)));
			break;
		}
	}
	if (v != ids)
		free(v);
	return (ok);
}

/*
 * Every account the entry draws down (on its normal side) must hold
 * enough, and the entry may not be dated before that account's last
 * movement, so no balance goes below zero as of any day either.
 */
static int
check_accounts(struct lentry *e, struct app_err *err)
{
	struct acct	*a;
	cents_t		 delta, have, need;
	size_t		 i, j;
	char		 b1[MONEY_FMT_MAX], b2[MONEY_FMT_MAX];
	char		 b3[MONEY_FMT_MAX], d1[DATE_ISO_LEN];

	for (i = 0; i < e->chart.n; i++) {
		a = &e->chart.v[i];
		for (j = 0, delta = 0; j < e->n; j++) {
			if (e->lines[j].account == a->code &&
			    !money_add(delta, e->lines[j].amount, &delta))
				return (app_err_set(err, APP_EINVAL,
				    "amount_cents", "amount too large"));
		}
		if (strcmp(a->kind, "clearing") == 0 && delta != 0)
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "%s must net to zero in every entry", a->code));
		if (delta == 0 || !a->restricted || normal(a, delta) > 0)
			continue;
		have = normal(a, a->balance);
		need = -normal(a, delta);
		if (have < need) {
			money_format(need, b1, sizeof(b1));
			money_format(have, b2, sizeof(b2));
			money_format(need - have, b3, sizeof(b3));
			if (strcmp(a->kind, "subhead") == 0)
				return (app_err_set(err, APP_ECONFLICT,
				    "amount_cents", "%s of %s exceeds the "
				    "available commitment under %s (%s) by %s",
				    e->what, b1, a->code, b2, b3));
			if (strcmp(a->kind, "commitments") == 0)
				return (app_err_set(err, APP_ECONFLICT,
				    "amount_cents", "%s of %s exceeds the "
				    "commitments outstanding in %s (%s) by %s",
				    e->what, b1, a->code, b2, b3));
			return (app_err_set(err, APP_ECONFLICT, "amount_cents",
			    "%s of %s exceeds the balance of %s (%s) by %s",
			    e->what, b1, a->code, b2, b3));
		}
		if (a->last >= 0 && e->value_date < a->last)
			return (app_err_set(err, APP_ECONFLICT, "value_date",
			    "%s draws on %s, which moved on %s; it cannot be "
			    "dated before that", e->what, a->code,
			    day_str(a->last, d1, sizeof(d1))));
	}
	return (1);
}

static int
insert_entry(struct db *db, const struct actor *actor, struct lentry *e,
    int64_t *entry_id, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_t			*after;
	char			*accts = NULL, *amts = NULL, *projs = NULL;
	int64_t			 id;
	int			 ok;

	db_params_init(&p);
	dbp_str(&p, kind_names[e->kind]);
	dbp_date(&p, e->value_date);
	if (e->approved_on >= 0)
		dbp_date(&p, e->approved_on);
	else
		dbp_null(&p);
	dbp_str(&p, e->paper_ref);
	dbp_i64(&p, e->amount);
	if (e->project_id > 0)
		dbp_i64(&p, e->project_id);
	else
		dbp_null(&p);
	dbp_str(&p, e->from);
	dbp_str(&p, e->to);
	dbp_bool(&p, e->whole);
	if (e->reverses > 0)
		dbp_i64(&p, e->reverses);
	else
		dbp_null(&p);
	dbp_str(&p, e->narrative != NULL && e->narrative[0] != '\0' ?
	    e->narrative : NULL);
	if (actor != NULL && actor->user_id > 0)
		dbp_i64(&p, actor->user_id);
	else
		dbp_null(&p);
	dbp_str(&p, actor != NULL && actor->label[0] != '\0' ? actor->label :
	    "system");
	if ((res = db_query(db, SQL_INSERT_ENTRY, &p, err)) == NULL)
		return (0);
	id = db_i64(res, 0, 0);
	PQclear(res);

	if (!text_array(e, &accts, &amts, &projs, err))
		return (0);
	db_params_init(&p);
	dbp_i64(&p, id);
	dbp_date(&p, e->value_date);
	dbp_str(&p, accts);
	dbp_str(&p, amts);
	dbp_str(&p, projs);
	ok = db_exec(db, SQL_INSERT_POSTINGS, &p, err);
	free(accts);
	free(amts);
	free(projs);
	if (!ok || !entry_json(db, id, &after, err))
		return (0);
	ok = audit_write_id(db, actor, e->action, "ledger_entry", id, NULL,
	    after, e->narrative, err);
	json_decref(after);
	if (ok && entry_id != NULL)
		*entry_id = id;
	return (ok);
}

/* The lines as three PostgreSQL array literals (codes are [A-Z0-9.-]). */
static int
text_array(struct lentry *e, char **accts, char **amts, char **projs,
    struct app_err *err)
{
	size_t	i, la, lm, lp, cap;
	char	*a, *m, *p;

	cap = e->n * (LEDGER_CODE_MAX + 2) + 3;
	a = malloc(cap);
	m = malloc(e->n * 24 + 3);
	p = malloc(e->n * 24 + 3);
	if (a == NULL || m == NULL || p == NULL) {
		free(a);
		free(m);
		free(p);
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	}
	la = lm = lp = 0;
	a[la++] = m[lm++] = p[lp++] = '{';
	for (i = 0; i < e->n; i++) {
		la += (size_t)snprintf(a + la, cap - la, "%s%s", i ? "," : "",
		    e->lines[i].account);
		lm += (size_t)snprintf(m + lm, e->n * 24 + 3 - lm, "%s%lld",
		    i ? "," : "", (long long)e->lines[i].amount);
		if (e->lines[i].project_id != 0)
			lp += (size_t)snprintf(p + lp, e->n * 24 + 3 - lp,
			    "%s%lld", i ? "," : "",
			    (long long)e->lines[i].project_id);
		else
			lp += (size_t)snprintf(p + lp, e->n * 24 + 3 - lp,
			    "%sNULL", i ? "," : "");
	}
	snprintf(a + la, cap - la, "}");
	snprintf(m + lm, e->n * 24 + 3 - lm, "}");
	snprintf(p + lp, e->n * 24 + 3 - lp, "}");
	*accts = a;
	*amts = m;
	*projs = p;
	return (1);
}

static int
entry_json(struct db *db, int64_t id, json_t **out, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	json_error_t		 jerr;

	*out = NULL;
	db_params_init(&p);
	dbp_i64(&p, id);
	if ((res = db_query(db, SQL_ENTRY, &p, err)) == NULL)
		return (0);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return (app_err_set(err, APP_ENOTFOUND, "id", "no ledger entry "
		    "%lld", (long long)id));
	}
	*out = json_loads(db_str(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (*out == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "bad entry "
		    "JSON"));
	return (1);
}

static int
funding_post(struct db *db, const struct actor *actor,
    const struct ledger_funding *f, int opening, int64_t *entry_id,
    struct app_err *err)
{
	struct lentry	 e;
	struct acct	*s;
	const char	*field, *code;
	int		 ok;

	if (!need_role(actor, ROLES_FINANCE, opening ? "enter opening "
	    "balances" : "enter fund injections", err) ||
	    !check_amount(f->amount, "amount_cents", err) ||
	    !check_text(f->paper_ref, LEDGER_REF_MAX, "paper_ref", 1, err) ||
	    !check_text(f->narrative, LEDGER_TEXT_MAX, "narrative", 0, err))
		return (0);
	field = opening ? "account" : "subhead";
	if (opening && f->account[0] == '\0')
		return (app_err_set(err, APP_EINVAL, field, "account is "
		    "required"));
	code = f->account[0] != '\0' ? f->account : LEDGER_BLOCK_VOTE;
	if (!entry_init(db, &e, opening ? LEDGER_OPENING : LEDGER_INJECTION,
	    opening ? "this opening balance" : "this injection",
	    opening ? "ledger.opening" : "ledger.injection", err))
		return (0);
	ok = 0;
	if ((s = subhead_find(&e.chart, code, field, err)) == NULL)
		goto out;
	if (!opening && !s->in_fund) {
		app_err_set(err, APP_EINVAL, field, "injections go to a "
		    "subhead of the Fund (Head 111); %s is not one", s->code);
		goto out;
	}
	e.approved_on = f->approved_on;
	if (!resolve_day(f->value_date, f->approved_on, &e.value_date, err) ||
	    !check_dates(e.approved_on, e.value_date, err))
		goto out;
	e.amount = f->amount;
	e.paper_ref = f->paper_ref;
	e.to = s->code;
	e.narrative = f->narrative[0] != '\0' ? f->narrative : NULL;
	/*
	 * An injection is voted from general revenue under Head 184 and paid
	 * straight into the Fund; an opening balance comes from an earlier
	 * approval, outside the Head 184 subhead of this chart.
	 */
	if (!entry_line(&e, "GRA", -f->amount, 0, err) ||
	    (!opening && !entry_h184(&e, f->amount, err)) ||
	    !entry_line(&e, s->code, f->amount, 0, err))
		goto out;
	ok = post_entry(db, actor, &e, entry_id, err);
out:
	entry_free(&e);
	return (ok);
}

static int
check_amount(cents_t amount, const char *field, struct app_err *err)
{
	char	b[MONEY_FMT_MAX];

	if (amount <= 0)
		return (app_err_set(err, APP_EINVAL, field, "%s must be a "
		    "positive number of cents", field));
	if (amount > LEDGER_AMOUNT_MAX)
		return (app_err_set(err, APP_EINVAL, field, "%s is above the "
		    "limit of %s for one entry", field,
		    money_format(LEDGER_AMOUNT_MAX, b, sizeof(b))));
	return (1);
}

static int
check_project_id(int64_t id, struct app_err *err)
{
	if (id <= 0)
		return (app_err_set(err, APP_EINVAL, "project_id", "project_id "
		    "must be positive"));
	return (1);
}

/* Printable text of at most max - 1 bytes; required: not empty. */
static int
check_text(const char *s, size_t max, const char *field, int required,
    struct app_err *err)
{
	const unsigned char	*c;

	if (s == NULL || s[0] == '\0') {
		if (required)
			return (app_err_set(err, APP_EINVAL, field, "%s is "
			    "required", field));
		return (1);
	}
	if (strlen(s) >= max)
		return (app_err_set(err, APP_EINVAL, field, "%s is longer than "
		    "%zu bytes", field, max - 1));
	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		if (*c < 0x20 || *c == 0x7f)
			return (app_err_set(err, APP_EINVAL, field,
			    "%s holds a control character", field));
	}
	if (s[0] == ' ' || s[strlen(s) - 1] == ' ')
		return (app_err_set(err, APP_EINVAL, field, "%s has leading or "
		    "trailing spaces", field));
	return (1);
}

/* A value date given, or the default (approval date or today). */
static int
resolve_day(int given, int dflt, int *out, struct app_err *err)
{
	*out = given == LEDGER_TODAY ? dflt : given;
	if (*out < 0)
		return (app_err_set(err, APP_EINVAL, "value_date", "value_date "
		    "is required"));
	return (1);
}

static int
check_dates(int approved_on, int value_date, struct app_err *err)
{
	char	d1[DATE_ISO_LEN], d2[DATE_ISO_LEN];
	int	today;

	today = date_today_hk();
	if (approved_on != -1) {
		if (approved_on < fund_start())
			return (app_err_set(err, APP_EINVAL, "approved_on",
			    "approved_on is before the Fund was set up on "
			    LEDGER_FUND_START));
		if (approved_on > today)
			return (app_err_set(err, APP_EINVAL, "approved_on",
			    "approved_on %s is in the future",
			    day_str(approved_on, d1, sizeof(d1))));
		if (value_date < approved_on)
			return (app_err_set(err, APP_EINVAL, "value_date",
			    "value_date %s is before the approval on %s",
			    day_str(value_date, d1, sizeof(d1)),
			    day_str(approved_on, d2, sizeof(d2))));
	}
	if (value_date < fund_start())
		return (app_err_set(err, APP_EINVAL, "value_date", "value_date "
		    "is before the Fund was set up on " LEDGER_FUND_START));
	if (value_date > today)
		return (app_err_set(err, APP_EINVAL, "value_date", "value_date "
		    "%s is in the future", day_str(value_date, d1,
		    sizeof(d1))));
	return (1);
}

static int
fund_start(void)
{
	int	day;

	date_parse(LEDGER_FUND_START, &day);
	return (day);
}

static cents_t
normal(const struct acct *a, cents_t signed_amount)
{
	return (a->debit_normal ? signed_amount : -signed_amount);
}

static const char *
day_str(int day, char *buf, size_t len)
{
	return (date_format(day, buf, len));
}

static int
chart_listed(const char *const *v, size_t n, const char *code)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (v[i] == code)
			return (1);
	}
	return (0);
}

static int
cmp_code(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/* The first row of sql's counts into out[0], out[1], ... (NULL-ended). */
static int
verify_row(struct db *db, const char *sql, int64_t *const *out,
    struct app_err *err)
{
	PGresult	*res;
	int		 i;

	if ((res = db_query(db, sql, NULL, err)) == NULL)
		return (0);
	for (i = 0; out[i] != NULL; i++)
		*out[i] = db_i64(res, 0, i);
	PQclear(res);
	return (1);
}

static int
tx_fn(struct db *db, void *arg, struct app_err *err)
{
	struct txargs	*a = arg;

	switch (a->op) {
	case OP_OPEN:
		return (ledger_open(db, a->actor, a->funding, a->out, err));
	case OP_INJECT:
		return (ledger_inject(db, a->actor, a->funding, a->out, err));
	case OP_TRANSFER:
		return (ledger_transfer(db, a->actor, a->transfer, a->out,
		    err));
	case OP_PROJECT:
		return (project_post(db, a->actor, a->pop, a->id, a->amount,
		    a->subhead, a->value_date, a->text, a->out, err));
	case OP_REVERSE:
		return (ledger_reverse(db, a->actor, a->id, a->text,
		    a->value_date, a->out, err));
	}
	return (app_err_set(err, APP_EINTERNAL, NULL, "unknown operation"));
}

/*
 * READ COMMITTED is enough: the row locks order the writers (see the
 * header), and the second of two racing writers reads the first one's
 * committed balance and is refused with the exact shortfall.
 */
static int
tx_run(struct db *db, struct txargs *a, struct app_err *err)
{
	return (db_tx_run(db, DB_READ_COMMITTED, tx_fn, a, err));
}

/* project_post() of projops[po] in a transaction of its own. */
static int
project_tx(struct db *db, const struct actor *actor, int po, int64_t project,
    cents_t amount, const char *subhead, int value_date, const char *text,
    int64_t *id, struct app_err *err)
{
	struct txargs	a = { .op = OP_PROJECT, .actor = actor,
			    .pop = &projops[po], .id = project,
			    .amount = amount, .subhead = subhead,
			    .value_date = value_date, .text = text, .out = id };

	return (tx_run(db, &a, err));
}

static int
json_only(const json_t *in, const char *const *keys, struct app_err *err)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (!json_is_object(in))
		return (app_err_set(err, APP_EBADREQ, NULL, "the body must be "
		    "a JSON object"));
	json_object_foreach((json_t *)in, k, v) {
		for (i = 0; keys[i] != NULL; i++) {
			if (strcmp(keys[i], k) == 0)
				break;
		}
		if (keys[i] == NULL)
			return (app_err_set(err, APP_EBADREQ, k,
			    "unknown field \"%.64s\"", k));
	}
	return (1);
}

/* in's key in *v: NULL if absent or null, APP_EINVAL if also required. */
static int
json_field(const json_t *in, const char *key, int required, const json_t **v,
    struct app_err *err)
{
	if ((*v = json_object_get(in, key)) != NULL && !json_is_null(*v))
		return (1);
	*v = NULL;
	if (required)
		return (app_err_set(err, APP_EINVAL, key, "%s is required",
		    key));
	return (1);
}

static int
json_str(const json_t *in, const char *key, char *buf, size_t len,
    int required, struct app_err *err)
{
	const json_t	*v;

	buf[0] = '\0';
	if (!json_field(in, key, required, &v, err))
		return (0);
	if (v == NULL)
		return (1);
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, key, "%s must be a "
		    "string", key));
	if (json_string_length(v) >= len)
		return (app_err_set(err, APP_EINVAL, key, "%s is longer than "
		    "%zu bytes", key, len - 1));
	if (strlen(json_string_value(v)) != json_string_length(v))
		return (app_err_set(err, APP_EINVAL, key, "%s holds a NUL "
		    "character", key));
	snprintf(buf, len, "%s", json_string_value(v));
	if (required && buf[0] == '\0')
		return (app_err_set(err, APP_EINVAL, key, "%s is required",
		    key));
	return (1);
}

static int
json_amount(const json_t *in, const char *key, cents_t *out, int required,
    struct app_err *err)
{
	const json_t	*v;

	if (!json_field(in, key, required, &v, err))
		return (0);
	if (v == NULL)
		return (1);
	if (!json_is_integer(v))
		return (app_err_set(err, APP_EBADREQ, key, "%s must be a JSON "
		    "integer number of cents", key));
	*out = (cents_t)json_integer_value(v);
	return (check_amount(*out, key, err));
}

static int
json_day(const json_t *in, const char *key, int *out, int required,
    struct app_err *err)
{
	const json_t	*v;

	if (!json_field(in, key, required, &v, err))
		return (0);
	if (v == NULL)
		return (1);
	if (!json_is_string(v))
		return (app_err_set(err, APP_EBADREQ, key, "%s must be a "
		    "string YYYY-MM-DD", key));
	if (!date_parse(json_string_value(v), out))
		return (app_err_set(err, APP_EINVAL, key, "%s must be a real "
		    "date written YYYY-MM-DD", key));
	return (1);
}
