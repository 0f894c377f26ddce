/* demo.c — the demo county: 巴林右旗 (Bairin Right Banner, 赤峰市) with some of its sumu and
 * gacha, party organisations, households with members, and one account per role. */
#include "auth/auth.h"
#include "cli.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "org/org.h"
#include "modules/points/points.h"
#include "modules/points/points_store.h"
#include "people/people.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const char DEMO_PASSWORD[] = "Tala@2026";

struct demo_node {
	const char *parent, *code, *level, *name, *party; /* party: kind:name or NULL */
};

static const struct demo_node demo_nodes[] = {
	{"root", "chifeng", "city", "赤峰市", "committee:中共赤峰市委员会"},
	{"chifeng", "balinyouqi", "county", "巴林右旗", "committee:中共巴林右旗委员会"},
	{"balinyouqi", "daban", "town", "大板镇", "committee:中共大板镇委员会"},
	{"balinyouqi", "chaganmulun", "town", "查干沐沦苏木", "committee:中共查干沐沦苏木委员会"},
	{"balinyouqi", "suoboriga", "town", "索博日嘎镇", "committee:中共索博日嘎镇委员会"},
	{"balinyouqi", "xingfuzhilu", "town", "幸福之路苏木", "committee:中共幸福之路苏木委员会"},
	{"balinyouqi", "bayantala", "town", "巴彦塔拉苏木", "committee:中共巴彦塔拉苏木委员会"},
	{"balinyouqi", "chaganuoer", "town", "查干诺尔镇", "committee:中共查干诺尔镇委员会"},
	{"balinyouqi", "baoriwusu", "town", "宝日勿苏镇", "committee:中共宝日勿苏镇委员会"},
	{"balinyouqi", "xilamulun", "town", "西拉沐沦苏木", "committee:中共西拉沐沦苏木委员会"},
	{"chaganmulun", "hutele", "village", "呼特勒嘎查", "branch:呼特勒嘎查党支部"},
	{"chaganmulun", "chaganmulun-g", "village", "查干沐沦嘎查", "branch:查干沐沦嘎查党支部"},
	{"chaganmulun", "bayanhan", "village", "巴彦汉嘎查", "branch:巴彦汉嘎查党支部"},
	{"chaganmulun", "haoributu", "village", "浩日布图嘎查", "branch:浩日布图嘎查党支部"},
	{"daban", "dabancun", "village", "大板村", "branch:大板村党支部"},
	{"daban", "gulubanhua", "village", "古力古台嘎查", "branch:古力古台嘎查党支部"},
	{"suoboriga", "suoboriga-g", "village", "索博日嘎嘎查", "general_branch:索博日嘎嘎查党总支"},
	{"hutele", "hutele-1", "group", "呼特勒嘎查一组", NULL},
	{"hutele", "hutele-2", "group", "呼特勒嘎查二组", NULL},
};

static const char *const demo_villages[] = {"hutele", "chaganmulun-g", "bayanhan", "haoributu",
					    "dabancun", "gulubanhua", "suoboriga-g"};

static uint32_t demo_rand_state = 20261126u;

static uint32_t demo_rand(uint32_t n)
{
	demo_rand_state = demo_rand_state * 1103515245u + 12345u;
	return (demo_rand_state >> 8) % n;
}

/* Given names as people here are called: Mongolian names (no surname) and Han names. */
static const char *const names_mn_m[] = {"巴特尔", "额尔敦", "斯琴毕力格", "那仁", "宝音",
					 "朝鲁", "阿拉坦仓", "图门", "孟和", "敖特根", "哈斯巴根"};
static const char *const names_mn_f[] = {"乌云其木格", "其其格", "萨仁高娃", "苏日娜", "格日乐",
					 "娜仁花", "托娅", "斯琴高娃"};
static const char *const names_han_m[] = {"王建国", "张志刚", "杨树林", "孙立新", "吴振华",
					  "李长青", "赵永胜"};
static const char *const names_han_f[] = {"李秀英", "刘桂兰", "陈玉梅", "赵凤芝", "周海燕",
					  "王丽娟"};

#define DEMO_PICK(list) list[demo_rand(sizeof(list) / sizeof(list[0]))]

static const char *demo_name(bool mongol, bool male)
{
	if (mongol)
		return male ? DEMO_PICK(names_mn_m) : DEMO_PICK(names_mn_f);
	return male ? DEMO_PICK(names_han_m) : DEMO_PICK(names_han_f);
}

static const char *const relations[] = {"户主", "配偶", "子女", "子女", "父母"};

/* A valid resident ID number of 巴林右旗 (150423) for a birth date and sequence. */
static void demo_id_number(int year, int month, int day, int seq, bool male, char out[19])
{
	static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char checks[] = "10X98765432";
	int s = (seq % 50) * 2 + (male ? 1 : 0);
	snprintf(out, 19, "150423%04d%02d%02d%03d", year, month, day, s);
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * weights[i];
	out[17] = checks[sum % 11];
	out[18] = '\0';
}

struct demo_ctx {
	bool exists;
	const char *error;
};

static int demo_tx(struct db_conn *c, void *ctx)
{
	struct demo_ctx *d = ctx;
	struct arena *a = arena_new();
	struct org_node *n = NULL;
	int rc = org_store_get(c, a, "balinyouqi", &n);
	if (rc == DB_ROW) {
		d->exists = true;
		arena_free(a);
		return 0;
	}
	int64_t now = clock_now_ms();
	rc = db_exec(c, "UPDATE org_nodes SET name = ? WHERE code = 'root'", "t", "内蒙古自治区");
	for (size_t i = 0; rc >= 0 && i < sizeof(demo_nodes) / sizeof(demo_nodes[0]); i++) {
		const struct demo_node *dn = &demo_nodes[i];
		struct org_node *parent = NULL;
		int64_t id = 0;
		rc = org_store_get(c, a, dn->parent, &parent);
		if (rc != DB_ROW)
			break;
		rc = org_store_create(c, parent, dn->code, dn->name, dn->level, now, &id);
		if (rc >= 0 && dn->party) {
			const char *colon = strchr(dn->party, ':');
			char kind[32];
			snprintf(kind, sizeof(kind), "%.*s", (int)(colon - dn->party), dn->party);
			int64_t pid = 0;
			rc = org_store_party_org_create(c, id, colon + 1, kind, now, &pid);
		}
	}
	int seq = 0;
	for (size_t v = 0; rc >= 0 && v < sizeof(demo_villages) / sizeof(demo_villages[0]); v++) {
		struct org_node *village = NULL;
		rc = org_store_get(c, a, demo_villages[v], &village);
		if (rc != DB_ROW)
			break;
		int households = 6 + (int)demo_rand(5);
		for (int h = 0; rc >= 0 && h < households; h++) {
			bool mongol = demo_rand(10) < 7;
			bool head_male = demo_rand(3) > 0;
			const char *head = demo_name(mongol, head_male);
			int members = 2 + (int)demo_rand(4);
			char phone[16], address[96];
			snprintf(phone, sizeof(phone), "13%d%08u", 4 + (int)demo_rand(6),
				 10000000u + demo_rand(89999999u));
			snprintf(address, sizeof(address), "%s%d号", village->name, h + 1);
			int64_t hid = 0;
			rc = people_store_household_create(c, village, NULL, head, address, phone,
							   members, now, &hid);
			for (int m = 0; rc >= 0 && m < members; m++) {
				char id[19];
				/* the head, then a spouse of the other sex, then children and parents */
				bool male = m == 0 ? head_male : m == 1 ? !head_male : demo_rand(2) == 0;
				int year = m < 2 ? 1955 + (int)demo_rand(30) : 1985 + (int)demo_rand(25);
				int month = 1 + (int)demo_rand(12), day = 1 + (int)demo_rand(28);
				demo_id_number(year, month, day, seq++, male, id);
				char birth[11];
				snprintf(birth, sizeof(birth), "%04d-%02d-%02d", year, month, day);
				const char *name = m == 0 ? head : demo_name(mongol, male);
				char mphone[16];
				snprintf(mphone, sizeof(mphone), "15%d%08u", demo_rand(10),
					 10000000u + demo_rand(89999999u));
				struct people_person_in in = {
					.name = name, .gender = male ? "m" : "f", .birth_date = birth,
					.id_number = id, .phone = m < 2 ? mphone : NULL,
					.relation = relations[m < 5 ? m : 4],
					.is_party_member = demo_rand(5) == 0, .household_id = hid};
				int64_t pid = 0;
				rc = people_store_person_create(c, village, &in, now, &pid);
			}
		}
	}
	if (rc >= 0)
		rc = cli_audit(c, "demo.load", "org_node:balinyouqi", 0, "demo county loaded");
	arena_free(a);
	return rc < 0 ? rc : 0;
}

static const struct {
	const char *username, *display, *role, *node, *what;
} demo_accounts[] = {
	{"admin", "系统管理员", "system_admin", "root", "org tree (系统管理员)"},
	{"security", "安全管理员", "security_admin", "root", "accounts and roles (安全管理员)"},
	{"auditor", "审计管理员", "auditor", "root", "audit log (审计管理员)"},
	{"county", "旗政务服务局 王海军", "county_staff", "balinyouqi", "巴林右旗 staff"},
	{"town", "查干沐沦苏木 斯琴", "township_staff", "chaganmulun", "查干沐沦苏木 staff"},
	{"secretary", "呼特勒嘎查 巴特尔书记", "branch_secretary", "hutele", "呼特勒嘎查 branch secretary"},
	{"committee", "呼特勒嘎查 村委委员 托娅", "branch_secretary", "hutele",
	 "呼特勒嘎查 committee member (checks the secretary's entries)"},
	{"secretary2", "巴彦汉嘎查 孟和书记", "branch_secretary", "bayanhan", "巴彦汉嘎查 branch secretary"},
	{"volunteer", "银发志愿者 额尔敦", "volunteer", "hutele", "volunteer in 呼特勒嘎查"},
};

static const struct {
	const char *code, *name, *category;
	int points;
} demo_items[] = {
	{"JC01", "环境卫生整洁", "基础", 5},     {"JC02", "遵纪守法无违规", "基础", 3},
	{"MZ01", "参加村民会议", "民主", 2},     {"MZ02", "参与议事协商", "民主", 3},
	{"GX01", "参加志愿服务", "贡献", 5},     {"GX02", "捐资助学", "贡献", 10},
	{"FX01", "乱堆乱放", "负面", -3},        {"FX02", "违规焚烧秸秆", "负面", -5},
};

static const struct {
	const char *name;
	int price, stock;
	const char *source;
} demo_goods[] = {
	{"纯牛奶一箱", 20, 30, "donated"}, {"洗衣粉 2kg", 10, 40, "bought"},
	{"食用油 5L", 30, 15, "bought"},   {"大米 10 斤", 25, 20, "donated"},
	{"毛巾两条", 8, 50, "donated"},
};

struct demo_points_ctx {
	int64_t maker, checker;
};

static const char SQL_DEMO_USER[] = "SELECT id FROM users WHERE username = ?";
static const char SQL_DEMO_HOUSEHOLDS[] =
	"SELECT id FROM households WHERE node_id = ? ORDER BY id";

/* Scoring items, one period with decided entries (maker secretary, checker committee) and
 * a stocked store for 呼特勒嘎查 and 巴彦汉嘎查. */
static int demo_points_tx(struct db_conn *c, void *ctx)
{
	struct demo_points_ctx *d = ctx;
	struct arena *a = arena_new();
	int64_t now = clock_now_ms();
	/* 呼特勒嘎查: the secretary enters, the committee member checks; 巴彦汉嘎查: its
	 * secretary enters, the township checks. */
	const char *villages[] = {"hutele", "bayanhan"};
	const char *makers[] = {"secretary", "secretary2"}, *checkers[] = {"committee", "town"};
	int rc = 0;
	for (int v = 0; rc >= 0 && v < 2; v++) {
		rc = db_query_int(c, &d->maker, SQL_DEMO_USER, "t", makers[v]);
		if (rc >= 0)
			rc = db_query_int(c, &d->checker, SQL_DEMO_USER, "t", checkers[v]);
		if (rc < 0)
			break;
		struct org_node *village = NULL;
		rc = org_store_get(c, a, villages[v], &village);
		if (rc != DB_ROW)
			break;
		int64_t item_ids[8];
		for (int i = 0; rc >= 0 && i < 8; i++) {
			struct points_item it = {.county_id = village->county_id, .node_id = village->id,
						 .version = 1, .points = demo_items[i].points,
						 .code = demo_items[i].code, .name = demo_items[i].name,
						 .category = demo_items[i].category,
						 .decision = "2026年第一次村民代表会议决议"};
			rc = points_store_item_insert(c, &it, d->maker, now, &item_ids[i]);
		}
		for (int g = 0; rc >= 0 && g < 5; g++) {
			int64_t gid = 0;
			rc = points_store_goods_insert(c, village->county_id, village->id,
						       demo_goods[g].name, demo_goods[g].price,
						       demo_goods[g].stock, demo_goods[g].source, now, &gid);
		}
		int64_t period = 0;
		if (rc >= 0)
			rc = points_store_period_insert(c, village->county_id, village->id, "2026Q4", 7,
							now, &period);
		struct db_stmt *s = rc >= 0 ? db_prepare(c, SQL_DEMO_HOUSEHOLDS) : NULL;
		if (rc >= 0 && !s)
			rc = DB_HARD_ERROR;
		int64_t households[64];
		int nh = 0;
		if (s) {
			db_bind_int(s, 1, village->id);
			while ((rc = db_step(s)) == DB_ROW && nh < 64)
				households[nh++] = db_col_int(s, 0);
		}
		int k = 0;
		for (int h = 0; rc >= 0 && h < nh; h++) {
			int entries = 1 + (int)demo_rand(3), balance = 0;
			for (int e = 0; rc >= 0 && e < entries; e++, k++) {
				/* mostly positive items; a penalty only where the points cover it */
				int i = (int)demo_rand(8);
				if (demo_items[i].points < 0 && balance + demo_items[i].points < 0)
					i = (int)demo_rand(6);
				char key[48], hash[65];
				snprintf(key, sizeof(key), "demo-%s-%d", villages[v], k);
				crypto_sm3_hex(key, strlen(key), hash);
				bool last_pending = v == 0 && h == nh - 1 && e == entries - 1;
				struct points_entry_in in = {
					.county_id = village->county_id, .node_id = village->id,
					.period_id = period, .household_id = households[h],
					.item_id = item_ids[i], .points = demo_items[i].points,
					.maker_id = d->maker, .checker_id = last_pending ? 0 : d->checker,
					.note = "入户评分", .key = key, .body_hash = hash,
					.status = last_pending ? "pending" : "approved"};
				int64_t id = 0;
				rc = points_store_entry_insert(c, &in, now, &id);
				if (rc < 0 || last_pending)
					continue;
				char hh[32], pool[32];
				points_account(hh, "hh", households[h]);
				points_account(pool, "pool", village->id);
				int pts = demo_items[i].points;
				balance += pts;
				struct points_transfer t = {.county_id = village->county_id,
							    .node_id = village->id,
							    .debit = pts > 0 ? pool : hh,
							    .credit = pts > 0 ? hh : pool,
							    .amount = pts > 0 ? pts : -pts,
							    .phase = POINTS_POSTED, .entry_id = id};
				int64_t tid = 0;
				rc = points_ledger_post(c, &t, now, &tid);
			}
		}
	}
	if (rc >= 0)
		rc = cli_audit(c, "demo.load", "points", 0, "demo points loaded");
	arena_free(a);
	return rc < 0 ? rc : 0;
}

static const struct {
	const char *village, *name, *phone, *specialties, *note, *insurance, *account;
	int birth_year, max_active, no_night, grid;
	double lat, lon;
} demo_volunteers[] = {
	{"hutele", "额尔敦", "13904761201", "agriculture,daily", "退休畜牧站站长", "2027-06-30",
	 "volunteer", 1958, 3, 0, 1, 43.912, 118.795},
	{"hutele", "其其格", "13904761202", "medicine", "退休乡村医生，腿脚不便，不接夜间", "2027-06-30",
	 NULL, 1956, 2, 1, 0, 43.918, 118.801},
	{"hutele", "王建国", "13904761203", "repair,daily", "退休电工", "2027-03-31", NULL, 1960, 2, 0,
	 0, 43.905, 118.788},
	{"chaganmulun-g", "孟和", "13904761204", "law,mediation", "退休司法所所长", "2027-06-30",
	 NULL, 1955, 2, 0, 1, 43.951, 118.842},
	{"chaganmulun-g", "李秀英", "13904761205", "education,daily", "退休小学教师", "2026-12-31",
	 NULL, 1961, 2, 0, 0, 43.948, 118.836},
	{"bayanhan", "巴特尔", "13904761206", "agriculture,repair", "退休农机站技术员", "2027-06-30",
	 NULL, 1957, 2, 0, 1, 43.871, 118.752},
	{"bayanhan", "萨仁高娃", "13904761207", "medicine,daily", "退休护士", "2026-06-30", NULL,
	 1963, 2, 0, 0, 43.866, 118.749},
	{"haoributu", "图门", "13904761208", "mediation,agriculture", "退休嘎查书记", "2027-06-30",
	 NULL, 1954, 2, 0, 1, 43.982, 118.901},
};

/* The talent pool of 查干沐沦苏木, the monthly donation day, and an open order. */
static int demo_requests_tx(struct db_conn *c, void *ctx)
{
	(void)ctx;
	struct arena *a = arena_new();
	int64_t now = clock_now_ms();
	int rc = 0;
	for (size_t i = 0; rc >= 0 && i < sizeof(demo_volunteers) / sizeof(demo_volunteers[0]); i++) {
		struct org_node *v = NULL;
		rc = org_store_get(c, a, demo_volunteers[i].village, &v);
		if (rc != DB_ROW)
			break;
		int64_t user = 0;
		if (demo_volunteers[i].account) {
			rc = db_query_int(c, &user, SQL_DEMO_USER, "t", demo_volunteers[i].account);
			if (rc < 0)
				break;
		}
		struct db_stmt *s = db_prepare(
			c, "INSERT INTO volunteers (county_id, node_id, user_id, name, phone, birth_year, "
			   "specialties, lat, lon, max_active, no_night, health_note, insurance_until, "
			   "available, grid_member, created_at) "
			   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)");
		if (!s) {
			rc = DB_HARD_ERROR;
			break;
		}
		db_bind_int(s, 1, v->county_id);
		db_bind_int(s, 2, v->id);
		if (user)
			db_bind_int(s, 3, user);
		else
			db_bind_null(s, 3);
		db_bind_text(s, 4, demo_volunteers[i].name);
		db_bind_text(s, 5, demo_volunteers[i].phone);
		db_bind_int(s, 6, demo_volunteers[i].birth_year);
		db_bind_text(s, 7, demo_volunteers[i].specialties);
		db_bind_double(s, 8, demo_volunteers[i].lat);
		db_bind_double(s, 9, demo_volunteers[i].lon);
		db_bind_int(s, 10, demo_volunteers[i].max_active);
		db_bind_int(s, 11, demo_volunteers[i].no_night);
		db_bind_text(s, 12, demo_volunteers[i].note);
		db_bind_text(s, 13, demo_volunteers[i].insurance);
		db_bind_int(s, 14, demo_volunteers[i].grid);
		db_bind_int(s, 15, now);
		rc = db_step(s);
	}
	struct org_node *town = NULL;
	if (rc >= 0)
		rc = org_store_get(c, a, "chaganmulun", &town);
	if (rc == DB_ROW)
		rc = db_exec(c,
			     "INSERT INTO activities (county_id, node_id, name, description, day_of_month, "
			     "minutes, created_at) VALUES (?, ?, ?, ?, 20, 120, ?)",
			     "iitti", town->county_id, town->id, "爱心捐赠日",
			     "每月20日银发志愿者为困难户、留守老人捐赠牛奶和生活用品", now);
	if (rc >= 0)
		rc = cli_audit(c, "demo.load", "volunteers", 0, "demo talent pool loaded");
	arena_free(a);
	return rc < 0 ? rc : 0;
}

int demo_run(struct db *db)
{
	struct demo_ctx d = {0};
	int rc = db_tx_run(db, demo_tx, &d);
	if (rc < 0) {
		fprintf(stderr, "tala: demo: cannot load the demo county\n");
		return rc;
	}
	if (!d.exists) {
		for (size_t i = 0; i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++) {
			long long id = cli_user_create(db, demo_accounts[i].username,
						       demo_accounts[i].display, DEMO_PASSWORD,
						       demo_accounts[i].role, demo_accounts[i].node, NULL);
			if (id < 0)
				return -1;
		}
		struct demo_points_ctx pc = {0};
		rc = db_tx_run(db, demo_points_tx, &pc);
		if (rc < 0) {
			fprintf(stderr, "tala: demo: cannot load the demo points\n");
			return rc;
		}
		rc = db_tx_run(db, demo_requests_tx, NULL);
		if (rc < 0) {
			fprintf(stderr, "tala: demo: cannot load the demo talent pool\n");
			return rc;
		}
		rc = demo_live_run(db);
		if (rc < 0) {
			fprintf(stderr, "tala: demo: cannot load the demo livestreams\n");
			return rc;
		}
	}
	printf("Demo county 巴林右旗 %s. Accounts (password %s):\n",
	       d.exists ? "already loaded" : "loaded", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++)
		printf("  %-11s %-16s %s\n", demo_accounts[i].username, demo_accounts[i].role,
		       demo_accounts[i].what);
	return 0;
}
