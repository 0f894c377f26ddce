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

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The length of the longest word of list that s[i..n) starts with (0: none). */
static size_t classify_prefix(const char *s, size_t n, size_t i, const char *const *list,
			      size_t count)
{
	size_t best = 0;
	for (size_t j = 0; j < count; j++) {
		size_t k = strlen(list[j]);
		if (k > best && k <= n - i && memcmp(s + i, list[j], k) == 0)
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
	if (classify_is_smalltalk(buf, n))
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
