/* demo_live.c — the demo county's livestreams (政务直播): one finished yesterday (90 minutes,
 * a few hundred viewer comments, viewer counts every 5 minutes, hot questions answered and
 * in the FAQ, one deferred, two left open), one live now with a dozen questions, and one
 * scheduled for tomorrow.
 *
 * Comments are generated deterministically from templates: for each topic a few real
 * questions, each asked in paraphrased variants (wording, 请问/主播 prefixes, a typo,
 * traditional characters, emoji), plus small talk, suggestions, two with phone numbers
 * (masked by the engine) and one with a listed word (held for moderation). They go in
 * through live_question_submit_many(), so the hot questions are the text engine's own. */
#include "auth/auth.h"
#include "cli.h"
#include "core/clock.h"
#include "core/mem.h"
#include "modules/live/live.h"
#include "modules/live/live_faq.h"
#include "org/org.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static uint32_t live_rand_state = 233u; /* 233 streams in the county this year */

static uint32_t live_rand(uint32_t n)
{
	live_rand_state = live_rand_state * 1103515245u + 12345u;
	return (live_rand_state >> 8) % n;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum { VARIANTS = 6 };

/* A real question, its wordings, how often it is asked and what the host does with it. */
struct demo_question {
	const char *variants[VARIANTS];
	int asked;
	char fate;          /* 'a' answered, 'd' deferred, 'o' left open */
	const char *answer; /* answered: the answer given on air */
};

static const struct demo_question demo_questions[] = {
	/* 草原生态补奖 */
	{{"草原生态补奖今年什么时候发放？", "请问草原补奖什么时候发", "今年的草原生态补奖啥时候到账",
	  "草原補獎什麼時候發放", "草原补奖什么时候发😭", "草原生态补奖几月份能到账"},
	 34, 'a',
	 "2026年草原生态保护补助奖励资金预计11月底前通过惠民惠农“一卡通”发放到户，发放前在嘎查村"
	 "公示7天，请留意公示和到账短信。"},
	{{"禁牧和草畜平衡的补助标准是多少？", "禁牧补助一亩多少钱", "请问草畜平衡补助标准是多少",
	  "禁牧补贴标准每亩多少钱啊", "草畜平衡奖励一亩给多少", NULL},
	 22, 'a',
	 "按自治区第三轮草原补奖政策，禁牧补助每亩每年7.5元，草畜平衡奖励每亩每年2.5元，面积以"
	 "嘎查村核定并公示的为准。"},
	{{"草原补奖的钱打到哪张卡上？", "补奖资金打到哪个卡里", "请问草原补奖发到一卡通还是银行卡",
	  "补奖钱打到哪张卡", NULL, NULL},
	 12, 'a',
	 "补奖资金统一打到惠民惠农财政补贴“一卡通”账户；卡丢了请带身份证到苏木乡镇财政所挂失补办。"},
	/* 农机购置补贴 */
	{{"农机购置补贴怎么申请？", "请问农机补贴怎么申请", "买拖拉机的补贴在哪里申请",
	  "农机购置补贴申请流程是什么", "农机补贴咋申请👍", "农机购制补贴怎么申请"},
	 28, 'a',
	 "购机后在“内蒙古农机购置与应用补贴”手机APP上提交申请，或带身份证、购机发票和一卡通到旗"
	 "农牧局农机服务中心办理，核验机具后按目录额度补贴。"},
	{{"打捆机能享受农机补贴吗？", "打捆机有没有补贴", "请问打捆机在补贴目录里吗",
	  "打捆机可以申请农机补贴吗", NULL, NULL},
	 10, 'a',
	 "打捆机在2024—2026年内蒙古农机购置补贴机具目录内，按目录中对应档次的额度补贴，购机前可先"
	 "在APP上查询具体型号。"},
	{{"农机补贴多久能到账？", "农机补贴申请后多长时间到账", "买了农机补贴多久发下来",
	  "农机补贴什么时候到账啊", NULL, NULL},
	 9, 'd', NULL},
	/* 医保缴费 */
	{{"城乡居民医保怎么缴费？", "医保在手机上怎么交", "请问居民医保怎么缴费", "醫保怎麼繳費",
	  "医保交费用什么APP", NULL},
	 18, 'a',
	 "打开“蒙速办”APP或“内蒙古医保”微信小程序，选择城乡居民医保缴费，输入身份证号即可缴费；"
	 "不会用手机的可以到嘎查村找协办员代缴。"},
	{{"医保缴费截止到什么时候？", "医保缴费截止时间是哪天", "今年医保交到几号截止",
	  "医保啥时候截止缴费", NULL, NULL},
	 11, 'a',
	 "2027年度城乡居民医保集中缴费期到2026年12月31日截止；集中缴费期后再缴的，有3个月待遇等待期。"},
	/* 养老资格认证 */
	{{"养老金资格认证怎么在手机上做？", "养老认证手机上怎么弄", "请问养老资格认证在哪个APP",
	  "老人养老金认证怎么刷脸", NULL, NULL},
	 13, 'a',
	 "用“掌上12333”或“内蒙古人社”APP选择待遇资格认证刷脸即可；行动不便的老人可请嘎查村协办员"
	 "上门认证。"},
	/* 营业执照 */
	{{"个体户营业执照怎么在网上办？", "请问营业执照网上怎么办理", "个体营业执照可以手机上办吗",
	  NULL, NULL, NULL},
	 8, 'a',
	 "登录内蒙古政务服务网或“蒙速办”，选择个体工商户设立登记，上传身份证和经营场所证明，材料齐全"
	 "的1个工作日内办结，执照可邮寄到家。"},
	/* 不动产登记 */
	{{"不动产登记需要带什么材料？", "办房产证要带哪些材料", "不动产登记要什么资料", NULL, NULL,
	  NULL},
	 6, 'o', NULL},
	/* 低保申请 */
	{{"低保申请需要什么条件？", "请问低保怎么申请", "申请低保要什么条件", NULL, NULL, NULL},
	 7, 'a',
	 "由本人向户籍所在地嘎查村委会或苏木乡镇提出书面申请，家庭月人均收入低于我旗低保标准、财产"
	 "状况符合规定的都可以申请，经入户调查和公示后审批。"},
	/* 新农合报销 */
	{{"新农合在外地住院怎么报销？", "外地住院新农合能报销吗", "请问异地就医怎么报销",
	  "新农合异地报销流程", NULL, NULL},
	 8, 'o', NULL},
};

/* Most viewers type the question bare; some greet the host first or add a mark or emoji. */
static const char *const demo_prefixes[] = {"", "", "", "", "", "", "请问", "请问", "主播，",
					    "老师好，"};
static const char *const demo_suffixes[] = {"", "", "", "", "", "？", "？", "？？", "啊",
					    "😊", "🙏", "[捂脸]"};

static const char *const demo_smalltalk[] = {
	"主播好", "来了来了", "666", "支持", "👍👍👍", "主播辛苦了", "打卡", "谢谢主播",
	"大家好", "好好好", "赞👍", "签到", "学习了", "收到", "已关注", "点赞"};

static const char *const demo_suggestions[] = {
	"建议下次讲讲医保异地报销", "建议下次讲讲医保异地报销怎么备案",
	"希望下次直播讲讲养老保险补缴", "建议直播改到晚上，白天放牧顾不上看",
	"建议直播时间放到晚上", "希望能用蒙语再讲一遍", "建议把办事指南发到嘎查群里",
	"希望下次讲讲不动产登记", "建议多讲讲农机补贴的具体流程", "希望下次讲讲低保申请",
	"建议下次讲讲医保异地就医报销", "希望下次讲讲营业执照年报"};

static const char *const demo_nicknames[] = {"", "", "", "草原牧民", "巴林石", "格日乐",
					     "赛罕塔拉", "马背上的人", "查干沐沦", "额吉", "老孙",
					     "放羊的娃", "西拉沐沦", "阿拉坦"};

enum { DEMO_VIEWERS = 240, DEMO_MAX_MSGS = 512 };

struct demo_msg {
	int64_t at;
	int question; /* index into demo_questions, or -1 */
	char text[200];
	char token[40];
	const char *nickname;
};

static int demo_msg_cmp(const void *a, const void *b)
{
	const struct demo_msg *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* When in a stream of `minutes` a comment comes: most in the middle, few at the ends. */
static int64_t demo_when(int64_t start, int minutes)
{
	int64_t s = minutes * 60;
	int64_t t = ((int64_t)live_rand((uint32_t)s) + live_rand((uint32_t)s) +
		     live_rand((uint32_t)s)) / 3;
	return start + t * 1000 + live_rand(1000);
}

static struct demo_msg *demo_add(struct demo_msg *m, size_t *n, int64_t at, int question)
{
	if (*n >= DEMO_MAX_MSGS)
		return NULL;
	struct demo_msg *x = &m[(*n)++];
	memset(x, 0, sizeof(*x));
	x->at = at;
	x->question = question;
	snprintf(x->token, sizeof(x->token), "demo-viewer-%04u-bairin", live_rand(DEMO_VIEWERS));
	x->nickname = demo_nicknames[live_rand(NELEM(demo_nicknames))];
	return x;
}

static void demo_variant(const struct demo_question *q, int k, char *out, size_t len)
{
	int nv = 0;
	while (nv < VARIANTS && q->variants[nv])
		nv++;
	const char *v = q->variants[k % nv];
	const char *pre = demo_prefixes[live_rand(NELEM(demo_prefixes))];
	/* "请问请问…" reads oddly: no prefix on a variant that has one */
	if (strncmp(v, "请问", strlen("请问")) == 0)
		pre = "";
	snprintf(out, len, "%s%s%s", pre, v, demo_suffixes[live_rand(NELEM(demo_suffixes))]);
}

/* The finished stream's comments, sorted by time. */
static size_t demo_finished_msgs(struct demo_msg *m, int64_t start, int minutes)
{
	size_t n = 0;
	struct demo_msg *x;
	for (size_t q = 0; q < NELEM(demo_questions); q++)
		for (int k = 0; k < demo_questions[q].asked; k++)
			if ((x = demo_add(m, &n, demo_when(start, minutes), (int)q)))
				demo_variant(&demo_questions[q], k, x->text, sizeof(x->text));
	for (int k = 0; k < 70; k++)
		if ((x = demo_add(m, &n, demo_when(start, minutes), -1)))
			snprintf(x->text, sizeof(x->text), "%s",
				 demo_smalltalk[live_rand(NELEM(demo_smalltalk))]);
	/* the greetings come at the start */
	for (int k = 0; k < 12; k++)
		if ((x = demo_add(m, &n, start + (int64_t)live_rand(180) * 1000, -1)))
			snprintf(x->text, sizeof(x->text), "%s", demo_smalltalk[k % 3]);
	for (size_t k = 0; k < NELEM(demo_suggestions); k++)
		if ((x = demo_add(m, &n, demo_when(start, minutes), -1)))
			snprintf(x->text, sizeof(x->text), "%s", demo_suggestions[k]);
	if ((x = demo_add(m, &n, start + 23 * 60000 + 17000, -1)))
		snprintf(x->text, sizeof(x->text),
			 "我家的草原补奖去年的还没到账，电话13947612345，麻烦帮查一下");
	if ((x = demo_add(m, &n, start + 51 * 60000 + 42000, -1)))
		snprintf(x->text, sizeof(x->text), "农机补贴申请两个月了没消息 联系电话 158 9476 1234");
	if ((x = demo_add(m, &n, start + 38 * 60000 + 5000, -1)))
		snprintf(x->text, sizeof(x->text), "代办包过，草原补奖加微信快速到账");
	qsort(m, n, sizeof(*m), demo_msg_cmp);
	return n;
}

/* Viewers every 5 minutes of the 90-minute stream: a ramp, a peak, a tail. */
static const int demo_viewer_curve[] = {180,  620,  1150, 1580, 1890, 2140, 2310,
					2260, 2380, 2290, 2050, 1830, 1620, 1400,
					1160, 920,  740,  560,  410};

struct demo_live_ctx {
	int64_t county_id, node_id, user_id, now;
	int64_t finished, live, scheduled;
	int64_t start_finished, start_live;
	struct demo_msg *msgs;
	struct live_submit_result *res;
	size_t n;
};

static const char SQL_STREAM_INSERT[] =
	"INSERT INTO streams (county_id, node_id, title, topics, scheduled_at, platform, "
	"platform_url, host_name, host_user_id, join_code, status, started_at, created_by, "
	"created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";

static int demo_stream(struct db_conn *c, struct demo_live_ctx *d, const char *title,
		       const char *topics, int64_t scheduled, const char *status, int64_t started,
		       int64_t *id)
{
	char code[7];
	for (int tries = 0; tries < 20; tries++) {
		live_join_code(code);
		int64_t taken = 0;
		int rc = db_query_int(c, &taken, "SELECT id FROM streams WHERE join_code = ?", "t",
				      code);
		if (rc < 0)
			return rc;
		if (rc == DB_DONE)
			break;
	}
	struct db_stmt *s = db_prepare(c, SQL_STREAM_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, d->county_id);
	db_bind_int(s, 2, d->node_id);
	db_bind_text(s, 3, title);
	db_bind_text(s, 4, topics);
	db_bind_int(s, 5, scheduled);
	db_bind_text(s, 6, "douyin");
	db_bind_text(s, 7, "https://live.douyin.com/balinyouqi-zwfw");
	db_bind_text(s, 8, "旗政务服务局 王海军");
	db_bind_int(s, 9, d->user_id);
	db_bind_text(s, 10, code);
	db_bind_text(s, 11, status);
	if (started)
		db_bind_int(s, 12, started);
	else
		db_bind_null(s, 12);
	db_bind_int(s, 13, d->user_id);
	db_bind_int(s, 14, scheduled - 3 * 86400000LL);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	*id = db_col_int(s, 0);
	return 0;
}

/* 10:00 China time on the day offset days from today's (China) date. */
static int64_t demo_cst_ten(int64_t now, int days)
{
	int64_t day = (now + 8 * 3600000LL) / 86400000LL + days;
	return day * 86400000LL - 8 * 3600000LL + 10 * 3600000LL;
}

static int demo_streams_tx(struct db_conn *c, void *ctx)
{
	struct demo_live_ctx *d = ctx;
	struct arena *a = arena_new();
	struct org_node *county = NULL;
	int rc = org_store_get(c, a, "balinyouqi", &county);
	if (rc == DB_ROW) {
		d->county_id = county->county_id;
		d->node_id = county->id;
		rc = db_query_int(c, &d->user_id, "SELECT id FROM users WHERE username = ?", "t",
				  "county");
	}
	arena_free(a);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	rc = db_exec(c, "INSERT INTO live_sensitive_words (county_id, word, created_by, created_at) "
			"VALUES (?, ?, ?, ?)",
		     "itii", d->county_id, "代办包过", d->user_id, d->now);
	if (rc >= 0)
		rc = demo_stream(c, d, "「惠民政策进万家」政务直播 — 草原生态补奖与农机购置补贴专场",
				 "[\"草原生态补奖\",\"农机购置补贴\",\"医保缴费\",\"养老资格认证\"]",
				 d->start_finished, "live", d->start_finished, &d->finished);
	if (rc >= 0)
		rc = demo_stream(c, d, "「政务服务面对面」— 医保缴费与养老资格认证",
				 "[\"医保缴费\",\"养老资格认证\"]", d->start_live, "live",
				 d->start_live, &d->live);
	if (rc >= 0)
		rc = demo_stream(c, d, "「惠民政策进万家」— 不动产登记与营业执照专场",
				 "[\"不动产登记\",\"营业执照\",\"低保申请\"]",
				 demo_cst_ten(d->now, 1), "scheduled", 0, &d->scheduled);
	return rc < 0 ? rc : 0;
}

static int demo_submit(struct db *db, int64_t stream, struct demo_msg *m, size_t n,
		       struct live_submit_result *res)
{
	struct live_submit *in = xcalloc(n ? n : 1, sizeof(*in));
	char (*keys)[LIVE_DEVICE_MAX] = xcalloc(n ? n : 1, sizeof(*keys));
	for (size_t i = 0; i < n; i++) {
		live_device_key(m[i].token, NULL, keys[i]);
		in[i] = (struct live_submit){.stream_id = stream, .text = m[i].text,
					     .nickname = *m[i].nickname ? m[i].nickname : NULL,
					     .device = keys[i], .at_ms = m[i].at};
	}
	int rc = live_question_submit_many(db, in, n, res);
	free(in);
	free(keys);
	return rc;
}

struct demo_cluster {
	int64_t id;
	int votes[NELEM(demo_questions)];
};

/* Upvotes, viewer counts, the host's answers (and their FAQ entries), the end. */
static int demo_after_tx(struct db_conn *c, void *ctx)
{
	struct demo_live_ctx *d = ctx;
	int rc = 0;
	/* the question each hot question is mostly about, by its members */
	struct demo_cluster *cl = xcalloc(d->n, sizeof(*cl));
	size_t ncl = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (!d->res[i].cluster_id || d->msgs[i].question < 0)
			continue;
		size_t k = 0;
		while (k < ncl && cl[k].id != d->res[i].cluster_id)
			k++;
		if (k == ncl)
			cl[ncl++].id = d->res[i].cluster_id;
		cl[k].votes[d->msgs[i].question]++;
	}
	/* which question each hot question is about, and how many it holds */
	int *about = xcalloc(ncl ? ncl : 1, sizeof(*about));
	int *size = xcalloc(ncl ? ncl : 1, sizeof(*size));
	for (size_t k = 0; k < ncl; k++)
		for (size_t q = 0; q < NELEM(demo_questions); q++) {
			size[k] += cl[k].votes[q];
			if (cl[k].votes[q] > cl[k].votes[about[k]])
				about[k] = (int)q;
		}
	/* The host merges the wordings the engine kept apart into the largest hot question of
	 * the same question (as on the console: recorded as edits), then answers or defers it. */
	for (size_t q = 0; rc >= 0 && q < NELEM(demo_questions); q++) {
		size_t keep = ncl;
		for (size_t k = 0; k < ncl; k++)
			if (about[k] == (int)q && (keep == ncl || size[k] > size[keep]))
				keep = k;
		if (keep == ncl)
			continue;
		int total = size[keep];
		for (size_t k = 0; rc >= 0 && k < ncl; k++) {
			if (k == keep || about[k] != (int)q)
				continue;
			total += size[k];
			int64_t at = d->start_finished + 60 * 60000LL + (int64_t)k * 1000;
			rc = db_exec(c, "UPDATE stream_questions SET cluster_id = ? WHERE cluster_id = ?",
				     "ii", cl[keep].id, cl[k].id);
			if (rc >= 0)
				rc = db_exec(c, "UPDATE stream_clusters SET merged_into = ? WHERE id = ?",
					     "ii", cl[keep].id, cl[k].id);
			if (rc >= 0)
				rc = db_exec(c,
					     "INSERT INTO stream_cluster_edits (stream_id, action, "
					     "from_cluster, to_cluster, question_ids, user_id, created_at) "
					     "VALUES (?, 'merge', ?, ?, '[]', ?, ?)",
					     "iiiii", d->finished, cl[k].id, cl[keep].id, d->user_id, at);
		}
		const struct demo_question *dq = &demo_questions[q];
		if (rc < 0 || total < 2)
			continue;
		if (dq->fate == 'a') {
			rc = db_exec(c, "UPDATE stream_clusters SET status = 'answered', answer = ?, "
					"answered_by = ?, answered_at = ? WHERE id = ?",
				     "tiii", dq->answer, d->user_id,
				     d->start_finished + 85 * 60000LL + (int64_t)q * 1000, cl[keep].id);
			if (rc >= 0)
				rc = live_faq_from_cluster(c, cl[keep].id, d->user_id);
			/* staff tidy the entry's wording to the plain question */
			if (rc >= 0)
				rc = db_exec(c, "UPDATE faq_entries SET question = ? WHERE cluster_id = ?",
					     "ti", dq->variants[0], cl[keep].id);
		} else if (dq->fate == 'd') {
			rc = db_exec(c, "UPDATE stream_clusters SET status = 'deferred' WHERE id = ?", "i",
				     cl[keep].id);
		}
	}
	free(about);
	free(size);
	free(cl);
	/* upvotes: viewers agree with questions already asked, a few seconds to minutes later */
	for (size_t i = 0; rc >= 0 && i < d->n; i++) {
		if (strcmp(d->res[i].status, "visible") != 0 || d->msgs[i].question < 0)
			continue;
		int votes = live_rand(10) < 6 ? 0 : (int)live_rand(5);
		for (int v = 0; rc >= 0 && v < votes; v++) {
			char token[40], key[LIVE_DEVICE_MAX];
			snprintf(token, sizeof(token), "demo-voter-%04u-bairin", live_rand(DEMO_VIEWERS));
			live_device_key(token, NULL, key);
			int64_t at = d->msgs[i].at + 5000 + (int64_t)live_rand(240) * 1000;
			rc = db_exec(c,
				     "INSERT INTO stream_votes (question_id, device, created_at) VALUES "
				     "(?, ?, ?) ON CONFLICT DO NOTHING",
				     "iti", d->res[i].id, key, at);
			if (rc > 0)
				rc = db_exec(c,
					     "UPDATE stream_questions SET upvotes = upvotes + 1 WHERE id = ?",
					     "i", d->res[i].id);
		}
	}
	for (size_t k = 0; rc >= 0 && k < NELEM(demo_viewer_curve); k++)
		rc = db_exec(c,
			     "INSERT INTO stream_viewer_samples (stream_id, at, viewers, source, "
			     "created_by) VALUES (?, ?, ?, 'douyin', ?)",
			     "iiii", d->finished, d->start_finished + (int64_t)k * 5 * 60000,
			     (int64_t)(demo_viewer_curve[k] + (int)live_rand(60) - 30), d->user_id);
	if (rc >= 0)
		rc = db_exec(c, "UPDATE streams SET status = 'ended', ended_at = ? WHERE id = ?", "ii",
			     d->start_finished + 90 * 60000LL, d->finished);
	for (int k = 0; rc >= 0 && k < 5; k++)
		rc = db_exec(c,
			     "INSERT INTO stream_viewer_samples (stream_id, at, viewers, source, "
			     "created_by) VALUES (?, ?, ?, 'douyin', ?)",
			     "iiii", d->live, d->start_live + (int64_t)k * 5 * 60000,
			     (int64_t)(150 + k * 160 + (int)live_rand(40)), d->user_id);
	if (rc >= 0)
		rc = cli_audit(c, "demo.load", "streams", 0, "demo livestreams loaded");
	return rc < 0 ? rc : 0;
}

/* The live stream's dozen questions over its first 20 minutes. */
static size_t demo_live_msgs(struct demo_msg *m, int64_t start)
{
	static const int picks[] = {6, 6, 7, 8, 6, 8, 7, 6, 8, 7, 6, 8};
	size_t n = 0;
	struct demo_msg *x;
	if ((x = demo_add(m, &n, start + 20000, -1)))
		snprintf(x->text, sizeof(x->text), "主播好");
	for (size_t k = 0; k < NELEM(picks); k++)
		if ((x = demo_add(m, &n, start + 60000 + (int64_t)k * 95000 + live_rand(20000),
				  picks[k])))
			demo_variant(&demo_questions[picks[k]], (int)k, x->text, sizeof(x->text));
	if ((x = demo_add(m, &n, start + 17 * 60000, -1)))
		snprintf(x->text, sizeof(x->text), "建议下次讲讲医保异地报销");
	return n;
}

int demo_live_run(struct db *db)
{
	struct demo_live_ctx d = {.now = clock_now_ms()};
	d.start_finished = demo_cst_ten(d.now, -1);
	d.start_live = d.now - 20 * 60000;
	int rc = db_tx_run(db, demo_streams_tx, &d);
	if (rc < 0)
		return rc;
	d.msgs = xcalloc(DEMO_MAX_MSGS, sizeof(*d.msgs));
	d.res = xcalloc(DEMO_MAX_MSGS, sizeof(*d.res));
	d.n = demo_finished_msgs(d.msgs, d.start_finished, 90);
	rc = demo_submit(db, d.finished, d.msgs, d.n, d.res);
	if (rc >= 0)
		rc = db_tx_run(db, demo_after_tx, &d);
	for (size_t i = 0; i < d.n; i++)
		free(d.res[i].text);
	if (rc >= 0) {
		memset(d.res, 0, DEMO_MAX_MSGS * sizeof(*d.res));
		size_t n = demo_live_msgs(d.msgs, d.start_live);
		rc = demo_submit(db, d.live, d.msgs, n, d.res);
		for (size_t i = 0; i < n; i++)
			free(d.res[i].text);
	}
	free(d.msgs);
	free(d.res);
	/* the rooms were built while the finished stream was live: rebuild from the tables */
	live_room_forget(d.finished);
	live_room_forget(d.live);
	return rc < 0 ? rc : 0;
}
