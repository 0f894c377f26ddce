/* Unit tests of src/text/: normalisation, redaction, classification, the sensitive-word
 * list, similarity, online clustering, keywords and heat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/text.h"
#include "text/text_internal.h"

#include <utf8proc.h>

static char norm_buf[4 * TEXT_MAX_INPUT];

static const char *norm(const char *s)
{
	text_normalize(s, strlen(s), norm_buf, sizeof(norm_buf));
	return norm_buf;
}

/* The strict decoder spelled out (RFC 3629): the fast paths of utf8_decode must agree. */
static size_t ref_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
		 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	if (n == 0 || len < n)
		return 0;
	uint32_t v = n == 1 ? s[0] : s[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

static void test_utf8_decode_is_strict(void **state)
{
	(void)state;
	unsigned char b[4];
	for (uint32_t x = 0; x < (1U << 24); x++) { /* every 1-3 byte sequence, and cut short */
		b[0] = (unsigned char)(x >> 16);
		b[1] = (unsigned char)(x >> 8);
		b[2] = (unsigned char)x;
		if (b[0] < 0xC0 && (x & 0xFFFF))
			continue; /* one byte, or a stray continuation byte: the rest does not matter */
		for (size_t len = 1; len <= 3; len++) {
			uint32_t cp = 0, rcp = 0;
			size_t n = utf8_decode(b, len, &cp), rn = ref_utf8_decode(b, len, &rcp);
			assert_int_equal(n, rn);
			if (n)
				assert_int_equal(cp, rcp);
		}
	}
	for (uint32_t x = 0; x < (1U << 16); x++) { /* four bytes: lead and a spread of tails */
		b[0] = (unsigned char)(0xF0 + (x >> 12));
		b[1] = (unsigned char)(0x70 + ((x >> 6) & 0x3F) * 2);
		b[2] = (unsigned char)(0x80 + (x & 0x3F));
		b[3] = (unsigned char)(0x7F + (x & 7) * 16);
		uint32_t cp = 0, rcp = 0;
		size_t n = utf8_decode(b, 4, &cp), rn = ref_utf8_decode(b, 4, &rcp);
		assert_int_equal(n, rn);
		if (n)
			assert_int_equal(cp, rcp);
	}
	assert_int_equal(utf8_decode((const unsigned char *)"\xE4\xB8\xAD", 3, &(uint32_t){0}), 3);
	assert_int_equal(utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &(uint32_t){0}), 0);
	assert_int_equal(utf8_decode((const unsigned char *)"\xE0\x9F\xBF", 3, &(uint32_t){0}), 0);
}

/* What utf8proc makes of one code point under normalize.c's flags: its only code point,
 * or -1 when it decomposes into more or is a combining mark. */
static int32_t ref_nfkc_cf(uint32_t cp)
{
	utf8proc_int32_t out[8];
	int last = 0;
	utf8proc_ssize_t m = utf8proc_decompose_char(
		(utf8proc_int32_t)cp, out, 8,
		UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE, &last);
	if (m != 1 || utf8proc_get_property(out[0])->combining_class != 0)
		return -1;
	return out[0];
}

/* normalize.c's fast paths agree with utf8proc: CJK ideographs are letters that stay,
 * full-width ASCII is ASCII, the common CJK punctuation is dropped as is. */
static void test_normalize_fast_paths_match_utf8proc(void **state)
{
	(void)state;
	for (uint32_t cp = 0x3400; cp <= 0x9FD5; cp++) {
		if (cp > 0x4DB5 && cp < 0x4E00)
			continue;
		assert_int_equal(ref_nfkc_cf(cp), (int32_t)cp);
		assert_int_equal(utf8proc_category((utf8proc_int32_t)cp), UTF8PROC_CATEGORY_LO);
	}
	for (uint32_t cp = 0xFF01; cp <= 0xFF5E; cp++) {
		int32_t a = (int32_t)cp - 0xFEE0;
		assert_int_equal(ref_nfkc_cf(cp), a >= 'A' && a <= 'Z' ? a + 32 : a);
	}
	static const uint32_t punct[] = {0x3001, 0x3002, 0x3008, 0x3009, 0x300A, 0x300B, 0x300C,
					 0x300D, 0x300E, 0x300F, 0x3010, 0x3011, 0x2018, 0x2019,
					 0x201C, 0x201D};
	for (size_t i = 0; i < sizeof(punct) / sizeof(punct[0]); i++) {
		assert_int_equal(ref_nfkc_cf(punct[i]), (int32_t)punct[i]);
		utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)punct[i]);
		assert_true(k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO);
	}
	assert_string_equal(norm("《ＡＢ，ｃ１２！》“好”"), "abc12好");
}

static void test_normalize_width_and_case(void **state)
{
	(void)state;
	assert_string_equal(norm("ＡＢＣ１２３"), "abc123");
	assert_string_equal(norm("Hello World"), "helloworld");
	assert_string_equal(norm("ｶﾀｶﾅ"), "カタカナ"); /* half-width katakana → full */
	assert_string_equal(norm("ÉCOLE"), "école");
	assert_string_equal(norm("Straße"), "strasse");
}

static void test_normalize_nfkc_compat(void **state)
{
	(void)state;
	assert_string_equal(norm("①②"), "12");
	assert_string_equal(norm("ﬁ"), "fi");
	assert_string_equal(norm("e\xcc\x81"), "é"); /* e + combining acute composes */
	assert_string_equal(norm("㈱"), "株");
	/* U+F900, a compatibility ideograph: NFKC gives 豈, traditional → simplified 岂 */
	assert_string_equal(norm("\xef\xa4\x80"), "岂");
}

static void test_normalize_traditional_to_simplified(void **state)
{
	(void)state;
	assert_string_equal(norm("請問草原補獎什麼時候發"), "请问草原补奖什么时候发");
	assert_string_equal(norm("醫療保險繳費"), "医疗保险缴费");
	assert_string_equal(norm("已经是简体"), "已经是简体");
}

static void test_normalize_drops_emoji_symbols_punctuation(void **state)
{
	(void)state;
	assert_string_equal(norm("低保，怎么办？！👍🎉"), "低保怎么办");
	assert_string_equal(norm("  医保\t缴费 \n"), "医保缴费");
	assert_string_equal(norm("【通知】《办法》…—"), "通知办法");
	assert_string_equal(norm("❤️☆★※"), "");
	assert_string_equal(norm("\xe2\x80\x8b零宽\xe2\x80\x8d"), "零宽"); /* format chars */
}

static void test_normalize_folds_repeats(void **state)
{
	(void)state;
	assert_string_equal(norm("哈哈哈哈"), "哈哈");
	assert_string_equal(norm("666666"), "666");
	assert_string_equal(norm("？？？"), "");
	assert_string_equal(norm("好！好！好！好"), "好好");
	assert_string_equal(norm("2020年"), "2020年");
	assert_string_equal(norm("aaaa"), "aa");
}

static void test_normalize_invalid_utf8_dropped(void **state)
{
	(void)state;
	assert_string_equal(norm("医\xff保\xc0\xaf缴\xed\xa0\x80费"), "医保缴费");
	assert_string_equal(norm("\xe5\x8c"), ""); /* a cut character */
	char out[8];
	assert_int_equal(text_normalize(NULL, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_normalize_truncates(void **state)
{
	(void)state;
	size_t n = TEXT_MAX_INPUT * 2;
	char *in = malloc(n + 1);
	for (size_t i = 0; i + 3 <= n; i += 3)
		memcpy(in + i, i % 2 ? "医" : "保", 3);
	in[n - n % 3] = 0;
	size_t len = strlen(in);
	size_t got = text_normalize(in, len, norm_buf, sizeof(norm_buf));
	assert_true(got <= TEXT_MAX_INPUT);
	assert_int_equal(got % 3, 0);
	/* a small output buffer is never overrun and stays a whole-character string */
	char small[8];
	got = text_normalize(in, len, small, sizeof(small));
	assert_int_equal(got, 6);
	assert_int_equal(strlen(small), 6);
	free(in);
}

static void redacts(const char *in, const char *want, int want_found)
{
	int found = -1;
	char *out = text_redact(in, strlen(in), &found);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(found, want_found);
	free(out);
}

static void test_redact_mobile_numbers(void **state)
{
	(void)state;
	redacts("我的电话13812345678谢谢", "我的电话138****5678谢谢", 1);
	redacts("电话 138 1234 5678。", "电话 138****5678。", 1);
	redacts("电话138-1234-5678", "电话138****5678", 1);
	redacts("１３８１２３４５６７８", "138****5678", 1);
	redacts("13812345678,19912345678", "138****5678,199****5678", 2);
}

static void test_redact_id_numbers(void **state)
{
	(void)state;
	redacts("身份证150102199001011234", "身份证1501**********1234", 1);
	redacts("15010219900101123X号", "1501**********123X号", 1);
	redacts("15010219900101123x", "1501**********123X", 1);
}

static void test_redact_leaves_other_numbers(void **state)
{
	(void)state;
	redacts("订单号138123456789", "订单号138123456789", 0);    /* 12 digits */
	redacts("座机04765123456", "座机04765123456", 0);          /* not a mobile */
	redacts("号码12812345678", "号码12812345678", 0);          /* 12x is no mobile */
	redacts("1501021990010112345", "1501021990010112345", 0);  /* 19 digits */
	redacts("补贴2024年发了3000元", "补贴2024年发了3000元", 0);
	redacts("", "", 0);
	int found = 7;
	char *out = text_redact("a\xff" "b", 3, &found);
	assert_string_equal(out, "ab");
	assert_int_equal(found, 0);
	free(out);
}

static void kind_is(const char *s, enum text_kind k)
{
	enum text_kind got = text_classify(s, strlen(s));
	if (got != k)
		fprintf(stderr, "classify %s: %s, want %s\n", s, text_kind_name(got),
			text_kind_name(k));
	assert_int_equal(got, k);
}

static void test_classify_examples(void **state)
{
	(void)state;
	const char *small[] = {"主播好", "666", "来了来了", "支持", "谢谢主播", "👍", "？？？",
			       "主播辛苦了！", "哈哈哈哈", "打卡", "大家好", "1", "好的收到",
			       "讲得真好👍👍", "ok", "晚上好主播", "卡了", "画面卡了吗",
			       "听不清", "前排", "第一"};
	for (size_t i = 0; i < sizeof(small) / sizeof(*small); i++)
		kind_is(small[i], TEXT_SMALLTALK);
	const char *sugg[] = {"建议多讲讲医保缴费", "希望下次讲讲养老保险", "能不能多讲讲低保政策",
			      "主播建议把办事流程发出来", "下次直播讲讲耕地补贴吧", "讲得太快了",
			      "主播声音大点", "主播能不能讲讲新农合"};
	for (size_t i = 0; i < sizeof(sugg) / sizeof(*sugg); i++)
		kind_is(sugg[i], TEXT_SUGGESTION);
	const char *ques[] = {"请问草原补奖什么时候发？", "医保怎么交", "低保能办吗",
			      "孩子上学补助怎么办", "办身份证多少钱", "营业执照在哪里办",
			      "主播好，请问医保缴费截止到哪天", "养老保险", "希望知道补贴发多少钱",
			      "能不能讲讲新农合怎么报销"};
	for (size_t i = 0; i < sizeof(ques) / sizeof(*ques); i++)
		kind_is(ques[i], TEXT_QUESTION);
	/* what hosts saw read as questions in the demo */
	const char *chat[] = {"听明白了", "讲得真清楚", "巴林右旗的来报到", "大板镇的来了",
			      "涨知识了", "学到了", "打卡", "点赞", "关注了", "已关注", "早上好",
			      "大家好", "支持政府", "辛苦了", "谢谢老师", "明白了", "林西县的路过",
			      "主播好，赤峰的来了！", "查干沐沦苏木来报到", "大板镇来了",
			      "我是巴林左旗的来了", "讲得真清楚👍👍", "老师辛苦了，谢谢老师"};
	for (size_t i = 0; i < sizeof(chat) / sizeof(*chat); i++)
		kind_is(chat[i], TEXT_SMALLTALK);
	/* … without taking real questions and suggestions with them */
	const char *still_q[] = {"请问巴林右旗的补贴什么时候来", "低保怎么申请", "补贴来了吗",
				 "巴林右旗的补贴来了吗", "我们村的路坏了", "草原补奖的钱来了没有",
				 "政府的补贴什么时候发", "大板镇的低保来了", "2024年的来了吗"};
	for (size_t i = 0; i < sizeof(still_q) / sizeof(*still_q); i++)
		kind_is(still_q[i], TEXT_QUESTION);
	kind_is("建议多讲讲巴林右旗的草原补奖", TEXT_SUGGESTION);
	kind_is("建议政府多发补贴", TEXT_SUGGESTION);
	assert_string_equal(text_kind_name(TEXT_QUESTION), "question");
	assert_string_equal(text_kind_name(TEXT_SUGGESTION), "suggestion");
	assert_string_equal(text_kind_name(TEXT_SMALLTALK), "smalltalk");
}

static void test_wordlist_matches_normalised(void **state)
{
	(void)state;
	const char *words[] = {"傻b", "骗子", "", "法轮"};
	struct text_wordlist *wl = text_wordlist_new(words, 4);
	assert_non_null(wl);
	const char *hit = NULL;
	assert_true(text_wordlist_match(wl, "你个傻Ｂ", strlen("你个傻Ｂ"), &hit));
	assert_string_equal(hit, "傻b");
	assert_true(text_wordlist_match(wl, "傻B吧", strlen("傻B吧"), &hit));
	assert_true(text_wordlist_match(wl, "他们是騙 子！", strlen("他们是騙 子！"), &hit));
	assert_string_equal(hit, "骗子");
	assert_false(text_wordlist_match(wl, "医保怎么交", strlen("医保怎么交"), &hit));
	assert_null(hit);
	assert_false(text_wordlist_match(wl, "", 0, NULL));
	text_wordlist_free(wl);
	/* overlapping words: the automaton's fail links find the shorter inside the longer */
	const char *w2[] = {"abcd", "bc"};
	wl = text_wordlist_new(w2, 2);
	assert_true(text_wordlist_match(wl, "xabcx", 5, &hit));
	assert_string_equal(hit, "bc");
	text_wordlist_free(wl);
	wl = text_wordlist_new(NULL, 0);
	assert_false(text_wordlist_match(wl, "abc", 3, NULL));
	text_wordlist_free(wl);
}

static double sim(const char *a, const char *b)
{
	return text_similarity(a, strlen(a), b, strlen(b));
}

/* The same shingle set summed in two orders can round above 1 (a fuzz_text find). */
static void test_similarity_is_at_most_one(void **state)
{
	(void)state;
	const char *x = "23カタシc123カ", *y = "カタシc123カ";
	assert_true(text_similarity(x, strlen(x), y, strlen(y)) <= 1.0);
	assert_true(text_similarity(y, strlen(y), x, strlen(x)) <= 1.0);
}

static void test_similarity_paraphrase_beats_unrelated(void **state)
{
	(void)state;
	double para = sim("请问草原补奖什么时候发", "草原补奖啥时候发放");
	double topic = sim("请问草原补奖什么时候发", "草原补奖标准是多少");
	double other = sim("请问草原补奖什么时候发", "医保缴费怎么交");
	assert_true(para > topic);
	assert_true(topic > other);
	assert_true(fabs(sim("医保缴费", "醫保繳費！") - 1.0) < 1e-9);
	assert_true(sim("", "医保") == 0.0);
	assert_true(text_same("请问草原补奖什么时候发", 33, "草原补奖什么时候发放", 30));
	assert_false(text_same("请问草原补奖什么时候发", 33, "医保缴费怎么交", 21));
	assert_true(text_same_threshold() > 0 && text_same_threshold() < 1);
	assert_true(text_clusterer_threshold(NULL) > 0 && text_clusterer_threshold(NULL) < 1);
}

static struct text_assignment add(struct text_clusterer *c, const char *s)
{
	return text_clusterer_add(c, s, strlen(s));
}

static void test_clusterer_joins_paraphrases(void **state)
{
	(void)state;
	struct text_clusterer *c = text_clusterer_new(NULL);
	struct text_assignment a = add(c, "请问草原补奖什么时候发？");
	assert_int_equal(a.cluster, 0);
	assert_true(a.opened);
	assert_true(a.score == 1.0);
	struct text_assignment b = add(c, "草原补奖什么时候发放");
	assert_int_equal(b.cluster, 0);
	assert_false(b.opened);
	assert_true(b.score >= text_same_threshold() && b.score < 1.0);
	assert_int_equal(add(c, "草原補獎啥時候發").cluster, 0);
	/* same topic, another question: a cluster of its own, ids dense */
	struct text_assignment d = add(c, "草原补奖的标准是每亩多少钱");
	assert_int_equal(d.cluster, 1);
	assert_true(d.opened);
	assert_int_equal(add(c, "医保缴费怎么交").cluster, 2);
	assert_int_equal(add(c, "🎉🎉").cluster, -1);
	assert_int_equal(text_clusterer_count(c), 3);
	assert_non_null(text_clusterer_title(c, 0));
	assert_null(text_clusterer_title(c, 3));
	assert_null(text_clusterer_title(c, -1));
	assert_string_equal(text_clusterer_title(c, 2), "医保缴费怎么交");
	text_clusterer_free(c);
}

static void test_clusterer_title_is_central_member(void **state)
{
	(void)state;
	struct text_clusterer *c = text_clusterer_new(&(struct text_cluster_opts){.threshold = 0.2});
	assert_true(text_clusterer_threshold(c) == 0.2);
	add(c, "低保怎么申请啊主播我家里困难");
	add(c, "低保怎么申请");
	add(c, "请问低保怎么申请");
	assert_int_equal(text_clusterer_count(c), 1);
	const char *t = text_clusterer_title(c, 0);
	assert_true(strcmp(t, "低保怎么申请") == 0 || strcmp(t, "请问低保怎么申请") == 0);
	text_clusterer_free(c);
}

static void test_clusterer_peek_does_not_add(void **state)
{
	(void)state;
	struct text_clusterer *c = text_clusterer_new(NULL);
	struct text_assignment p = text_clusterer_peek(c, "医保缴费怎么交", 21);
	assert_int_equal(p.cluster, -1);
	add(c, "医保缴费怎么交");
	p = text_clusterer_peek(c, "医保缴费咋交", 18);
	assert_int_equal(p.cluster, 0);
	assert_false(p.opened);
	p = text_clusterer_peek(c, "耕地地力补贴什么时候发", 33);
	assert_int_equal(p.cluster, -1);
	assert_int_equal(text_clusterer_count(c), 1);
	assert_int_equal(add(c, "耕地地力补贴什么时候发").cluster, 1);
	text_clusterer_free(c);
}

static void test_clusterer_retires_least_recently_joined(void **state)
{
	(void)state;
	struct text_clusterer *c = text_clusterer_new(&(struct text_cluster_opts){.max_clusters = 3});
	assert_int_equal(add(c, "医保缴费怎么交").cluster, 0);
	assert_int_equal(add(c, "耕地地力补贴什么时候发").cluster, 1);
	assert_int_equal(add(c, "营业执照在哪里办理").cluster, 2);
	assert_int_equal(add(c, "医保缴费咋交").cluster, 0); /* 0 is now the freshest */
	assert_int_equal(add(c, "养老保险一年交多少钱").cluster, 3); /* retires 1 */
	assert_null(text_clusterer_title(c, 1));
	assert_int_equal(add(c, "耕地地力补贴什么时候发").cluster, 4); /* 1 is gone */
	assert_int_equal(add(c, "医保缴费怎么交呢").cluster, 0);
	/* many distinct questions: memory stays bounded, ids keep counting */
	char q[64];
	uint32_t x = 12345;
	for (int i = 0; i < 5000; i++) {
		size_t o = 0;
		for (int k = 0; k < 8; k++) { /* eight random ideographs */
			x = x * 1103515245u + 12345u;
			uint32_t cp = 0x4E00 + (x >> 8) % 20000;
			q[o++] = (char)(0xE0 | (cp >> 12));
			q[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			q[o++] = (char)(0x80 | (cp & 0x3F));
		}
		q[o] = 0;
		assert_true(add(c, q).cluster >= 0);
	}
	assert_true(text_clusterer_count(c) > 4000);
	text_clusterer_free(c);
}

/* A retired cluster's slot goes to the next new cluster: questions like the retired one
 * neither join the newcomer (the retired one's postings still name the slot) nor get the
 * retired id back. */
static void test_clusterer_reused_slot_ignores_stale_postings(void **state)
{
	(void)state;
	struct text_clusterer *c = text_clusterer_new(&(struct text_cluster_opts){.max_clusters = 2});
	assert_int_equal(add(c, "医保缴费怎么交").cluster, 0);
	assert_int_equal(add(c, "耕地地力补贴什么时候发").cluster, 1);
	assert_int_equal(add(c, "营业执照在哪里办理").cluster, 2); /* retires 0, takes its slot */
	struct text_assignment p = text_clusterer_peek(c, "医保缴费咋交", strlen("医保缴费咋交"));
	assert_int_equal(p.cluster, -1); /* not 2, in slot 0 where 0's postings point */
	assert_int_equal(add(c, "营业执照在哪办理").cluster, 2);
	assert_int_equal(add(c, "耕地地力补贴啥时候发").cluster, 1);
	assert_int_equal(add(c, "医保缴费咋交").cluster, 3); /* opens anew, retiring 2 */
	assert_null(text_clusterer_title(c, 2));
	assert_int_equal(text_clusterer_peek(c, "营业执照在哪办理", strlen("营业执照在哪办理")).cluster, -1);
	text_clusterer_free(c);
}

static void test_keywords_pick_content(void **state)
{
	(void)state;
	const char *texts[] = {"请问医保缴费怎么交", "医保缴费在哪里交", "医保缴费截止到什么时候",
			       "请问低保怎么申请", "今年医保缴费多少钱"};
	char *out[5];
	double w[5];
	size_t n = text_keywords(texts, 5, 5, out, w);
	assert_true(n >= 1);
	assert_true(strstr(out[0], "医保") || strstr(out[0], "缴费"));
	for (size_t i = 0; i < n; i++) {
		assert_null(strstr(out[i], "请问"));
		if (i > 0)
			assert_true(w[i] <= w[i - 1]);
		free(out[i]);
	}
	assert_int_equal(text_keywords(texts, 5, 0, out, w), 0);
}

/* Whether a keyword of out[0..n) is w or a phrase holding it. */
static bool kw_has(char **out, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(out[i], w))
			return true;
	return false;
}

static void test_keywords_are_words(void **state)
{
	(void)state;
	const char *texts[] = {
		"草原生态补奖什么时候发",     "请问草原生态补奖今年发多少", "草原补奖怎么申请",
		"农机购置补贴怎么申请",       "农机购置补贴什么时候到账",   "主播主播草原补奖啥时候发😂",
		"今年农机补贴标准是多少",     "生態補獎標準是多少",	      "我们这个补贴可以什么时候领",
	};
	char *out[8];
	double w[8];
	size_t n = text_keywords(texts, 9, 8, out, w);
	assert_true(n >= 4);
	assert_true(kw_has(out, n, "草原"));
	assert_true(kw_has(out, n, "补奖"));
	assert_true(kw_has(out, n, "农机"));
	assert_true(kw_has(out, n, "补贴"));
	const char *bad[] = {"原补奖", "态补奖", "原生", "补贴什", "机购", "什么", "时候", "可以",
			     "我们", "这个", "请问", "怎么", "多少"};
	for (size_t i = 0; i < n; i++) {
		for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++)
			assert_string_not_equal(out[i], bad[b]);
		assert_true(strlen(out[i]) >= 6); /* two characters at least */
		/* a phrase and its parts are not both listed */
		for (size_t j = 0; j < n; j++)
			if (j != i)
				assert_null(strstr(out[i], out[j]));
		if (i > 0)
			assert_true(w[i] <= w[i - 1]);
	}
	for (size_t i = 0; i < n; i++)
		free(out[i]);
	/* a phrase that always comes whole stands in for its words */
	const char *p[] = {"农机购置补贴怎么申请", "农机购置补贴标准", "农机购置补贴到账了吗"};
	n = text_keywords(p, 3, 8, out, w);
	assert_true(n >= 1);
	assert_true(kw_has(out, n, "农机") && kw_has(out, n, "补贴"));
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (j != i)
				assert_null(strstr(out[i], out[j]));
	for (size_t i = 0; i < n; i++)
		free(out[i]);
}

static char disp_buf[3 * TEXT_MAX_INPUT + 1];

static const char *disp(const char *s)
{
	text_display(s, strlen(s), disp_buf, sizeof(disp_buf));
	return disp_buf;
}

static void test_display_cleans_for_showing(void **state)
{
	(void)state;
	/* greetings and words of address at the start go, traditional → simplified */
	assert_string_equal(disp("老师好，醫保怎麼繳費？"), "医保怎么缴费？");
	assert_string_equal(disp("主播主播 草原补奖啥时候发😂😂"), "草原补奖啥时候发");
	assert_string_equal(disp("各位领导好！请问低保怎么申请。。。"), "请问低保怎么申请。");
	assert_string_equal(disp("老师请问补贴多少"), "请问补贴多少");
	assert_string_equal(disp("您好,大家好 主播：农机补贴怎么领"), "农机补贴怎么领");
	/* a vocative inside a word is not one */
	assert_string_equal(disp("老师证怎么办"), "老师证怎么办");
	assert_string_equal(disp("history怎么学"), "history怎么学");
	/* width, repeated marks, spaces, symbols */
	assert_string_equal(disp("  请问ＡＢＣ１２３怎么办？？？！！ "), "请问ABC123怎么办？");
	assert_string_equal(disp("草原补奖   发了吗??"), "草原补奖 发了吗?");
	assert_string_equal(disp("❤️补贴☆到账了吗👍🏻，"), "补贴到账了吗");
	assert_string_equal(disp("低保，医保，都怎么办？"), "低保，医保，都怎么办？");
	/* only a greeting: kept; nothing to show: empty */
	assert_string_equal(disp("主播好"), "主播好");
	assert_string_equal(disp("😂😂"), "");
	assert_int_equal(text_display(NULL, 0, disp_buf, sizeof(disp_buf)), 0);
	/* cut at a character boundary when out is small */
	char small[8];
	assert_int_equal(text_display("医保缴费", 12, small, sizeof(small)), 6);
	assert_string_equal(small, "医保");
	assert_string_equal(disp("医\xff保"), "医保");
}

static void test_clusterer_title_is_display_form(void **state)
{
	(void)state;
	struct text_clusterer *c = text_clusterer_new(NULL);
	assert_int_equal(add(c, "老师好，醫保怎麼繳費？").cluster, 0);
	assert_string_equal(text_clusterer_title(c, 0), "医保怎么缴费？");
	assert_int_equal(add(c, "主播主播 草原补奖啥时候发😂😂").cluster, 1);
	assert_string_equal(text_clusterer_title(c, 1), "草原补奖啥时候发");
	/* the title follows the representative as it changes */
	add(c, "草原补奖什么时候发？？");
	add(c, "草原补奖什么时候发放");
	const char *t = text_clusterer_title(c, 1);
	assert_non_null(t);
	assert_null(strstr(t, "主播"));
	assert_null(strstr(t, "？？"));
	/* never empty: the raw representative when nothing is left to show */
	assert_int_equal(add(c, "主播好").cluster, 2);
	assert_string_equal(text_clusterer_title(c, 2), "主播好");
	text_clusterer_free(c);
}

static void test_heat_decays_by_half_life(void **state)
{
	(void)state;
	double h = text_heat_add(0, 0, 1000, 1.0);
	assert_true(fabs(h - 1.0) < 1e-12);
	assert_true(fabs(text_heat_at(h, 1000, 1000 + TEXT_HEAT_HALF_LIFE_MS) - 0.5) < 1e-12);
	double h2 = text_heat_add(h, 1000, 1000 + 2 * TEXT_HEAT_HALF_LIFE_MS, 0.5);
	assert_true(fabs(h2 - 0.75) < 1e-12);
	assert_true(fabs(text_heat_at(2.0, 5000, 4000) - 2.0) < 1e-12); /* no time travel */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_decode_is_strict),
		cmocka_unit_test(test_normalize_width_and_case),
		cmocka_unit_test(test_normalize_fast_paths_match_utf8proc),
		cmocka_unit_test(test_normalize_nfkc_compat),
		cmocka_unit_test(test_normalize_traditional_to_simplified),
		cmocka_unit_test(test_normalize_drops_emoji_symbols_punctuation),
		cmocka_unit_test(test_normalize_folds_repeats),
		cmocka_unit_test(test_normalize_invalid_utf8_dropped),
		cmocka_unit_test(test_normalize_truncates),
		cmocka_unit_test(test_redact_mobile_numbers),
		cmocka_unit_test(test_redact_id_numbers),
		cmocka_unit_test(test_redact_leaves_other_numbers),
		cmocka_unit_test(test_classify_examples),
		cmocka_unit_test(test_wordlist_matches_normalised),
		cmocka_unit_test(test_similarity_is_at_most_one),
		cmocka_unit_test(test_similarity_paraphrase_beats_unrelated),
		cmocka_unit_test(test_clusterer_joins_paraphrases),
		cmocka_unit_test(test_clusterer_title_is_central_member),
		cmocka_unit_test(test_clusterer_peek_does_not_add),
		cmocka_unit_test(test_clusterer_retires_least_recently_joined),
		cmocka_unit_test(test_clusterer_reused_slot_ignores_stale_postings),
		cmocka_unit_test(test_keywords_pick_content),
		cmocka_unit_test(test_keywords_are_words),
		cmocka_unit_test(test_display_cleans_for_showing),
		cmocka_unit_test(test_clusterer_title_is_display_form),
		cmocka_unit_test(test_heat_decays_by_half_life),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
