/*
 * seed.c: the demo data set (seed.h; docs/seed.md).
 *
 * Two stages.  The plan (plan_*()) decides, in memory and from one
 * pseudo-random seed, every organisation, user, panel, meeting and
 * application with the day of each step of its life, the amounts, and the
 * ledger's openings and institutional commitments; it is calibrated to
 * FCR(2021-22)22 (the targets are in the profiles below).  The replay
 * (run_*()) sorts the steps by day and performs each through the public
 * core function the API handler would call, in its own transaction, with
 * date_set_today() holding the core's "today" at the step's day.
 *
 * Identities: the seed acts as its demo users (officers screen, panel
 * members score, approvers decide, finance pays), each a struct actor
 * built from the user row it created, as a session would give.
 */
#define _GNU_SOURCE		/* qsort_r, sched_getcpu, cpu_set_t */

#include <sys/types.h>

#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "actor.h"
#include "applications.h"
#include "audit.h"
#include "auth.h"
#include "claims.h"
#include "dates.h"
#include "db.h"
#include "decisions.h"
#include "errors.h"
#include "estimates.h"
#include "funding.h"
#include "ledger.h"
#include "money.h"
#include "orgs.h"
#include "panels.h"
#include "payments.h"
#include "projects.h"
#include "schemes.h"
#include "seed.h"

#define HKD(x)		((cents_t)((x) * 100.0 + 0.5))	/* HK$ to cents */
#define MILLION(x)	((cents_t)llround((x) * 100000000.0))

/* The paper's window ("past 4 years", S fn 3) and the fund's first day. */
#define P_FROM_Y	2017
#define P_TO_Y		2021

#define MAXMS		4	/* milestones of a seeded project */
#define AGENDA_CHUNK	100	/* PANEL_AGENDA_MAX */

/* Ledger project ids outside the applications' range (docs/seed.md). */
#define INST_ID_BASE	((int64_t)900000000000LL)
#define BL_ID_BASE	((int64_t)800000000000LL)

/*
 * Pseudo-random numbers: splitmix64, one stream per purpose, so that a
 * change in one scheme's plan leaves the others' unchanged.
 */
struct rng {
	uint64_t	s;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t	z;

	z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static void
rng_init(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	(void)rng_next(r);
}

/* Uniform in [0, 1). */
static double
rng_unit(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) / 9007199254740992.0);
}

/* Uniform integer in [lo, hi]. */
static int
rng_int(struct rng *r, int lo, int hi)
{
	if (hi <= lo)
		return (lo);
	return (lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1)));
}

static int
rng_chance(struct rng *r, double p)
{
	return (rng_unit(r) < p);
}

/* Log-normal with the given mean and spread (sigma of the log). */
static double
rng_lognormal(struct rng *r, double mean, double sigma)
{
	double	u1, u2, z;

	u1 = rng_unit(r);
	u2 = rng_unit(r);
	if (u1 < 1e-12)
		u1 = 1e-12;
	z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
	return (mean * exp(sigma * z - sigma * sigma / 2.0));
}

#define PICK(r, a)	((a)[rng_int((r), 0, (int)(sizeof(a) / sizeof((a)[0])) - 1)])
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
ymd(int y, int m, int d)
{
	int	day;

	if (!date_from_ymd(y, m, d, &day))
		abort();
	return (day);
}

static int
year_of(int day)
{
	int	y, m, d;

	date_to_ymd(day, &y, &m, &d);
	return (y);
}

/* A weekday on or after day (meetings and decisions are on weekdays). */
static int
weekday(int day)
{
	int	dow;

	dow = ((day % 7) + 7 + 4) % 7;	/* 1970-01-01 was a Thursday: 0 = Sun */
	if (dow == 6)
		return (day + 2);
	if (dow == 0)
		return (day + 1);
	return (day);
}

static int
imax(int a, int b)
{
	return (a > b ? a : b);
}

static int
imin(int a, int b)
{
	return (a < b ? a : b);
}

/*
 * Names.  Every English part has its Traditional Chinese counterpart, so
 * that an organisation's two names say the same thing.
 */
struct pair {
	const char	*en;
	const char	*zh;
};

static const struct pair surnames[] = {
	{ "Chan", "陳" }, { "Wong", "黃" }, { "Lee", "李" }, { "Cheung", "張" },
	{ "Lau", "劉" }, { "Ng", "吳" }, { "Ho", "何" }, { "Leung", "梁" },
	{ "Lam", "林" }, { "Tang", "鄧" }, { "Chow", "周" }, { "Yip", "葉" },
	{ "Tsang", "曾" }, { "Kwok", "郭" }, { "Fung", "馮" }, { "Siu", "蕭" },
	{ "Yeung", "楊" }, { "Ma", "馬" }, { "Lo", "羅" }, { "Choi", "蔡" },
	{ "Mak", "麥" }, { "Tam", "譚" }, { "So", "蘇" }, { "Poon", "潘" },
	{ "Tse", "謝" }, { "Hui", "許" }, { "Wu", "胡" }, { "Kwan", "關" },
	{ "Yuen", "袁" }, { "Chu", "朱" }, { "Law", "羅" }, { "Ip", "葉" },
};

static const struct pair given[] = {
	{ "Ka-yan", "嘉欣" }, { "Chi-ho", "志豪" }, { "Wing-sze", "詠詩" },
	{ "Ho-yin", "浩然" }, { "Mei-ling", "美玲" }, { "Ka-fai", "家輝" },
	{ "Suet-ying", "雪瑩" }, { "Wai-keung", "偉強" }, { "Siu-fong", "小芳" },
	{ "Kwok-wah", "國華" }, { "Oi-lin", "愛蓮" }, { "Chun-kit", "俊傑" },
	{ "Hoi-ting", "凱婷" }, { "Tsz-lok", "子樂" }, { "Man-kit", "文傑" },
	{ "Yuk-lan", "玉蘭" }, { "Tak-ming", "德明" }, { "Sze-wing", "思穎" },
	{ "Chun-hei", "俊希" }, { "Hiu-tung", "曉彤" }, { "Kin-wai", "健威" },
	{ "Lok-yi", "樂儀" }, { "Wai-man", "慧敏" }, { "Kam-fai", "錦輝" },
	{ "Pui-shan", "佩珊" }, { "Hon-ming", "漢明" }, { "Yan-ting", "欣婷" },
	{ "Ting-fung", "庭峰" }, { "Wing-yan", "穎欣" }, { "Siu-ming", "兆明" },
};

/* Company names: prefix x domain x suffix (x qualifier at large scales). */
static const struct pair co_prefix[] = {
	{ "Harbour", "海港" }, { "Pearl", "明珠" }, { "Victoria", "維港" },
	{ "Kowloon", "九龍" }, { "Lion Rock", "獅子山" }, { "Golden", "金" },
	{ "Jade", "翡翠" }, { "Orient", "東方" }, { "Peak", "山頂" },
	{ "Sunrise", "旭日" }, { "Dragon", "龍" }, { "Phoenix", "鳳凰" },
	{ "Silver", "銀" }, { "Bauhinia", "紫荊" }, { "Tsing Yi", "青衣" },
	{ "Sha Tin", "沙田" }, { "Kwun Tong", "觀塘" }, { "Lantau", "大嶼" },
	{ "Tai Po", "大埔" }, { "Sai Kung", "西貢" }, { "Central", "中環" },
	{ "Cheung Sha Wan", "長沙灣" }, { "Aberdeen", "香港仔" },
	{ "Lohas", "康城" }, { "Starlight", "星光" }, { "Evergreen", "長青" },
	{ "Brightway", "明途" }, { "Crystal", "水晶" }, { "Summit", "峰匯" },
	{ "Vista", "遠景" }, { "Horizon", "地平線" }, { "Nova", "新星" },
	{ "Pioneer", "先鋒" }, { "Unity", "合一" }, { "Prosper", "興盛" },
	{ "Wisdom", "智慧" }, { "Everbright", "光大" }, { "Greenfield", "綠野" },
	{ "Bluesky", "藍天" }, { "Redwood", "紅木" }, { "Maple", "楓葉" },
	{ "Oceanic", "海洋" }, { "Cosmos", "宇宙" }, { "Zenith", "天頂" },
	{ "Fortune", "富通" }, { "Kingsway", "帝道" }, { "Skyline", "天際" },
	{ "Riverside", "河畔" }, { "Hilltop", "山嶺" }, { "Morning Star", "晨星" },
	{ "Lotus", "蓮花" }, { "Bamboo", "竹林" }, { "Kai Tak", "啟德" },
	{ "Wan Chai", "灣仔" }, { "Tsuen Wan", "荃灣" }, { "Yuen Long", "元朗" },
	{ "Tuen Mun", "屯門" }, { "Fo Tan", "火炭" }, { "Quarry Bay", "鰂魚涌" },
	{ "Cyberpark", "數碼園" },
};

static const struct pair co_domain[] = {
	{ "Robotics", "機械人" }, { "Biotech", "生物科技" }, { "Data", "數據" },
	{ "Logistics", "物流" }, { "FinTech", "金融科技" },
	{ "Materials", "材料" }, { "Microelectronics", "微電子" },
	{ "Health", "健康" }, { "AI", "人工智能" }, { "Textiles", "紡織" },
	{ "Food", "食品" }, { "Precision Engineering", "精密工程" },
	{ "Environmental", "環保" }, { "Photonics", "光子" },
	{ "Printing", "印刷" }, { "Medical Devices", "醫療器材" },
	{ "Trading", "貿易" }, { "Electronics", "電子" }, { "Software", "軟件" },
	{ "Smart Home", "智能家居" }, { "Energy", "能源" },
	{ "Construction", "建築" }, { "Packaging", "包裝" },
	{ "Cosmetics", "化妝品" }, { "Jewellery", "珠寶" },
	{ "Watch", "鐘錶" }, { "Garment", "製衣" }, { "Catering", "飲食" },
	{ "Education", "教育" }, { "Cloud", "雲端" }, { "Security", "保安" },
	{ "Optical", "光學" }, { "Marine", "海事" }, { "Aviation", "航空" },
	{ "Semiconductor", "半導體" }, { "Pharmaceutical", "製藥" },
	{ "Agritech", "農業科技" }, { "Media", "傳媒" }, { "Design", "設計" },
	{ "Instruments", "儀器" },
};

static const struct pair co_suffix[] = {
	{ "Technology Limited", "科技有限公司" },
	{ "Limited", "有限公司" },
	{ "Holdings Limited", "控股有限公司" },
	{ "(Hong Kong) Limited", "(香港)有限公司" },
	{ "Innovations Limited", "創新有限公司" },
	{ "Solutions Limited", "方案有限公司" },
	{ "Industries Limited", "實業有限公司" },
	{ "Systems Limited", "系統有限公司" },
};

static const struct pair co_qualifier[] = {
	{ "", "" }, { "Asia", "亞洲" }, { "International", "國際" },
	{ "Global", "環球" }, { "Pacific", "太平洋" }, { "China", "中華" },
	{ "Advanced", "先進" }, { "United", "聯合" }, { "Modern", "現代" },
	{ "Creative", "創意" },
};

/* Fixed organisations (S fn 1, 2, 16, 17). */
struct fixed_org {
	const char	*key;		/* for the plan */
	const char	*en;
	const char	*zh;
	const char	*type;
	const char	*domain;	/* e-mail domain of its demo user */
};

static const struct fixed_org fixed_orgs[] = {
	/* Universities (the seven of S fn 16) and two institutes (S fn 2). */
	{ "HKU", "The University of Hong Kong", "香港大學", "university",
	    "hku.example.hk" },
	{ "CUHK", "The Chinese University of Hong Kong", "香港中文大學",
	    "university", "cuhk.example.hk" },
	{ "HKUST", "The Hong Kong University of Science and Technology",
	    "香港科技大學", "university", "ust.example.hk" },
	{ "PolyU", "The Hong Kong Polytechnic University", "香港理工大學",
	    "university", "polyu.example.hk" },
	{ "CityU", "City University of Hong Kong", "香港城市大學",
	    "university", "cityu.example.hk" },
	{ "HKBU", "Hong Kong Baptist University", "香港浸會大學",
	    "university", "hkbu.example.hk" },
	{ "EdUHK", "The Education University of Hong Kong", "香港教育大學",
	    "university", "eduhk.example.hk" },
	{ "HKMU", "Hong Kong Metropolitan University", "香港都會大學",
	    "university", "hkmu.example.hk" },
	{ "HSUHK", "The Hang Seng University of Hong Kong", "香港恒生大學",
	    "university", "hsu.example.hk" },
	/* The five R&D Centres (S fn 1). */
	{ "ASTRI", "Hong Kong Applied Science and Technology Research "
	    "Institute Company Limited", "香港應用科技研究院有限公司",
	    "rd_centre", "astri.example.hk" },
	{ "NAMI", "Nano and Advanced Materials Institute Limited",
	    "納米及先進材料研發院有限公司", "rd_centre", "nami.example.hk" },
	{ "LSCM", "Logistics and Supply Chain MultiTech R&D Centre Limited",
	    "物流及供應鏈多元技術研發中心有限公司", "rd_centre",
	    "lscm.example.hk" },
	{ "HKRITA", "The Hong Kong Research Institute of Textiles and "
	    "Apparel Limited", "香港紡織及成衣研發中心有限公司", "rd_centre",
	    "hkrita.example.hk" },
	{ "APAS", "Automotive Platforms and Application Systems R&D Centre",
	    "汽車科技研發中心", "rd_centre", "apas.example.hk" },
	/* Public bodies. */
	{ "HKPC", "Hong Kong Productivity Council", "香港生產力促進局",
	    "public_body", "hkpc.example.hk" },
	{ "VTC", "Vocational Training Council", "職業訓練局", "public_body",
	    "vtc.example.hk" },
	{ "CITA", "Clothing Industry Training Authority", "製衣業訓練局",
	    "public_body", "cita.example.hk" },
	{ "HKIB", "Hong Kong Institute of Biotechnology", "香港生物科技研究院",
	    "public_body", "hkib.example.hk" },
	{ "HKSTP", "Hong Kong Science and Technology Parks Corporation",
	    "香港科技園公司", "public_body", "hkstp.example.hk" },
	{ "CYBERPORT", "Hong Kong Cyberport Management Company Limited",
	    "香港數碼港管理有限公司", "public_body", "cyberport.example.hk" },
	{ "HA", "Hospital Authority", "醫院管理局", "public_body",
	    "ha.example.hk" },
	{ "AA", "Airport Authority Hong Kong", "香港機場管理局", "public_body",
	    "aa.example.hk" },
	{ "HKHS", "Hong Kong Housing Society", "香港房屋協會", "public_body",
	    "hkhs.example.hk" },
	{ "CIC", "Construction Industry Council", "建造業議會", "public_body",
	    "cic.example.hk" },
	{ "TDC", "Hong Kong Trade Development Council", "香港貿易發展局",
	    "public_body", "tdc.example.hk" },
	/* Trade associations, professional bodies and charities. */
	{ "FHKI", "Federation of Hong Kong Industries", "香港工業總會",
	    "other", "fhki.example.hk" },
	{ "CMA", "The Chinese Manufacturers' Association of Hong Kong",
	    "香港中華廠商聯合會", "other", "cma.example.hk" },
	{ "HKGCC", "The Hong Kong General Chamber of Commerce", "香港總商會",
	    "other", "hkgcc.example.hk" },
	{ "HKCS", "Hong Kong Computer Society", "香港電腦學會", "other",
	    "hkcs.example.hk" },
	{ "HKETA", "Hong Kong Electronics and Technologies Association",
	    "香港電子科技商會", "other", "hketa.example.hk" },
	{ "HKIE", "The Hong Kong Institution of Engineers", "香港工程師學會",
	    "other", "hkie.example.hk" },
	{ "HKCSS", "The Hong Kong Council of Social Service", "香港社會服務聯會",
	    "other", "hkcss.example.hk" },
	{ "HKYIC", "Hong Kong Young Industrialists Council", "香港青年工業家協會",
	    "other", "hkyic.example.hk" },
	{ "HKNEC", "Hong Kong New Emerging Technology Education Association",
	    "香港新興科技教育協會", "other", "hknetea.example.hk" },
	{ "GSA", "Gerontech and Innovation Association of Hong Kong",
	    "香港樂齡科技及創新協會", "other", "gia.example.hk" },
};
#define NFIXED	((int)NELEM(fixed_orgs))

/* ITVF co-investment partners (S¶6(o): six in 2018, three in Dec 2020). */
static const struct pair itvf_cps[] = {
	{ "Harbourfront Venture Partners Fund I", "海濱創投伙伴一號基金" },
	{ "Lion Rock Capital Technology Fund", "獅子山資本科技基金" },
	{ "Pearl River Delta Innovation Ventures", "珠三角創新創投" },
	{ "Kowloon Bay Growth Capital Fund", "九龍灣成長資本基金" },
	{ "Victoria Deep Tech Fund", "維港深科技基金" },
	{ "Jade Gate Early Stage Fund", "翡翠門早期基金" },
	{ "Bauhinia Frontier Tech Fund", "紫荊前沿科技基金" },
	{ "Sunrise Bay Ventures Fund II", "旭日灣創投二號基金" },
	{ "Summit Asia Impact Ventures", "峰匯亞洲影響力創投" },
};

/*
 * The plan's records.
 */

enum sc {
	S_ITSP, S_MHKJFS, S_TCFS, S_PRP, S_ESS, S_CRS, S_MRP, S_PSTS, S_TVP,
	S_RFS, S_RTH, S_RTTP, S_STEM, S_TSSSU, S_ITVF, S_GSP, S_PAG, S_N
};

static const char *const sc_code[S_N] = {
	"ITSP", "MHKJFS", "TCFS", "PRP", "ESS", "CRS", "MRP", "PSTS", "TVP",
	"RFS", "RTH", "RTTP", "STEM", "TSSSU", "ITVF", "GSP", "PAG"
};

/* Organisation kinds, for choosing applicants. */
enum okind {
	OK_UNI, OK_RDC, OK_PUB, OK_OTHER, OK_CO, OK_IND, OK_CP
};

struct s_org {
	int64_t		 id;
	char		*name_en;
	char		*name_zh;
	const char	*type;
	char		 br[ORG_BR_LEN + 1];
	char		 email[128];
	char		 person_en[64];
	char		 person_zh[32];
	uint8_t		 kind;
	int16_t		 fixed;		/* index in fixed_orgs, or -1 */
	int		 first_day;	/* created on; INT32_MAX: never used */
	int64_t		 user_id;
	/* Cap bookkeeping, one scheme at a time (plan_*()). */
	int16_t		 tvp_n;
	cents_t		 tvp_sum;
	int		 rth_end[4];	/* RTH talents' (submission) ends */
	int		 rttp_fy;
	cents_t		 rttp_sum;
	int		 used_by;	/* bit per scheme */
};

/* Staff and panel members. */
struct s_user {
	int64_t		 id;
	char		 email[128];
	char		 name[128];
	unsigned	 roles;
	cents_t		 authority;
	int		 day;		/* created on */
	struct actor	 actor;
};

/* A cohort of a panel: four members appointed for a term. */
struct s_cohort {
	int		 panel;
	int		 from, to;
	int		 member[4];	/* s_user indices; [0] chairs */
};

struct s_panel {
	int		 scheme;
	int64_t		 id;
	int		 day;		/* created on */
	int		 ncohorts;
	int		 cohort0;	/* first in the cohorts array */
};

struct s_meeting {
	int		 scheme;
	int		 day;
	int64_t		 id;
	int		 napps;
	int		*apps;		/* filled after the plan */
	int		 cap;
};

/* What happens to an application. */
enum outcome {
	O_DRAFT,		/* created, never submitted */
	O_WITHDRAWN,		/* withdrawn before acceptance */
	O_LAPSED,		/* returned for clarification, never answered */
	O_PENDING,		/* not yet assessed (its meeting is later) */
	O_REJECT_PARTNER,	/* MOST did not support: not recommended */
	O_REJECT_PANEL,		/* not recommended, then rejected */
	O_REJECT_APPROVER,	/* recommended, rejected by the approver */
	O_APPROVED
};

/* Project endings. */
enum ending {
	E_FULL,			/* all paid, closed */
	E_UNDERSPENT,		/* final tranche reduced, rest released */
	E_REFUND,		/* interest earned: refund due, refunded */
	E_TERMINATED,		/* terminated part-way */
	E_SUSPENDED_NOW		/* suspended, not resumed (recent) */
};

#define AF_RETURNED	0x01	/* returned once, then resubmitted */
#define AF_CONFLICT	0x02	/* a member declared a conflict */
#define AF_CONDITIONS	0x04	/* supported with conditions */
#define AF_REDUCED	0x08	/* ... with a reduced amount */
#define AF_SUSPEND	0x10	/* suspended and resumed once */
#define AF_INITIAL	0x20	/* an initial tranche is paid */
#define AF_CHAIR_OUT	0x40	/* the conflicted member is the chair */

struct s_app {
	int64_t		 id;
	int32_t		 org;
	int16_t		 scheme;
	uint8_t		 outcome;
	uint8_t		 ending;
	uint8_t		 flags;
	uint8_t		 nms;
	uint8_t		 qual;		/* RTH qualification; STEM level */
	uint8_t		 months;	/* RTH / STEM months */
	int32_t		 meeting;	/* -1: none */
	int32_t		 aux;		/* trainees, university index... */
	int		 d_create, d_sub, d_ret, d_resub, d_acc, d_wd;
	int		 d_partner, d_dec;
	int		 start, end;
	int		 ms_due[MAXMS];
	int		 done_on;	/* CRS: R&D project completed on */
	cents_t		 cost;		/* eligible cost / basis */
	cents_t		 req;		/* the request funding_compute gives */
	cents_t		 gov;		/* approved (= recommended) */
	int		 audited_bp;	/* audited cost / total cost */
	cents_t		 interest;
	/* Replay state. */
	int64_t		 tranche_id[MAXMS + 1];	/* by seq: 0 initial */
	cents_t		 tranche_amt[MAXMS + 1];
	int64_t		 report_id;
	int64_t		 accounts_id;
	int64_t		 payment_id;
	int64_t		 claim_id;	/* the claim in hand (claim_ops()) */
	cents_t		 claim_cents;	/* its amount; once accepted, payable */
	cents_t		 paid;
	cents_t		 total_cost;	/* the project's, after approval */
	cents_t		 government;
	uint8_t		 dead;		/* stopped (terminated) */
};

/* Ledger steps of the plan (openings, institutional funding, income). */
enum lkind {
	L_OPEN, L_INJECT, L_TRANSFER_WHOLE, L_COMMIT, L_PAY, L_PAY_SHARE,
	L_INCOME, L_CALIBRATE, L_CASHFLOW
};

struct s_ledger {
	uint8_t		 kind;
	int		 day;
	int		 approved_on;
	char		 account[LEDGER_CODE_MAX];
	char		 to[LEDGER_CODE_MAX];
	cents_t		 amount;
	int64_t		 project;
	char		 paper[LEDGER_REF_MAX];
	char		 text[200];
};

/* One step of the replay. */
enum opkind {
	OP_LEDGER, OP_ORG, OP_STAFF, OP_PANEL, OP_APPOINT, OP_MEETING,
	OP_CREATE, OP_SUBMIT, OP_RETURN, OP_RESUBMIT, OP_ACCEPT, OP_WITHDRAW,
	OP_PARTNER, OP_ASSESS, OP_RECOMMEND, OP_DECIDE, OP_SIGN, OP_PREPARE,
	OP_APPROVE_PAY, OP_REPORT, OP_REVIEW, OP_ACCOUNTS, OP_REVIEW_ACCOUNTS,
	OP_SUSPEND, OP_RESUME, OP_TERMINATE, OP_CLOSE, OP_REFUND,
	OP_ESTIMATES, OP_SCHEDULE, OP_CLAIM, OP_CLAIM_RETURN,
	OP_CLAIM_RESUBMIT, OP_CLAIM_ACCEPT, OP_CLAIM_PAY, OP_NKINDS
};

/* Phases of a day, in order. */
enum phase {
	PH_LEDGER, PH_PEOPLE, PH_PANEL, PH_MEETING, PH_APP, PH_INST,
	PH_INCOME, PH_CALIBRATE
};

struct s_op {
	int32_t		 day;
	uint8_t		 phase;
	uint8_t		 kind;
	uint16_t	 step;
	int32_t		 idx;
	int32_t		 arg;
};

/*
 * Calibration targets and shapes of each scheme.  Money in HK$ million.
 * p_*: April 2017 to February 2021 (S fn 3) from S¶6 where the paper gives
 * the figure (docs/seed.md lists which); pre: approvals before April 2017,
 * a share of what "over 19,800 projects since 1999" leaves (S¶5); post:
 * approvals a year from March 2021, thinned to keep the seed quick.
 */
struct profile {
	int		 meetings;	/* per year */
	int		 months_lo, months_hi;
	int		 ms_lo, ms_hi;
	int		 p_assessed;
	int		 p_approved;
	double		 p_gov;
	double		 p_priv;	/* < 0: not calibrated */
	int		 pre_w;		/* weight of the pre-2017 approvals */
	double		 pre_avg;
	int		 post;		/* approvals a year from 2021 */
	double		 success;
	double		 avg;		/* typical grant outside the window */
	double		 sigma;
};

static const struct profile prof[S_N] = {
	/* ITSP: 717 projects, more than $2.8bn (S¶6(a)). */
	[S_ITSP] = { 8, 18, 24, 1, 2, 1030, 717, 2830.0, -1, 3000, 3.9, 30,
	    0.65, 4.2, 0.55 },
	/* MHKJFS: planned by plan_mhkjfs(). */
	[S_MHKJFS] = { 3, 18, 24, 2, 2, 113, 8, 44.0, -1, 0, 0, 12, 0.2, 5.0,
	    0.4 },
	/* TCFS: 58 projects, about $90.78M (S¶6(c)). */
	[S_TCFS] = { 3, 18, 24, 1, 2, 84, 58, 90.78, -1, 350, 1.5, 10, 0.6,
	    1.6, 0.45 },
	/* PRP: 107 projects, about $227.28M since January 2019 (S¶6(d)). */
	[S_PRP] = { 6, 18, 30, 1, 2, 126, 107, 227.28, -1, 0, 0, 20, 0.82,
	    2.2, 0.55 },
	/* ESS: 385 assessed, 134 supported, ITF $402M, private $445M. */
	[S_ESS] = { 10, 12, 24, 2, 2, 385, 134, 402.0, 445.0, 45, 3.0, 25,
	    0.38, 3.0, 0.55 },
	/* CRS: about 600 companies, more than $500M (S¶6(f)). */
	[S_CRS] = { 6, 12, 30, 1, 1, 636, 600, 520.0, -1, 1000, 0.45, 40,
	    0.93, 0.85, 0.8 },
	/* MRP: 44 projects, about $230M (S¶6(g)); see plan_feasible(). */
	[S_MRP] = { 3, 24, 36, 2, 3, 60, 44, 230.0, -1, 0, 0, 0, 0.7, 5.2,
	    0.35 },
	/* PSTS: 205 projects, about $424M (S¶6(h)). */
	[S_PSTS] = { 6, 12, 24, 1, 2, 246, 205, 424.0, -1, 120, 2.0, 30, 0.82,
	    0.8, 0.4 },
	/* TVP: plan_tvp() (S¶6(i), S¶24). */
	[S_TVP] = { 12, 4, 12, 1, 1, 3854, 3623, 562.0, 367.0, 0, 0, 300,
	    0.92, 0.16, 0.55 },
	/* RFS: plan_rfs() (S¶6(j)). */
	[S_RFS] = { 4, 12, 24, 1, 1, 11, 9, 55.0, 110.0, 0, 0, 10, 0.8, 6.0,
	    0.5 },
	/* RTH: plan_rth() (S¶6(k)). */
	[S_RTH] = { 24, 12, 36, 1, 1, 4650, 4500, 2000.0, -1, 0, 0, 150, 0.96,
	    0.45, 0.3 },
	/* RTTP: 1,116 registrations, more than $29M (S¶6(l)). */
	[S_RTTP] = { 12, 1, 6, 1, 1, 1150, 1116, 29.3, -1, 0, 0, 60, 0.96,
	    0.026, 0.5 },
	/* STEM: plan_stem() (S¶6(m)). */
	[S_STEM] = { 6, 1, 3, 1, 1, 1650, 1610, 37.0, -1, 0, 0, 0, 0.97,
	    0.023, 0.2 },
	/* TSSSU: 200 start-ups, about $143M (S¶6(n)). */
	[S_TSSSU] = { 4, 12, 12, 1, 1, 200, 200, 143.0, -1, 70, 0.55, 40,
	    1.0, 0.75, 0.35 },
	/* ITVF: 19 start-ups, more than $100M (S¶6(o)). */
	[S_ITVF] = { 4, 36, 60, 2, 2, 21, 19, 104.0, -1, 0, 0, 4, 0.9, 5.5,
	    0.5 },
	/* GSP: 100 projects, about $185M (S¶6(p)). */
	[S_GSP] = { 6, 6, 18, 1, 1, 128, 100, 185.0, -1, 1300, 1.2, 20, 0.78,
	    1.9, 0.7 },
	/* PAG: 582 approved, about $150M (S¶6(q)); see plan_generic(). */
	[S_PAG] = { 12, 24, 36, 1, 1, 620, 582, 150.0, -1, 2000, 0.12, 40,
	    0.93, 0.2, 0.25 },
};

/* The fund's position at the end of February 2021 (S¶5). */
#define FUND_PROJECTS		19850	/* "over 19,800" */
#define FUND_COMMITTED_M	22700.0	/* "about $22.7bn" */
#define FUND_AVAILABLE_M	4100.0	/* "$4.1bn" */

struct plan {
	struct seed_opts	 o;
	const struct scheme_set	*set;
	const struct scheme	*sch[S_N];
	struct rng		 rng;		/* shared streams: orgs */
	struct rng		 claim_rng;	/* claim_ops() */
	int			 horizon;	/* last planned day */
	int			 until;		/* last replayed day */
	int			 p_from, p_to;

	struct s_org		*orgs;
	size_t			 norgs, orgcap;
	size_t			 ncompanies;	/* generated so far */
	struct s_user		*users;
	size_t			 nusers, usercap;
	struct s_panel		 panels[S_N];
	struct s_cohort		*cohorts;
	size_t			 ncohorts, cohortcap;
	struct s_meeting	*meetings;
	size_t			 nmeetings, meetcap;
	struct s_app		*apps;
	size_t			 napps, appcap;
	struct s_ledger		*ledger;
	size_t			 nledger, ledgercap;
	struct s_op		*ops;
	size_t			 nops, opcap;

	/* Staff by job. */
	int			 admin, auditor, finance[2];
	int			 officer[S_N];		/* who screens */
	int			 approver[4];		/* ascending authority */
	int			 experts0, nexperts;	/* panel members */
	int			 fixed[NFIXED];		/* org index */

	int			*cos;		/* companies, by creation */
	size_t			 ncos, coscap;
	int			*tvporgs;	/* TVP applicants with room */
	size_t			 ntvporgs, tvporgcap;
	cents_t			 tsssu_fy[6][64];	/* by university, FY */
	int			 pre_n[S_N];	/* approvals before April 2017 */
	int			 p_approved_total;
	cents_t			 p_gov_total;
	cents_t			 pre_gov_others;
	int			*itsp_pre;	/* ITSP's pre-2017 approvals */
	int			 nitsp_pre;
	int			 day0;		/* flow[] starts here */
	cents_t			*flow;		/* planned 101 in - out, a day */
	int			 nflow;
	cents_t			 innohk_calibrated;	/* at run time */
	int64_t			 innohk_next;		/* next ledger id */

	char			 hash[AUTH_PWHASH_LEN];
	char			 notes[2048];
	int			 stem_shortfall;
	int			 mrp_refused;
	double			 pag_best;
	char			 err_ctx[256];
};

static void
note(struct plan *pl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(struct plan *pl, const char *fmt, ...)
{
	va_list	ap;
	size_t	n;

	n = strlen(pl->notes);
	if (n + 2 >= sizeof(pl->notes))
		return;
	va_start(ap, fmt);
	vsnprintf(pl->notes + n, sizeof(pl->notes) - n, fmt, ap);
	va_end(ap);
	n = strlen(pl->notes);
	if (n + 1 < sizeof(pl->notes)) {
		pl->notes[n] = '\n';
		pl->notes[n + 1] = '\0';
	}
}

/* Grow an array of structs by one, zeroed; NULL when out of memory. */
static void *
grow(void **v, size_t *n, size_t *cap, size_t size)
{
	void	*p;
	size_t	 ncap;

	if (*n == *cap) {
		ncap = *cap == 0 ? 256 : *cap * 2;
		if ((p = realloc(*v, ncap * size)) == NULL)
			return (NULL);
		*v = p;
		*cap = ncap;
	}
	p = (char *)*v + *n * size;
	memset(p, 0, size);
	(*n)++;
	return (p);
}

#define GROW(pl, arr, n, cap)						\
	grow((void **)&(pl)->arr, &(pl)->n, &(pl)->cap, sizeof(*(pl)->arr))

static void
add_op(struct plan *pl, int day, int phase, int kind, int step, int idx,
    int arg)
{
	struct s_op	*op;

	if (day > pl->until)
		return;
	if ((op = GROW(pl, ops, nops, opcap)) == NULL)
		abort();
	op->day = day;
	op->phase = (uint8_t)phase;
	op->kind = (uint8_t)kind;
	op->step = (uint16_t)step;
	op->idx = idx;
	op->arg = arg;
}

/*
 * Organisations and people.
 */

static void
slug(const char *in, char *out, size_t len)
{
	size_t	n;

	for (n = 0; *in != '\0' && n + 1 < len; in++) {
		if (*in >= 'A' && *in <= 'Z')
			out[n++] = (char)(*in - 'A' + 'a');
		else if (*in >= 'a' && *in <= 'z')
			out[n++] = *in;
	}
	out[n] = '\0';
}

static void
person(struct rng *r, char *en, size_t enlen, char *zh, size_t zhlen,
    char *email_local, size_t ellen)
{
	const struct pair	*s, *g;
	char			 a[32], b[32];

	s = &PICK(r, surnames);
	g = &PICK(r, given);
	snprintf(en, enlen, "%s %s", s->en, g->en);
	snprintf(zh, zhlen, "%s%s", s->zh, g->zh);
	slug(g->en, a, sizeof(a));
	slug(s->en, b, sizeof(b));
	snprintf(email_local, ellen, "%s.%s", a, b);
}

static int
org_add(struct plan *pl, int kind, const char *type, char *en, char *zh)
{
	struct s_org	*o;

	if ((o = GROW(pl, orgs, norgs, orgcap)) == NULL) {
		free(en);
		free(zh);
		return (-1);
	}
	o->kind = (uint8_t)kind;
	o->type = type;
	o->name_en = en;
	o->name_zh = zh;
	o->fixed = -1;
	o->first_day = INT32_MAX;
	o->rttp_fy = -1;
	return ((int)(pl->norgs - 1));
}

/* A company with a generated bilingual name and a unique BR number. */
static int
new_company(struct plan *pl)
{
	static const uint64_t	 mult = 2654435761ULL;
	uint64_t		 n, base, p;
	size_t			 np, nd, ns, q;
	const struct pair	*a, *d, *s, *x;
	char			 en[256], zh[256], local[64], dom[32];
	int			 i;

	n = pl->ncompanies++;
	np = NELEM(co_prefix);
	nd = NELEM(co_domain);
	ns = NELEM(co_suffix);
	base = np * nd * ns;
	q = (size_t)(n / base) % NELEM(co_qualifier);
	p = ((n % base) * mult + 7) % base;	/* mult is prime to base */
	a = &co_prefix[p % np];
	d = &co_domain[(p / np) % nd];
	s = &co_suffix[(p / np / nd) % ns];
	x = &co_qualifier[q];
	if (x->en[0] != '\0') {
		snprintf(en, sizeof(en), "%s %s %s %s", a->en, x->en, d->en,
		    s->en);
	} else
		snprintf(en, sizeof(en), "%s %s %s", a->en, d->en, s->en);
	snprintf(zh, sizeof(zh), "%s%s%s%s", a->zh, x->zh, d->zh, s->zh);
	if ((i = org_add(pl, OK_CO, "company", strdup(en), strdup(zh))) < 0)
		return (-1);
	if (pl->ncos == pl->coscap) {
		pl->coscap = pl->coscap == 0 ? 1024 : pl->coscap * 2;
		if ((pl->cos = realloc(pl->cos, pl->coscap *
		    sizeof(*pl->cos))) == NULL)
			abort();
	}
	pl->cos[pl->ncos++] = i;
	/* 8 digits, 1xxxxxxx-6xxxxxxx: n x 7919 is one to one mod 6e7. */
	snprintf(pl->orgs[i].br, sizeof(pl->orgs[i].br), "%08llu",
	    (unsigned long long)(10000000ULL + (n * 7919ULL + 1234567ULL) %
	    60000000ULL));
	person(&pl->rng, pl->orgs[i].person_en, sizeof(pl->orgs[i].person_en),
	    pl->orgs[i].person_zh, sizeof(pl->orgs[i].person_zh), local,
	    sizeof(local));
	slug(a->en, dom, sizeof(dom));
	snprintf(pl->orgs[i].email, sizeof(pl->orgs[i].email),
	    "%s@%s%llu.example.hk", local, dom, (unsigned long long)n);
	return (i);
}

/* A first-time patent applicant who is a person (PAG, "individual"). */
static int
new_individual(struct plan *pl)
{
	char	en[64], zh[32], local[64], a[128], b[128];
	int	i;

	person(&pl->rng, en, sizeof(en), zh, sizeof(zh), local, sizeof(local));
	snprintf(a, sizeof(a), "%s (individual inventor)", en);
	snprintf(b, sizeof(b), "%s（個人發明者）", zh);
	if ((i = org_add(pl, OK_IND, "other", strdup(a), strdup(b))) < 0)
		return (-1);
	snprintf(pl->orgs[i].person_en, sizeof(pl->orgs[i].person_en), "%s",
	    en);
	snprintf(pl->orgs[i].person_zh, sizeof(pl->orgs[i].person_zh), "%s",
	    zh);
	snprintf(pl->orgs[i].email, sizeof(pl->orgs[i].email),
	    "%s.%zu@inventors.example.hk", local, pl->norgs);
	return (i);
}

static void
org_use(struct plan *pl, int org, int day)
{
	if (org >= 0 && day < pl->orgs[org].first_day)
		pl->orgs[org].first_day = day;
}

static int
fixed_org(struct plan *pl, const char *key)
{
	int	i;

	for (i = 0; i < NFIXED; i++) {
		if (strcmp(fixed_orgs[i].key, key) == 0)
			return (pl->fixed[i]);
	}
	abort();
}

static int
plan_fixed_orgs(struct plan *pl)
{
	const struct fixed_org	*f;
	char			 local[64];
	int			 i, o, kind;

	for (i = 0; i < NFIXED; i++) {
		f = &fixed_orgs[i];
		kind = strcmp(f->type, "university") == 0 ? OK_UNI :
		    strcmp(f->type, "rd_centre") == 0 ? OK_RDC :
		    strcmp(f->type, "public_body") == 0 ? OK_PUB : OK_OTHER;
		if ((o = org_add(pl, kind, f->type, strdup(f->en),
		    strdup(f->zh))) < 0)
			return (0);
		pl->orgs[o].fixed = (int16_t)i;
		pl->fixed[i] = o;
		person(&pl->rng, pl->orgs[o].person_en,
		    sizeof(pl->orgs[o].person_en), pl->orgs[o].person_zh,
		    sizeof(pl->orgs[o].person_zh), local, sizeof(local));
		snprintf(pl->orgs[o].email, sizeof(pl->orgs[o].email),
		    "%s@%s", local, f->domain);
	}
	for (i = 0; i < (int)NELEM(itvf_cps); i++) {
		if ((o = org_add(pl, OK_CP, "other", strdup(itvf_cps[i].en),
		    strdup(itvf_cps[i].zh))) < 0)
			return (0);
		person(&pl->rng, pl->orgs[o].person_en,
		    sizeof(pl->orgs[o].person_en), pl->orgs[o].person_zh,
		    sizeof(pl->orgs[o].person_zh), local, sizeof(local));
		snprintf(pl->orgs[o].email, sizeof(pl->orgs[o].email),
		    "%s@cp%d.example.hk", local, i + 1);
		/* Six partners in Q3 2018, three more in December 2020. */
		org_use(pl, o, i < 6 ? ymd(2018, 8, 1) : ymd(2020, 12, 15));
	}
	return (1);
}

/* Staff of the secretariat, approving officers, finance, audit. */
struct staff {
	const char	*email;
	const char	*name;
	unsigned	 roles;
	double		 authority_m;
};

static const struct staff staff[] = {
	{ "admin@itf.example.hk", "Ms Yuen Wing-yan 袁穎欣 (system "
	    "administrator)", ROLE_ADMIN, 0 },
	{ "ka-yan.wong@itc.example.hk", "Ms Wong Ka-yan 黃嘉欣 (Senior "
	    "Innovation and Technology Officer, R&D schemes)", ROLE_OFFICER,
	    0 },
	{ "chi-ho.lee@itc.example.hk", "Mr Lee Chi-ho 李志豪 (Innovation and "
	    "Technology Officer, ESS, CRS, RFS, PSTS)", ROLE_OFFICER, 0 },
	{ "wing-sze.chan@itc.example.hk", "Ms Chan Wing-sze 陳詠詩 "
	    "(Innovation and Technology Officer, talent schemes)",
	    ROLE_OFFICER, 0 },
	{ "ho-yin.cheung@itc.example.hk", "Mr Cheung Ho-yin 張浩然 "
	    "(Innovation and Technology Officer, start-ups and GSP)",
	    ROLE_OFFICER, 0 },
	{ "mei-ling.lau@hkpc-secretariat.example.hk", "Ms Lau Mei-ling 劉美玲 "
	    "(HKPC, TVP secretariat)", ROLE_OFFICER, 0 },
	{ "ka-fai.ho@hkpc-secretariat.example.hk", "Mr Ho Ka-fai 何家輝 "
	    "(HKPC, PAG implementation agent)", ROLE_OFFICER, 0 },
	{ "suet-ying.yip@vtc-secretariat.example.hk", "Ms Yip Suet-ying "
	    "葉雪瑩 (VTC, RTTP secretariat)", ROLE_OFFICER, 0 },
	{ "wai-keung.ng@itc.example.hk", "Mr Ng Wai-keung 吳偉強 (Chief "
	    "Innovation and Technology Officer)", ROLE_APPROVER, 2 },
	{ "siu-fong.tang@itc.example.hk", "Ms Tang Siu-fong 鄧小芳 (Assistant "
	    "Commissioner for Innovation and Technology)", ROLE_APPROVER, 10 },
	{ "kwok-wah.leung@itc.example.hk", "Dr Leung Kwok-wah 梁國華 (Deputy "
	    "Commissioner for Innovation and Technology)", ROLE_APPROVER, 50 },
	{ "oi-lin.chow@itc.example.hk", "Ms Chow Oi-lin 周愛蓮 (Commissioner "
	    "for Innovation and Technology)", ROLE_APPROVER, 1000 },
	{ "chun-kit.kwok@itc.example.hk", "Mr Kwok Chun-kit 郭俊傑 (Treasury "
	    "Accountant)", ROLE_FINANCE, 0 },
	{ "hoi-ting.siu@itc.example.hk", "Ms Siu Hoi-ting 蕭凱婷 (Accounting "
	    "Officer)", ROLE_FINANCE, 0 },
	{ "tsz-lok.fung@audit.example.hk", "Mr Fung Tsz-lok 馮子樂 (Audit "
	    "Commission)", ROLE_AUDITOR, 0 },
};
#define NSTAFF	((int)NELEM(staff))
#define NEXPERTS	72

static const char *const expert_titles[] = { "Prof", "Dr", "Ir", "Mr",
	"Ms", "Dr" };
static const char *const expert_titles_zh[] = { "教授", "博士", "工程師",
	"先生", "女士", "博士" };

static int
plan_users(struct plan *pl)
{
	struct s_user	*u;
	struct rng	 r;
	char		 local[64], en[64], zh[32];
	int		 i, t, officer_of[S_N];

	for (i = 0; i < NSTAFF; i++) {
		if ((u = GROW(pl, users, nusers, usercap)) == NULL)
			return (0);
		snprintf(u->email, sizeof(u->email), "%s", staff[i].email);
		snprintf(u->name, sizeof(u->name), "%s", staff[i].name);
		u->roles = staff[i].roles;
		u->authority = MILLION(staff[i].authority_m);
		u->day = ymd(1999, 7, 2);
	}
	pl->admin = 0;
	pl->approver[0] = 8;
	pl->approver[1] = 9;
	pl->approver[2] = 10;
	pl->approver[3] = 11;
	pl->finance[0] = 12;
	pl->finance[1] = 13;
	pl->auditor = 14;
	/* Who screens what (the staff table's officers 1-7). */
	for (i = 0; i < S_N; i++)
		officer_of[i] = 1;
	officer_of[S_ESS] = officer_of[S_CRS] = officer_of[S_RFS] =
	    officer_of[S_PSTS] = 2;
	officer_of[S_RTH] = officer_of[S_STEM] = 3;
	officer_of[S_TSSSU] = officer_of[S_ITVF] = officer_of[S_GSP] = 4;
	officer_of[S_TVP] = 5;
	officer_of[S_PAG] = 6;
	officer_of[S_RTTP] = 7;
	memcpy(pl->officer, officer_of, sizeof(officer_of));

	rng_init(&r, pl->o.seed, 7001);
	pl->experts0 = (int)pl->nusers;
	pl->nexperts = NEXPERTS;
	for (i = 0; i < NEXPERTS; i++) {
		if ((u = GROW(pl, users, nusers, usercap)) == NULL)
			return (0);
		person(&r, en, sizeof(en), zh, sizeof(zh), local,
		    sizeof(local));
		t = rng_int(&r, 0, (int)NELEM(expert_titles) - 1);
		snprintf(u->name, sizeof(u->name), "%s %s %s%s",
		    expert_titles[t], en, zh, expert_titles_zh[t]);
		snprintf(u->email, sizeof(u->email), "%s.%02d@panel.example.hk",
		    local, i + 1);
		u->roles = ROLE_PANEL;
		u->day = INT32_MAX;	/* on first appointment */
	}
	return (1);
}

/*
 * Panels: one a scheme, members appointed in cohorts of four for two-year
 * terms, never the same expert twice on one panel (an appointment again
 * would renew, not add, a term).
 */
static int
plan_panels(struct plan *pl, int s, int first_meeting)
{
	struct s_panel	*p = &pl->panels[s];
	struct s_cohort	*c;
	int		 from, k, j, e;

	p->scheme = s;
	p->day = first_meeting - 60;
	p->cohort0 = (int)pl->ncohorts;
	for (from = p->day, k = 0; from <= pl->horizon + 365; k++) {
		if ((c = GROW(pl, cohorts, ncohorts, cohortcap)) == NULL)
			return (0);
		c->panel = s;
		c->from = from;
		c->to = ymd(year_of(from) + 2, 1, 1) + (from -
		    ymd(year_of(from), 1, 1)) - 1;
		for (j = 0; j < 4; j++) {
			e = (s * 17 + k * 4 + j) % pl->nexperts;
			c->member[j] = pl->experts0 + e;
			if (c->from < pl->users[c->member[j]].day)
				pl->users[c->member[j]].day = c->from;
		}
		p->ncohorts++;
		from = c->to + 1;
		if (k * 4 + 4 > pl->nexperts)
			break;
	}
	add_op(pl, p->day, PH_PEOPLE, OP_PANEL, 0, s, 0);
	for (k = 0; k < p->ncohorts; k++) {
		c = &pl->cohorts[p->cohort0 + k];
		add_op(pl, c->from, PH_PANEL, OP_APPOINT, (uint16_t)k,
		    p->cohort0 + k, 0);
	}
	return (1);
}

/* The cohort sitting on day. */
static const struct s_cohort *
cohort_on(const struct plan *pl, int s, int day)
{
	const struct s_panel	*p = &pl->panels[s];
	int			 k;

	for (k = 0; k < p->ncohorts; k++) {
		if (pl->cohorts[p->cohort0 + k].from <= day &&
		    day <= pl->cohorts[p->cohort0 + k].to)
			return (&pl->cohorts[p->cohort0 + k]);
	}
	return (NULL);
}

/* Meetings every 365/n days from first to last, on weekdays. */
static int
plan_meetings(struct plan *pl, int s, int first, int last, int per_year,
    int *m0, int *m1)
{
	struct s_meeting	*m;
	struct rng		 r;
	double			 step, t;

	rng_init(&r, pl->o.seed, 8000 + (uint64_t)s);
	*m0 = (int)pl->nmeetings;
	step = 365.25 / (per_year > 0 ? per_year : 1);
	for (t = first; t <= last; t += step) {
		if ((m = GROW(pl, meetings, nmeetings, meetcap)) == NULL)
			return (0);
		m->scheme = s;
		m->day = weekday((int)t + rng_int(&r, -3, 3));
	}
	*m1 = (int)pl->nmeetings;
	return (1);
}

/*
 * Applications: outcome, timeline, project period, amounts, applicant.
 */

static int
app_new(struct plan *pl, int s, int outcome, int meeting)
{
	struct s_app	*a;

	if ((a = GROW(pl, apps, napps, appcap)) == NULL)
		return (-1);
	a->scheme = (int16_t)s;
	a->outcome = (uint8_t)outcome;
	a->meeting = meeting;
	a->org = -1;
	a->d_ret = a->d_resub = a->d_wd = a->d_partner = -1;
	a->d_dec = -1;
	a->audited_bp = 10000;
	return ((int)(pl->napps - 1));
}

static int
first_rules_day(const struct scheme *s)
{
	return (s->nrules > 0 ? s->rules[0].effective_from : s->launched);
}

/*
 * The steps before a meeting, counted back from it: accepted at least a
 * week before (the agenda is set seven days ahead), screened, perhaps
 * returned once, submitted on or after earliest, drafted before that.
 */
static void
plan_timeline(struct plan *pl, struct s_app *a, struct rng *r, int earliest)
{
	int	m, agenda, shift;

	m = pl->meetings[a->meeting].day;
	agenda = m - 7;
	a->d_acc = agenda - rng_int(r, 1, 40);
	if (a->flags & AF_RETURNED) {
		a->d_resub = a->d_acc - rng_int(r, 2, 10);
		a->d_ret = a->d_resub - rng_int(r, 7, 30);
		a->d_sub = a->d_ret - rng_int(r, 3, 20);
	} else
		a->d_sub = a->d_acc - rng_int(r, 3, 30);
	if (a->d_sub < earliest) {
		shift = earliest - a->d_sub;
		a->d_sub += shift;
		if (a->flags & AF_RETURNED) {
			a->d_ret += shift;
			a->d_resub += shift;
		}
		a->d_acc += shift;
		if (a->d_acc >= agenda) {
			a->flags &= ~AF_RETURNED;
			a->d_ret = a->d_resub = -1;
			a->d_acc = imax(a->d_sub + 1, agenda - 1);
			if (a->d_acc >= agenda)
				a->d_acc = a->d_sub = agenda - 1;
		}
	}
	a->d_create = imax(a->d_sub - rng_int(r, 0, 25), ymd(1999, 7, 5));
	a->d_dec = weekday(m + rng_int(r, 5, 30));
}

/* The project period and milestones the application proposes. */
static void
plan_period(struct plan *pl, struct s_app *a, struct rng *r, int base)
{
	const struct profile	*pf = &prof[a->scheme];
	const struct scheme	*s = pl->sch[a->scheme];
	int			 months, k, n, len;

	months = rng_int(r, pf->months_lo, pf->months_hi);
	if (s->max_months.present && months > s->max_months.value)
		months = (int)s->max_months.value;
	if (a->scheme == S_CRS) {
		/* A completed R&D project claims its rebate. */
		a->end = a->d_sub - rng_int(r, 20, 150);
		a->start = a->end - rng_int(r, 150, 30 * months);
		a->done_on = a->end;
	} else {
		a->start = weekday(base + rng_int(r, 10, 40));
		a->end = application_period_last_day(a->start, months) -
		    rng_int(r, 0, 5);
	}
	if (a->end <= a->start + 20)
		a->end = a->start + 27;
	len = a->end - a->start;
	n = rng_int(r, pf->ms_lo, pf->ms_hi);
	while (n > 1 && len / n < 75)
		n--;
	a->nms = (uint8_t)n;
	for (k = 1; k <= n; k++)
		a->ms_due[k - 1] = k == n ? a->end : a->start + len * k / n;
}

static int64_t
div_up(__int128 a, int64_t b)
{
	return ((int64_t)((a + b - 1) / b));
}

/*
 * The basis (eligible cost, expenditure, partner investment) for which
 * the funding model gives want under the rules in force on the submission
 * day, plus extra on top (for an applicant paying more than its share),
 * and the request funding_compute() then gives.  Allowances are planned
 * by their callers (months and qualifications).
 */
static int
plan_inputs(struct plan *pl, struct s_app *a, cents_t want, cents_t extra)
{
	const struct scheme		*s = pl->sch[a->scheme];
	const struct scheme_rules	*r;
	struct funding_input		 in;
	struct funding_result		 res;
	struct funding_talent		 t;
	struct app_err			 e;
	int64_t				 num, den, share, cap;

	if ((r = scheme_rules_on(s, a->d_sub)) == NULL)
		return (0);
	if (want < 100)
		want = 100;
	switch (s->funding_model) {
	case SCHEME_MODEL_GRANT:
		share = r->cost_share_bp.present ? r->cost_share_bp.value :
		    10000;
		if (want > r->max_cents.value)
			want = r->max_cents.value;
		a->cost = div_up((__int128)want * 10000, share) + extra;
		break;
	case SCHEME_MODEL_MATCHING:
	case SCHEME_MODEL_CO_INVESTMENT:
		num = r->gov_share_num.value;
		den = r->gov_share_den.value;
		cap = r->per_project_cap_cents.present ?
		    r->per_project_cap_cents.value :
		    r->per_deal_cap_cents.present ? r->per_deal_cap_cents.value :
		    INT64_MAX;
		if (want > cap)
			want = cap;
		a->cost = div_up((__int128)want * den, num) + extra;
		break;
	case SCHEME_MODEL_REBATE:
		a->cost = div_up((__int128)want * 10000, r->rate_bp.value) +
		    extra;
		break;
	case SCHEME_MODEL_BLOCK_GRANT:
		cap = r->per_startup_annual_cap_cents.value;
		a->cost = (want > cap ? cap : want) + extra;
		break;
	case SCHEME_MODEL_ALLOWANCE:
		break;
	}
	funding_input_init(&in);
	in.eligible_cost_cents = a->cost;
	if (s->funding_model == SCHEME_MODEL_ALLOWANCE) {
		t.qualification = (enum scheme_qualification)a->qual;
		t.months = a->months;
		t.count = 1;
		in.talents = &t;
		in.ntalents = 1;
		in.eligible_cost_cents = 0;
	}
	app_err_clear(&e);
	if (!funding_compute(s, r, &in, &res, &e))
		return (0);
	a->req = res.government_cents;
	return (1);
}

/* The most the model gives one application on day (its own caps). */
static cents_t
plan_cap(struct plan *pl, int sc, int day)
{
	const struct scheme_rules	*r;

	if ((r = scheme_rules_on(pl->sch[sc], day)) == NULL)
		return (0);
	if (sc == S_TVP)		/* the lifetime cap the plan keeps */
		return (MILLION(0.4));
	if (r->max_cents.present)
		return (r->max_cents.value);
	if (r->per_project_cap_cents.present)
		return (r->per_project_cap_cents.value);
	if (r->per_deal_cap_cents.present)
		return (r->per_deal_cap_cents.value);
	if (r->per_startup_annual_cap_cents.present)
		return (r->per_startup_annual_cap_cents.value);
	return (MILLION(500));
}

/*
 * Government amounts of a set that sum to exactly total (cents): log-normal
 * shares, each within its application's caps, in whole hundreds of
 * dollars but for the last cents of the remainder.
 */
static void
spread_amounts(struct plan *pl, const int *ix, int n, cents_t total,
    double sigma, struct rng *r, cents_t *out)
{
	double	*x, sum, k, fixed;
	cents_t	*hi, got, room, d;
	int	*capped, i, it, changed;

	if (n <= 0)
		return;
	x = calloc((size_t)n, sizeof(*x));
	hi = calloc((size_t)n, sizeof(*hi));
	capped = calloc((size_t)n, sizeof(*capped));
	if (x == NULL || hi == NULL || capped == NULL)
		abort();
	for (i = 0; i < n; i++) {
		x[i] = rng_lognormal(r, 1.0, sigma);
		hi[i] = plan_cap(pl, pl->apps[ix[i]].scheme,
		    pl->apps[ix[i]].d_sub);
	}
	k = 0;
	for (it = 0; it < 50; it++) {
		sum = fixed = 0;
		for (i = 0; i < n; i++) {
			if (capped[i])
				fixed += (double)hi[i];
			else
				sum += x[i];
		}
		if (sum <= 0)
			break;
		k = ((double)total - fixed) / sum;
		changed = 0;
		for (i = 0; i < n; i++) {
			if (!capped[i] && x[i] * k > (double)hi[i]) {
				capped[i] = 1;
				changed = 1;
			}
		}
		if (!changed)
			break;
	}
	got = 0;
	for (i = 0; i < n; i++) {
		if (capped[i])
			out[i] = hi[i];
		else
			out[i] = (cents_t)llround(x[i] * k / 10000.0) * 10000;
		if (out[i] < HKD(1000))
			out[i] = HKD(1000);
		if (out[i] > hi[i])
			out[i] = hi[i];
		got += out[i];
	}
	/* The rounding's remainder, to whoever has room. */
	for (i = 0; got != total && i < 4 * n; i++) {
		if (got < total) {
			room = hi[i % n] - out[i % n];
			d = total - got < room ? total - got : room;
		} else {
			room = out[i % n] - HKD(1000);
			d = got - total < room ? -(got - total) : -room;
		}
		out[i % n] += d;
		got += d;
	}
	free(x);
	free(hi);
	free(capped);
}

/*
 * Amounts of a calibrated set: the approved amounts sum to gov_total;
 * about one in twelve is supported with conditions at a reduced amount.
 * With priv_total >= 0 the applicants' parts (total cost less the
 * government contribution) are brought to it by conditions that cut the
 * amount below what the budget asks (the panel funds less than was
 * asked, the applicant pays the rest).
 */
static int
plan_amounts_calibrated(struct plan *pl, const int *ix, int n,
    cents_t gov_total, cents_t priv_total, struct rng *r)
{
	struct s_app	*a;
	cents_t		*g, priv, need, extra, base;
	int		 i, k, nred;

	if (n <= 0)
		return (1);
	if ((g = calloc((size_t)n, sizeof(*g))) == NULL)
		return (0);
	spread_amounts(pl, ix, n, gov_total, prof[pl->apps[ix[0]].scheme].sigma,
	    r, g);
	priv = 0;
	for (i = 0; i < n; i++) {
		a = &pl->apps[ix[i]];
		a->gov = g[i];
		if (!plan_inputs(pl, a, g[i], 0)) {
			free(g);
			return (0);
		}
		if (a->req != g[i]) {
			/* Capped below: take what the model gives. */
			a->gov = a->req;
		}
		if (rng_chance(r, 0.08) && priv_total < 0) {
			a->flags |= AF_CONDITIONS | AF_REDUCED;
			if (!plan_inputs(pl, a, a->gov * 100 /
			    rng_int(r, 75, 95), 0)) {
				free(g);
				return (0);
			}
			if (a->req <= a->gov)
				a->flags &= ~AF_REDUCED;
		} else if (rng_chance(r, 0.05))
			a->flags |= AF_CONDITIONS;
		priv += a->cost > a->gov ? a->cost - a->gov : 0;
	}
	if (priv_total >= 0 && priv < priv_total) {
		/* One in five supported with conditions at a reduced amount. */
		need = priv_total - priv;
		nred = n / 5 > 0 ? n / 5 : 1;
		for (k = 0; k < nred; k++) {
			i = (int)((uint64_t)k * (uint64_t)n / (uint64_t)nred);
			a = &pl->apps[ix[i]];
			extra = need / (nred - k);
			base = a->cost;
			if (!plan_inputs(pl, a, a->gov, extra)) {
				free(g);
				return (0);
			}
			need -= a->cost - base;
			a->flags |= AF_CONDITIONS;
			if (a->req > a->gov)
				a->flags |= AF_REDUCED;
		}
	}
	free(g);
	return (1);
}

/* Amounts of an uncalibrated application: around avg (HK$ million). */
static int
plan_amount_free(struct plan *pl, struct s_app *a, double avg, struct rng *r)
{
	cents_t	want, cap;

	if (pl->sch[a->scheme]->funding_model == SCHEME_MODEL_ALLOWANCE) {
		if (a->months == 0) {
			a->qual = a->scheme == S_RTH ?
			    (uint8_t)rng_int(r, 0, 2) : 0;
			a->months = (uint8_t)(a->scheme == S_RTH ?
			    rng_int(r, 12, 30) : rng_int(r, 1, 3));
		}
		if (!plan_inputs(pl, a, 0, 0))
			return (0);
		a->gov = a->req;
		return (1);
	}
	cap = plan_cap(pl, a->scheme, a->d_sub);
	want = (cents_t)llround(rng_lognormal(r, avg, prof[a->scheme].sigma) *
	    1e4) * 10000;
	if (want > cap)
		want = cap * rng_int(r, 85, 100) / 100;
	if (want < HKD(2000))
		want = HKD(2000);
	if (!plan_inputs(pl, a, want, 0))
		return (0);
	a->gov = a->req;
	if (a->outcome == O_APPROVED && rng_chance(r, 0.06)) {
		a->flags |= AF_CONDITIONS | AF_REDUCED;
		a->gov = a->req * rng_int(r, 75, 95) / 100;
		if (a->gov < HKD(1000))
			a->flags &= ~AF_REDUCED, a->gov = a->req;
	}
	return (1);
}

static int
fy_index(int day)
{
	int	fy = fy_of(day) - 1999;

	return (fy < 0 ? 0 : fy > 63 ? 63 : fy);
}

/* A company that exists already (any scheme's), or a new one. */
static int
some_company(struct plan *pl, struct rng *r, double p_existing)
{
	if (pl->ncos > 50 && rng_chance(r, p_existing))
		return (pl->cos[rng_int(r, 0, (int)pl->ncos - 1)]);
	return (new_company(pl));
}

static int
pick_fixed(struct plan *pl, struct rng *r, const char *const *keys)
{
	int	n;

	for (n = 0; keys[n] != NULL; n++)
		;
	return (fixed_org(pl, keys[rng_int(r, 0, n - 1)]));
}

static const char *const k_rd[] = { "ASTRI", "ASTRI", "ASTRI", "NAMI", "NAMI",
	"LSCM", "LSCM", "HKRITA", "APAS", NULL };
static const char *const k_uni[] = { "HKU", "CUHK", "HKUST", "HKUST", "PolyU",
	"PolyU", "CityU", "HKBU", "EdUHK", "HKMU", "HSUHK", NULL };
static const char *const k_ugc[] = { "HKU", "CUHK", "HKUST", "PolyU", "CityU",
	"HKBU", "EdUHK", NULL };
static const char *const k_tsssu[] = { "HKU", "CUHK", "CityU", "HKUST", "HKBU",
	"PolyU", NULL };
static const char *const k_inst[] = { "HKPC", "VTC", "CITA", "HKIB", NULL };
static const char *const k_pub[] = { "HKPC", "HKSTP", "CYBERPORT", "HA", "AA",
	"HKHS", "CIC", "TDC", "VTC", NULL };
static const char *const k_other[] = { "FHKI", "CMA", "HKGCC", "HKCS", "HKETA",
	"HKIE", "HKCSS", "HKYIC", "HKNEC", "GSA", NULL };

/* RTH: a free one of the employer's four places over the talent's period. */
static int
rth_slot(struct s_org *o, const struct s_app *a)
{
	int	k;

	for (k = 0; k < 4; k++) {
		if (o->rth_end[k] < a->start - 1)
			return (k);
	}
	return (-1);
}

/* TSSSU: what a university may have asked for in the year. */
static cents_t
tsssu_room(struct plan *pl, const struct s_app *a)
{
	const struct scheme_rules	*r;

	r = scheme_rules_on(pl->sch[S_TSSSU], a->d_sub);
	return (r == NULL ? 0 : r->per_institution_annual_cap_cents.value);
}

/*
 * Choose the applicant of a planned application, keeping within the
 * scheme's per-applicant caps as the core will count them (conservatively:
 * every application counts, whatever becomes of it).
 */
static int
choose_org(struct plan *pl, struct s_app *a, struct rng *r, int p_window)
{
	struct s_org	*o;
	int		 org, k, tries, fy;
	double		 u;

	u = rng_unit(r);
	switch (a->scheme) {
	case S_ITSP:
		return (u < 0.45 ? pick_fixed(pl, r, k_rd) : u < 0.9 ?
		    pick_fixed(pl, r, k_uni) : pick_fixed(pl, r, k_inst));
	case S_MHKJFS:
	case S_TCFS:
	case S_PRP:
		return (u < 0.6 ? pick_fixed(pl, r, k_uni) : u < 0.95 ?
		    pick_fixed(pl, r, k_rd) : fixed_org(pl, "HKPC"));
	case S_MRP:
		return (pick_fixed(pl, r, k_ugc));
	case S_ESS:
		return (some_company(pl, r, 0.3));
	case S_CRS:
		/* About 600 companies in the paper's window: one claim each. */
		for (tries = 0; tries < 20; tries++) {
			org = some_company(pl, r, p_window ? 0.4 : 0.5);
			if (!p_window || !(pl->orgs[org].used_by & 1))
				break;
		}
		if (p_window && (pl->orgs[org].used_by & 1))
			org = new_company(pl);
		if (p_window)
			pl->orgs[org].used_by |= 1;
		return (org);
	case S_PSTS:
		return (u < 0.55 ? some_company(pl, r, 0.4) : u < 0.75 ?
		    pick_fixed(pl, r, k_uni) : u < 0.95 ?
		    pick_fixed(pl, r, k_rd) : fixed_org(pl, "HKPC"));
	case S_TVP:
		/* At most three applications and HK$400,000 asked for. */
		for (tries = 0; tries < 3 && pl->ntvporgs > 0; tries++) {
			k = rng_int(r, 0, (int)pl->ntvporgs - 1);
			o = &pl->orgs[pl->tvporgs[k]];
			if (o->tvp_n < 3 && o->tvp_sum + a->req <= MILLION(0.4) &&
			    rng_chance(r, 0.4)) {
				org = pl->tvporgs[k];
				goto tvp;
			}
		}
		org = u < 0.02 ? pick_fixed(pl, r, k_other) :
		    some_company(pl, r, 0.15);
		o = &pl->orgs[org];
		if (o->tvp_n >= 3 || o->tvp_sum + a->req > MILLION(0.4))
			org = new_company(pl);
		if (pl->ntvporgs == pl->tvporgcap) {
			pl->tvporgcap = pl->tvporgcap == 0 ? 1024 :
			    pl->tvporgcap * 2;
			if ((pl->tvporgs = realloc(pl->tvporgs, pl->tvporgcap *
			    sizeof(*pl->tvporgs))) == NULL)
				abort();
		}
		pl->tvporgs[pl->ntvporgs++] = org;
tvp:
		pl->orgs[org].tvp_n++;
		pl->orgs[org].tvp_sum += a->req;
		return (org);
	case S_RFS:
		return (some_company(pl, r, 0.4));
	case S_RTH:
		for (tries = 0; tries < 6; tries++) {
			org = u < 0.12 ? (rng_chance(r, 0.5) ?
			    pick_fixed(pl, r, k_uni) : pick_fixed(pl, r, k_rd)) :
			    some_company(pl, r, 0.45);
			if ((k = rth_slot(&pl->orgs[org], a)) >= 0)
				goto rth;
		}
		org = new_company(pl);
		k = 0;
rth:
		pl->orgs[org].rth_end[k] = a->end;
		return (org);
	case S_RTTP:
		fy = fy_of(a->d_sub);
		for (tries = 0; tries < 5; tries++) {
			org = some_company(pl, r, 0.6);
			o = &pl->orgs[org];
			if (o->rttp_fy != fy) {
				o->rttp_fy = fy;
				o->rttp_sum = 0;
			}
			if (o->rttp_sum + a->req <= MILLION(0.45))
				break;
		}
		o = &pl->orgs[org];
		if (o->rttp_sum + a->req > MILLION(0.45)) {
			org = new_company(pl);
			o = &pl->orgs[org];
			o->rttp_fy = fy;
		}
		o->rttp_sum += a->req;
		return (org);
	case S_ITVF:
		k = a->d_sub >= ymd(2020, 12, 15) ? 9 : 6;
		for (org = 0; org < (int)pl->norgs; org++) {
			if (pl->orgs[org].kind == OK_CP)
				break;
		}
		return (org + rng_int(r, 0, k - 1));
	case S_GSP:
		return (u < 0.4 ? pick_fixed(pl, r, k_other) : u < 0.65 ?
		    pick_fixed(pl, r, k_uni) : u < 0.85 ?
		    pick_fixed(pl, r, k_pub) : some_company(pl, r, 0.6));
	case S_PAG:
		return (u < 0.7 ? new_company(pl) : new_individual(pl));
	case S_TSSSU:
		/*
		 * A university with room under its cap for the year, else the
		 * one with the most, asking for no more than that room (or
		 * leaving the application a draft if there is none).
		 */
		fy = fy_index(a->d_sub);
		for (tries = 0; tries < 6; tries++) {
			k = rng_int(r, 0, 5);
			if (pl->tsssu_fy[k][fy] + a->req <= tsssu_room(pl, a))
				break;
		}
		if (tries == 6) {
			for (k = 0, org = 1; org < 6; org++) {
				if (pl->tsssu_fy[org][fy] < pl->tsssu_fy[k][fy])
					k = org;
			}
			if (tsssu_room(pl, a) - pl->tsssu_fy[k][fy] >=
			    HKD(100000)) {
				plan_inputs(pl, a, tsssu_room(pl, a) -
				    pl->tsssu_fy[k][fy], 0);
				if (a->gov > a->req)
					a->gov = a->req;
			} else {
				a->outcome = O_DRAFT;
				a->meeting = -1;
				a->d_create = a->d_sub;
			}
		}
		if (a->outcome != O_DRAFT)
			pl->tsssu_fy[k][fy] += a->req;
		a->aux = k;
		return (fixed_org(pl, k_tsssu[k]));
	case S_STEM:
		return (a->org);	/* chosen by plan_stem() */
	}
	abort();
}

/* The end of a project that was approved: how it closes. */
static void
plan_ending(struct plan *pl, struct s_app *a, struct rng *r)
{
	double	u = rng_unit(r);

	if (u < 0.78)
		a->ending = E_FULL;
	else if (u < 0.93)
		a->ending = E_UNDERSPENT;
	else if (u < 0.985)
		a->ending = E_REFUND;
	else
		a->ending = E_TERMINATED;
	if (a->scheme == S_CRS && a->ending == E_TERMINATED)
		a->ending = E_FULL;	/* a rebate is paid once, at the end */
	if (a->ending == E_UNDERSPENT)
		a->audited_bp = rng_int(r, 8500, 9900);
	if (a->ending == E_REFUND)
		a->interest = a->gov * rng_int(r, 5, 40) / 10000 + HKD(100);
	if (a->ending != E_TERMINATED && a->scheme != S_CRS &&
	    rng_chance(r, 0.015))
		a->flags |= AF_SUSPEND;
	(void)pl;
}

/*
 * A window of a scheme's assessments: n_assessed applications assessed at
 * its meetings between from and to, n_approved of them approved.  With
 * gov >= 0 the approved amounts are calibrated to it (and the applicants'
 * parts to priv when >= 0); gov == -1 draws them around avg; gov == -2
 * leaves them to the caller.
 */
struct window {
	int		 from, to;
	int		 n_assessed, n_approved;
	cents_t		 gov, priv;
	double		 avg;
	double		 growth;	/* the last meeting's weight - 1 */
	int		 p_window;
	int		 earliest;	/* first submission day */
};

static void
shuffle(int *v, int n, struct rng *r)
{
	int	i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = rng_int(r, 0, i);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* Spread n over the meetings m0..m1-1 inside [from, to], growing. */
static int *
spread_meetings(struct plan *pl, int m0, int m1, int from, int to, int n,
    double growth, int *nout)
{
	double	*w, sum, acc;
	int	*in, *out, nin, i, k, c, got;

	*nout = 0;
	if (n <= 0)
		return (NULL);
	in = calloc((size_t)(m1 - m0 + 1), sizeof(*in));
	w = calloc((size_t)(m1 - m0 + 1), sizeof(*w));
	out = calloc((size_t)n, sizeof(*out));
	if (in == NULL || w == NULL || out == NULL)
		abort();
	nin = 0;
	for (i = m0; i < m1; i++) {
		if (pl->meetings[i].day >= from && pl->meetings[i].day <= to)
			in[nin++] = i;
	}
	if (nin == 0) {
		free(in);
		free(w);
		free(out);
		return (NULL);
	}
	sum = 0;
	for (i = 0; i < nin; i++) {
		w[i] = 1.0 + growth * (nin > 1 ? (double)i / (nin - 1) : 0);
		sum += w[i];
	}
	got = 0;
	acc = 0;
	for (i = 0; i < nin; i++) {
		acc += w[i] / sum * n;
		c = (int)llround(acc) - got;
		for (k = 0; k < c && got < n; k++)
			out[got++] = in[i];
	}
	while (got < n)
		out[got++] = in[nin - 1];
	free(in);
	free(w);
	*nout = n;
	return (out);
}

static int
plan_window(struct plan *pl, int s, int m0, int m1, const struct window *w,
    struct rng *r, int **approved, int *napproved)
{
	struct s_app	*a;
	int		*mt, *idx, *ok, nm, i, ai, nok;

	*approved = NULL;
	*napproved = 0;
	mt = spread_meetings(pl, m0, m1, w->from, w->to, w->n_assessed,
	    w->growth, &nm);
	if (nm == 0)
		return (1);
	idx = calloc((size_t)nm, sizeof(*idx));
	ok = calloc((size_t)nm, sizeof(*ok));
	if (idx == NULL || ok == NULL)
		abort();
	for (i = 0; i < nm; i++)
		idx[i] = i;
	shuffle(idx, nm, r);
	for (i = 0; i < w->n_approved && i < nm; i++)
		ok[idx[i]] = 1;
	nok = 0;
	for (i = 0; i < nm; i++) {
		if ((ai = app_new(pl, s, ok[i] ? O_APPROVED : rng_chance(r,
		    0.03) ? O_REJECT_APPROVER : O_REJECT_PANEL, mt[i])) < 0)
			abort();
		a = &pl->apps[ai];
		if (rng_chance(r, 0.08))
			a->flags |= AF_RETURNED;
		if (rng_chance(r, 0.03)) {
			a->flags |= AF_CONFLICT;
			if (rng_chance(r, 0.25))
				a->flags |= AF_CHAIR_OUT;
		}
		plan_timeline(pl, a, r, w->earliest);
		if (ok[i] && w->p_window && a->d_dec > pl->p_to)
			a->d_dec = pl->p_to;
		plan_period(pl, a, r, ok[i] ? a->d_dec :
		    pl->meetings[a->meeting].day + 20);
		if (ok[i])
			idx[nok++] = ai;
	}
	free(mt);
	free(ok);
	*approved = idx;
	*napproved = nok;
	return (1);
}

/* 1 if the application is approved on an assessment in the paper's window. */
static int
in_p_approved(const struct plan *pl, const struct s_app *a)
{
	int	d;

	if (a->outcome != O_APPROVED || a->meeting < 0)
		return (0);
	d = pl->meetings[a->meeting].day;
	return (d >= pl->p_from && d <= pl->p_to);
}

/* Amounts, applicants and endings of the applications first..last-1. */
static int
plan_finish(struct plan *pl, int first, int last, double avg, struct rng *r)
{
	struct s_app	*a;
	int		 i;

	for (i = first; i < last; i++) {
		a = &pl->apps[i];
		if (a->req == 0 && !plan_amount_free(pl, a, avg, r))
			return (0);
		if (a->org < 0)
			a->org = choose_org(pl, a, r, in_p_approved(pl, a));
		org_use(pl, a->org, a->d_create);
		if (a->outcome == O_APPROVED)
			plan_ending(pl, a, r);
	}
	return (1);
}

/*
 * Applications that never reach a panel: withdrawn before screening ends,
 * returned and never answered, or drafts still being written.
 */
static int
plan_extras(struct plan *pl, int s, int from, int to, int nwd, int nlapsed,
    int ndraft, double avg, struct rng *r)
{
	struct s_app	*a;
	int		 i, ai, kind, n, first;

	first = (int)pl->napps;
	if (pl->sch[s]->closes_on != SCHEME_NO_DATE) {
		to = imin(to, pl->sch[s]->closes_on);
		if (pl->horizon > pl->sch[s]->closes_on)
			ndraft = 0;
	}
	n = nwd + nlapsed + ndraft;
	for (i = 0; i < n; i++) {
		kind = i < nwd ? O_WITHDRAWN : i < nwd + nlapsed ? O_LAPSED :
		    O_DRAFT;
		if ((ai = app_new(pl, s, kind, -1)) < 0)
			return (0);
		a = &pl->apps[ai];
		if (kind == O_DRAFT) {
			a->d_create = rng_int(r, imax(from, pl->horizon - 120),
			    pl->horizon);
			a->d_sub = a->d_create + 30;	/* for the rules */
		} else {
			a->d_sub = rng_int(r, from, to);
			a->d_create = imax(a->d_sub - rng_int(r, 0, 20),
			    ymd(1999, 7, 5));
		}
		if (kind == O_WITHDRAWN)
			a->d_wd = a->d_sub + rng_int(r, 3, 40);
		if (kind == O_LAPSED)
			a->d_ret = a->d_sub + rng_int(r, 10, 45);
		plan_period(pl, a, r, a->d_sub + 90);
		if (scheme_rules_on(pl->sch[s], a->d_sub) == NULL) {
			a->outcome = O_DRAFT;	/* nothing to submit to */
			a->d_sub = a->d_create;
		}
	}
	return (plan_finish(pl, first, (int)pl->napps, avg, r));
}

static int
scale_n(const struct plan *pl, double n)
{
	double	v = n * pl->o.scale;

	return (v <= 0 ? 0 : v < 1 ? 1 : (int)llround(v));
}

static int
launch_day(const struct plan *pl, int s)
{
	return (imax(imax(pl->sch[s]->launched, first_rules_day(pl->sch[s])),
	    ymd(1999, 8, 1)));
}

/*
 * PAG: the paper's HK$150M over 582 grants is more than the caps allow
 * (HK$150,000, HK$250,000 from April 2020), so aim at about 82% of the
 * caps, as grants near the cap are usual; docs/seed.md.
 */
static cents_t
pag_target(struct plan *pl, const int *ix, int n)
{
	cents_t	sum;
	int	i;

	sum = 0;
	for (i = 0; i < n; i++)
		sum += plan_cap(pl, S_PAG, pl->apps[ix[i]].d_sub);
	pl->pag_best = (double)sum / 1e8;
	return (sum * 82 / 100);
}

/*
 * The schemes without a plan of their own: before April 2017, the window,
 * and since, each calibrated as the profile says.
 */
static int
plan_generic(struct plan *pl, int s)
{
	const struct profile	*pf = &prof[s];
	struct window		 w;
	struct rng		 r;
	int			*ok, nok, m0, m1, first, launch, fm;
	int			 total;

	rng_init(&r, pl->o.seed, 100 + (uint64_t)s);
	launch = launch_day(pl, s);
	fm = weekday(launch + 75);
	if (!plan_meetings(pl, s, fm, pl->horizon + 150, pf->meetings, &m0,
	    &m1) || !plan_panels(pl, s, fm))
		return (0);
	first = (int)pl->napps;
	total = 0;

	/* Before April 2017. */
	memset(&w, 0, sizeof(w));
	w.earliest = launch;
	if (pl->pre_n[s] > 0) {
		w.from = fm;
		w.to = pl->p_from - 1;
		w.n_approved = pl->pre_n[s];
		w.n_assessed = (int)llround(pl->pre_n[s] / pf->success);
		w.growth = 1.5;
		if (!plan_window(pl, s, m0, m1, &w, &r, &ok, &nok))
			return (0);
		if (s == S_ITSP) {
			pl->itsp_pre = ok;	/* calibrated last */
			pl->nitsp_pre = nok;
		} else
			free(ok);
		total += w.n_assessed;
	}
	/* The paper's window. */
	w.from = imax(pl->p_from, fm);
	w.to = pl->p_to;
	w.n_assessed = scale_n(pl, pf->p_assessed);
	w.n_approved = scale_n(pl, pf->p_approved);
	w.p_window = 1;
	/* TSSSU: the caps per university doubled from 2019-20. */
	w.growth = s == S_TSSSU ? 1.2 : 0.5;
	if (!plan_window(pl, s, m0, m1, &w, &r, &ok, &nok))
		return (0);
	if (s == S_PAG) {
		/* The caps cannot reach the paper's figure: near the caps. */
		w.gov = pag_target(pl, ok, nok);
	} else
		w.gov = (cents_t)(MILLION(pf->p_gov) * pl->o.scale);
	w.priv = pf->p_priv >= 0 ? (cents_t)(MILLION(pf->p_priv) *
	    pl->o.scale) : -1;
	if (!plan_amounts_calibrated(pl, ok, nok, w.gov, w.priv, &r)) {
		free(ok);
		return (0);
	}
	free(ok);
	total += w.n_assessed;
	/* Since March 2021, and what is pending now. */
	w.p_window = 0;
	w.from = pl->p_to + 1;
	w.to = pl->horizon + 150;
	w.n_approved = scale_n(pl, pf->post * (double)(w.to - w.from) / 365.25);
	w.n_assessed = (int)llround(w.n_approved / pf->success);
	w.growth = 0;
	if (w.n_assessed > 0) {
		if (!plan_window(pl, s, m0, m1, &w, &r, &ok, &nok))
			return (0);
		free(ok);
		total += w.n_assessed;
	}
	if (!plan_finish(pl, first, (int)pl->napps, pf->avg, &r))
		return (0);
	/*
	 * TSSSU: universities put forward only the start-ups their own
	 * panels chose, and a returned or withdrawn one would hold part of
	 * the university's yearly cap: none of those.
	 */
	return (plan_extras(pl, s, launch, pl->horizon - 30,
	    s == S_TSSSU ? 0 : (int)llround(total * 0.015),
	    s == S_TSSSU ? 0 : (int)llround(total * 0.01),
	    total > 0 ? 1 + total / 600 : 0, pf->avg, &r));
}

/* The first of the meetings m0..m1-1 on or after day, or -1. */
static int
meeting_from(const struct plan *pl, int m0, int m1, int day)
{
	int	lo = m0, hi = m1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (pl->meetings[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < m1 ? lo : -1);
}

/* Steps from a given submission day to the application's meeting. */
static void
timeline_forward(struct plan *pl, struct s_app *a, struct rng *r)
{
	int	agenda, span;

	agenda = pl->meetings[a->meeting].day - 7;
	span = agenda - 1 - a->d_sub;
	if (span < 1)
		span = 1;
	if ((a->flags & AF_RETURNED) && span >= 9) {
		a->d_ret = a->d_sub + rng_int(r, 1, span / 3);
		a->d_resub = a->d_ret + rng_int(r, 1, span / 3);
		a->d_acc = rng_int(r, a->d_resub + 1, a->d_sub + span);
	} else {
		a->flags &= ~AF_RETURNED;
		a->d_acc = a->d_sub + rng_int(r, 1, imin(span, 40));
	}
	a->d_create = imax(a->d_sub - rng_int(r, 0, 20), ymd(1999, 7, 5));
	a->d_dec = weekday(pl->meetings[a->meeting].day + rng_int(r, 5, 25));
}

/* A submission day in [from, to], weighted towards later when growth > 0. */
static int
day_in(struct rng *r, int from, int to, double growth)
{
	double	u = rng_unit(r);

	if (growth > 0)
		u = pow(u, 1.0 / (1.0 + growth));
	return (from + (int)(u * (to - from + 1)) > to ? to :
	    from + (int)(u * (to - from + 1)));
}

static int
cmp_app_sub(const void *x, const void *y, void *arg)
{
	const struct plan	*pl = arg;
	int			 a = *(const int *)x, b = *(const int *)y;

	if (pl->apps[a].d_sub != pl->apps[b].d_sub)
		return (pl->apps[a].d_sub < pl->apps[b].d_sub ? -1 : 1);
	return (a < b ? -1 : a > b);
}

/*
 * TVP (S¶6(i), S¶24): applications per calendar year exactly as the
 * paper's table, 3,854 of them assessed and 3,623 approved by the end of
 * February 2021, first come first served; the backlog is cleared after.
 */
static int
plan_tvp(struct plan *pl)
{
	static const struct { int y, n, m1, d1; } q[] = {
		{ 2016, 15, 12, 31 }, { 2017, 577, 12, 31 },
		{ 2018, 703, 12, 31 }, { 2019, 1574, 12, 31 },
		{ 2020, 5795, 12, 31 }, { 2021, 898, 2, 28 },
	};
	const int	 s = S_TVP;
	struct rng	 r;
	struct s_app	*a;
	int		*sub, *ok, nsub, i, k, y, from, to, m0, m1, m, ai, na, nb;
	int		 first, launch, close, nok, nnew;

	rng_init(&r, pl->o.seed, 100 + (uint64_t)s);
	launch = first_rules_day(pl->sch[s]);
	close = pl->sch[s]->closes_on != SCHEME_NO_DATE ?
	    pl->sch[s]->closes_on : pl->horizon;
	if (!plan_meetings(pl, s, ymd(2017, 4, 20), pl->horizon + 150, 12,
	    &m0, &m1) || !plan_panels(pl, s, ymd(2017, 4, 20)))
		return (0);
	first = (int)pl->napps;
	nsub = 0;
	for (i = 0; i < (int)NELEM(q); i++)
		nsub += scale_n(pl, q[i].n);
	if ((sub = calloc((size_t)nsub, sizeof(*sub))) == NULL)
		return (0);
	k = 0;
	for (i = 0; i < (int)NELEM(q); i++) {
		y = q[i].y;
		from = imax(ymd(y, 1, 1), launch);
		to = ymd(y, q[i].m1, q[i].d1);
		for (m = 0; m < scale_n(pl, q[i].n); m++) {
			if ((ai = app_new(pl, s, O_APPROVED, -1)) < 0)
				return (0);
			/* 2020: the enhancements of April brought the surge. */
			pl->apps[ai].d_sub = day_in(&r, from, to,
			    y == 2020 ? 1.2 : 0.4);
			sub[k++] = ai;
		}
	}
	qsort_r(sub, (size_t)nsub, sizeof(*sub), cmp_app_sub, pl);
	na = imin(scale_n(pl, 3854), nsub);
	nb = imin(scale_n(pl, 3623), na);
	ok = calloc((size_t)na + 1, sizeof(*ok));
	if (ok == NULL)
		return (0);
	for (i = 0; i < na; i++)
		ok[i] = i;
	shuffle(ok, na, &r);
	for (i = 0; i < na; i++)
		pl->apps[sub[ok[i]]].outcome = i < nb ? O_APPROVED :
		    O_REJECT_PANEL;
	/* First come first served, two to five months to a meeting. */
	for (i = 0; i < na; i++) {
		a = &pl->apps[sub[i]];
		m = meeting_from(pl, m0, m1, a->d_sub + rng_int(&r, 45, 150));
		if (m < 0 || pl->meetings[m].day > pl->p_to)
			m = meeting_from(pl, m0, m1, pl->p_to - 27);
		while (pl->meetings[m].day - 8 <= a->d_sub + 1)
			m++;
		a->meeting = m;
		if (rng_chance(&r, 0.06))
			a->flags |= AF_RETURNED;
		timeline_forward(pl, a, &r);
		if (a->outcome == O_APPROVED && a->d_dec > pl->p_to)
			a->d_dec = imax(pl->meetings[m].day, pl->p_to - 1);
		plan_period(pl, a, &r, a->d_dec);
	}
	/*
	 * The backlog at the end of February 2021: half assessed in 2021-22
	 * (HKPC became the implementation partner), half returned for
	 * documents and never completed.
	 */
	for (i = na; i < nsub; i++) {
		a = &pl->apps[sub[i]];
		if (rng_chance(&r, 0.5)) {
			a->outcome = O_LAPSED;
			a->d_ret = rng_int(&r, imax(a->d_sub + 20, pl->p_to + 1),
			    pl->p_to + 300);
			a->d_create = a->d_sub - rng_int(&r, 0, 20);
			plan_period(pl, a, &r, a->d_sub + 90);
			continue;
		}
		a->outcome = rng_chance(&r, 0.93) ? O_APPROVED : O_REJECT_PANEL;
		m = meeting_from(pl, m0, m1, imax(pl->p_to + 20, a->d_sub +
		    rng_int(&r, 60, 200)) + (i - na) / 12);
		a->meeting = m >= 0 ? m : m1 - 1;
		timeline_forward(pl, a, &r);
		plan_period(pl, a, &r, a->d_dec);
	}
	/* Calibrate the window's approvals (S¶6(i)). */
	nok = 0;
	for (i = 0; i < na; i++) {
		if (pl->apps[sub[i]].outcome == O_APPROVED)
			ok[nok++] = sub[i];
	}
	if (!plan_amounts_calibrated(pl, ok, nok, (cents_t)(MILLION(562) *
	    pl->o.scale), (cents_t)(MILLION(367) * pl->o.scale), &r))
		return (0);
	free(ok);
	free(sub);
	/* New applications until it closed on 31 December 2024. */
	nnew = scale_n(pl, prof[s].post * (double)(imin(close, pl->horizon) -
	    pl->p_to) / 365.25);
	for (i = 0; i < nnew; i++) {
		if ((ai = app_new(pl, s, rng_chance(&r, prof[s].success) ?
		    O_APPROVED : O_REJECT_PANEL, -1)) < 0)
			return (0);
		a = &pl->apps[ai];
		a->d_sub = rng_int(&r, pl->p_to + 1, imin(close, pl->horizon));
		a->meeting = meeting_from(pl, m0, m1, a->d_sub +
		    rng_int(&r, 40, 120));
		if (a->meeting < 0)
			a->meeting = m1 - 1;
		if (rng_chance(&r, 0.06))
			a->flags |= AF_RETURNED;
		timeline_forward(pl, a, &r);
		plan_period(pl, a, &r, a->d_dec);
	}
	if (!plan_finish(pl, first, (int)pl->napps, prof[s].avg, &r))
		return (0);
	/* Withdrawn ones are not counted as received (S¶24). */
	return (plan_extras(pl, s, launch, close, scale_n(pl, 140), 0, 0,
	    prof[s].avg, &r));
}

/* A meeting on a given day (for the schemes that meet on call dates). */
static int
meeting_at(struct plan *pl, int s, int day)
{
	struct s_meeting	*m;

	if ((m = GROW(pl, meetings, nmeetings, meetcap)) == NULL)
		return (-1);
	m->scheme = s;
	m->day = weekday(day);
	return ((int)(pl->nmeetings - 1));
}

/*
 * MHKJFS (S¶6(b), fn 5, 6): calls in 2019 (113 applications) and 2020
 * (84); MOST and ITC each assess, only those both support go on.  At the
 * end of February 2021 eight are approved and four more are recommended,
 * to be approved in the first half of 2021.  A call a year after that.
 */
static int
plan_mhkjfs(struct plan *pl)
{
	const int	 s = S_MHKJFS;
	struct rng	 r;
	struct s_app	*a;
	int		*ok, nok, first, y, i, n, nsup, nrec, ai, m[3], k;
	int		 launch, approved_p, late;

	rng_init(&r, pl->o.seed, 100 + (uint64_t)s);
	launch = first_rules_day(pl->sch[s]);
	if (!plan_panels(pl, s, ymd(2020, 7, 16)))
		return (0);
	first = (int)pl->napps;
	if ((ok = calloc(256, sizeof(*ok))) == NULL)
		return (0);
	nok = 0;
	for (y = 2019; ymd(y, 5, 6) <= pl->horizon; y++) {
		n = y == 2019 ? 113 : y == 2020 ? 84 : 60;
		n = scale_n(pl, n);
		nsup = y == 2019 ? scale_n(pl, 25) : n / 4;
		nrec = y == 2019 ? scale_n(pl, 12) : n / 8;
		approved_p = y == 2019 ? scale_n(pl, 8) : 0;
		/* Panel meetings on the call: 2019's in 2020-21. */
		if (y == 2019) {
			m[0] = meeting_at(pl, s, ymd(2020, 7, 16));
			m[1] = meeting_at(pl, s, ymd(2020, 11, 19));
			m[2] = meeting_at(pl, s, ymd(2021, 1, 21));
		} else {
			m[0] = m[1] = m[2] = meeting_at(pl, s,
			    ymd(y + 1, 9, 16));
		}
		for (i = 0; i < n; i++) {
			if ((ai = app_new(pl, s, O_REJECT_PARTNER, -1)) < 0)
				return (0);
			a = &pl->apps[ai];
			a->d_sub = day_in(&r, imax(ymd(y, 5, 6), launch),
			    ymd(y, 7, 5), 0.8);
			a->d_create = a->d_sub - rng_int(&r, 3, 30);
			a->d_acc = a->d_sub + rng_int(&r, 20, 60);
			a->d_partner = weekday(rng_int(&r, ymd(y, 11, 15),
			    ymd(y + 1, 3, 31)));
			if (y > 2019)
				a->d_partner = weekday(rng_int(&r,
				    ymd(y + 1, 4, 15), ymd(y + 1, 6, 30)));
			a->d_dec = weekday(a->d_partner + rng_int(&r, 15, 45));
			if (i < nsup) {
				/* MOST supports: ITC's panel assesses. */
				k = i % 3;
				a->meeting = m[k];
				if (pl->meetings[m[k]].day <= a->d_partner)
					a->meeting = m[k = 2];
				a->outcome = i < nrec ? O_APPROVED :
				    O_REJECT_PANEL;
				a->d_dec = weekday(pl->meetings[a->meeting].day +
				    rng_int(&r, 10, 30));
				if (y == 2019 && a->outcome == O_APPROVED) {
					late = i >= approved_p;
					if (late) {
						/* Approved in H1 2021. */
						a->meeting = m[2];
						a->d_dec = weekday(rng_int(&r,
						    ymd(2021, 4, 8),
						    ymd(2021, 6, 25)));
					} else {
						if (k == 2)
							a->meeting = m[i % 2];
						a->d_dec = imin(weekday(
						    pl->meetings[a->meeting].day
						    + rng_int(&r, 10, 30)),
						    pl->p_to - 2);
						ok[nok++] = ai;
					}
				}
			}
			plan_period(pl, a, &r, a->d_dec);
		}
	}
	if (!plan_amounts_calibrated(pl, ok, nok, (cents_t)(MILLION(prof[s].p_gov) *
	    pl->o.scale), -1, &r))
		return (0);
	free(ok);
	return (plan_finish(pl, first, (int)pl->napps, prof[s].avg, &r));
}

/*
 * RFS (S¶6(j)): by the end of March 2021, 13 applications, 11 assessed, 9
 * supported (ITF about $55M, private about $110M).  Nothing arrives in
 * March 2021, so the counts hold at the end of February too.
 */
static int
plan_rfs(struct plan *pl)
{
	const int	 s = S_RFS;
	struct rng	 r;
	struct s_app	*a;
	int		*ok, nok, first, i, ai, m0, m1, mp[3], n, na, nb;
	int		 launch;

	rng_init(&r, pl->o.seed, 100 + (uint64_t)s);
	launch = first_rules_day(pl->sch[s]);
	mp[0] = meeting_at(pl, s, ymd(2020, 11, 12));
	mp[1] = meeting_at(pl, s, ymd(2021, 1, 14));
	mp[2] = meeting_at(pl, s, ymd(2021, 2, 18));
	if (!plan_meetings(pl, s, ymd(2021, 5, 13), pl->horizon + 150,
	    prof[s].meetings, &m0, &m1) || !plan_panels(pl, s, ymd(2020, 11, 12)))
		return (0);
	first = (int)pl->napps;
	n = scale_n(pl, 13);
	na = scale_n(pl, 11);
	nb = scale_n(pl, 9);
	if ((ok = calloc((size_t)n + 1, sizeof(*ok))) == NULL)
		return (0);
	nok = 0;
	for (i = 0; i < n; i++) {
		if ((ai = app_new(pl, s, i < nb ? O_APPROVED : O_REJECT_PANEL,
		    -1)) < 0)
			return (0);
		a = &pl->apps[ai];
		if (i < na) {
			a->meeting = mp[i % 3];
			a->d_sub = rng_int(&r, launch + 14,
			    pl->meetings[a->meeting].day - 40);
			timeline_forward(pl, a, &r);
			if (a->outcome == O_APPROVED) {
				a->d_dec = imin(a->d_dec, pl->p_to - 2);
				ok[nok++] = ai;
			}
		} else {
			/* Pending at the end of March 2021. */
			a->outcome = O_APPROVED;
			a->d_sub = rng_int(&r, ymd(2021, 1, 20), ymd(2021, 2, 5));
			a->meeting = m0;
			timeline_forward(pl, a, &r);
		}
		plan_period(pl, a, &r, a->d_dec);
	}
	if (!plan_amounts_calibrated(pl, ok, nok, (cents_t)(MILLION(55) *
	    pl->o.scale), (cents_t)(MILLION(110) * pl->o.scale), &r))
		return (0);
	free(ok);
	/* From April 2021. */
	n = scale_n(pl, prof[s].post * (double)(pl->horizon - ymd(2021, 4, 1)) /
	    365.25);
	for (i = 0; i < n; i++) {
		if ((ai = app_new(pl, s, rng_chance(&r, prof[s].success) ?
		    O_APPROVED : O_REJECT_PANEL, -1)) < 0)
			return (0);
		a = &pl->apps[ai];
		a->d_sub = rng_int(&r, ymd(2021, 4, 1), pl->horizon);
		a->meeting = meeting_from(pl, m0, m1, a->d_sub + 50);
		if (a->meeting < 0)
			a->meeting = m1 - 1;
		timeline_forward(pl, a, &r);
		plan_period(pl, a, &r, a->d_dec);
	}
	return (plan_finish(pl, first, (int)pl->napps, prof[s].avg, &r));
}

/* RTH months that make the approved talents' allowances sum to total. */
static void
rth_calibrate(struct plan *pl, const int *ix, int n, cents_t total)
{
	const struct scheme_rules	*r;
	struct s_app			*a;
	cents_t				 sum, rate;
	int				 i, pass, moved;

	for (pass = 0; pass < 60; pass++) {
		sum = 0;
		for (i = 0; i < n; i++) {
			a = &pl->apps[ix[i]];
			r = scheme_rules_on(pl->sch[S_RTH], a->d_sub);
			sum += r->monthly_cents[a->qual].value * a->months;
		}
		moved = 0;
		for (i = 0; i < n && sum != total; i++) {
			a = &pl->apps[ix[(i * 7919 + pass) % n]];
			r = scheme_rules_on(pl->sch[S_RTH], a->d_sub);
			rate = r->monthly_cents[a->qual].value;
			if (sum + rate <= total && a->months < 36) {
				a->months++;
				sum += rate;
				moved = 1;
			} else if (sum - rate >= total && a->months > 12) {
				a->months--;
				sum -= rate;
				moved = 1;
			}
			if (llabs(total - sum) < rate)
				break;
		}
		if (!moved || llabs(total - sum) < MILLION(0.02))
			break;
	}
}

/*
 * RTH (S¶6(k)): about 4,500 talents (more than 1,500 postdoctoral) and
 * about $2bn in the paper's window.  The figure covers the Researcher
 * Programme and the Postdoctoral Hub that RTH merged, but RTH's rules
 * take effect on 1 July 2020, so the talents are seeded as RTH
 * applications from then (docs/seed.md).  One talent an application.
 */
static int
plan_rth(struct plan *pl)
{
	const int	 s = S_RTH;
	struct rng	 r;
	struct s_app	*a;
	int		*ix, *ok, first, i, ai, m0, m1, n, na, nb, nok, nd, nm;
	int		 launch, nnew;

	rng_init(&r, pl->o.seed, 100 + (uint64_t)s);
	launch = first_rules_day(pl->sch[s]);
	if (!plan_meetings(pl, s, launch + 28, pl->horizon + 150,
	    prof[s].meetings, &m0, &m1) || !plan_panels(pl, s, launch + 28))
		return (0);
	first = (int)pl->napps;
	na = scale_n(pl, prof[s].p_assessed);
	nb = scale_n(pl, prof[s].p_approved);
	nd = scale_n(pl, 1560);		/* "more than 1,500" doctorates */
	nm = scale_n(pl, 1000);
	n = na + scale_n(pl, 300);	/* pending at the end of February */
	ix = calloc((size_t)n, sizeof(*ix));
	ok = calloc((size_t)n, sizeof(*ok));
	if (ix == NULL || ok == NULL)
		return (0);
	for (i = 0; i < n; i++) {
		if ((ai = app_new(pl, s, O_APPROVED, -1)) < 0)
			return (0);
		pl->apps[ai].d_sub = day_in(&r, launch + 1, i < na ?
		    ymd(2021, 1, 20) : pl->p_to - 5, 0.3);
		ix[i] = ai;
	}
	qsort_r(ix, (size_t)n, sizeof(*ix), cmp_app_sub, pl);
	for (i = 0; i < n; i++)
		ok[i] = i;
	shuffle(ok, na, &r);
	nok = 0;
	for (i = 0; i < n; i++) {
		a = &pl->apps[ix[i]];
		if (i < na) {
			a->meeting = meeting_from(pl, m0, m1, a->d_sub +
			    rng_int(&r, 21, 45));
			if (pl->meetings[a->meeting].day > pl->p_to - 3)
				a->meeting = meeting_from(pl, m0, m1,
				    pl->p_to - 16);
			while (pl->meetings[a->meeting].day - 8 <= a->d_sub + 1 &&
			    a->meeting + 1 < m1)
				a->meeting++;
		} else
			a->meeting = meeting_from(pl, m0, m1, pl->p_to + 1);
		timeline_forward(pl, a, &r);
		a->d_dec = imin(a->d_dec, imax(pl->p_to - 1,
		    pl->meetings[a->meeting].day));
		if (i >= na && a->d_dec <= pl->p_to)
			a->d_dec = pl->p_to + 3;
	}
	/* Approved: nb of the assessed; qualifications and months. */
	for (i = 0; i < na; i++) {
		a = &pl->apps[ix[ok[i]]];
		if (i >= nb) {
			a->outcome = O_REJECT_PANEL;
			a->qual = (uint8_t)rng_int(&r, 0, 2);
			a->months = (uint8_t)rng_int(&r, 12, 24);
			continue;
		}
		a->qual = i < nd ? SCHEME_QUAL_DOCTORATE : i < nd + nm ?
		    SCHEME_QUAL_MASTER : SCHEME_QUAL_BACHELOR;
		a->months = (uint8_t)(a->qual == SCHEME_QUAL_DOCTORATE ?
		    rng_int(&r, 18, 30) : a->qual == SCHEME_QUAL_MASTER ?
		    rng_int(&r, 12, 24) : rng_int(&r, 12, 14));
	}
	nok = 0;
	for (i = 0; i < na; i++) {
		if (pl->apps[ix[i]].outcome == O_APPROVED)
			ok[nok++] = ix[i];
	}
	rth_calibrate(pl, ok, nok, (cents_t)(MILLION(2000) * pl->o.scale));
	for (i = na; i < n; i++) {
		a = &pl->apps[ix[i]];
		a->qual = (uint8_t)rng_int(&r, 0, 2);
		a->months = (uint8_t)rng_int(&r, 12, 36);
	}
	free(ok);
	free(ix);
	/* Since March 2021. */
	nnew = scale_n(pl, prof[s].post * (double)(pl->horizon - pl->p_to) /
	    365.25);
	for (i = 0; i < nnew; i++) {
		if ((ai = app_new(pl, s, rng_chance(&r, prof[s].success) ?
		    O_APPROVED : O_REJECT_PANEL, -1)) < 0)
			return (0);
		a = &pl->apps[ai];
		a->d_sub = rng_int(&r, pl->p_to + 1, pl->horizon);
		a->meeting = meeting_from(pl, m0, m1, a->d_sub +
		    rng_int(&r, 21, 45));
		a->qual = (uint8_t)rng_int(&r, 0, 2);
		a->months = (uint8_t)rng_int(&r, 12, 36);
		timeline_forward(pl, a, &r);
	}
	/* Periods: the talent's months from a start after the decision. */
	for (i = first; i < (int)pl->napps; i++) {
		a = &pl->apps[i];
		a->start = weekday(a->d_dec + rng_int(&r, 10, 40));
		a->end = application_period_last_day(a->start, a->months);
		a->nms = 1;
		a->ms_due[0] = a->end;
		if (!plan_inputs(pl, a, 0, 0))
			return (0);
		a->gov = a->req;
	}
	return (plan_finish(pl, first, (int)pl->napps, prof[s].avg, &r) &&
	    plan_extras(pl, s, launch, pl->horizon - 30, scale_n(pl, 60),
	    scale_n(pl, 40), 2, prof[s].avg, &r));
}

/* STEM: months (1-3) that bring 2020's allowances to total. */
static void
stem_calibrate(struct plan *pl, const int *ix, int n, cents_t total)
{
	struct s_app	*a;
	cents_t		 sum, rate;
	int		 i, pass;

	if (n == 0)
		return;
	rate = 0;
	for (pass = 0; pass < 8; pass++) {
		sum = 0;
		for (i = 0; i < n; i++) {
			a = &pl->apps[ix[i]];
			if (!plan_inputs(pl, a, 0, 0))
				return;
			rate = a->req / a->months;
			sum += a->req;
		}
		for (i = 0; i < n && llabs(total - sum) >= rate; i++) {
			a = &pl->apps[ix[(i * 7919 + pass) % n]];
			if (sum < total && a->months < 3) {
				a->months++;
				sum += rate;
			} else if (sum > total && a->months > 1) {
				a->months--;
				sum -= rate;
			}
		}
	}
	for (i = 0; i < n; i++) {
		a = &pl->apps[ix[i]];
		a->end = application_period_last_day(a->start, a->months);
		a->ms_due[0] = a->end;
		if (plan_inputs(pl, a, 0, 0))
			a->gov = a->req;
	}
}

/*
 * STEM Internship Scheme (S¶6(m), S¶26): in 2020 more than 1,600 interns
 * at about $37M through the seven universities.  One intern an
 * application; where the rules set max_heads a university may hold that
 * many interns at a time, so the plan places each intern with a
 * university that has room and reports the ones that fit nowhere
 * (docs/seed.md); without it (none is published) they are shared out
 * among the seven in turn.
 */
static int
plan_stem(struct plan *pl)
{
	const int			 s = S_STEM;
	const struct scheme_rules	*rules;
	struct rng			 r;
	struct s_app			*a;
	int				 slots[7][16], heads, y, i, n, u, k;
	int				 ai, m0, m1, first, launch, start, months;
	int				 placed, wanted, free_u, free_k, pstart;
	int				 unlimited;

	rng_init(&r, pl->o.seed, 100 + (uint64_t)s);
	launch = first_rules_day(pl->sch[s]);
	if (!plan_meetings(pl, s, launch + 40, pl->horizon + 150,
	    prof[s].meetings, &m0, &m1) || !plan_panels(pl, s, launch + 40))
		return (0);
	first = (int)pl->napps;
	for (u = 0; u < 7; u++)
		for (k = 0; k < 16; k++)
			slots[u][k] = 0;
	placed = wanted = 0;
	for (y = year_of(launch); ymd(y, 2, 1) <= pl->horizon; y++) {
		n = scale_n(pl, prof[s].p_assessed);
		for (i = 0; i < n; i++) {
			/*
			 * Most in the summer; the rest through the year (from
			 * 2021, from June, so that the window holds 2020's).
			 */
			start = rng_chance(&r, 0.6) || y > 2020 ?
			    rng_int(&r, ymd(y, 6, 1), ymd(y, 7, 15)) :
			    rng_int(&r, ymd(y, 2, 1), ymd(y, 12, 1));
			start = weekday(start);
			if (start - 80 > pl->horizon)
				continue;
			months = rng_int(&r, 1, 5);
			months = months <= 1 ? 1 : months <= 3 ? 2 : 3;
			pstart = start - rng_int(&r, 45, 75);
			if (pstart < launch)
				pstart = launch;
			rules = scheme_rules_on(pl->sch[s], pstart);
			/* No max_heads (none is published): no limit. */
			unlimited = rules != NULL && !rules->max_heads.present;
			heads = rules != NULL && rules->max_heads.present ?
			    (int)rules->max_heads.value : 1;
			if (heads > 16)
				heads = 16;
			wanted++;
			free_u = free_k = -1;
			if (unlimited)
				free_u = i % 7;
			for (u = 0; u < 7 && free_u < 0; u++) {
				int uu = (u + i) % 7;

				for (k = 0; k < heads; k++) {
					if (slots[uu][k] < start - 1) {
						free_u = uu;
						free_k = k;
						break;
					}
				}
			}
			if (free_u < 0)
				continue;
			if ((ai = app_new(pl, s, O_APPROVED, -1)) < 0)
				return (0);
			a = &pl->apps[ai];
			/* 2020: 1,610 of 1,650 assessed are approved. */
			if (i % 165 >= 161)
				a->outcome = O_REJECT_PANEL;
			a->d_sub = pstart;
			a->meeting = meeting_from(pl, m0, m1, a->d_sub + 12);
			if (a->meeting < 0)
				a->meeting = m1 - 1;
			timeline_forward(pl, a, &r);
			a->start = start;
			a->end = application_period_last_day(start, months);
			if (free_k >= 0)
				slots[free_u][free_k] = a->end;
			a->nms = 1;
			a->ms_due[0] = a->end;
			a->months = (uint8_t)months;
			a->qual = 0;
			a->org = fixed_org(pl, k_ugc[free_u]);
			a->aux = free_u;
			if (!plan_inputs(pl, a, 0, 0))
				return (0);
			a->gov = a->req;
			placed++;
		}
	}
	/* 2020's approvals: $37M at $10,500 a month (S¶6(m), S¶26). */
	if (placed >= wanted) {
		int	*ix, nix;

		ix = calloc(pl->napps - (size_t)first + 1, sizeof(*ix));
		if (ix == NULL)
			return (0);
		for (nix = 0, i = first; i < (int)pl->napps; i++) {
			a = &pl->apps[i];
			if (a->outcome == O_APPROVED &&
			    year_of(a->start) == 2020)
				ix[nix++] = i;
		}
		stem_calibrate(pl, ix, nix, (cents_t)(MILLION(prof[s].p_gov) *
		    pl->o.scale));
		free(ix);
	}
	if (placed < wanted) {
		pl->stem_shortfall = wanted - placed;
		note(pl, "STEM: %d of %d planned interns fit: the rules allow "
		    "each university %d intern(s) at a time (max_heads), so the "
		    "paper's 1,600 interns of 2020 cannot all be seeded",
		    placed, wanted, (int)(scheme_rules_on(pl->sch[s],
		    launch) != NULL ? scheme_rules_on(pl->sch[s],
		    launch)->max_heads.value : 0));
	}
	return (plan_finish(pl, first, (int)pl->napps, prof[s].avg, &r));
}

/*
 * Is the scheme open to its applicants at all in the plan's years?  A
 * definition may say no (MRP: merged, with no closing date, accepts no
 * applications at any date); its figures then cannot be seeded.
 */
static int
plan_feasible(struct plan *pl, int s)
{
	static const char *const types[] = { "company", "university",
		"rd_centre", "public_body", "other", NULL };
	const struct scheme_rules	*r;
	struct app_err			 e;
	int				 i, day;

	day = imax(launch_day(pl, s), pl->p_from) + 30;
	for (i = 0; types[i] != NULL; i++) {
		if (scheme_accepts_org_type(pl->sch[s], types[i]))
			break;
	}
	app_err_clear(&e);
	if (types[i] != NULL && application_eligible(pl->sch[s], types[i],
	    day, &r, &e))
		return (1);
	note(pl, "%s: not seeded: the definition refuses applications (%s); "
	    "the paper's figures for it cannot be reproduced", sc_code[s],
	    e.msg);
	return (0);
}

static void
ledger_add(struct plan *pl, int kind, int day, const char *account,
    const char *to, cents_t amount, int64_t project, const char *paper,
    const char *text)
{
	struct s_ledger	*l;

	if ((l = GROW(pl, ledger, nledger, ledgercap)) == NULL)
		abort();
	l->kind = (uint8_t)kind;
	l->day = day;
	l->approved_on = day;
	snprintf(l->account, sizeof(l->account), "%s", account != NULL ?
	    account : "");
	snprintf(l->to, sizeof(l->to), "%s", to != NULL ? to : "");
	l->amount = amount;
	l->project = project;
	snprintf(l->paper, sizeof(l->paper), "%s", paper != NULL ? paper : "");
	snprintf(l->text, sizeof(l->text), "%s", text != NULL ? text : "");
}

/* Planned money in (+) or out (-) of subhead 101 on day. */
static void
flow_add(struct plan *pl, int day, cents_t amount)
{
	if (day >= pl->day0 && day - pl->day0 < pl->nflow)
		pl->flow[day - pl->day0] += amount;
}

/* The same for the plan's ledger steps, which are scaled at run time. */
static void
flow_led(struct plan *pl, int day, cents_t amount)
{
	flow_add(pl, day, (cents_t)((double)amount * pl->o.scale));
}

/*
 * The ledger's history: the Finance Committee approvals (S¶34, fn 25),
 * the Fund for Better Living (S¶22), the R&D Centres, State Key
 * Laboratories, university technology transfer offices and InnoHK centres
 * the fund also pays (S¶8-13), investment income at each year end, and
 * FCR(2021-22)22 itself.
 */
static int
plan_ledger(struct plan *pl)
{
	static const char *const centres[] = { "NAMI", "LSCM", "HKRITA",
		"APAS" };
	struct rng	 r;
	char		 text[200];
	cents_t		 amt, bl[35], paid, pay;
	int		 y, k, day, fy_end, c_day[35];
	int64_t		 id;

	rng_init(&r, pl->o.seed, 9001);
	pl->day0 = ymd(1999, 7, 1);
	pl->nflow = pl->horizon + 800 - pl->day0;
	if ((pl->flow = calloc((size_t)pl->nflow, sizeof(*pl->flow))) == NULL)
		return (0);

#define OPEN(d, acct, m, paper, txt) do {				\
	ledger_add(pl, L_OPEN, (d), (acct), NULL, MILLION(m), 0, (paper),\
	    (txt));							\
	if (strcmp((acct), "H111-101") == 0)				\
		flow_led(pl, (d), MILLION(m));				\
} while (0)
	OPEN(ymd(1999, 7, 9), "H111-101", 5000, "FC 1999-07-09",
	    "Establishment of the Innovation and Technology Fund (S¶34)");
	OPEN(ymd(2015, 2, 1), "H111-101", 5000, "FCR(2014-15)57",
	    "Injection of $5bn (S¶34)");
	OPEN(ymd(2016, 6, 1), "H111-090", 2000, "FC 2016-06 MRP",
	    "Capital for the Mid-stream Research Programme (S fn 25(a))");
	OPEN(ymd(2016, 6, 1), "H135-700-801", 500, "FC 2016-06 BL",
	    "Commitment for the I&T Fund for Better Living (S¶22)");
	OPEN(ymd(2016, 7, 1), "H111-101", 2000, "FC 2016-07 ITVF",
	    "Injection for the I&T Venture Fund (S fn 25(b))");
	OPEN(ymd(2018, 7, 1), "H111-101", 10000, "FC 2018-07",
	    "Injection of $10bn (S¶34)");
	OPEN(ymd(2018, 7, 1), "H111-101", 10000, "FC 2018-07 InnoHK",
	    "Injection for the InnoHK research clusters (S fn 25(c))");
	OPEN(ymd(2020, 5, 1), "H111-112", 2000, "FC 2020-05 RFS",
	    "Subhead 112 for the Re-industrialisation Funding Scheme "
	    "(S¶22, fn 25(d))");
#undef OPEN

	/* The Fund for Better Living: 35 projects, $120M, $75M paid (S¶22). */
	for (k = 0, amt = 0; k < 35; k++) {
		bl[k] = MILLION(1.0 + rng_unit(&r) * 5.0);
		amt += bl[k];
	}
	for (k = 0; k < 35; k++)
		bl[k] = bl[k] * MILLION(120) / amt;
	for (k = 0, amt = 0; k < 35; k++)
		amt += bl[k];
	bl[34] += MILLION(120) - amt;
	paid = 0;
	for (k = 0; k < 35; k++) {
		c_day[k] = weekday(ymd(2017, 5, 2) + k * 40 + rng_int(&r, 0,
		    10));
		snprintf(text, sizeof(text), "I&T Fund for Better Living: "
		    "project BL-%02d", k + 1);
		ledger_add(pl, L_COMMIT, c_day[k], "H135-700-801", NULL, bl[k],
		    BL_ID_BASE + k + 1, NULL, text);
	}
	/* Payments: $75M before the transfer of 28 May 2021, the rest after. */
	for (k = 0; k < 35; k++) {
		day = c_day[k] + 180;
		pay = bl[k] * 6 / 10;
		if (day < ymd(2021, 5, 20) && paid + pay <= MILLION(75)) {
			ledger_add(pl, L_PAY, day, NULL, NULL, pay,
			    BL_ID_BASE + k + 1, NULL, "Fund for Better Living: "
			    "first payment");
			paid += pay;
		}
	}
	for (k = 0; k < 35 && paid < MILLION(75); k++) {
		if (c_day[k] + 540 >= ymd(2021, 5, 20))
			continue;
		pay = bl[k] - bl[k] * 6 / 10;
		if (paid + pay > MILLION(75))
			pay = MILLION(75) - paid;
		ledger_add(pl, L_PAY, c_day[k] + 540, NULL, NULL, pay,
		    BL_ID_BASE + k + 1, NULL, "Fund for Better Living: "
		    "final payment");
		paid += pay;
	}
	if (paid != MILLION(75))
		note(pl, "Fund for Better Living: $%.2fM paid before the "
		    "transfer, not $75M", (double)paid / 1e8);

	/* R&D Centres (S¶8(d)), from 2006-07: a year's funding at a time. */
	for (y = 2006; ymd(y, 4, 20) <= pl->horizon; y++) {
		for (k = 0; k < 4; k++) {
			id = INST_ID_BASE + 1 + k;
			amt = MILLION((55 + 12 * k + rng_int(&r, 0, 15)) *
			    pow(1.03, y - 2006));
			snprintf(text, sizeof(text), "%s: funding for %d-%02d",
			    centres[k], y, (y + 1) % 100);
			ledger_add(pl, L_COMMIT, weekday(ymd(y, 4, 20)), NULL,
			    NULL, amt, id, NULL, text);
			flow_led(pl, weekday(ymd(y, 4, 20)), -amt);
			ledger_add(pl, L_PAY, weekday(ymd(y, 7, 20)), NULL, NULL,
			    amt / 2, id, NULL, text);
			ledger_add(pl, L_PAY, weekday(ymd(y + 1, 1, 20)), NULL,
			    NULL, amt - amt / 2, id, NULL, text);
		}
	}
	/* State Key Laboratories and CNERC branches (S¶10), from 2011-12. */
	for (y = 2011; ymd(y, 5, 20) <= pl->horizon; y++) {
		for (k = 0; k < 22; k++) {
			if (k >= 16 && y < (k == 16 ? 2012 : 2015))
				continue;	/* CNERC branches: S Encl 2 */
			id = INST_ID_BASE + 100 + k;
			amt = MILLION(6 + rng_int(&r, 0, 40) / 10.0);
			snprintf(text, sizeof(text), "%s %d: funding for "
			    "%d-%02d", k < 16 ? "State Key Laboratory" :
			    "CNERC Hong Kong branch", k < 16 ? k + 1 : k - 15,
			    y, (y + 1) % 100);
			ledger_add(pl, L_COMMIT, weekday(ymd(y, 5, 20)), NULL,
			    NULL, amt, id, NULL, text);
			flow_led(pl, weekday(ymd(y, 5, 20)), -amt);
			ledger_add(pl, L_PAY, weekday(ymd(y, 11, 20)), NULL,
			    NULL, amt, id, NULL, text);
		}
	}
	/* University technology transfer offices (S¶13), from 2013-14. */
	for (y = 2013; ymd(y, 6, 10) <= pl->horizon; y++) {
		for (k = 0; k < 7; k++) {
			id = INST_ID_BASE + 200 + k;
			amt = MILLION(3 + rng_int(&r, 0, 30) / 10.0);
			snprintf(text, sizeof(text), "%s technology transfer "
			    "office: funding for %d-%02d", k_ugc[k], y,
			    (y + 1) % 100);
			ledger_add(pl, L_COMMIT, weekday(ymd(y, 6, 10)), NULL,
			    NULL, amt, id, NULL, text);
			flow_led(pl, weekday(ymd(y, 6, 10)), -amt);
			ledger_add(pl, L_PAY, weekday(ymd(y, 12, 10)), NULL,
			    NULL, amt, id, NULL, text);
		}
	}
	/*
	 * InnoHK (S¶11): 28 centres of Health@InnoHK and AIR@InnoHK, each
	 * with five years' funding committed between December 2019 and
	 * January 2021; the first ones started in 2020.
	 */
	for (k = 0; k < 28; k++) {
		id = INST_ID_BASE + 300 + k;
		amt = MILLION(260 + rng_int(&r, 0, 140));
		day = weekday(ymd(2019, 12, 2) + k * 14);
		snprintf(text, sizeof(text), "InnoHK: %s centre %d (five-year "
		    "funding)", k < 15 ? "Health@InnoHK" : "AIR@InnoHK",
		    k < 15 ? k + 1 : k - 14);
		ledger_add(pl, L_COMMIT, day, NULL, NULL, amt, id, NULL, text);
		flow_led(pl, day, -amt);
		for (y = 0; y < 5; y++)
			ledger_add(pl, L_PAY, weekday(ymd(year_of(day) + y +
			    1, 1, 15)), NULL, NULL, amt / 5, id, NULL, text);
	}
	pl->innohk_next = INST_ID_BASE + 300 + 28;
	/* Further centres, committed to bring February 2021 to the paper. */
	for (y = 2021; y < 2026; y++)
		ledger_add(pl, L_PAY_SHARE, weekday(ymd(y, 10, 15)), NULL, NULL,
		    0, pl->innohk_next, NULL, "InnoHK: further centres");

	/* Investment income at each year end; the position of February 2021. */
	for (y = 2000; (fy_end = ymd(y, 3, 31)) <= pl->horizon; y++)
		ledger_add(pl, L_INCOME, fy_end, "H111-101", NULL, 0, 0, NULL,
		    NULL);
	ledger_add(pl, L_CALIBRATE, pl->p_to, "H111-101", NULL,
	    MILLION(FUND_AVAILABLE_M * pl->o.scale), 0, NULL, NULL);
	ledger_add(pl, L_CASHFLOW, ymd(2021, 3, 31), NULL, NULL,
	    MILLION(5331 * pl->o.scale), 0, NULL, NULL);

	/* FCR(2021-22)22 (S¶2): 28 May 2021, the paper's date. */
	day = ymd(2021, 5, 28);
	ledger_add(pl, L_INJECT, day, "H111-101", NULL, MILLION(4750), 0,
	    "FCR(2021-22)22", "Injection of $4,750M through the new Head 184 "
	    "subhead (S¶2(a))");
	flow_led(pl, day, MILLION(4750));
	ledger_add(pl, L_TRANSFER_WHOLE, day, "H111-090", "H111-101", 0, 0,
	    "FCR(2021-22)22", "MRP merged into ITSP: all of subhead 090 to "
	    "101 (S¶2(b))");
	flow_led(pl, day, MILLION(2000));
	ledger_add(pl, L_TRANSFER_WHOLE, day, "H111-112", "H111-101", 0, 0,
	    "FCR(2021-22)22", "All of subhead 112 (RFS) to 101 (S¶2(c))");
	flow_led(pl, day, MILLION(2000));
	ledger_add(pl, L_TRANSFER_WHOLE, day, "H135-700-801", "H111-101", 0, 0,
	    "FCR(2021-22)22", "The Fund for Better Living's $425M, through "
	    "Head 184, to 101 (S¶2(d))");
	flow_led(pl, day, MILLION(425));
	day = ymd(2022, 4, 1);
	ledger_add(pl, L_INJECT, day, "H111-101", NULL, MILLION(4750), 0,
	    "FCR(2021-22)22", "The second $4,750M, in the 2022-23 Estimates "
	    "(S¶19)");
	flow_led(pl, day, MILLION(4750));
	return (1);
}

/* The planned approvals' commitments in the 101 flow. */
static void
plan_flows_apps(struct plan *pl)
{
	size_t	i;

	for (i = 0; i < pl->napps; i++) {
		if (pl->apps[i].outcome == O_APPROVED &&
		    pl->apps[i].d_dec >= 0)
			flow_add(pl, pl->apps[i].d_dec, -pl->apps[i].gov);
	}
}

static int
scheme_weight_total(void)
{
	int	s, w;

	for (s = 0, w = 0; s < S_N; s++)
		w += prof[s].pre_w;
	return (w);
}

static int	plan_tsssu(struct plan *);

/* Everything: users, organisations, panels, applications, ledger. */
static int
plan_all(struct plan *pl)
{
	int		 s, feasible[S_N], ptotal, pre, wsum, i, n;
	cents_t		 others, target;
	size_t		 k;
	struct rng	 r;

	if (!plan_fixed_orgs(pl) || !plan_users(pl))
		return (0);
	for (s = 0; s < S_N; s++)
		feasible[s] = plan_feasible(pl, s);
	if (feasible[S_STEM] && !plan_stem(pl))
		return (0);
	/* How many approvals the window has: the rest of 19,800 are older. */
	ptotal = 0;
	for (s = 0; s < S_N; s++) {
		if (!feasible[s] || s == S_STEM)
			continue;
		ptotal += scale_n(pl, prof[s].p_approved);
	}
	for (k = 0; k < pl->napps; k++)
		ptotal += in_p_approved(pl, &pl->apps[k]);
	pl->p_approved_total = ptotal;
	pre = scale_n(pl, FUND_PROJECTS) - ptotal;
	wsum = scheme_weight_total();
	for (s = 0; s < S_N; s++)
		pl->pre_n[s] = feasible[s] && pre > 0 ?
		    (int)llround((double)pre * prof[s].pre_w / wsum) : 0;
	for (s = 0; s < S_N; s++) {
		if (!feasible[s] || s == S_STEM)
			continue;
		switch (s) {
		case S_TVP:
			if (!plan_tvp(pl))
				return (0);
			break;
		case S_MHKJFS:
			if (!plan_mhkjfs(pl))
				return (0);
			break;
		case S_RFS:
			if (!plan_rfs(pl))
				return (0);
			break;
		case S_RTH:
			if (!plan_rth(pl))
				return (0);
			break;
		case S_TSSSU:
			if (!plan_tsssu(pl))
				return (0);
			break;
		default:
			if (!plan_generic(pl, s))
				return (0);
			break;
		}
	}
	/* ITSP's older projects bring the total since 1999 to $22.7bn. */
	others = 0;
	for (k = 0; k < pl->napps; k++) {
		if (pl->apps[k].outcome == O_APPROVED &&
		    pl->apps[k].d_dec >= 0 && pl->apps[k].d_dec <= pl->p_to)
			others += pl->apps[k].gov;
	}
	for (i = 0; i < pl->nitsp_pre; i++)
		others -= pl->apps[pl->itsp_pre[i]].gov;
	target = (cents_t)(MILLION(FUND_COMMITTED_M) * pl->o.scale) - others;
	n = pl->nitsp_pre;
	if (n > 0 && target > (cents_t)n * HKD(100000)) {
		rng_init(&r, pl->o.seed, 9100);
		if (!plan_amounts_calibrated(pl, pl->itsp_pre, n, target, -1,
		    &r))
			return (0);
	} else if (n > 0)
		note(pl, "ITSP: nothing left for its older projects under the "
		    "$22.7bn since 1999");
	return (plan_ledger(pl));
}

/*
 * The replay's steps.
 */

/* Payments of the first tranche "on request" began on these days. */
static int
initial_from(int s)
{
	switch (s) {
	case S_TVP:
		return (ymd(2019, 12, 1));	/* K-GIA-TVP */
	case S_PAG:
		return (ymd(2020, 4, 1));	/* K-GIA-2020 */
	case S_RTTP:
		return (ymd(2020, 3, 30));	/* K-GIA-2020 */
	default:
		return (INT32_MAX);
	}
}

static void
project_ops(struct plan *pl, int ai, int *st, struct rng *r)
{
	struct s_app	*a = &pl->apps[ai];
	int		 d, k, last, sus, res, rep, acc, rev, crs, initial;

#define ADD(day, kind, arg) add_op(pl, (day), PH_APP, (kind), (*st)++, ai, (arg))
	crs = a->scheme == S_CRS;
	initial = pl->sch[a->scheme]->payment.pattern ==
	    SCHEME_PAY_INITIAL_AND_COMPLETION;
	d = crs ? a->d_dec + rng_int(r, 5, 20) : imax(a->d_dec +
	    rng_int(r, 3, 15), a->start - rng_int(r, 0, 10));
	/*
	 * An initial payment, on request, where the rules had one by the
	 * submission day and it can be paid before the first report is due
	 * (a payment is held while a report is overdue).
	 */
	if (initial && a->d_sub >= initial_from(a->scheme) &&
	    d + 12 < a->ms_due[0])
		a->flags |= AF_INITIAL;
	else if (initial)
		ADD(a->d_dec + 1 + (d - a->d_dec - 1) / 2, OP_SCHEDULE, 0);
	ADD(d, OP_SIGN, 0);
	last = d;
	if (a->flags & AF_INITIAL) {
		last += rng_int(r, 1, imin(8, a->ms_due[0] - d - 4));
		ADD(last, OP_PREPARE, 0);
		last += rng_int(r, 1, 3);
		ADD(last, OP_APPROVE_PAY, 0);
	}
	for (k = 1; k < a->nms; k++) {
		last = imax(last + 1, a->ms_due[k - 1] - rng_int(r, 0, 10));
		ADD(last, OP_REPORT, k);
		last += rng_int(r, 5, 15);
		ADD(last, OP_REVIEW, k);
		last += rng_int(r, 2, 10);
		ADD(last, OP_PREPARE, k);
		last += rng_int(r, 1, 5);
		ADD(last, OP_APPROVE_PAY, k);
		if (a->ending == E_TERMINATED) {
			ADD(last + rng_int(r, 20, 120), OP_TERMINATE, 0);
			return;
		}
	}
	if (a->ending == E_TERMINATED) {
		ADD(imax(last + 1, imin(last + rng_int(r, 20, 90), a->end - 1)),
		    OP_TERMINATE, 0);
		return;
	}
	if ((a->flags & AF_SUSPEND) && a->end - last > 60) {
		sus = last + rng_int(r, 5, (a->end - last) / 3);
		res = sus + rng_int(r, 20, imin(90, a->end - sus - 10));
		ADD(sus, OP_SUSPEND, 0);
		ADD(res, OP_RESUME, 0);
		last = res;
	} else if (a->end + 50 > pl->horizon && a->end - last > 60 &&
	    last < pl->horizon && rng_chance(r, 0.04)) {
		/* Suspended now, pending an investigation. */
		ADD(imin(pl->horizon, last + rng_int(r, 10, (a->end - last) /
		    2)), OP_SUSPEND, 1);
		return;
	}
	rep = crs ? d : imax(last + 1, a->end + rng_int(r, 10, 50));
	ADD(rep, OP_REPORT, a->nms);
	acc = rep + rng_int(r, 0, 20);
	ADD(acc, OP_ACCOUNTS, a->nms);
	rev = rep + rng_int(r, 5, 15);
	if (rev < acc) {
		ADD(rev, OP_REVIEW, a->nms);
		rev = acc + rng_int(r, 1, 10);
		ADD(rev, OP_REVIEW_ACCOUNTS, a->nms);
	} else {
		ADD(rev, OP_REVIEW, a->nms);
		rev += rng_int(r, 0, 5);
		ADD(rev, OP_REVIEW_ACCOUNTS, a->nms);
	}
	last = rev + rng_int(r, 3, 10);
	ADD(last, OP_PREPARE, a->nms);
	last += rng_int(r, 1, 5);
	ADD(last, OP_APPROVE_PAY, a->nms);
	last += rng_int(r, 5, 20);
	ADD(last, OP_CLOSE, 0);
	if (a->ending == E_REFUND)
		ADD(last + rng_int(r, 10, 40), OP_REFUND, 0);
#undef ADD
}

/*
 * Claim-pattern projects (claims.h: RTH and STEM monthly allowances, TSSSU
 * annual reimbursement, ITVF co-investment deals) are paid by claims, never
 * by milestone or final tranches: the organisation's applicant submits a
 * claim, the scheme's officer verifies it (accepts it, or returns
 * CLAIM_RETURNED of them for correction, then accepts the correction), the
 * senior officer prepares its payment and finance approves it, so the
 * verifier, the preparer and the approver are three people.  RTH claims a
 * talent's first CLAIM_FIRST months, then CLAIM_SPAN at a time, in arrears
 * (claims.c: months), STEM an intern's months after the internship, TSSSU
 * each financial year after it closes
 * (a TSSSU advance, the initial tranche, is offset against the claims), ITVF
 * each deal.  The amounts are computed at the replay (claim_body()).
 */
#define CLAIM_FIRST	3	/* RTH: months of the first claim */
#define CLAIM_SPAN	9	/* RTH: months of each later claim */
#define CLAIM_REST	3	/* ... a rest this short joins the last */
#define CLAIM_RETURNED	0.03	/* claims returned for correction */

static int
claim_paid(const struct plan *pl, int s)
{
	return (claims_pattern(pl->sch[s]->payment.pattern));
}

/*
 * The months (from the project's first, [*from, *to)) RTH claim k of a
 * talent's months covers: the first CLAIM_FIRST months, then CLAIM_SPAN at
 * a time, a short rest joining the last claim.  0 if there is no claim k.
 */
static int
claim_block(int k, int months, int *from, int *to)
{
	int	i;

	*from = 0;
	*to = months - CLAIM_FIRST <= CLAIM_REST ? months : CLAIM_FIRST;
	for (i = 0; i < k; i++) {
		*from = *to;
		*to = months - (*from + CLAIM_SPAN) <= CLAIM_REST ? months :
		    *from + CLAIM_SPAN;
	}
	return (*to > *from);
}

/* How many claims project a makes at most (claim_body() may make fewer). */
static int
claim_count(const struct plan *pl, int ai)
{
	const struct s_app		*a = &pl->apps[ai];
	const struct scheme_rules	*r;
	int				 n, from, to;

	switch (pl->sch[a->scheme]->payment.pattern) {
	case SCHEME_PAY_MONTHLY_CLAIMS:
		if (a->scheme == S_STEM)
			return (1);
		for (n = 0; claim_block(n, a->months, &from, &to); n++)
			;
		return (n);
	case SCHEME_PAY_ANNUAL_REIMBURSEMENT:
		return (fy_of(a->end) - fy_of(a->start) + 1);
	default:
		/* A first round; a follow-on round for a third of them. */
		n = ai % 3 == 0 ? 2 : 1;
		r = scheme_rules_on(pl->sch[a->scheme], a->d_sub);
		while (r != NULL && r->per_deal_cap_cents.present &&
		    (cents_t)n * r->per_deal_cap_cents.value < a->gov)
			n++;
		return (n);
	}
}

/* The first day of the month n months after the month of day. */
static int
month_add(int day, int n)
{
	int	y, m, d;

	date_to_ymd(day, &y, &m, &d);
	m += n;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	return (ymd(y, m, 1));
}

/* What limits a project's claims: see claim_ops(). */
struct claim_win {
	int	stop;		/* nothing from (terminated, suspended) */
	int	sus, res;	/* suspended from sus to res (0: never) */
	int	end;		/* the project's end */
	int	rep;		/* its final report (0: none) */
};

/*
 * The steps of claim k submitted on day (off: ITVF, days since the deal),
 * kept clear of a suspension and, after the project's end, after its final
 * report (a payment is held while a report is overdue).  Returns the day
 * after its last step, or 0 if it does not fit before w->stop.
 */
static int
claim_steps(struct plan *pl, int ai, int *st, struct rng *r, int k,
    int day, int off, const struct claim_win *w)
{
	int	ret, fix, acc, pay, appr, total, moved;

	ret = rng_chance(r, CLAIM_RETURNED) ? rng_int(r, 3, 10) : 0;
	fix = ret > 0 ? rng_int(r, 2, 12) : 0;
	acc = rng_int(r, 2, 10);
	pay = rng_int(r, 1, 6);
	appr = rng_int(r, 1, 4);
	total = ret + fix + acc + pay + appr;
	if (w->sus > 0 && day <= w->res + 1 && day + total >= w->sus - 1) {
		moved = w->res + rng_int(r, 2, 10);
		off += moved - day;
		day = moved;
	}
	if (day + total > w->end) {
		if (w->rep == 0)
			return (0);
		if (day <= w->rep) {
			off += w->rep + 1 - day;
			day = w->rep + 1;
		}
	}
	if (day + total >= w->stop)
		return (0);
#define ADD(d, kind, arg) add_op(pl, (d), PH_APP, (kind), (*st)++, ai, (arg))
	ADD(day, OP_CLAIM, k | off << 8);
	if (ret > 0) {
		ADD(day + ret, OP_CLAIM_RETURN, k);
		ADD(day + ret + fix, OP_CLAIM_RESUBMIT, k | (off + ret + fix) <<
		    8);
	}
	day += ret + fix + acc;
	ADD(day, OP_CLAIM_ACCEPT, k);
	day += pay;
	ADD(day, OP_CLAIM_PAY, k);
	day += appr;
	ADD(day, OP_APPROVE_PAY, k);
#undef ADD
	return (day + 1);
}

/* The day claim k of project a is due (ITVF: *deal, the deal's day). */
static int
claim_due(const struct plan *pl, const struct s_app *a, int k, int n,
    struct rng *r, int *deal)
{
	int	first, last, fy;

	*deal = 0;
	switch (pl->sch[a->scheme]->payment.pattern) {
	case SCHEME_PAY_MONTHLY_CLAIMS:
		/* In arrears: after the block's last month. */
		if (a->scheme == S_STEM || !claim_block(k, a->months, &first,
		    &last))
			last = a->months;
		return (month_add(a->start, last) + rng_int(r, 3, 20));
	case SCHEME_PAY_ANNUAL_REIMBURSEMENT:
		/* After the year closes; older start-ups first. */
		fy = fy_of(a->start) + k;
		fy_bounds(fy, &first, &last);
		return (last + 10 + (a->start > first ? (a->start - first) /
		    30 : 0) + rng_int(r, 0, 8));
	default:
		*deal = k == 0 ? a->start + rng_int(r, 10, 60) : a->start +
		    (int)((int64_t)(a->end - a->start) * (25 * k + rng_int(r,
		    0, 15)) / (25 * n + 15));
		*deal = imin(*deal, a->end - 1);
		return (*deal + rng_int(r, 5, 30));
	}
}

static void
claim_ops(struct plan *pl, int ai, int *st, struct rng *r)
{
	struct s_app	*a = &pl->apps[ai];
	struct claim_win w;
	int		 d, k, n, last, due, deal, advance, acc, rev, term;

	n = claim_count(pl, ai);
#define ADD(day, kind, arg) add_op(pl, (day), PH_APP, (kind), (*st)++, ai, (arg))
	d = imax(a->d_dec + rng_int(r, 3, 15), a->start - rng_int(r, 0, 10));
	/* TSSSU: an advance of up to half for some (initial_bp). */
	advance = a->scheme == S_TSSSU && rng_chance(r, 0.4) ?
	    rng_int(r, 5, 10) * 500 : 0;
	if (advance > 0)
		ADD(a->d_dec + 1 + (d - a->d_dec - 1) / 2, OP_SCHEDULE,
		    advance);
	ADD(d, OP_SIGN, 0);
	last = d;
	if (advance > 0 && d + 12 < a->ms_due[0]) {
		last += rng_int(r, 1, 8);
		ADD(last, OP_PREPARE, 0);
		last += rng_int(r, 1, 3);
		ADD(last, OP_APPROVE_PAY, 0);
	}
	memset(&w, 0, sizeof(w));
	w.stop = INT32_MAX;
	w.end = a->end;
	term = a->ending == E_TERMINATED ? imax(last + 30, d + (int)((int64_t)(
	    a->end - d) * rng_int(r, 30, 70) / 100)) : INT32_MAX;
	/* Interim reports (ITVF's first drawdown): no tranche is paid. */
	for (k = 1; k < a->nms; k++) {
		due = imax(last + 1, a->ms_due[k - 1] - rng_int(r, 0, 10));
		if (due + 15 >= term) {
			/* No claim is paid once its report is overdue. */
			term = imin(term, a->ms_due[k - 1]);
			break;
		}
		last = due;
		ADD(last, OP_REPORT, k);
		last += rng_int(r, 5, 15);
		ADD(last, OP_REVIEW, k);
	}
	if (a->ending == E_TERMINATED)
		w.stop = term = imax(term, last + 1);
	else if ((a->flags & AF_SUSPEND) && a->end - last > 60) {
		w.sus = last + rng_int(r, 5, (a->end - last) / 3);
		w.res = w.sus + rng_int(r, 20, imin(90, a->end - w.sus - 10));
		ADD(w.sus, OP_SUSPEND, 0);
		ADD(w.res, OP_RESUME, 0);
		last = w.res;
	} else if (a->end + 50 > pl->horizon && a->end - last > 60 &&
	    last < pl->horizon && rng_chance(r, 0.04)) {
		/* Suspended now, pending an investigation. */
		w.stop = imin(pl->horizon, last + rng_int(r, 10, (a->end -
		    last) / 2));
		ADD(w.stop, OP_SUSPEND, 1);
	}
	if (w.stop == INT32_MAX)
		w.rep = imax(last + 1, a->end + rng_int(r, 10, 50));
	/* The claims, one after another. */
	for (k = 0, last = d + 1; k < n; k++) {
		due = imax(claim_due(pl, a, k, n, r, &deal), last);
		if ((due = claim_steps(pl, ai, st, r, k, due, deal > 0 ? due -
		    deal : 0, &w)) == 0)
			break;
		last = due;
	}
	if (a->ending == E_TERMINATED) {
		ADD(term, OP_TERMINATE, 0);
		return;
	}
	if (w.rep == 0)
		return;
	ADD(w.rep, OP_REPORT, a->nms);
	acc = w.rep + rng_int(r, 0, 20);
	ADD(acc, OP_ACCOUNTS, a->nms);
	rev = w.rep + rng_int(r, 5, 15);
	if (rev < acc) {
		ADD(rev, OP_REVIEW, a->nms);
		rev = acc + rng_int(r, 1, 10);
		ADD(rev, OP_REVIEW_ACCOUNTS, a->nms);
	} else {
		ADD(rev, OP_REVIEW, a->nms);
		rev += rng_int(r, 0, 5);
		ADD(rev, OP_REVIEW_ACCOUNTS, a->nms);
	}
	last = imax(rev + rng_int(r, 3, 10), last) + rng_int(r, 5, 20);
	ADD(last, OP_CLOSE, 0);
	if (a->ending == E_REFUND)
		ADD(last + rng_int(r, 10, 40), OP_REFUND, 0);
#undef ADD
}

static void
app_ops(struct plan *pl, int ai, struct rng *r)
{
	struct s_app	*a = &pl->apps[ai];
	int		 st = 0, m;

#define ADD(day, kind, arg) add_op(pl, (day), PH_APP, (kind), st++, ai, (arg))
	ADD(a->d_create, OP_CREATE, 0);
	if (a->outcome == O_DRAFT)
		return;
	ADD(a->d_sub, OP_SUBMIT, 0);
	if (a->outcome == O_WITHDRAWN) {
		ADD(a->d_wd, OP_WITHDRAW, 0);
		return;
	}
	if (a->outcome == O_LAPSED) {
		ADD(a->d_ret, OP_RETURN, 0);
		return;
	}
	if (a->flags & AF_RETURNED) {
		ADD(a->d_ret, OP_RETURN, 0);
		ADD(a->d_resub, OP_RESUBMIT, 0);
	}
	ADD(a->d_acc, OP_ACCEPT, 0);
	if (a->d_partner >= 0)
		ADD(a->d_partner, OP_PARTNER, 0);
	if (a->outcome == O_REJECT_PARTNER) {
		ADD(a->d_dec, OP_DECIDE, 0);
		return;
	}
	m = pl->meetings[a->meeting].day;
	ADD(m, OP_ASSESS, 0);
	ADD(m, OP_RECOMMEND, 0);
	ADD(a->d_dec, OP_DECIDE, 0);
	if (a->outcome == O_APPROVED && claim_paid(pl, a->scheme))
		claim_ops(pl, ai, &st, &pl->claim_rng);
	else if (a->outcome == O_APPROVED)
		project_ops(pl, ai, &st, r);
#undef ADD
}

static int
cmp_op(const void *x, const void *y)
{
	const struct s_op	*a = x, *b = y;

	if (a->day != b->day)
		return (a->day < b->day ? -1 : 1);
	if (a->phase != b->phase)
		return (a->phase < b->phase ? -1 : 1);
	if (a->idx != b->idx)
		return (a->idx < b->idx ? -1 : 1);
	return (a->step < b->step ? -1 : a->step > b->step);
}

static int
plan_ops(struct plan *pl)
{
	struct rng	 r;
	size_t		 i;
	int		 m;

	rng_init(&r, pl->o.seed, 9200);
	rng_init(&pl->claim_rng, pl->o.seed, 9300);
	for (i = 0; i < pl->nusers; i++) {
		if (pl->users[i].day != INT32_MAX)
			add_op(pl, pl->users[i].day, PH_PEOPLE, OP_STAFF, 0,
			    (int)i, 0);
	}
	for (i = 0; i < pl->norgs; i++) {
		if (pl->orgs[i].first_day != INT32_MAX)
			add_op(pl, imax(pl->orgs[i].first_day - 1,
			    ymd(1999, 7, 5)), PH_PEOPLE, OP_ORG, 0, (int)i, 0);
	}
	/* The agenda: each meeting's applications, set a week ahead. */
	for (i = 0; i < pl->napps; i++) {
		m = pl->apps[i].meeting;
		if (m >= 0 && pl->apps[i].outcome != O_REJECT_PARTNER &&
		    pl->apps[i].outcome != O_LAPSED &&
		    pl->apps[i].outcome != O_WITHDRAWN &&
		    pl->apps[i].outcome != O_DRAFT)
			pl->meetings[m].napps++;
	}
	for (i = 0; i < pl->nmeetings; i++) {
		if (pl->meetings[i].napps == 0)
			continue;
		pl->meetings[i].apps = calloc((size_t)pl->meetings[i].napps,
		    sizeof(int));
		if (pl->meetings[i].apps == NULL)
			return (0);
		pl->meetings[i].cap = pl->meetings[i].napps;
		pl->meetings[i].napps = 0;
		add_op(pl, pl->meetings[i].day - 7, PH_MEETING, OP_MEETING, 0,
		    (int)i, 0);
	}
	for (i = 0; i < pl->napps; i++) {
		m = pl->apps[i].meeting;
		if (m >= 0 && pl->meetings[m].apps != NULL &&
		    pl->apps[i].outcome != O_REJECT_PARTNER &&
		    pl->apps[i].outcome != O_LAPSED &&
		    pl->apps[i].outcome != O_WITHDRAWN &&
		    pl->apps[i].outcome != O_DRAFT)
			pl->meetings[m].apps[pl->meetings[m].napps++] = (int)i;
		app_ops(pl, (int)i, &r);
	}
	for (i = 0; i < pl->nledger; i++) {
		switch (pl->ledger[i].kind) {
		case L_COMMIT:
		case L_PAY:
		case L_PAY_SHARE:
			m = PH_INST;
			break;
		case L_INCOME:
			m = PH_INCOME;
			break;
		case L_CALIBRATE:
		case L_CASHFLOW:
			m = PH_CALIBRATE;
			break;
		default:
			m = PH_LEDGER;
			break;
		}
		add_op(pl, pl->ledger[i].day, m, OP_LEDGER, 0, (int)i, 0);
	}
	add_op(pl, ymd(2021, 5, 28), PH_CALIBRATE, OP_ESTIMATES, 0, 0, 0);
	qsort(pl->ops, pl->nops, sizeof(*pl->ops), cmp_op);
	return (1);
}

/*
 * The replay.
 */

struct run {
	struct plan		*pl;
	struct db		*db;
	const struct scheme_set	*set;
	struct actor		 sys;
	struct seed_result	*res;
	struct rng		 r;
	int			 day;
	int64_t			 calls;
	int64_t			 req_mismatch;
	/* The server's clock at the start of each day replayed. */
	char			(*clock)[40];
	int			*clock_day;
	size_t			 nclock, clockcap;
	double			 t_start;
	int			 last_year;
	cents_t			 fy_paid;	/* payments this FY (approx.) */
	cents_t			*tsssu_claimed;	/* by organisation and FY */
	double			 kind_s[OP_NKINDS];	/* time by step */
	int64_t			 kind_n[OP_NKINDS];
};

static double
now_s(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((double)t.tv_sec + (double)t.tv_nsec / 1e9);
}

static void
progress(struct run *ru, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
progress(struct run *ru, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	if (ru->pl->o.progress == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ru->pl->o.progress(ru->pl->o.progress_arg, buf);
}

/* Name the step that failed in err, keeping the core's message. */
static int
fail(struct run *ru, const struct s_op *op, struct app_err *err)
{
	struct app_err	e = *err;
	char		d[DATE_ISO_LEN];
	const char	*what;
	static const char *const names[OP_NKINDS] = {
		"ledger", "organisation", "user", "panel", "appointment",
		"meeting", "create", "submit", "return", "resubmit", "accept",
		"withdraw", "partner assessment", "assessment", "recommendation",
		"decision", "signing", "payment", "payment approval", "report",
		"report review", "audited accounts", "accounts review",
		"suspension", "resumption", "termination", "close-out",
		"refund", "estimates", "schedule", "claim", "claim return",
		"claim correction", "claim acceptance", "claim payment"
	};

	what = op->kind < OP_NKINDS ? names[op->kind] : "?";
	date_format(op->day, d, sizeof(d));
	app_err_clear(err);
	if (op->kind >= OP_CREATE && op->kind != OP_ESTIMATES &&
	    op->kind != OP_LEDGER) {
		const struct s_app *a = &ru->pl->apps[op->idx];

		app_err_set(err, e.code, e.field[0] != '\0' ? e.field : NULL,
		    "seed %s: %s of %s application #%d (id %lld): %s", d, what,
		    sc_code[a->scheme], op->idx, (long long)a->id, e.msg);
	} else
		app_err_set(err, e.code, e.field[0] != '\0' ? e.field : NULL,
		    "seed %s: %s #%d: %s", d, what, op->idx, e.msg);
	err->code = e.code;
	return (0);
}

static const struct actor *
staff_actor(struct run *ru, int user)
{
	return (&ru->pl->users[user].actor);
}

static void
applicant_actor(struct run *ru, int org, struct actor *a)
{
	const struct s_org	*o = &ru->pl->orgs[org];

	memset(a, 0, sizeof(*a));
	a->user_id = o->user_id;
	a->org_id = o->id;
	a->roles = ROLE_APPLICANT;
	snprintf(a->label, sizeof(a->label), "%s", o->email);
}

static int
json_id(const json_t *o, int64_t *id)
{
	const json_t	*v = json_object_get(o, "id");

	if (!json_is_integer(v))
		return (0);
	*id = json_integer_value(v);
	return (1);
}

/* A user in its own transaction, its password's hash computed once. */
struct user_tx {
	struct user_in	 in;
	const char	*hash;
	int64_t		 id;
};

static int
user_tx(struct db *db, void *arg, struct app_err *err)
{
	struct user_tx	*u = arg;
	char		 email[AUTH_EMAIL_MAX + 1];

	if (!auth_user_validate(&u->in, "", email, sizeof(email), err))
		return (0);
	return (auth_user_insert(db, NULL, &u->in, email, u->hash, "", &u->id,
	    err));
}

static int
run_user(struct run *ru, const char *email, const char *name,
    unsigned roles, cents_t authority, int64_t org, int64_t *id,
    struct app_err *err)
{
	struct user_tx	u;

	memset(&u, 0, sizeof(u));
	u.in.email = email;
	u.in.password = SEED_PASSWORD;
	u.in.name = name;
	u.in.org_id = org;
	u.in.roles = roles;
	u.in.authority_cents = authority;
	u.hash = ru->pl->hash;
	if (!db_tx_run(ru->db, DB_READ_COMMITTED, user_tx, &u, err))
		return (0);
	*id = u.id;
	ru->res->users++;
	return (1);
}

static int
op_staff(struct run *ru, int i, struct app_err *err)
{
	struct s_user	*u = &ru->pl->users[i];

	if (!run_user(ru, u->email, u->name, u->roles, u->authority, 0, &u->id,
	    err))
		return (0);
	u->actor.user_id = u->id;
	u->actor.org_id = 0;
	u->actor.roles = u->roles;
	snprintf(u->actor.label, sizeof(u->actor.label), "%s", u->email);
	return (1);
}

static int
op_org(struct run *ru, int i, struct app_err *err)
{
	struct s_org	*o = &ru->pl->orgs[i];
	struct org_in	 in;
	struct org	 out;
	char		 name[160];

	memset(&in, 0, sizeof(in));
	in.name_en = o->name_en;
	in.name_zh = o->name_zh;
	in.type = o->type;
	in.br_number = o->br[0] != '\0' ? o->br : NULL;
	if (!orgs_create(ru->db, &ru->sys, &in, &out, err))
		return (0);
	o->id = out.id;
	ru->res->organisations++;
	snprintf(name, sizeof(name), "%s %s", o->person_en, o->person_zh);
	return (run_user(ru, o->email, name, ROLE_APPLICANT, 0, o->id,
	    &o->user_id, err));
}

/*
 * What the applications say.
 */

static const char *const techs[] = {
	"Deep-learning defect detection", "Nanofibre filtration membranes",
	"Low-power IoT sensor networks", "Blockchain trade-finance platform",
	"Graphene-enhanced textile coatings", "Autonomous mobile robots",
	"5G small-cell antenna design", "Biodegradable food packaging",
	"Edge computing on smart lampposts", "Chinese medicine quality testing",
	"Microfluidic diagnostic chips", "Solid-state battery electrolytes",
	"Computer vision for site safety", "Wearable ECG monitoring",
	"Bluetooth indoor positioning", "Copper-infused antimicrobial fabric",
	"Printed flexible electronics", "Drone-based facade inspection",
	"Cold-chain tracking with RFID", "Cantonese speech recognition",
	"Gait analysis with pressure insoles", "Photonic gas sensing",
	"Digital twins of building services", "Recycled-glass construction "
	"materials", "Liquid biopsy for cancer screening", "Exoskeleton "
	"assistance for carers", "Low-carbon concrete admixtures",
	"Federated learning on medical images", "Smart fitting-room mirrors",
	"Waterless textile dyeing",
};

static const char *const uses[] = {
	"elderly care", "smart buildings", "logistics", "retail", "hospitals",
	"precision manufacturing", "the garment industry", "public transport",
	"financial services", "environmental monitoring", "construction sites",
	"food safety", "rehabilitation", "water supply", "port operations",
};

static const char *const solutions[] = {
	"a cloud-based ERP system", "an online ordering platform",
	"RFID inventory management", "a customer relationship management "
	"system", "an e-commerce website with online payment",
	"point-of-sale and inventory software", "digital marketing analytics",
	"a document management system", "remote working and cyber security "
	"tools", "a warehouse management system", "automated accounting",
	"smart energy monitoring", "an online booking system",
	"a mobile app for customers", "machine vision quality checks",
};

static const char *const businesses[] = {
	"a trading company", "a logistics firm", "a restaurant group",
	"a printing workshop", "an engineering consultancy", "a retail chain",
	"a medical clinic", "a jewellery manufacturer", "an education centre",
	"a property agency", "a garment exporter", "a beauty salon chain",
	"a social enterprise", "an interior design firm", "a bakery",
};

static const char *const vendors[] = {
	"Cloudbridge Systems Ltd", "Nimble Apps Ltd", "Orbit Data Ltd",
	"Red Lantern Digital Ltd", "Kowloon Code Works Ltd",
	"Pacific Smart Solutions Ltd", "BrightPOS Ltd", "Tide IT Services Ltd",
};

static const char *const products[] = {
	"food trays", "printed circuit boards", "medical test kits",
	"nanofibre filters", "precast concrete parts", "health supplements",
	"biochips", "packaged meals", "labels and packaging", "face masks",
};

static const char *const trial_orgs[] = {
	"Hospital Authority", "Electrical and Mechanical Services Department",
	"Housing Department", "Airport Authority Hong Kong",
	"Drainage Services Department", "Social Welfare Department",
	"Leisure and Cultural Services Department", "Hong Kong Police Force",
	"Water Supplies Department", "MTR Corporation Limited",
};

static const char *const courses[] = {
	"Industry 4.0: industrial IoT fundamentals", "Advanced PLC programming",
	"Robotic process automation", "Data analytics with Python",
	"Additive manufacturing for production", "Cyber security for "
	"operational technology", "Building information modelling",
	"Machine vision for quality control", "Collaborative robot "
	"integration", "Cloud computing for SMEs",
};

static const char *const trainers[] = {
	"Vocational Training Council", "HKPC Academy", "HKUST Business School",
	"CityU School of Continuing and Professional Education",
	"PolyU School of Professional Education and Executive Development",
};

static const char *const fields_of[] = {
	"artificial intelligence", "biomedical engineering", "materials "
	"science", "data science", "electronic engineering", "chemistry",
	"logistics engineering", "civil engineering", "physics",
	"computer science",
};

static const char *const events[] = {
	"Hong Kong Student Science Competition", "Gerontech and Innovation "
	"Expo cum Summit", "Smart City pavilion and seminars",
	"Hong Kong University Student Innovation and Entrepreneurship "
	"Competition", "Innovation and Technology Scholarship",
	"InnoCarnival exhibition", "Robotics challenge for secondary schools",
	"Popular science lecture series", "Women in technology forum",
	"Start-up showcase and investor day",
};

static const char *const inventions[] = {
	"Foldable solar charger with tracking mount", "Self-cleaning water "
	"bottle cap", "Anti-slip walking stick tip", "Modular vertical "
	"planter", "Smart pill dispenser", "Low-noise window ventilator",
	"Collapsible bicycle helmet", "Leak-detecting pipe coupling",
	"Heat-storing lunch box", "Wearable fall detector",
};

static const char *const offices[] = { "USPTO", "EPO", "CNIPA",
	"Hong Kong Intellectual Property Department", "JPO" };

static const char *const partners_mainland[] = {
	"Tsinghua University", "Zhejiang University", "Sun Yat-sen University",
	"Shenzhen Institutes of Advanced Technology, CAS", "Shanghai Jiao Tong "
	"University", "South China University of Technology",
	"Guangdong Academy of Sciences", "Peking University Shenzhen Graduate "
	"School",
};

static const char *const startup_words[] = { "Lumi", "Qubit", "Nova",
	"Helix", "Sino", "Vita", "Aero", "Pulse", "Terra", "Mira", "Kinet",
	"Opti" };
static const char *const startup_tails[] = { "Labs", "AI", "Bio", "Tech",
	"Robotics", "Health", "Data", "Sense" };

/* One JSON budget line. */
static void
add_line(json_t *lines, const char *cat, const char *desc, cents_t amount)
{
	json_array_append_new(lines, json_pack("{s:s,s:s,s:I}", "category",
	    cat, "description", desc, "amount_cents", (json_int_t)amount));
}

/* The budget: total cost split over the scheme's usual lines. */
static json_t *
budget(struct s_app *a, struct rng *r)
{
	json_t	*lines = json_array();
	cents_t	 t = a->cost, x, y, z;

	switch (a->scheme) {
	case S_TVP:
		x = t * rng_int(r, 70, 90) / 100;
		add_line(lines, "services", "Implementation by the service "
		    "provider", x);
		y = (t - x) * 2 / 3;
		add_line(lines, "equipment", "Hardware and licences", y);
		add_line(lines, "training", "Staff training", t - x - y);
		break;
	case S_CRS:
		add_line(lines, "manpower", "Eligible R&D expenditure "
		    "(audited)", t);
		break;
	case S_ITVF:
		add_line(lines, "other", "Co-investment partner's investment",
		    t);
		add_line(lines, "other", "ITVF co-investment", a->req);
		break;
	case S_RTTP:
		add_line(lines, "training", "Course fees", t);
		break;
	case S_PAG:
		x = t * rng_int(r, 40, 60) / 100;
		add_line(lines, "patent", "Patent agent's fees", x);
		add_line(lines, "patent", "Official fees and translation",
		    t - x);
		break;
	case S_TSSSU:
		x = t * rng_int(r, 50, 70) / 100;
		add_line(lines, "manpower", "Start-up staff", x);
		add_line(lines, "equipment", "Equipment and prototyping",
		    t - x);
		break;
	case S_GSP:
		x = t * rng_int(r, 30, 50) / 100;
		add_line(lines, "services", "Venue, production and logistics",
		    x);
		y = (t - x) / 2;
		add_line(lines, "manpower", "Project staff", y);
		add_line(lines, "other", "Publicity and prizes", t - x - y);
		break;
	default:
		x = t * rng_int(r, 50, 65) / 100;
		add_line(lines, "manpower", "Research staff", x);
		y = (t - x) * rng_int(r, 40, 70) / 100;
		add_line(lines, "equipment", "Equipment", y);
		z = (t - x - y) * rng_int(r, 40, 80) / 100;
		add_line(lines, "materials", "Materials and consumables", z);
		add_line(lines, "audit", "Audit and other direct costs",
		    t - x - y - z);
		break;
	}
	return (lines);
}

static const char *
ms_title(int s, int k, int n)
{
	static const char *const rd[] = { "Requirements, design and "
		"literature review", "Prototype and laboratory tests",
		"Field trial and evaluation" };

	if (k == n)
		return (s == S_RTH || s == S_STEM ? "Final claim" :
		    "Project completion");
	if (s == S_RTH)
		return ("Interim allowance claim");
	if (s == S_ITVF)
		return ("First drawdown");
	return (rd[(k - 1) % 3]);
}

static json_t *
milestones(const struct s_app *a, int with_bp, int initial_share)
{
	json_t	*ms = json_array();
	char	 due[DATE_ISO_LEN];
	int	 k;

	for (k = 1; k <= a->nms; k++) {
		date_format(a->ms_due[k - 1], due, sizeof(due));
		if (with_bp)
			json_array_append_new(ms, json_pack("{s:s,s:s,s:s,s:i}",
			    "title", ms_title(a->scheme, k, a->nms),
			    "deliverables", "As set out in the agreement",
			    "due_date", due, "tranche_bp", k == a->nms ?
			    10000 - initial_share : 0));
		else
			json_array_append_new(ms, json_pack("{s:s,s:s,s:s}",
			    "title", ms_title(a->scheme, k, a->nms),
			    "deliverables", k == a->nms ? "Final report and "
			    "audited accounts" : "Progress report and "
			    "deliverables of the stage", "due_date", due));
	}
	return (ms);
}

/* The body of POST /applications for planned application ai. */
static json_t *
app_body(struct run *ru, int ai)
{
	struct plan	*pl = ru->pl;
	struct s_app	*a = &pl->apps[ai];
	const struct s_org *o = &pl->orgs[a->org];
	struct rng	 r;
	json_t		*b, *f;
	char		 title[256], summary[600], sd[DATE_ISO_LEN];
	char		 ed[DATE_ISO_LEN], ref[32], name[64], emp[200];
	const char	*tech, *use;
	int		 y;

	rng_init(&r, pl->o.seed, 1000000 + (uint64_t)ai);
	tech = PICK(&r, techs);
	use = PICK(&r, uses);
	snprintf(title, sizeof(title), "%s for %s", tech, use);
	snprintf(summary, sizeof(summary), "The project applies %s to %s in "
	    "Hong Kong. %s will lead the work with its partners, deliver a "
	    "working system and report on the results.", tech, use,
	    o->name_en);
	f = json_object();
	y = year_of(a->d_sub);
	switch (a->scheme) {
	case S_ITSP:
		json_object_set_new(f, "project_title", json_string(title));
		json_object_set_new(f, "project_tier", json_string(
		    a->cost > MILLION(3) ? "platform" : "seed"));
		if (a->cost > MILLION(3))
			json_object_set_new(f, "industry_sponsorship_cents",
			    json_integer(a->cost - a->req));
		break;
	case S_MHKJFS:
		json_object_set_new(f, "project_title", json_string(title));
		json_object_set_new(f, "project_type", json_string(
		    rng_chance(&r, 0.7) ? "platform" : "collaborative"));
		json_object_set_new(f, "mainland_partner",
		    json_string(PICK(&r, partners_mainland)));
		snprintf(ref, sizeof(ref), "%dYFE0%07d", y, rng_int(&r, 100000,
		    999999));
		json_object_set_new(f, "most_application_ref",
		    json_string(ref));
		json_object_set_new(f, "theme", json_string(y == 2019 ?
		    (rng_chance(&r, 0.5) ? "Biotechnology" :
		    "Artificial intelligence") : y == 2020 ?
		    (rng_chance(&r, 0.6) ? "Biotechnology: cancer and "
		    "neurological diseases" : "Artificial intelligence") :
		    "Biotechnology and artificial intelligence"));
		break;
	case S_TCFS:
		snprintf(title, sizeof(title), "%s for %s (Guangdong-Hong Kong)",
		    tech, use);
		json_object_set_new(f, "project_title", json_string(title));
		json_object_set_new(f, "category", json_string(
		    rng_chance(&r, 0.5) ? "A2" : rng_chance(&r, 0.5) ? "A1" :
		    rng_chance(&r, 0.5) ? "C1" : "C2"));
		json_object_set_new(f, "mainland_partner",
		    json_string(PICK(&r, partners_mainland)));
		break;
	case S_PRP:
		json_object_set_new(f, "project_title", json_string(title));
		json_object_set_new(f, "industry_coapplicant", json_string(
		    pl->orgs[pl->cos[rng_int(&r, 0, (int)pl->ncos - 1)]].name_en));
		json_object_set_new(f, "industry_contribution_cents",
		    json_integer(a->cost - a->req));
		break;
	case S_ESS:
	case S_MRP:
		snprintf(title, sizeof(title), "In-house development: %s for "
		    "%s", tech, use);
		json_object_set_new(f, "project_title", json_string(title));
		if (a->scheme == S_MRP) {
			json_object_set_new(f, "theme",
			    json_string("Elderly health and care"));
			json_object_set_new(f, "collaborative",
			    json_boolean(rng_chance(&r, 0.7)));
		}
		break;
	case S_CRS:
		snprintf(title, sizeof(title), "Cash rebate: %s", tech);
		json_object_set_new(f, "project_type", json_string(
		    rng_chance(&r, 0.6) ? "itf_project" :
		    "partnership_project"));
		if (strcmp(json_string_value(json_object_get(f,
		    "project_type")), "itf_project") == 0) {
			snprintf(ref, sizeof(ref), "ITS/%03d/%02d",
			    rng_int(&r, 1, 400), year_of(a->start) % 100);
			json_object_set_new(f, "itf_project_ref",
			    json_string(ref));
		} else
			json_object_set_new(f, "partnership_institute",
			    json_string(pl->orgs[pick_fixed(pl, &r,
			    k_uni)].name_en));
		json_object_set_new(f, "project_completed_on",
		    json_string(date_format(a->done_on, sd, sizeof(sd))));
		json_object_set_new(f, "audited_expenditure_cents",
		    json_integer(a->cost));
		break;
	case S_PSTS:
		snprintf(title, sizeof(title), "Public sector trial: %s",
		    tech);
		json_object_set_new(f, "project_title", json_string(title));
		json_object_set_new(f, "trial_organisation",
		    json_string(PICK(&r, trial_orgs)));
		break;
	case S_TVP:
		snprintf(title, sizeof(title), "Adoption of %s in %s",
		    PICK(&r, solutions), PICK(&r, businesses));
		snprintf(summary, sizeof(summary), "%s will adopt the "
		    "solution to improve productivity and upgrade its business "
		    "processes.", o->name_en);
		json_object_set_new(f, "service_provider",
		    json_string(PICK(&r, vendors)));
		snprintf(ref, sizeof(ref), "Q-%d-%04d", y, rng_int(&r, 1,
		    9999));
		json_object_set_new(f, "quotation_ref", json_string(ref));
		json_object_set_new(f, "quotation_cents", json_integer(a->cost));
		break;
	case S_RFS:
		snprintf(title, sizeof(title), "Smart production line for %s",
		    PICK(&r, products));
		json_object_set_new(f, "project_title", json_string(title));
		json_object_set_new(f, "production_line", json_string("A new "
		    "smart production line with industrial IoT, real-time data "
		    "and robotic handling, in Hong Kong."));
		json_object_set_new(f, "production_site", json_string(
		    rng_chance(&r, 0.5) ? "Tai Po InnoPark" : rng_chance(&r,
		    0.5) ? "Tseung Kwan O InnoPark" : "Yuen Long InnoPark"));
		break;
	case S_RTH:
		snprintf(title, sizeof(title), "Research talent in %s",
		    PICK(&r, fields_of));
		person(&r, name, sizeof(name), emp, sizeof(emp), ref,
		    sizeof(ref));
		json_object_set_new(f, "talents", json_pack("[{s:s,s:s,s:i}]",
		    "name", name, "qualification",
		    scheme_qualification_name(
		    (enum scheme_qualification)a->qual), "months",
		    (int)a->months));
		snprintf(summary, sizeof(summary), "%s will engage a research "
		    "talent for R&D work in %s.", o->name_en,
		    PICK(&r, fields_of));
		break;
	case S_RTTP:
		snprintf(title, sizeof(title), "Training: %s",
		    PICK(&r, courses));
		json_object_set_new(f, "course_title", json_string(title + 10));
		json_object_set_new(f, "training_provider",
		    json_string(PICK(&r, trainers)));
		json_object_set_new(f, "trainee_count",
		    json_integer(a->aux > 0 ? a->aux : rng_int(&r, 1, 8)));
		json_object_set_new(f, "course_fee_cents", json_integer(a->cost));
		snprintf(summary, sizeof(summary), "Staff of %s attend advanced "
		    "technology training.", o->name_en);
		break;
	case S_STEM:
		person(&r, name, sizeof(name), emp, sizeof(emp), ref,
		    sizeof(ref));
		snprintf(emp, sizeof(emp), "%s",
		    pl->orgs[pl->cos[rng_int(&r, 0, (int)pl->ncos - 1)]].name_en);
		snprintf(title, sizeof(title), "STEM internship at %.150s",
		    emp);
		json_object_set_new(f, "interns", json_pack("[{s:s,s:s,s:s,s:s,"
		    "s:i}]", "name", name, "level", rng_chance(&r, 0.8) ?
		    "undergraduate" : "postgraduate", "programme",
		    PICK(&r, fields_of), "employer", emp, "months",
		    (int)a->months));
		snprintf(summary, sizeof(summary), "A STEM student of %s "
		    "interns in an innovation and technology role.",
		    o->name_en);
		break;
	case S_TSSSU:
		snprintf(name, sizeof(name), "%s%s Limited",
		    PICK(&r, startup_words), PICK(&r, startup_tails));
		snprintf(title, sizeof(title), "%s: TSSSU funding", name);
		json_object_set_new(f, "university", json_string(
		    k_tsssu[a->aux]));
		json_object_set_new(f, "startup_name", json_string(name));
		json_object_set_new(f, "startup_registered_on", json_string(
		    date_format(a->d_sub - rng_int(&r, 60, 600), sd,
		    sizeof(sd))));
		snprintf(summary, sizeof(summary), "%s, a start-up of %s's "
		    "students and alumni, commercialises its research.", name,
		    o->name_en);
		break;
	case S_ITVF:
		snprintf(name, sizeof(name), "%s%s Limited",
		    PICK(&r, startup_words), PICK(&r, startup_tails));
		snprintf(title, sizeof(title), "Co-investment in %s", name);
		json_object_set_new(f, "co_investment_partner",
		    json_string(o->name_en));
		json_object_set_new(f, "investee_name", json_string(name));
		json_object_set_new(f, "partner_investment_cents",
		    json_integer(a->cost));
		break;
	case S_GSP:
		snprintf(title, sizeof(title), "%s %d", PICK(&r, events),
		    year_of(a->start));
		json_object_set_new(f, "project_title", json_string(title));
		json_object_set_new(f, "activity_type", json_string(
		    rng_chance(&r, 0.4) ? "event" : rng_chance(&r, 0.5) ?
		    "competition" : "popular_science"));
		json_object_set_new(f, "target_audience", json_string(
		    rng_chance(&r, 0.5) ? "Secondary school students" :
		    "The public and industry"));
		break;
	case S_PAG:
		snprintf(title, sizeof(title), "Patent application: %s",
		    PICK(&r, inventions));
		json_object_set_new(f, "applicant_type", json_string(
		    strcmp(o->type, "company") == 0 ? "company" :
		    "individual"));
		json_object_set_new(f, "invention_title", json_string(title +
		    20));
		json_object_set_new(f, "patent_office",
		    json_string(PICK(&r, offices)));
		break;
	}
	b = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "scheme",
	    sc_code[a->scheme], "title", title, "summary", summary,
	    "start_date", date_format(a->start, sd, sizeof(sd)), "end_date",
	    date_format(a->end, ed, sizeof(ed)), "budget_lines",
	    pl->sch[a->scheme]->funding_model == SCHEME_MODEL_ALLOWANCE ?
	    json_array() : budget(a, &r), "milestones", milestones(a, 0, 0),
	    "fields", f);
	return (b);
}

/* The officer who screens and administers scheme s's applications. */
static const struct actor *
officer(struct run *ru, int s)
{
	return (staff_actor(ru, ru->pl->officer[s]));
}

/* The least senior approving officer whose authority covers amount. */
static const struct actor *
approver(struct run *ru, cents_t amount)
{
	int	i;

	for (i = 0; i < 3; i++) {
		if (ru->pl->users[ru->pl->approver[i]].authority >= amount)
			break;
	}
	return (staff_actor(ru, ru->pl->approver[i]));
}

/*
 * Members who score each item: the scheme's quorum, but two on the
 * committees that vet in bulk with a secretariat's or implementation
 * partner's assessment before them (TVP, RTH, RTTP, STEM, CRS, PAG).
 */
static int
scorers(int s)
{
	switch (s) {
	case S_TVP:
	case S_RTH:
	case S_RTTP:
	case S_STEM:
	case S_CRS:
	case S_PAG:
		return (2);
	default:
		return (3);
	}
}

static int
op_panel(struct run *ru, int s, struct app_err *err)
{
	struct s_panel	*p = &ru->pl->panels[s];
	const struct scheme *sc = ru->pl->sch[s];
	json_t		*b, *out;
	char		 en[256], zh[256];
	int		 ok;

	snprintf(en, sizeof(en), "%s Assessment Panel", sc->name_en);
	snprintf(zh, sizeof(zh), "%s評審委員會", sc->name_zh);
	b = json_pack("{s:s,s:s,s:s,s:i}", "scheme", sc->code, "name_en", en,
	    "name_zh", zh, "quorum", scorers(s));
	ok = panels_create(ru->db, ru->set, officer(ru, s), b, &out, err) &&
	    json_id(out, &p->id);
	json_decref(b);
	json_decref(out);
	return (ok);
}

static int
op_appoint(struct run *ru, int c, struct app_err *err)
{
	const struct s_cohort	*co = &ru->pl->cohorts[c];
	json_t			*b, *out;
	char			 from[DATE_ISO_LEN], to[DATE_ISO_LEN];
	int			 j, created, ok;

	date_format(co->from, from, sizeof(from));
	date_format(co->to, to, sizeof(to));
	for (j = 0; j < 4; j++) {
		b = json_pack("{s:I,s:s,s:s,s:s}", "user_id",
		    (json_int_t)ru->pl->users[co->member[j]].id, "role",
		    j == 0 ? "chair" : "member", "term_from", from, "term_to",
		    to);
		ok = panels_member_appoint(ru->db, officer(ru, co->panel),
		    ru->pl->panels[co->panel].id, b, &created, &out, err);
		json_decref(b);
		json_decref(out);
		if (!ok)
			return (0);
	}
	return (1);
}

static int
op_meeting(struct run *ru, int mi, struct app_err *err)
{
	struct s_meeting	*m = &ru->pl->meetings[mi];
	json_t			*b, *out, *ids;
	char			 d[DATE_ISO_LEN];
	int			 i, k, ok;

	b = json_pack("{s:I,s:s,s:s}", "panel_id",
	    (json_int_t)ru->pl->panels[m->scheme].id, "meeting_date",
	    date_format(m->day, d, sizeof(d)), "venue",
	    m->scheme == S_TVP || m->scheme == S_PAG ? "HKPC Building, "
	    "78 Tat Chee Avenue, Kowloon Tong" : m->scheme == S_RTTP ?
	    "VTC Tower, Wan Chai" : "Innovation and Technology Commission, "
	    "West Wing, Central Government Offices");
	ok = panels_meeting_create(ru->db, officer(ru, m->scheme), b, &out,
	    err) && json_id(out, &m->id);
	json_decref(b);
	json_decref(out);
	for (i = 0; ok && i < m->napps; i += AGENDA_CHUNK) {
		ids = json_array();
		for (k = i; k < m->napps && k < i + AGENDA_CHUNK; k++)
			json_array_append_new(ids,
			    json_integer(ru->pl->apps[m->apps[k]].id));
		b = json_pack("{s:o}", "application_ids", ids);
		ok = panels_agenda_add(ru->db, officer(ru, m->scheme), m->id,
		    b, &out, err);
		json_decref(b);
		json_decref(out);
		ru->calls++;
	}
	return (ok);
}

static int
op_create(struct run *ru, int ai, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	struct actor	 ap;
	json_t		*b, *out;
	int		 ok;

	applicant_actor(ru, a->org, &ap);
	b = app_body(ru, ai);
	ok = applications_create(ru->db, ru->set, &ap, b, &out, err) &&
	    json_id(out, &a->id);
	json_decref(b);
	json_decref(out);
	if (ok)
		ru->res->applications++;
	return (ok);
}

static int
op_submit(struct run *ru, int ai, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	struct actor	 ap;
	json_t		*out;
	const json_t	*v;

	applicant_actor(ru, a->org, &ap);
	if (!applications_submit(ru->db, ru->set, &ap, a->id, ru->day, &out,
	    err))
		return (0);
	v = json_object_get(out, "requested_cents");
	if (json_is_integer(v) && json_integer_value(v) != a->req) {
		ru->req_mismatch++;
		a->req = json_integer_value(v);
		if (a->gov > a->req)
			a->gov = a->req;
	}
	json_decref(out);
	return (1);
}

static int
op_screen(struct run *ru, int ai, const char *decision, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	json_t		*out;
	const char	*note;
	int		 ok;

	note = strcmp(decision, "return") != 0 ? NULL : a->outcome == O_LAPSED ?
	    "Please provide the missing quotations and business registration "
	    "certificate." : "Please clarify the budget and the "
	    "implementation schedule.";
	ok = applications_screen(ru->db, ru->set, officer(ru, a->scheme), a->id,
	    decision, note, &out, err);
	json_decref(out);
	return (ok);
}

static int
op_withdraw(struct run *ru, int ai, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	struct actor	 ap;
	json_t		*out;
	int		 ok;

	applicant_actor(ru, a->org, &ap);
	ok = applications_withdraw(ru->db, ru->set, &ap, a->id, "The project "
	    "will be funded from our own resources.", &out, err);
	json_decref(out);
	return (ok);
}

static int
op_partner(struct run *ru, int ai, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	json_t		*b, *out;
	char		 d[DATE_ISO_LEN], ref[40];
	int		 ok;

	snprintf(ref, sizeof(ref), "MOST-%d-%05d", year_of(a->d_sub),
	    ai % 100000);
	b = json_pack("{s:b,s:s,s:s,s:s}", "supported",
	    a->outcome != O_REJECT_PARTNER, "reference", ref, "assessed_on",
	    date_format(a->d_partner, d, sizeof(d)), "notes",
	    a->outcome != O_REJECT_PARTNER ? "Supported by the Ministry of "
	    "Science and Technology." : "Not supported by the Ministry of "
	    "Science and Technology.");
	ok = decisions_partner_assessment(ru->db, ru->set, officer(ru,
	    a->scheme), a->id, b, &out, err);
	json_decref(b);
	json_decref(out);
	return (ok);
}

/*
 * Three members of the meeting's cohort declare no conflict and score
 * every criterion; now and then the fourth declares a conflict first.
 */
static int
op_assess(struct run *ru, int ai, struct app_err *err)
{
	struct s_app		*a = &ru->pl->apps[ai];
	const struct scheme	*s = ru->pl->sch[a->scheme];
	const struct s_cohort	*c;
	json_t			*b, *out, *sc;
	struct rng		 r;
	double			 mean;
	int			 j, k, out_member, v, ok, n;

	c = cohort_on(ru->pl, a->scheme, ru->pl->meetings[a->meeting].day);
	if (c == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "no panel "
		    "cohort sits on the meeting's day"));
	rng_init(&r, ru->pl->o.seed, 2000000 + (uint64_t)ai);
	out_member = 3;
	if (a->flags & AF_CONFLICT) {
		out_member = (a->flags & AF_CHAIR_OUT) ? 0 : rng_int(&r, 1, 3);
		b = json_pack("{s:b,s:s}", "conflict", 1, "reason", "A family "
		    "member is a director of the applicant.");
		ok = panels_declare(ru->db, staff_actor(ru,
		    c->member[out_member]), a->id, b, &out, err);
		json_decref(b);
		json_decref(out);
		ru->calls++;
		if (!ok)
			return (0);
	}
	mean = a->outcome == O_APPROVED || a->outcome == O_REJECT_APPROVER ?
	    7.4 : 4.6;
	for (j = 0, n = 0; j < 4 && n < scorers(a->scheme); j++) {
		if (j == out_member)
			continue;
		n++;
		b = json_pack("{s:b}", "conflict", 0);
		ok = panels_declare(ru->db, staff_actor(ru, c->member[j]),
		    a->id, b, &out, err);
		json_decref(b);
		json_decref(out);
		if (!ok)
			return (0);
		sc = json_object();
		for (k = 0; k < (int)s->ncriteria; k++) {
			v = (int)llround(mean + (rng_unit(&r) - 0.5) * 3.0);
			if (v < 0)
				v = 0;
			if (v > s->criteria[k].max_score)
				v = s->criteria[k].max_score;
			json_object_set_new(sc, s->criteria[k].id,
			    json_integer(v));
		}
		b = json_pack("{s:o}", "scores", sc);
		ok = panels_score(ru->db, ru->set, staff_actor(ru,
		    c->member[j]), a->id, b, &out, err);
		json_decref(b);
		json_decref(out);
		ru->calls += 2;
		if (!ok)
			return (0);
	}
	return (1);
}

static int
op_recommend(struct run *ru, int ai, struct app_err *err)
{
	struct s_app		*a = &ru->pl->apps[ai];
	const struct s_cohort	*c;
	const struct actor	*who;
	json_t			*b, *out;
	int			 ok, support;

	c = cohort_on(ru->pl, a->scheme, ru->pl->meetings[a->meeting].day);
	support = a->outcome == O_APPROVED || a->outcome == O_REJECT_APPROVER;
	who = (a->flags & AF_CHAIR_OUT) ? officer(ru, a->scheme) :
	    staff_actor(ru, c->member[0]);
	if (!support)
		b = json_pack("{s:s,s:s}", "recommendation", "not_support",
		    "reasons", "The proposal does not meet the assessment "
		    "criteria well enough: the innovation and the benefits are "
		    "not demonstrated.");
	else if (a->flags & AF_REDUCED)
		b = json_pack("{s:s,s:s,s:s,s:I}", "recommendation",
		    "support_with_conditions", "reasons", "Meets the criteria; "
		    "some budget items are not supported.", "conditions",
		    "The government contribution is reduced to the items "
		    "supported; the applicant bears the rest.",
		    "recommended_cents", (json_int_t)a->gov);
	else if (a->flags & AF_CONDITIONS)
		b = json_pack("{s:s,s:s,s:s}", "recommendation",
		    "support_with_conditions", "reasons", "Meets the "
		    "criteria.", "conditions", "Submit a revised "
		    "implementation plan before signing the agreement.");
	else
		b = json_pack("{s:s,s:s}", "recommendation", "support",
		    "reasons", "Meets the assessment criteria; the budget is "
		    "reasonable and the team capable.");
	ok = decisions_recommend(ru->db, ru->set, who, a->id, b, &out, err);
	json_decref(b);
	json_decref(out);
	return (ok);
}

static int
op_decide(struct run *ru, int ai, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	json_t		*b, *out;
	cents_t		 amount;
	int		 ok, yes;

	yes = a->outcome == O_APPROVED;
	amount = (a->flags & AF_REDUCED) && yes ? a->gov : a->req;
	b = json_pack("{s:s,s:s}", "decision", yes ? "approve" : "reject",
	    "reasons", yes ? "Approved as recommended by the panel." :
	    a->outcome == O_REJECT_APPROVER ? "Not approved: the project "
	    "duplicates one already funded." : "Not approved, as the panel "
	    "does not recommend it.");
	ok = decisions_record(ru->db, ru->set, approver(ru, amount), a->id, b,
	    &out, err);
	json_decref(b);
	json_decref(out);
	if (ok && yes)
		ru->res->projects++;
	return (ok);
}

static int
op_schedule(struct run *ru, int ai, int initial_bp, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	json_t		*b, *out;
	int		 ok;

	b = json_pack("{s:i,s:o}", "initial_bp", initial_bp, "milestones",
	    milestones(a, 1, initial_bp));
	ok = projects_schedule_set(ru->db, officer(ru, a->scheme), a->id, b,
	    &out, err);
	json_decref(b);
	json_decref(out);
	return (ok);
}

static int
op_sign(struct run *ru, int ai, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	struct actor	 ap;
	json_t		*out, *t, *ag;
	size_t		 i;
	int64_t		 seq;

	applicant_actor(ru, a->org, &ap);
	if (!projects_sign(ru->db, &ap, a->id, NULL, &out, err))
		return (0);
	json_array_foreach(json_object_get(out, "tranches"), i, t) {
		seq = json_integer_value(json_object_get(t, "seq"));
		if (seq < 0 || seq > MAXMS)
			continue;
		a->tranche_id[seq] = json_integer_value(json_object_get(t,
		    "id"));
		a->tranche_amt[seq] = json_integer_value(json_object_get(t,
		    "amount_cents"));
	}
	ag = json_object_get(out, "agreement");
	a->government = json_integer_value(json_object_get(ag,
	    "government_cents"));
	a->total_cost = json_integer_value(json_object_get(ag,
	    "total_cost_cents"));
	json_decref(out);
	return (1);
}

/* The audited eligible cost the project reports at the end. */
static cents_t
audited_cost(const struct s_app *a)
{
	cents_t	base = a->total_cost > 0 ? a->total_cost : a->government;

	return ((cents_t)((__int128)base * a->audited_bp / 10000));
}

/* POST /payments with body b (taken) as actor: a->payment_id. */
static int
prepare(struct run *ru, int ai, const struct actor *actor, json_t *b,
    struct app_err *err)
{
	struct payment_request	 req;
	json_t			*out = NULL;
	int			 created, ok;

	if (b == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	ok = payments_request_from_json(b, NULL, &req, err) &&
	    payments_prepare(ru->db, actor, &req, &created, &out, err) &&
	    json_id(out, &ru->pl->apps[ai].payment_id);
	json_decref(out);
	json_decref(b);
	return (ok);
}

static int
op_prepare(struct run *ru, int ai, int seq, struct app_err *err)
{
	struct s_app		*a = &ru->pl->apps[ai];
	struct project_surplus	 sp;
	cents_t			 amount;
	char			 key[64];

	a->payment_id = 0;
	if (a->dead || a->tranche_id[seq] == 0 || a->tranche_amt[seq] <= 0)
		return (1);	/* no such tranche: nothing to pay */
	amount = a->tranche_amt[seq];
	if (seq == a->nms && a->ending == E_UNDERSPENT) {
		/* The final tranche: only the government's share still owed. */
		if (!projects_surplus(a->paid, a->government, a->total_cost,
		    audited_cost(a), 0, &sp, err))
			return (0);
		amount = sp.share_cents - a->paid;
		if (amount > a->tranche_amt[seq])
			amount = a->tranche_amt[seq];
		if (amount <= 0)
			return (1);
	}
	snprintf(key, sizeof(key), "seed-%lld-%d", (long long)a->id, seq);
	return (prepare(ru, ai, officer(ru, a->scheme), json_pack(
	    "{s:I,s:I,s:I,s:s,s:s}", "project_id", (json_int_t)a->id,
	    "tranche_id", (json_int_t)a->tranche_id[seq], "amount_cents",
	    (json_int_t)amount, "note", seq == 0 ? "Initial payment" :
	    seq == a->nms ? "Final payment" : "Milestone payment",
	    "idempotency_key", key), err));
}

static int
op_approve_pay(struct run *ru, int ai, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	json_t		*out;
	int		 ok;

	if (a->payment_id == 0)
		return (1);
	ok = payments_approve(ru->db, staff_actor(ru, ru->pl->finance[ai % 2]),
	    a->payment_id, NULL, &out, err);
	if (ok) {
		a->paid += json_integer_value(json_object_get(out,
		    "amount_cents"));
		ru->fy_paid += json_integer_value(json_object_get(out,
		    "amount_cents"));
		ru->res->payments++;
	}
	json_decref(out);
	a->payment_id = 0;
	return (ok);
}

/*
 * Claims (claim_ops()).  What a project claims in all: the government's
 * share of its audited cost (all of the grant unless it spent less), so
 * that close-out finds no surplus.
 */
static int
claim_target(const struct s_app *a, cents_t *target, struct app_err *err)
{
	struct project_surplus	sp;

	if (a->government <= 0) {
		*target = 0;
		return (1);
	}
	if (!projects_surplus(0, a->government, a->total_cost, audited_cost(a),
	    0, &sp, err))
		return (0);
	*target = sp.share_cents;
	return (1);
}

#define TSSSU_FY0	1999
#define TSSSU_NFY	48

/*
 * The body of claim k (off: ITVF, days since the deal), or *b NULL when
 * there is nothing (more) to claim.
 */
static int
claim_body(struct run *ru, int ai, int k, int off, json_t **b,
    struct app_err *err)
{
	struct plan			*pl = ru->pl;
	struct s_app			*a = &pl->apps[ai];
	const struct scheme_rules	*r;
	cents_t				 target, rate, part, prior;
	char				 month[8], day[DATE_ISO_LEN];
	int				 n, mc, first, last, from, to, y, m, dd;
	int				 fy, f0, f1;

	*b = NULL;
	if ((r = scheme_rules_on(pl->sch[a->scheme], a->d_sub)) == NULL ||
	    !claim_target(a, &target, err))
		return (0);
	n = claim_count(pl, ai);
	switch (pl->sch[a->scheme]->payment.pattern) {
	case SCHEME_PAY_MONTHLY_CLAIMS:
		rate = r->monthly_cents[r->monthly_flat ? SCHEME_QUAL_BACHELOR :
		    a->qual].value;
		mc = rate > 0 ? (int)imin(a->months, (int)(target / rate)) : 0;
		first = 0;
		last = mc;
		if (a->scheme != S_STEM && !claim_block(k, a->months, &first,
		    &last))
			return (1);
		last = imin(last, mc);
		if (k == n - 1)
			last = mc;	/* the last claim takes the rest */
		if (last <= first)
			return (1);
		date_to_ymd(month_add(a->start, first), &y, &m, &dd);
		snprintf(month, sizeof(month), "%04d-%02d", y, m);
		*b = json_pack("{s:s,s:i,s:[i],s:s}", "month", month, "months",
		    last - first, "talents", 1, "note", last - first > 1 ?
		    "Allowance for the months claimed; payroll records "
		    "attached." : "Allowance for the month; payroll record "
		    "attached.");
		break;
	case SCHEME_PAY_ANNUAL_REIMBURSEMENT:
		/* The year's part of the spending, by days in the period. */
		fy = fy_of(a->start) + k;
		fy_bounds(fy, &f0, &f1);
		from = imax(f0, a->start);
		to = imin(f1, a->end);
		if (to < from)
			return (1);
		part = (cents_t)((__int128)target * (to - from + 1) / (a->end -
		    a->start + 1));
		if (k == n - 1) {
			/* What the earlier years' claims left. */
			part = target;
			for (y = 0; y < k; y++) {
				fy_bounds(fy_of(a->start) + y, &f0, &f1);
				part -= (cents_t)((__int128)target * (imin(f1,
				    a->end) - imax(f0, a->start) + 1) /
				    (a->end - a->start + 1));
			}
		}
		part = part / 100000 * 100000;	/* HK$1,000s, as reported */
		if (part <= 0)
			return (1);
		/* The university's claims of the year stay within its cap. */
		if (ru->tsssu_claimed == NULL && (ru->tsssu_claimed = calloc(
		    pl->norgs * TSSSU_NFY, sizeof(cents_t))) == NULL)
			return (app_err_set(err, APP_EINTERNAL, NULL,
			    "out of memory"));
		y = imax(0, imin(TSSSU_NFY - 1, fy - TSSSU_FY0));
		prior = ru->tsssu_claimed[(size_t)a->org * TSSSU_NFY + y];
		if (r->per_institution_annual_cap_cents.present &&
		    prior >= r->per_institution_annual_cap_cents.value)
			return (1);
		fy_label(fy, month, sizeof(month));
		*b = json_pack("{s:s,s:I,s:s}", "fy", month,
		    "expenditure_cents", (json_int_t)part, "note", "Audited "
		    "statement of the year's expenditure attached.");
		break;
	default:
		if (k >= n)
			return (1);
		part = n == 1 ? target : k == 0 ? target * 6 / 10 :
		    (target - target * 6 / 10) / (n - 1);
		if (k == n - 1 && n > 1)
			part = target - target * 6 / 10 - (target - target * 6 /
			    10) / (n - 1) * (n - 2);
		if (!r->gov_share_num.present || r->gov_share_num.value <= 0 ||
		    part <= 0)
			return (1);
		part = part * r->gov_share_den.value / r->gov_share_num.value;
		date_format(ru->day - off, day, sizeof(day));
		*b = json_pack("{s:s,s:I,s:s,s:s}", "investment_date", day,
		    "partner_investment_cents", (json_int_t)part, "round",
		    k == 0 ? "Series A" : k == 1 ? "Series B" : "Series C",
		    "note", "Completion of the round: share purchase "
		    "agreement and the partner's payment attached.");
		break;
	}
	if (*b == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	return (1);
}

/* TSSSU: the university's live claims of the claim's year. */
static void
claim_tally(struct run *ru, const struct s_app *a, const json_t *c,
    int sign)
{
	const char	*period;
	int		 fy;

	if (a->scheme != S_TSSSU || ru->tsssu_claimed == NULL)
		return;
	period = json_string_value(json_object_get(c, "period"));
	if (period == NULL || !fy_parse(period, &fy))
		return;
	fy = imax(0, imin(TSSSU_NFY - 1, fy - TSSSU_FY0));
	ru->tsssu_claimed[(size_t)a->org * TSSSU_NFY + fy] += sign *
	    json_integer_value(json_object_get(c, "amount_cents"));
}

/* The applicant submits claim k, or corrects the returned one. */
static int
op_claim(struct run *ru, int ai, int arg, int correct, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	struct actor	 ap;
	json_t		*b, *out = NULL;
	int		 ok;

	if (a->dead || (correct && a->claim_id == 0))
		return (1);
	if (!correct)
		a->claim_id = 0;
	if (!claim_body(ru, ai, arg & 0xff, arg >> 8, &b, err))
		return (0);
	if (b == NULL) {
		a->claim_id = 0;
		return (1);	/* nothing (more) to claim */
	}
	applicant_actor(ru, a->org, &ap);
	ok = correct ? claims_resubmit(ru->db, ru->set, &ap, a->claim_id, b,
	    &out, err) : claims_submit(ru->db, ru->set, &ap, a->id, b, &out,
	    err);
	ok = ok && json_id(out, &a->claim_id);
	if (ok) {
		a->claim_cents = json_integer_value(json_object_get(out,
		    "amount_cents"));
		claim_tally(ru, a, out, 1);
	}
	json_decref(b);
	json_decref(out);
	return (ok);
}

/* The scheme's officer verifies the claim: accepts or returns it. */
static int
op_claim_review(struct run *ru, int ai, int accept, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	json_t		*b, *out = NULL;
	int		 ok;

	if (a->dead || a->claim_id == 0)
		return (1);
	b = accept ? json_pack("{s:s}", "note", "Checked against the "
	    "agreement and the supporting documents.") : json_pack("{s:s}",
	    "reason", "The supporting documents do not cover the whole "
	    "period claimed; please attach them and submit again.");
	ok = claims_review(ru->db, officer(ru, a->scheme), a->claim_id, accept,
	    b, &out, err);
	if (ok && accept)
		a->claim_cents = json_integer_value(json_object_get(out,
		    "payable_cents"));
	else if (ok)
		claim_tally(ru, a, out, -1);
	json_decref(b);
	json_decref(out);
	return (ok);
}

/*
 * The senior officer prepares the payment of the accepted claim (not the
 * officer who verified it; finance approves it, op_approve_pay()).
 */
static int
op_claim_pay(struct run *ru, int ai, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	json_t		*b;
	char		 key[64];

	a->payment_id = 0;
	if (a->dead || a->claim_id == 0 || a->claim_cents <= 0)
		return (1);	/* nothing payable (the advance covered it) */
	snprintf(key, sizeof(key), "seed-claim-%lld", (long long)a->claim_id);
	b = json_pack("{s:I,s:I,s:s,s:s}", "project_id", (json_int_t)a->id,
	    "claim_id", (json_int_t)a->claim_id, "note", "Payment of the "
	    "accepted claim", "idempotency_key", key);
	a->claim_id = 0;
	return (prepare(ru, ai, staff_actor(ru, ru->pl->officer[S_ITSP]), b,
	    err));
}

static int
op_report(struct run *ru, int ai, int seq, int accounts, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	struct actor	 ap;
	json_t		*b, *out;
	cents_t		 spent;
	char		 text[300];
	int		 ok;

	if (a->dead)
		return (1);
	applicant_actor(ru, a->org, &ap);
	spent = audited_cost(a) * seq / (a->nms > 0 ? a->nms : 1);
	if (accounts) {
		b = json_pack("{s:s,s:s,s:I,s:I,s:I}", "kind",
		    "audited_accounts", "text", "Audited statement of the "
		    "project account, with the auditor's report.",
		    "expenditure_cents", (json_int_t)audited_cost(a),
		    "audited_cost_cents", (json_int_t)audited_cost(a),
		    "interest_cents", (json_int_t)a->interest);
	} else {
		snprintf(text, sizeof(text), seq == a->nms ? "Final report: "
		    "the project is complete; deliverables attached." :
		    "Progress report for milestone %d: the stage is complete "
		    "as planned.", seq);
		b = json_pack("{s:s,s:s,s:I}", "kind", "progress", "text", text,
		    "expenditure_cents", (json_int_t)spent);
	}
	ok = projects_report_submit(ru->db, &ap, ru->pl->o.upload_dir, a->id,
	    seq, b, NULL, &out, err) && json_id(out, accounts ?
	    &a->accounts_id : &a->report_id);
	json_decref(b);
	json_decref(out);
	return (ok);
}

static int
op_review(struct run *ru, int ai, int accounts, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[ai];
	json_t		*out;
	int		 ok;

	if (a->dead)
		return (1);
	ok = projects_report_review(ru->db, officer(ru, a->scheme),
	    accounts ? a->accounts_id : a->report_id, 1, accounts ?
	    "Audited accounts accepted." : "Accepted.", &out, err);
	json_decref(out);
	return (ok);
}

static int
op_project(struct run *ru, const struct s_op *op, struct app_err *err)
{
	struct s_app	*a = &ru->pl->apps[op->idx];
	const struct actor *off = officer(ru, a->scheme);
	json_t		*out = NULL, *b;
	int		 ok = 1;

	if (a->dead)
		return (1);
	switch (op->kind) {
	case OP_SUSPEND:
		ok = projects_suspend(ru->db, off, a->id, op->arg ? "Progress "
		    "is unsatisfactory and the project account is under "
		    "review; payments are suspended (FCR(2021-22)22 para 31)." :
		    "Expenditure not in line with the agreement; payments "
		    "suspended pending clarification.", &out, err);
		break;
	case OP_RESUME:
		ok = projects_resume(ru->db, off, a->id, "Clarification "
		    "received; payments resume.", &out, err);
		break;
	case OP_TERMINATE:
		ok = projects_terminate(ru->db, off, a->id, "The applicant "
		    "asked to end the project early; the unspent commitment is "
		    "released.", &out, err);
		a->dead = 1;
		break;
	case OP_CLOSE:
		ok = projects_close(ru->db, off, a->id, NULL, &out, err);
		if (ok)
			a->interest = json_integer_value(json_object_get(
			    json_object_get(out, "close_out"),
			    "refund_due_cents"));
		break;
	case OP_REFUND:
		if (a->interest <= 0)
			break;
		b = json_pack("{s:I,s:s}", "amount_cents",
		    (json_int_t)a->interest, "reference", "Cheque received");
		ok = projects_refund(ru->db, staff_actor(ru,
		    ru->pl->finance[0]), a->id, b, &out, err);
		json_decref(b);
		break;
	}
	json_decref(out);
	return (ok);
}

/* Subhead 101's available commitment, or a finance figure, as of day. */
static int
position(struct run *ru, int day, const char *code, const char *key,
    cents_t *out, struct app_err *err)
{
	json_t		*pos, *x;
	const char	*arr;
	size_t		 i;

	if (!ledger_position(ru->db, staff_actor(ru, ru->pl->finance[0]), day,
	    &pos, err))
		return (0);
	*out = 0;
	arr = strcmp(key, "balance_cents") == 0 ? "accounts" : "subheads";
	json_array_foreach(json_object_get(pos, arr), i, x) {
		if (strcmp(json_string_value(json_object_get(x, "code")),
		    code) == 0)
			*out = json_integer_value(json_object_get(x, key));
	}
	json_decref(pos);
	return (1);
}

static int
open_income(struct run *ru, cents_t amount, const char *paper,
    const char *text, struct app_err *err)
{
	struct ledger_funding	f;

	memset(&f, 0, sizeof(f));
	f.amount = amount;
	snprintf(f.account, sizeof(f.account), "%s", LEDGER_BLOCK_VOTE);
	snprintf(f.paper_ref, sizeof(f.paper_ref), "%s", paper);
	f.approved_on = ru->day;
	f.value_date = LEDGER_TODAY;
	snprintf(f.narrative, sizeof(f.narrative), "%s", text);
	return (ledger_open_tx(ru->db, staff_actor(ru, ru->pl->finance[0]), &f,
	    NULL, err));
}

/* Pay up to amount of an institution's commitment; what was paid. */
static int
pay_inst(struct run *ru, int64_t project, cents_t amount, const char *text,
    cents_t *paid, struct app_err *err)
{
	struct ledger_project	lp;
	const struct actor	*fin = staff_actor(ru, ru->pl->finance[1]);

	*paid = 0;
	if (!ledger_project_get(ru->db, fin, project, &lp, err))
		return (0);
	if (amount > lp.outstanding)
		amount = lp.outstanding;
	if (amount <= 0)
		return (1);
	if (!ledger_pay_tx(ru->db, fin, project, amount, LEDGER_TODAY, text,
	    NULL, err))
		return (0);
	*paid = amount;
	ru->fy_paid += amount;
	return (1);
}

static int
op_ledger(struct run *ru, int li, struct app_err *err)
{
	struct plan		*pl = ru->pl;
	struct s_ledger		*l = &pl->ledger[li];
	const struct actor	*fin = staff_actor(ru, pl->finance[0]);
	struct ledger_funding	 f;
	struct ledger_transfer	 t;
	cents_t			 a, cum, worst, inc, paid, fy_before;
	char			 paper[LEDGER_REF_MAX], text[200];
	int			 d, k;

	switch (l->kind) {
	case L_OPEN:
	case L_INJECT:
		memset(&f, 0, sizeof(f));
		f.amount = (cents_t)(l->amount * pl->o.scale);
		snprintf(f.account, sizeof(f.account), "%s", l->account);
		snprintf(f.paper_ref, sizeof(f.paper_ref), "%s", l->paper);
		f.approved_on = l->approved_on;
		f.value_date = LEDGER_TODAY;
		snprintf(f.narrative, sizeof(f.narrative), "%s", l->text);
		return (l->kind == L_OPEN ? ledger_open_tx(ru->db, fin, &f, NULL,
		    err) : ledger_inject_tx(ru->db, fin, &f, NULL, err));
	case L_TRANSFER_WHOLE:
		memset(&t, 0, sizeof(t));
		snprintf(t.from, sizeof(t.from), "%s", l->account);
		snprintf(t.to, sizeof(t.to), "%s", l->to);
		t.whole_balance = 1;
		snprintf(t.paper_ref, sizeof(t.paper_ref), "%s", l->paper);
		t.approved_on = l->approved_on;
		t.value_date = LEDGER_TODAY;
		snprintf(t.narrative, sizeof(t.narrative), "%s", l->text);
		return (ledger_transfer_tx(ru->db, fin, &t, NULL, err));
	case L_COMMIT:
		return (ledger_commit_tx(ru->db, fin, l->project,
		    (cents_t)(l->amount * pl->o.scale), l->account[0] != '\0' ?
		    l->account : NULL, LEDGER_TODAY, l->text, NULL, err));
	case L_PAY:
		return (pay_inst(ru, l->project, (cents_t)(l->amount *
		    pl->o.scale), l->text, &paid, err));
	case L_PAY_SHARE:
		if (pl->innohk_calibrated <= 0)
			return (1);
		return (pay_inst(ru, l->project, pl->innohk_calibrated / 5,
		    l->text, &paid, err));
	case L_INCOME:
		/*
		 * Investment income for the year ending today: what the
		 * fund's balance earns, or what the next year's planned
		 * commitments need, whichever is more.
		 */
		if (!position(ru, ru->day, LEDGER_BLOCK_VOTE,
		    "available_commitment_cents", &a, err))
			return (0);
		cum = worst = 0;
		for (d = ru->day + 1; d <= ru->day + 366; d++) {
			if (d - pl->day0 >= pl->nflow)
				break;
			cum += pl->flow[d - pl->day0];
			if (cum < worst)
				worst = cum;
		}
		inc = (cents_t)((double)(-worst) * 1.10) +
		    (cents_t)(MILLION(200) * pl->o.scale) - a;
		if (inc < a * 35 / 1000)
			inc = a * 35 / 1000;
		if (ru->day == ymd(2020, 3, 31)) {
			/* Leave February 2021 above the paper's $4.1bn. */
			for (d = ru->day + 1, cum = 0; d <= pl->p_to; d++)
				cum += pl->flow[d - pl->day0];
			if (MILLION(4400) * pl->o.scale - cum - a > inc)
				inc = (cents_t)(MILLION(4400) * pl->o.scale) -
				    cum - a;
		}
		inc = inc / 100000 * 100000;
		if (inc <= 0)
			return (1);
		snprintf(paper, sizeof(paper), "ITF income %d-%02d",
		    fy_of(ru->day), (fy_of(ru->day) + 1) % 100);
		snprintf(text, sizeof(text), "Investment income of the fund "
		    "for %d-%02d, credited to subhead 101", fy_of(ru->day),
		    (fy_of(ru->day) + 1) % 100);
		return (open_income(ru, inc, paper, text, err));
	case L_CALIBRATE:
		/* The position of 28 February 2021 (S¶5): $4.1bn available. */
		if (!position(ru, ru->day, LEDGER_BLOCK_VOTE,
		    "available_commitment_cents", &a, err))
			return (0);
		a -= l->amount;
		if (a > HKD(1000)) {
			pl->innohk_calibrated = a;
			return (ledger_commit_tx(ru->db, fin, pl->innohk_next, a,
			    NULL, LEDGER_TODAY, "InnoHK: further centres "
			    "(five-year funding)", NULL, err));
		}
		if (a < -HKD(1000))
			return (open_income(ru, -a, "ITF income 2020-21",
			    "Investment income of the fund for 2020-21 to date",
			    err));
		return (1);
	case L_CASHFLOW:
		/* Payments of 2020-21: $5,331M (S¶32); InnoHK make it up. */
		if (!position(ru, ru->day, "PAYMENTS", "balance_cents", &a,
		    err) || !position(ru, ymd(2020, 3, 31), "PAYMENTS",
		    "balance_cents", &fy_before, err))
			return (0);
		a = l->amount - (a - fy_before);
		for (k = 0; a > 0 && k < 29; k++) {
			if (!pay_inst(ru, INST_ID_BASE + 300 + k, a, "InnoHK: "
			    "payments for 2020-21", &paid, err))
				return (0);
			a -= paid;
		}
		if (a > HKD(1000))
			note(pl, "cash flow 2020-21: $%.1fM short of the "
			    "paper's $5,331M", (double)a / 1e8);
		return (1);
	}
	return (1);
}

static int
op_estimates(struct run *ru, struct app_err *err)
{
	json_t	*b, *out;
	int	 ok;

	b = json_pack("{s:[{s:s,s:n,s:I},{s:s,s:n,s:I},{s:s,s:n,s:I}]}",
	    "estimates", "fy", "2020-21", "scheme", "amount_cents",
	    (json_int_t)(MILLION(5331) * ru->pl->o.scale), "fy", "2021-22",
	    "scheme", "amount_cents", (json_int_t)(MILLION(5062) *
	    ru->pl->o.scale), "fy", "2022-23", "scheme", "amount_cents",
	    (json_int_t)(MILLION(6267) * ru->pl->o.scale));
	ok = estimates_put(ru->db, staff_actor(ru, ru->pl->finance[0]), b,
	    &out, err);
	json_decref(b);
	json_decref(out);
	return (ok);
}

static int
dispatch(struct run *ru, const struct s_op *op, struct app_err *err)
{
	int	i = op->idx;

	ru->calls++;
	switch (op->kind) {
	case OP_LEDGER:
		return (op_ledger(ru, i, err));
	case OP_ORG:
		return (op_org(ru, i, err));
	case OP_STAFF:
		return (op_staff(ru, i, err));
	case OP_PANEL:
		return (op_panel(ru, i, err));
	case OP_APPOINT:
		return (op_appoint(ru, i, err));
	case OP_MEETING:
		return (op_meeting(ru, i, err));
	case OP_CREATE:
		return (op_create(ru, i, err));
	case OP_SUBMIT:
	case OP_RESUBMIT:
		return (op_submit(ru, i, err));
	case OP_RETURN:
		return (op_screen(ru, i, "return", err));
	case OP_ACCEPT:
		return (op_screen(ru, i, "accept", err));
	case OP_WITHDRAW:
		return (op_withdraw(ru, i, err));
	case OP_PARTNER:
		return (op_partner(ru, i, err));
	case OP_ASSESS:
		return (op_assess(ru, i, err));
	case OP_RECOMMEND:
		return (op_recommend(ru, i, err));
	case OP_DECIDE:
		return (op_decide(ru, i, err));
	case OP_SCHEDULE:
		return (op_schedule(ru, i, op->arg, err));
	case OP_CLAIM:
	case OP_CLAIM_RESUBMIT:
		return (op_claim(ru, i, op->arg, op->kind == OP_CLAIM_RESUBMIT,
		    err));
	case OP_CLAIM_RETURN:
	case OP_CLAIM_ACCEPT:
		return (op_claim_review(ru, i, op->kind == OP_CLAIM_ACCEPT,
		    err));
	case OP_CLAIM_PAY:
		return (op_claim_pay(ru, i, err));
	case OP_SIGN:
		return (op_sign(ru, i, err));
	case OP_PREPARE:
		return (op_prepare(ru, i, op->arg, err));
	case OP_APPROVE_PAY:
		return (op_approve_pay(ru, i, err));
	case OP_REPORT:
		return (op_report(ru, i, op->arg, 0, err));
	case OP_ACCOUNTS:
		return (op_report(ru, i, op->arg, 1, err));
	case OP_REVIEW:
		return (op_review(ru, i, 0, err));
	case OP_REVIEW_ACCOUNTS:
		return (op_review(ru, i, 1, err));
	case OP_SUSPEND:
	case OP_RESUME:
	case OP_TERMINATE:
	case OP_CLOSE:
	case OP_REFUND:
		return (op_project(ru, op, err));
	case OP_ESTIMATES:
		return (op_estimates(ru, err));
	}
	return (app_err_set(err, APP_EINTERNAL, NULL, "unknown step"));
}

/*
 * Move the timestamps the core stamped with the clock (now() is the
 * transaction's start) to the day each step replayed, spread over office
 * hours: each day's steps ran between the server clock readings t0 and t1
 * of a row of itf_seed_clock.  The audit trail, the ledger's entries and
 * the agreement versions are append-only by design and keep the real time
 * they were written.
 */
static const char SQL_SEED_CLOCK[] =
    "CREATE TEMP TABLE itf_seed_clock (t0 timestamptz PRIMARY KEY,"
    " t1 timestamptz NOT NULL, sim timestamptz NOT NULL, f float8 NOT NULL)";
static const char SQL_SEED_CLOCK_FILL[] =
    "INSERT INTO itf_seed_clock SELECT x.t0, x.t1,"
    " (x.d + time '01:00') AT TIME ZONE 'UTC',"
    " 28800.0 / greatest(extract(epoch FROM x.t1 - x.t0), 1.0)"
    " FROM unnest($1::timestamptz[], $2::timestamptz[], $3::date[])"
    " AS x(t0, t1, d) WHERE x.t1 > x.t0";
static const char SQL_SEED_AT[] =
    "CREATE FUNCTION pg_temp.itf_seed_at(ts timestamptz)"
    " RETURNS timestamptz LANGUAGE sql STABLE AS $f$"
    " SELECT coalesce((SELECT CASE WHEN ts < k.t1"
    "  THEN k.sim + (ts - k.t0) * k.f ELSE ts END"
    "  FROM pg_temp.itf_seed_clock k WHERE k.t0 <= ts"
    "  ORDER BY k.t0 DESC LIMIT 1), ts) $f$";

static const struct {
	const char	*table;
	const char	*cols[7];
} restamp_cols[] = {
	{ "organisations", { "created_at" } },
	{ "users", { "created_at" } },
	{ "applications", { "created_at", "updated_at", "submitted_at",
	    "resubmitted_at", "decided_at" } },
	{ "application_events", { "at" } },
	{ "notifications", { "created_at", "read_at" } },
	{ "panels", { "created_at" } },
	{ "panel_members", { "appointed_at" } },
	{ "panel_meetings", { "created_at" } },
	{ "meeting_items", { "added_at" } },
	{ "conflict_declarations", { "declared_at" } },
	{ "panel_scores", { "scored_at", "updated_at" } },
	{ "recommendations", { "recorded_at" } },
	{ "partner_assessments", { "recorded_at" } },
	{ "decisions", { "decided_at" } },
	{ "projects", { "signed_at", "suspended_at", "terminated_at",
	    "closed_at", "created_at", "updated_at" } },
	{ "project_milestones", { "report_accepted_at",
	    "accounts_accepted_at" } },
	{ "project_tranches", { "unlocked_at" } },
	{ "progress_reports", { "submitted_at", "reviewed_at" } },
	{ "payments", { "prepared_at", "approved_at", "cancelled_at" } },
	{ "claims", { "submitted_at", "reviewed_at" } },
	{ "project_refunds", { "recorded_at" } },
	{ "cash_flow_estimates", { "updated_at" } },
};

static int
restamp(struct run *ru, struct app_err *err)
{
	struct db_params	 p;
	PGresult		*res;
	char			*t0, *t1, *d, *w0, *w1, *wd, sql[1024];
	char			 day[DATE_ISO_LEN], last[40];
	size_t			 i, k, n, cap;
	int			 ok;

	n = ru->nclock;
	if (n == 0)
		return (1);
	if ((res = db_query(ru->db, "SELECT clock_timestamp()::text", NULL,
	    err)) == NULL)
		return (0);
	snprintf(last, sizeof(last), "%s", db_str(res, 0, 0));
	PQclear(res);
	cap = n * 48 + 16;
	t0 = malloc(cap);
	t1 = malloc(cap);
	d = malloc(n * 16 + 16);
	if (t0 == NULL || t1 == NULL || d == NULL)
		abort();
	w0 = t0, w1 = t1, wd = d;
	*w0++ = '{', *w1++ = '{', *wd++ = '{';
	for (i = 0; i < n; i++) {
		w0 += sprintf(w0, "%s\"%s\"", i ? "," : "", ru->clock[i]);
		w1 += sprintf(w1, "%s\"%s\"", i ? "," : "", i + 1 < n ?
		    ru->clock[i + 1] : last);
		wd += sprintf(wd, "%s%s", i ? "," : "",
		    date_format(ru->clock_day[i], day, sizeof(day)));
	}
	strcpy(w0, "}");
	strcpy(w1, "}");
	strcpy(wd, "}");
	db_params_init(&p);
	dbp_str(&p, t0);
	dbp_str(&p, t1);
	dbp_str(&p, d);
	ok = db_exec(ru->db, SQL_SEED_CLOCK, NULL, err) &&
	    db_exec(ru->db, SQL_SEED_CLOCK_FILL, &p, err) &&
	    db_exec(ru->db, "ANALYZE itf_seed_clock", NULL, err) &&
	    db_exec(ru->db, SQL_SEED_AT, NULL, err);
	for (i = 0; ok && i < NELEM(restamp_cols); i++) {
		snprintf(sql, sizeof(sql), "UPDATE %s SET ",
		    restamp_cols[i].table);
		for (k = 0; k < NELEM(restamp_cols[i].cols) &&
		    restamp_cols[i].cols[k] != NULL; k++) {
			snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
			    "%s%s = pg_temp.itf_seed_at(%s)", k ? ", " : "",
			    restamp_cols[i].cols[k], restamp_cols[i].cols[k]);
		}
		ok = db_exec(ru->db, sql, NULL, err);
	}
	free(t0);
	free(t1);
	free(d);
	return (ok);
}

static int
clock_mark(struct run *ru, struct app_err *err)
{
	PGresult	*res;

	if (ru->nclock == ru->clockcap) {
		ru->clockcap = ru->clockcap == 0 ? 4096 : ru->clockcap * 2;
		ru->clock = realloc(ru->clock, ru->clockcap *
		    sizeof(*ru->clock));
		ru->clock_day = realloc(ru->clock_day, ru->clockcap *
		    sizeof(*ru->clock_day));
		if (ru->clock == NULL || ru->clock_day == NULL)
			abort();
	}
	if ((res = db_query(ru->db, "SELECT clock_timestamp()::text", NULL,
	    err)) == NULL)
		return (0);
	snprintf(ru->clock[ru->nclock], sizeof(ru->clock[0]), "%s",
	    db_str(res, 0, 0));
	ru->clock_day[ru->nclock++] = ru->day;
	PQclear(res);
	return (1);
}

static int
main_step(struct run *ru, const struct s_op *op, struct app_err *err)
{
	double	t;
	int	ok;

	t = now_s();
	ok = dispatch(ru, op, err);
	ru->kind_s[op->kind] += now_s() - t;
	ru->kind_n[op->kind]++;
	if (!ok)
		return (fail(ru, op, err));
	return (1);
}

/*
 * One connection replays everything in order.  (Several would not help:
 * every change writes the hash-chained audit trail, whose trigger holds
 * one advisory lock until COMMIT, so writers take turns anyway; measured
 * slower with four connections than with one.)
 */
static int
run_all(struct run *ru, struct app_err *err)
{
	struct plan	*pl = ru->pl;
	size_t		 i;
	int		 y;

	ru->t_start = now_s();
	ru->last_year = 0;
	for (i = 0; i < pl->nops; i++) {
		if (i == 0 || pl->ops[i].day != ru->day) {
			ru->day = pl->ops[i].day;
			date_set_today(ru->day);
			if (!clock_mark(ru, err))
				break;
			y = year_of(ru->day);
			if (y != ru->last_year) {
				if (ru->last_year != 0)
					progress(ru, "seed: %d done: %lld "
					    "steps, %.1f s", ru->last_year,
					    (long long)ru->calls,
					    now_s() - ru->t_start);
				ru->last_year = y;
			}
		}
		if (!main_step(ru, &pl->ops[i], err))
			break;
	}
	date_set_today(-1);
	if (i < pl->nops)
		return (0);
	progress(ru, "seed: %d done: %lld steps, %.1f s", ru->last_year,
	    (long long)ru->calls, now_s() - ru->t_start);
	if (getenv("ITF_SEED_PROFILE") != NULL) {
		for (y = 0; y < OP_NKINDS; y++)
			if (ru->kind_n[y] > 0)
				progress(ru, "seed: step %2d: %7lld x %.3f ms = "
				    "%.1f s", y, (long long)ru->kind_n[y],
				    ru->kind_s[y] * 1000 / ru->kind_n[y],
				    ru->kind_s[y]);
	}
	return (1);
}

/* The project's total cost as approval will record it. */
static cents_t
plan_total_cost(const struct plan *pl, const struct s_app *a)
{
	if (pl->sch[a->scheme]->funding_model == SCHEME_MODEL_ALLOWANCE)
		return (0);
	if (a->scheme == S_ITVF)
		return (a->cost + a->req);
	return (a->cost);
}

/*
 * What the reports should show, from the plan, one "plan:" line each
 * (tests/integration/seed.test.mjs reads them): per scheme for the
 * paper's window (scheme-statistics --from 2017-04-01 --to 2021-02-28;
 * at scale 1, FCR(2021-22)22 paragraph 6), TVP since its launch and by
 * year (S¶6(i), S¶24), and the approvals since 1999 (S¶5).
 */
static void
plan_summary(struct run *ru)
{
	const struct plan	*pl = ru->pl;
	const struct s_app	*a;
	int64_t			 rec[S_N], ass[S_N], app[S_N], since_n;
	int64_t			 tvp_year[16], tvp_rec, tvp_ass, tvp_app;
	cents_t			 gov[S_N], priv[S_N], since_g, tc;
	size_t			 i;
	int			 s, d, y, inw;

	memset(rec, 0, sizeof(rec));
	memset(ass, 0, sizeof(ass));
	memset(app, 0, sizeof(app));
	memset(gov, 0, sizeof(gov));
	memset(priv, 0, sizeof(priv));
	memset(tvp_year, 0, sizeof(tvp_year));
	since_n = tvp_rec = tvp_ass = tvp_app = 0;
	since_g = 0;
	for (i = 0; i < pl->napps; i++) {
		a = &pl->apps[i];
		s = a->scheme;
		if (a->outcome == O_DRAFT || a->outcome == O_WITHDRAWN ||
		    a->d_sub > pl->until)
			continue;
		if (a->d_sub >= pl->p_from && a->d_sub <= pl->p_to)
			rec[s]++;
		if (s == S_TVP && a->d_sub <= pl->p_to) {
			tvp_rec++;
			y = year_of(a->d_sub) - 2016;
			if (y >= 0 && y < 16)
				tvp_year[y]++;
		}
		if (a->outcome == O_LAPSED)
			continue;
		d = a->outcome == O_REJECT_PARTNER ? a->d_partner :
		    pl->meetings[a->meeting].day;
		if (d > pl->p_to || d > pl->until)
			continue;
		if (a->outcome == O_APPROVED && a->d_dec <= pl->p_to) {
			since_n++;
			since_g += a->gov;
		}
		if (s == S_TVP) {
			tvp_ass++;
			tvp_app += a->outcome == O_APPROVED &&
			    a->d_dec <= pl->p_to;
		}
		inw = d >= pl->p_from;
		if (!inw)
			continue;
		ass[s]++;
		if (a->outcome == O_APPROVED && a->d_dec <= pl->p_to) {
			app[s]++;
			gov[s] += a->gov;
			tc = plan_total_cost(pl, a);
			priv[s] += tc > a->gov ? tc - a->gov : 0;
		}
	}
	for (s = 0; s < S_N; s++)
		progress(ru, "plan: window %s received=%lld assessed=%lld "
		    "approved=%lld gov_cents=%lld private_cents=%lld",
		    sc_code[s], (long long)rec[s], (long long)ass[s],
		    (long long)app[s], (long long)gov[s], (long long)priv[s]);
	progress(ru, "plan: launch TVP received=%lld assessed=%lld "
	    "approved=%lld", (long long)tvp_rec, (long long)tvp_ass,
	    (long long)tvp_app);
	for (y = 0; y < 6; y++)
		progress(ru, "plan: year TVP %d received=%lld", 2016 + y,
		    (long long)tvp_year[y]);
	progress(ru, "plan: since1999 approved=%lld gov_cents=%lld",
	    (long long)since_n, (long long)since_g);
	progress(ru, "plan: available H111-101 2021-02-28 cents=%lld",
	    (long long)(MILLION(FUND_AVAILABLE_M) * pl->o.scale));
}

/*
 * The demo logins printed at the end (README.md, "Demo data").
 */

static void
login_add(struct seed_result *res, const char *role, const char *email,
    const char *name, const char *note_)
{
	struct seed_login	*l;

	if (res->nlogins >= SEED_LOGINS_MAX)
		return;
	l = &res->logins[res->nlogins++];
	snprintf(l->role, sizeof(l->role), "%s", role);
	snprintf(l->email, sizeof(l->email), "%s", email);
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->note, sizeof(l->note), "%s", note_);
}

static void
org_login(struct plan *pl, struct seed_result *res, int org, const char *note_)
{
	char	name[200];

	if (org < 0 || pl->orgs[org].id == 0)
		return;
	snprintf(name, sizeof(name), "%s (%s)", pl->orgs[org].person_en,
	    pl->orgs[org].name_en);
	login_add(res, "applicant", pl->orgs[org].email, name, note_);
}

static void
logins(struct plan *pl, struct seed_result *res)
{
	const struct s_cohort	*c;
	int			*count, best, i;

	login_add(res, "admin", pl->users[pl->admin].email,
	    pl->users[pl->admin].name, "users and roles");
	login_add(res, "officer", pl->users[1].email, pl->users[1].name,
	    "screens ITSP and the R&D schemes, runs their panels, prepares "
	    "payments");
	login_add(res, "officer", pl->users[5].email, pl->users[5].name,
	    "the TVP secretariat");
	c = cohort_on(pl, S_ITSP, pl->until);
	if (c != NULL && pl->users[c->member[0]].id != 0) {
		login_add(res, "panel_member", pl->users[c->member[0]].email,
		    pl->users[c->member[0]].name, "chairs the ITSP panel now");
		login_add(res, "panel_member", pl->users[c->member[1]].email,
		    pl->users[c->member[1]].name, "sits on the ITSP panel now");
	}
	login_add(res, "approver", pl->users[pl->approver[1]].email,
	    pl->users[pl->approver[1]].name, "approves up to HK$10M");
	login_add(res, "approver", pl->users[pl->approver[3]].email,
	    pl->users[pl->approver[3]].name, "approves any amount");
	login_add(res, "finance", pl->users[pl->finance[0]].email,
	    pl->users[pl->finance[0]].name, "the ledger; checks payments");
	login_add(res, "auditor", pl->users[pl->auditor].email,
	    pl->users[pl->auditor].name, "reads everything");
	org_login(pl, res, fixed_org(pl, "HKUST"), "a university: ITSP, "
	    "PRP, MHKJFS, TSSSU, STEM, RTH");
	org_login(pl, res, fixed_org(pl, "ASTRI"), "an R&D Centre: ITSP, "
	    "PSTS, TCFS");
	org_login(pl, res, fixed_org(pl, "HKPC"), "a public body");
	/* The company with the most applications. */
	if ((count = calloc(pl->norgs, sizeof(*count))) != NULL) {
		for (i = 0; i < (int)pl->napps; i++) {
			if (pl->apps[i].org >= 0 && pl->apps[i].id != 0)
				count[pl->apps[i].org]++;
		}
		best = -1;
		for (i = 0; i < (int)pl->norgs; i++) {
			if (pl->orgs[i].kind == OK_CO && (best < 0 ||
			    count[i] > count[best]))
				best = i;
		}
		if (best >= 0)
			org_login(pl, res, best, "a company with several "
			    "applications");
		free(count);
	}
}

static void
plan_free(struct plan *pl)
{
	size_t	i;

	for (i = 0; i < pl->norgs; i++) {
		free(pl->orgs[i].name_en);
		free(pl->orgs[i].name_zh);
	}
	for (i = 0; i < pl->nmeetings; i++)
		free(pl->meetings[i].apps);
	free(pl->orgs);
	free(pl->users);
	free(pl->cohorts);
	free(pl->meetings);
	free(pl->apps);
	free(pl->ledger);
	free(pl->ops);
	free(pl->cos);
	free(pl->tvporgs);
	free(pl->itsp_pre);
	free(pl->flow);
}

void
seed_opts_init(struct seed_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->scale = 1.0;
	o->seed = SEED_DEFAULT_SEED;
	o->until = -1;
	o->upload_dir = PROJECT_UPLOAD_DIR;
}

int
seed_db_empty(struct db *db, int *empty, struct app_err *err)
{
	PGresult	*res;

	res = db_query(db, "SELECT NOT EXISTS (SELECT 1 FROM organisations)"
	    " AND NOT EXISTS (SELECT 1 FROM users)"
	    " AND NOT EXISTS (SELECT 1 FROM applications)", NULL, err);
	if (res == NULL)
		return (0);
	*empty = db_bool(res, 0, 0);
	PQclear(res);
	return (1);
}

struct seed_run_pin {
	int		 pinned;
	pid_t		 backend;
	cpu_set_t	 self, backend_set;
};

/*
 * Keep this process and its PostgreSQL backend on one CPU.  The replay is
 * one long conversation of short statements, each waiting for the answer
 * to the one before; on a virtual machine a wake-up that crosses to
 * another, idle vCPU costs more than the statement (measured: 15.2 s
 * unpinned, 7.7 s pinned, the same 6,127 steps).  Only for a backend on
 * this host (a Unix socket, and a process of that pid that is a postgres
 * backend), and only as a hint: where it is not allowed nothing changes.
 */
static void
seed_pin_cpu(struct seed_run_pin *pin, struct db *db)
{
	PGresult	*res;
	cpu_set_t	 set;
	char		 path[64], comm[64];
	FILE		*f;
	const char	*host;
	pid_t		 backend;
	int		 cpu;

	pin->pinned = 0;
	host = PQhost(db->conn);
	if (host == NULL || host[0] != '/' || getenv("ITF_SEED_NO_PIN") != NULL)
		return;
	if ((res = db_query(db, "SELECT pg_backend_pid()", NULL, NULL)) ==
	    NULL)
		return;
	backend = (pid_t)db_i64(res, 0, 0);
	PQclear(res);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)backend);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(comm, sizeof(comm), f) == NULL ||
	    strncmp(comm, "postgres", 8) != 0) {
		fclose(f);
		return;
	}
	fclose(f);
	if ((cpu = sched_getcpu()) < 0 ||
	    sched_getaffinity(0, sizeof(pin->self), &pin->self) != 0 ||
	    sched_getaffinity(backend, sizeof(pin->backend_set),
	    &pin->backend_set) != 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(backend, sizeof(set), &set) != 0)
		return;
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		sched_setaffinity(backend, sizeof(pin->backend_set),
		    &pin->backend_set);
		return;
	}
	pin->backend = backend;
	pin->pinned = 1;
}

static void
seed_unpin_cpu(struct seed_run_pin *pin)
{
	if (!pin->pinned)
		return;
	sched_setaffinity(pin->backend, sizeof(pin->backend_set),
	    &pin->backend_set);
	sched_setaffinity(0, sizeof(pin->self), &pin->self);
	pin->pinned = 0;
}

/*
 * The seed's own marks in the audit trail: "seed.demo.started" before the
 * first step and "seed.demo.finished" after the last, so that a seed that
 * was interrupted (its data incomplete) can be told from a finished one.
 */

struct seed_mark {
	const struct actor	*actor;
	const char		*action;
	json_t			*after;
};

static int
seed_mark_tx(struct db *db, void *arg, struct app_err *err)
{
	struct seed_mark	*m = arg;

	return (audit_write(db, m->actor, m->action, "seed", "demo", NULL,
	    m->after, NULL, err));
}

static int
seed_mark(struct db *db, const struct actor *actor, const char *action,
    json_t *after, struct app_err *err)
{
	struct seed_mark	m;
	int			ok;

	m.actor = actor;
	m.action = action;
	m.after = after;
	ok = after != NULL && db_tx_run(db, DB_READ_COMMITTED, seed_mark_tx,
	    &m, err);
	if (after == NULL)
		app_err_set(err, APP_EINTERNAL, NULL, "out of memory");
	json_decref(after);
	return (ok);
}

int
seed_db_state(struct db *db, enum seed_db_state *state, struct app_err *err)
{
	PGresult	*res;
	int		 empty;

	if (!seed_db_empty(db, &empty, err))
		return (0);
	if (empty) {
		*state = SEED_DB_EMPTY;
		return (1);
	}
	res = db_query(db, "SELECT action FROM audit_log WHERE record_type = "
	    "'seed' AND action IN ('seed.demo.started', 'seed.demo.finished')"
	    " ORDER BY id DESC LIMIT 1", NULL, err);
	if (res == NULL)
		return (0);
	if (PQntuples(res) == 1 &&
	    strcmp(PQgetvalue(res, 0, 0), "seed.demo.started") == 0)
		*state = SEED_DB_INTERRUPTED;
	else
		*state = SEED_DB_DATA;
	PQclear(res);
	return (1);
}

int
seed_demo(struct db *db, const struct scheme_set *set,
    const struct seed_opts *o, struct seed_result *res, struct app_err *err)
{
	struct plan		*pl;
	struct run		 ru;
	struct seed_run_pin	 pin;
	double			 t0;
	int			 s, ok, empty;

	memset(res, 0, sizeof(*res));
	t0 = now_s();
	if (o->scale <= 0 || o->scale > 1000)
		return (app_err_set(err, APP_EINVAL, "scale", "the scale must "
		    "be above 0 and at most 1000"));
	if (!o->dry_run && !seed_db_empty(db, &empty, err))
		return (0);
	if (!o->dry_run && !empty)
		return (app_err_set(err, APP_ECONFLICT, NULL, "the database "
		    "already holds organisations, users or applications; the "
		    "demo data set needs an empty one"));
	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		return (app_err_set(err, APP_EINTERNAL, NULL, "out of memory"));
	pl->o = *o;
	pl->set = set;
	/* The core's "today" is the seed's own from here: not the test's. */
	unsetenv("ITF_FAKE_TODAY");
	date_set_today(-1);
	pl->horizon = date_today_hk();
	pl->until = o->until >= 0 && o->until < pl->horizon ? o->until :
	    pl->horizon;
	pl->p_from = ymd(P_FROM_Y, 4, 1);
	pl->p_to = ymd(P_TO_Y, 2, 28);
	rng_init(&pl->rng, o->seed, 1);
	for (s = 0; s < S_N; s++) {
		if ((pl->sch[s] = schemes_find(set, sc_code[s])) == NULL) {
			plan_free(pl);
			free(pl);
			return (app_err_set(err, APP_EINVAL, "scheme", "scheme "
			    "%s is not loaded", sc_code[s]));
		}
	}
	if (!auth_password_hash(SEED_PASSWORD, pl->hash, err)) {
		free(pl);
		return (0);
	}
	ok = plan_all(pl);
	if (ok) {
		plan_flows_apps(pl);
		ok = plan_ops(pl);
	}
	if (!ok) {
		plan_free(pl);
		free(pl);
		return (app_err_set(err, APP_EINTERNAL, NULL, "the demo plan "
		    "could not be made (out of memory or a scheme rule it did "
		    "not expect)"));
	}
	memset(&ru, 0, sizeof(ru));
	ru.pl = pl;
	ru.db = db;
	ru.set = set;
	ru.res = res;
	actor_system(&ru.sys, "itfctl:seed");
	progress(&ru, "seed: planned %zu organisations, %zu applications, "
	    "%zu steps up to %04d (%.1f s)", pl->norgs, pl->napps, pl->nops,
	    year_of(pl->until), now_s() - t0);
	plan_summary(&ru);
	if (o->dry_run && getenv("ITF_SEED_PROFILE") != NULL) {
		int64_t	 nk[OP_NKINDS];
		size_t	 q;

		memset(nk, 0, sizeof(nk));
		for (q = 0; q < pl->nops; q++)
			nk[pl->ops[q].kind]++;
		for (s = 0; s < OP_NKINDS; s++)
			progress(&ru, "plan: step %2d: %lld", s,
			    (long long)nk[s]);
	}
	if (o->dry_run) {
		snprintf(res->notes, sizeof(res->notes), "%s", pl->notes);
		plan_free(pl);
		free(pl);
		res->seconds = now_s() - t0;
		return (1);
	}
	seed_pin_cpu(&pin, db);
	ok = seed_mark(db, &ru.sys, "seed.demo.started", json_pack("{s:f, "
	    "s:I, s:i, s:i}", "scale", o->scale, "seed", (json_int_t)o->seed,
	    "applications", (int)pl->napps, "steps", (int)pl->nops), err) &&
	    db_cache_statements(db, 1, err) &&
	    db_exec(db, "SET synchronous_commit TO off", NULL, err) &&
	    run_all(&ru, err);
	if (ok) {
		progress(&ru, "seed: moving history timestamps to their days");
		ok = restamp(&ru, err);
	}
	db_exec(db, "SET synchronous_commit TO DEFAULT", NULL, NULL);
	db_cache_statements(db, 0, NULL);
	seed_unpin_cpu(&pin);
	if (ok)
		ok = seed_mark(db, &ru.sys, "seed.demo.finished", json_pack(
		    "{s:I, s:f}", "core_calls", (json_int_t)ru.calls,
		    "seconds", now_s() - t0), err);
	if (ok) {
		res->operations = ru.calls;
		logins(pl, res);
		if (ru.req_mismatch > 0)
			note(pl, "%lld submissions asked for another amount "
			    "than planned", (long long)ru.req_mismatch);
		snprintf(res->notes, sizeof(res->notes), "%s", pl->notes);
	}
	free(ru.clock);
	free(ru.clock_day);
	free(ru.tsssu_claimed);
	plan_free(pl);
	free(pl);
	res->seconds = now_s() - t0;
	return (ok);
}

/*
 * The logins of a database seeded before (itfctl seed demo --if-empty on
 * a database that has data): the staff of the table above that exist, and
 * the first applicant user of the showcase organisations.
 */
int
seed_logins(struct db *db, struct seed_result *res, struct app_err *err)
{
	static const struct { int staff; const char *role, *note; } st[] = {
		{ 0, "admin", "users and roles" },
		{ 1, "officer", "screens ITSP and the R&D schemes, runs their "
		    "panels, prepares payments" },
		{ 5, "officer", "the TVP secretariat" },
		{ 9, "approver", "approves up to HK$10M" },
		{ 11, "approver", "approves any amount" },
		{ 12, "finance", "the ledger; checks payments" },
		{ 14, "auditor", "reads everything" },
	};
	static const struct { const char *key, *note; } showcase[] = {
		{ "HKUST", "a university: ITSP, PRP, MHKJFS, TSSSU, STEM, RTH" },
		{ "ASTRI", "an R&D Centre: ITSP, PSTS, TCFS" },
		{ "HKPC", "a public body" },
	};
	struct db_params	 p;
	PGresult		*r;
	size_t			 i, k;
	char			 name[200];

	memset(res, 0, sizeof(*res));
	for (i = 0; i < NELEM(st); i++) {
		db_params_init(&p);
		dbp_str(&p, staff[st[i].staff].email);
		if ((r = db_query(db, "SELECT name FROM users WHERE email = $1",
		    &p, err)) == NULL)
			return (0);
		if (PQntuples(r) == 1)
			login_add(res, st[i].role, staff[st[i].staff].email,
			    db_str(r, 0, 0), st[i].note);
		PQclear(r);
	}
	for (i = 0; i < NELEM(showcase); i++) {
		for (k = 0; k < (size_t)NFIXED; k++) {
			if (strcmp(fixed_orgs[k].key, showcase[i].key) == 0)
				break;
		}
		db_params_init(&p);
		dbp_str(&p, fixed_orgs[k].en);
		if ((r = db_query(db, "SELECT u.email, u.name FROM users u"
		    " JOIN organisations o ON o.id = u.org_id"
		    " WHERE o.name_en = $1 ORDER BY u.id LIMIT 1", &p,
		    err)) == NULL)
			return (0);
		if (PQntuples(r) == 1) {
			snprintf(name, sizeof(name), "%s (%s)", db_str(r, 0, 1),
			    fixed_orgs[k].en);
			login_add(res, "applicant", db_str(r, 0, 0), name,
			    showcase[i].note);
		}
		PQclear(r);
	}
	return (1);
}

/*
 * TSSSU (S¶6(n)): 200 start-ups and about $143M in the four years, which
 * is all but the whole of the six universities' yearly caps ($4M each,
 * $8M from 2019-20: $144M), so each university's yearly allocation is
 * planned to the cap.  Universities put forward only the start-ups their
 * own panels chose: all are approved.
 */
static int
plan_tsssu(struct plan *pl)
{
	const int	 s = S_TSSSU;
	struct window	 w;
	struct rng	 r;
	struct s_app	*a;
	cents_t		 cap, want, left, part[16];
	double		 x[16], sum;
	int		*ok, nok, m0, m1, first, launch, fm, fy, u, k, n, ai;
	int		 total, per[4][6], from, to;

	rng_init(&r, pl->o.seed, 100 + (uint64_t)s);
	launch = launch_day(pl, s);
	fm = weekday(launch + 75);
	if (!plan_meetings(pl, s, fm, pl->horizon + 150, 12, &m0, &m1) ||
	    !plan_panels(pl, s, fm))
		return (0);
	first = (int)pl->napps;
	memset(&w, 0, sizeof(w));
	w.earliest = launch;
	if (pl->pre_n[s] > 0) {
		w.from = fm;
		w.to = pl->p_from - 1;
		w.n_approved = w.n_assessed = pl->pre_n[s];
		w.growth = 1.0;
		if (!plan_window(pl, s, m0, m1, &w, &r, &ok, &nok))
			return (0);
		free(ok);
		if (!plan_finish(pl, first, (int)pl->napps, prof[s].avg, &r))
			return (0);
	}
	/* 2017-18 to 2020-21: about eight start-ups a university a year. */
	total = scale_n(pl, prof[s].p_approved);
	for (fy = 0; fy < 4; fy++)
		for (u = 0; u < 6; u++)
			per[fy][u] = (int)(((int64_t)total * (fy * 6 + u + 1)) /
			    24 - ((int64_t)total * (fy * 6 + u)) / 24);
	for (fy = 0; fy < 4; fy++) {
		from = ymd(2017 + fy, 4, 1);
		to = fy < 3 ? ymd(2018 + fy, 3, 31) : ymd(2020, 12, 31);
		for (u = 0; u < 6; u++) {
			n = per[fy][u];
			if (n <= 0)
				continue;
			if (n > 16)
				n = 16;
			a = NULL;
			cap = (cents_t)((double)(fy < 2 ? MILLION(4) :
			    MILLION(8)) * 143.0 / 144.0 * pl->o.scale);
			if (pl->o.scale > 1)
				cap = fy < 2 ? MILLION(4) : MILLION(8);
			for (k = 0, sum = 0; k < n; k++)
				sum += x[k] = rng_lognormal(&r, 1.0, 0.25);
			left = cap / 10000 * 10000;
			for (k = 0; k < n; k++) {
				part[k] = k == n - 1 ? left : (cents_t)llround(
				    x[k] / sum * (double)cap / 10000.0) * 10000;
				left -= part[k];
			}
			/* No start-up above its own yearly cap. */
			want = plan_cap(pl, s, from);
			for (k = 0, left = 0; k < n; k++) {
				if (part[k] > want) {
					left += part[k] - want;
					part[k] = want;
				}
			}
			for (k = 0; left > 0 && k < 2 * n; k++) {
				cents_t	room = want - part[k % n];

				room = room < left ? room : left;
				part[k % n] += room;
				left -= room;
			}
			for (k = 0; k < n; k++) {
				if ((ai = app_new(pl, s, O_APPROVED, -1)) < 0)
					return (0);
				a = &pl->apps[ai];
				a->d_sub = rng_int(&r, from, to - 40);
				a->meeting = meeting_from(pl, m0, m1, a->d_sub +
				    rng_int(&r, 20, 40));
				timeline_forward(pl, a, &r);
				if (a->d_dec > pl->p_to)
					a->d_dec = imax(pl->meetings[a->meeting].day,
					    pl->p_to - 1);
				plan_period(pl, a, &r, a->d_dec);
				want = part[k];
				if (!plan_inputs(pl, a, want, 0))
					return (0);
				a->gov = a->req;
				a->aux = u;
				a->org = fixed_org(pl, k_tsssu[u]);
				pl->tsssu_fy[u][fy_index(a->d_sub)] += a->req;
			}
		}
	}
	/* From April 2021 (2020-21's allocations are spent). */
	memset(&w, 0, sizeof(w));
	w.earliest = ymd(2021, 4, 1);
	w.from = ymd(2021, 5, 1);
	w.to = pl->horizon + 150;
	w.n_approved = w.n_assessed = scale_n(pl, prof[s].post *
	    (double)(w.to - w.from) / 365.25);
	if (w.n_assessed > 0) {
		if (!plan_window(pl, s, m0, m1, &w, &r, &ok, &nok))
			return (0);
		free(ok);
	}
	return (plan_finish(pl, first, (int)pl->napps, prof[s].avg, &r));
}
