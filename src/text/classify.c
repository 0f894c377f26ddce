/* classify.c — tells a live comment's kind: small talk (greetings, arrivals, praise,
 * thanks, laughter, bare numbers and emoji), a suggestion (建议…, 希望…, 能不能多讲…) or a
 * question (everything else: a viewer who writes something that is neither is treated as
 * asking, so nothing they raise is lost). Works on the normalised text with small built-in
 * word lists. */
#include "text/text.h"
#include "text/text_internal.h"

#include <string.h>

enum { CLASSIFY_BUF = 3 * TEXT_MAX_INPUT + 1 };

/* Whole-message small talk is a cover of the text by these (and filler particles): greetings,
 * arrivals, praise, thanks, laughter, and remarks on the broadcast itself (卡了, 听不清). */
static const char *const classify_smalltalk[] = {
	"卡了", "卡", "好卡", "有点卡", "听不清", "听不见", "没声音", "声音小", "声音太小", "看不清",
	"画面", "延迟", "第一", "吗", "又",
	"主播好", "主播", "老师好", "老师", "大家好", "大家", "你好", "您好", "晚上好", "早上好", "下午好", "中午好", "上午好",
	"好久不见", "各位", "来了", "来啦", "又来了", "我来了", "报到", "打卡", "签到", "前排", "沙发", "围观", "路过", "在吗",
	"在不在", "666", "牛", "牛逼", "nb", "厉害", "太棒了", "棒", "赞", "点赞", "好", "支持", "加油", "辛苦了",
	"辛苦", "谢谢", "感谢", "多谢", "谢了", "讲得好", "说得好", "讲得真好", "真好", "不错", "很好", "好的", "收到", "明白了",
	"明白", "懂了", "知道了", "学习了", "学到了", "听懂了", "受教了", "哈哈", "嘿嘿", "呵呵", "嗯嗯", "嗯", "哦", "ok",
	"okay", "hello", "hi", "yyds", "关注了", "已关注", "关注", "转发", "分享", "刷屏", "同意", "对", "是的",
	"有道理", "真的", "太好了", "好人", "为人民服务", "点个赞", "给力", "贴心", "暖心", "晚安", "再见", "拜拜", "下次见",
	"明天见", "家人们", "朋友们", "我们", "我", "你们", "你", "您", "也", "都", "很", "真", "非常", "了", "一个",
	"个", "啊", "呀", "哇", "啦", "吧", "的", "呢", "嘛", "哟", "喔", "噢", "咯", "这", "位", "家乡", "父老乡亲",
	"乡亲们", "点点", "小心心", "爱心", "鼓掌", "来",
	/* understanding and praise of the talk */
	"听明白了", "听明白", "听懂", "弄明白了", "清楚了", "讲得真清楚", "讲得很清楚", "讲得清楚",
	"讲的真清楚", "讲的很清楚", "讲的清楚", "说得真清楚", "说得很清楚", "说得清楚", "太清楚了",
	"很清楚", "清楚", "讲得真好", "讲的真好", "讲的好", "讲得很好", "讲的很好", "说的好",
	"涨知识了", "涨知识", "长知识了", "长知识", "学习到了", "又学到了", "受益匪浅", "收获满满",
	"干货", "太有用了",
	/* support and thanks to the government and the hosts */
	"支持政府", "感谢政府", "感谢党", "感谢党和政府", "党和政府", "政府", "好政策", "政策好",
	"点赞", "老师辛苦了", "主播辛苦了", "辛苦啦", "谢谢老师", "谢谢主播", "谢谢大家", "已关注",
	"关注了", "已点赞", "点赞了", "已打卡", "打卡了", "签到了", "报道", "来报到", "来报道",
};

/* A suggestion starts with one of these, after the openers below. */
static const char *const classify_suggest[] = {
	"能不能讲", "能否讲", "可不可以讲", "可以讲讲", "讲讲", "讲一下", "说说", "介绍一下",
	"讲得太快", "讲慢", "说慢", "慢点", "慢一点", "太快了", "大声点", "声音大点", "声音大一点",
	"建议", "希望", "提议", "提个建议", "提个意见", "意见", "能不能多", "能否多", "可不可以多", "可以多", "能多", "多讲", "多说",
	"多介绍", "多播", "下次", "以后", "应该多", "最好", "要是能", "如果能", "期待", "盼望", "呼吁", "请多", "再多",
};
static const char *const classify_opener[] = {
	"主播", "老师", "我们", "我", "个人", "请", "麻烦", "就是", "那个", "强烈", "还是", "真心", "衷心", "非常", "很",
};
/* These make a message a question even when it starts like a suggestion. */
static const char *const classify_asks[] = {
	"怎么办", "怎么", "如何", "多少", "哪里", "哪儿", "什么时候", "为什么", "是否", "几月", "哪天", "在哪", "吗",
};

/* Check-ins: a place and an arrival (巴林右旗的来报到, 大板镇的来了, 赤峰的路过). */
static const char *const classify_checkin[] = {
	"来了", "来啦", "报到", "报道", "来报到", "来报道", "路过", "签到", "打卡", "在线", "围观",
	"来了来了", "报到了", "打卡了", "签到了", "在此", "前来报到",
};
/* Arrivals that need 的 or a place word before them to be a check-in (补贴来了 is not). */
static const char *const classify_checkin_weak[] = {"来了", "来啦", "在线", "来了来了", "在此"};
/* How place names end (旗, 镇, 苏木, 嘎查 …). */
static const char *const classify_place[] = {
	"旗", "县", "市", "镇", "乡", "村", "区", "盟", "屯", "苏木", "嘎查", "省", "州", "社区",
	"街道", "组", "队", "场", "矿", "小区",
};
/* Words that make a message more than a check-in. */
static const char *const classify_not_checkin[] = {
	"请问", "什么", "怎么", "如何", "多少", "哪", "吗", "为什么", "几", "补贴", "钱", "补奖",
	"工资", "低保", "医保", "社保", "没", "不", "啥", "谁",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The length of the longest word of list that s[i..n) starts with (0: none). Compared a
 * byte at a time in place: most words differ at the first or second byte, so a try costs a
 * few instructions, not a strlen and a memcmp call (every question scans ~300 words). */
static size_t classify_prefix(const char *s, size_t n, size_t i, const char *const *list,
			      size_t count)
{
	const char *t = s + i;
	size_t left = n - i, best = 0;
	for (size_t j = 0; j < count; j++) {
		const char *w = list[j];
		size_t k = 0;
		while (k < left && w[k] && w[k] == t[k])
			k++;
		if (!w[k] && k > best)
			best = k;
	}
	return best;
}

static bool classify_has(const char *s, size_t n, const char *const *list, size_t count)
{
	for (size_t j = 0; j < count; j++)
		if (memmem(s, n, list[j], strlen(list[j])))
			return true;
	return false;
}

static bool classify_is_smalltalk(const char *s, size_t n)
{
	bool digits = true;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			digits = false;
	if (digits) /* 666, 1, 2333: no words at all */
		return true;
	for (size_t i = 0; i < n;) {
		size_t k = classify_prefix(s, n, i, classify_smalltalk, COUNT(classify_smalltalk));
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/* The length of the longest word of list that s[0..n) ends with (0: none). */
static size_t classify_suffix(const char *s, size_t n, const char *const *list, size_t count)
{
	size_t best = 0;
	for (size_t j = 0; j < count; j++) {
		size_t k = strlen(list[j]);
		if (k > best && k <= n && s[n - 1] == list[j][k - 1] &&
		    memcmp(s + n - k, list[j], k) == 0)
			best = k;
	}
	return best;
}

/* X的来了 / X来报到 / X的路过, X a place or a group (at most 10 characters, no asking and
 * none of the things people ask about), after any greeting (主播好巴林右旗的来了). */
static bool classify_is_checkin(const char *s, size_t n)
{
	size_t k = classify_suffix(s, n, classify_checkin, COUNT(classify_checkin));
	if (k == 0 || k == n)
		return false;
	bool weak = false;
	for (size_t j = 0; j < COUNT(classify_checkin_weak); j++)
		weak = weak || (strlen(classify_checkin_weak[j]) == k &&
				memcmp(s + n - k, classify_checkin_weak[j], k) == 0);
	size_t x = n - k;
	bool de = x >= 3 && memcmp(s + x - 3, "的", 3) == 0;
	if (de)
		x -= 3;
	size_t i = 0; /* greetings and "我是" before the place */
	for (;;) {
		size_t g = classify_prefix(s, x, i, classify_smalltalk, COUNT(classify_smalltalk));
		if (g == 0 || i + g >= x)
			break;
		i += g;
	}
	if (x - i >= 3 && memcmp(s + i, "是", 3) == 0)
		i += 3;
	if (x <= i || x - i > 10 * 3)
		return false;
	for (size_t j = i; j < x; j++)
		if ((unsigned char)s[j] < 0x80)
			return false; /* digits or Latin letters: not a place name */
	if (classify_has(s + i, x - i, classify_not_checkin, COUNT(classify_not_checkin)))
		return false;
	if (weak && !de && !classify_suffix(s + i, x - i, classify_place, COUNT(classify_place)))
		return false;
	return true;
}

static bool classify_is_suggestion(const char *s, size_t n)
{
	size_t i = 0;
	for (int round = 0; round < 4; round++) {
		size_t k = classify_prefix(s, n, i, classify_opener, COUNT(classify_opener));
		if (k == 0)
			break;
		i += k;
	}
	if (classify_prefix(s, n, i, classify_suggest, COUNT(classify_suggest)) == 0)
		return false;
	return !classify_has(s, n, classify_asks, COUNT(classify_asks));
}

enum text_kind text_classify(const char *in, size_t len)
{
	char buf[CLASSIFY_BUF];
	size_t n = text_normalize(in, len, buf, sizeof(buf));
	if (n == 0) /* only emoji, symbols or punctuation */
		return TEXT_SMALLTALK;
	if (classify_is_smalltalk(buf, n) || classify_is_checkin(buf, n))
		return TEXT_SMALLTALK;
	if (classify_is_suggestion(buf, n))
		return TEXT_SUGGESTION;
	return TEXT_QUESTION;
}

const char *text_kind_name(enum text_kind k)
{
	switch (k) {
	case TEXT_QUESTION:
		return "question";
	case TEXT_SUGGESTION:
		return "suggestion";
	case TEXT_SMALLTALK:
		return "smalltalk";
	}
	return "question";
}
