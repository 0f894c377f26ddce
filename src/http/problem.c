/* problem.c — the registry of problem codes: the one place an error's HTTP status and
 * titles are defined. docs/errors.md lists the same table; tests/unit/test_problem.c checks
 * the two agree. */
#include "http/problem.h"

#include <string.h>

static const struct problem problems[] = {
	{"request.malformed_json", 400, "Malformed JSON body", "请求体不是合法的 JSON"},
	{"request.invalid_utf8", 400, "Text is not valid UTF-8", "文本不是合法的 UTF-8 编码"},
	{"request.too_deep", 400, "JSON nested too deeply", "JSON 嵌套层级过深"},
	{"request.bad_field", 400, "A field is missing or invalid", "字段缺失或不合法"},
	{"request.bad_query", 400, "A query argument is invalid", "查询参数不合法"},
	{"request.bad_id", 400, "An id in the path is invalid", "路径中的编号不合法"},
	{"request.bad_file", 400, "The uploaded file cannot be used", "上传的文件无法使用"},
	{"request.body_too_large", 413, "Request body too large", "请求体过大"},
	{"request.url_too_long", 414, "Request URL too long", "请求地址过长"},
	{"request.unsupported_media_type", 415, "Body must be application/json",
	 "请求体须为 application/json"},
	{"request.not_found", 404, "No such resource", "资源不存在"},
	{"request.method_not_allowed", 405, "Method not allowed", "不支持该请求方法"},
	{"auth.required", 401, "Sign-in required", "请先登录"},
	{"auth.bad_credentials", 401, "Wrong username or password", "用户名或密码错误"},
	{"auth.totp_required", 401, "A one-time code is required", "需要输入动态验证码"},
	{"auth.totp_invalid", 401, "Wrong one-time code", "动态验证码错误"},
	{"auth.locked", 423, "Account locked after repeated failures", "多次登录失败，账户已锁定"},
	{"auth.forbidden", 403, "Not allowed for your role or area", "您的角色或管辖范围无权执行此操作"},
	{"auth.weak_password", 400, "Password does not meet the policy", "密码不符合安全策略"},
	{"auth.password_expired", 403, "Password expired; change it first", "密码已过期，请先修改密码"},
	{"auth.totp_enrolment_required", 403, "Enrol a one-time code app first",
	 "请先绑定动态验证码"},
	{"auth.self_grant", 403, "You cannot change your own roles", "不能修改自己的角色"},
	{"auth.totp_not_pending", 409, "No TOTP enrolment in progress", "没有待确认的动态验证码绑定"},
	{"csrf.missing", 403, "Missing or wrong CSRF token", "缺少或错误的 CSRF 令牌"},
	{"org.node_not_found", 404, "No such org node", "组织节点不存在"},
	{"org.code_exists", 409, "An org node with this code exists", "该组织编码已存在"},
	{"org.bad_level", 400, "Level not allowed under this parent", "该层级不能设在此上级之下"},
	{"org.party_org_not_found", 404, "No such party organisation", "党组织不存在"},
	{"user.not_found", 404, "No such user", "用户不存在"},
	{"user.exists", 409, "Username taken", "用户名已存在"},
	{"grant.not_found", 404, "No such role grant", "角色授权不存在"},
	{"grant.exists", 409, "Role already granted there", "该角色授权已存在"},
	{"household.not_found", 404, "No such household", "户不存在"},
	{"household.code_exists", 409, "A household with this code exists", "户编号已存在"},
	{"person.not_found", 404, "No such person", "人员不存在"},
	{"person.bad_id_number", 400, "Invalid ID-card number", "身份证号码不合法"},
	{"person.id_number_exists", 409, "This ID-card number is registered", "该身份证号码已登记"},
	{"points.not_found", 404, "No such points record", "积分记录不存在"},
	{"points.item_not_found", 404, "No such current scoring item in this village",
	 "本嘎查村没有该现行积分项目"},
	{"points.goods_not_found", 404, "No such goods in this village's store", "本村积分超市没有该商品"},
	{"points.insufficient", 409, "Not enough points", "积分不足"},
	{"points.idempotency_conflict", 409, "Idempotency key already used for another request",
	 "该幂等键已用于另一条不同的请求"},
	{"points.maker_checker", 403, "The maker cannot approve their own entry",
	 "录入人不能审核自己录入的积分"},
	{"points.bad_state", 409, "Not allowed in the current state", "当前状态下不允许此操作"},
	{"points.no_open_period", 409, "No open scoring period in this village", "本村没有开放的评分周期"},
	{"points.out_of_stock", 409, "Out of stock", "库存不足"},
	{"points.exists", 409, "Already exists", "已存在"},
	{"points.evidence_required", 400, "This item needs evidence", "该项目需要提供佐证材料"},
	{"points.not_verified", 403, "Household code and phone digits do not match",
	 "户编号与电话后四位不符"},
	{"points.already_reversed", 409, "The entry was reversed already", "该积分已被冲正"},
	{"request_order.not_found", 404, "No such order", "工单不存在"},
	{"request_order.bad_state", 409, "Not allowed in the order's current state",
	 "工单当前状态下不允许此操作"},
	{"request_order.category_not_found", 404, "No such service category", "服务类别不存在"},
	{"request_order.exists", 409, "Already exists", "已存在"},
	{"volunteer.not_found", 404, "No such volunteer here", "此范围内没有该志愿者"},
	{"volunteer.not_eligible", 409, "This volunteer cannot take the order now",
	 "该志愿者当前不能接此单"},
	{"volunteer.no_profile", 403, "Your account is not linked to a volunteer",
	 "您的账户未关联志愿者档案"},
	{"volunteer.account_taken", 409, "That account belongs to another volunteer",
	 "该账户已关联其他志愿者"},
	{"volunteer.already_paired", 409, "Already paired with this household", "已与该户结对"},
	{"activity.not_found", 404, "No such activity", "活动不存在"},
	{"activity.already_signed_up", 409, "Already signed up for that day", "已报名该日活动"},
	{"live.stream_not_found", 404, "No such stream", "直播不存在"},
	{"live.stream_ended", 409, "The stream has ended", "直播已结束"},
	{"live.bad_transition", 409, "Not allowed in the stream's current state", "直播当前状态下不允许此操作"},
	{"live.rate_limited", 429, "Too many questions; wait a moment", "提问过于频繁，请稍后再试"},
	{"live.cluster_not_found", 404, "No such hot question in this stream", "本场直播没有该热点问题"},
	{"live.question_not_found", 404, "No such question in this stream", "本场直播没有该提问"},
	{"live.bad_import", 400, "The import cannot be read", "导入内容无法读取"},
	{"live.bad_api_key", 403, "Unknown, revoked or out-of-area api_key", "接口密钥无效、已吊销或不在本辖区"},
	{"live.bad_device", 400, "Invalid device token", "设备标识不合法"},
	{"live.word_exists", 409, "This sensitive word is listed already", "该敏感词已存在"},
	{"live.word_not_found", 404, "No such sensitive word", "敏感词不存在"},
	{"faq.not_found", 404, "No such FAQ entry", "常见问题条目不存在"},
	{"rate.limited", 429, "Too many requests", "请求过于频繁，请稍后再试"},
	{"db.unavailable", 503, "Database unavailable, try again", "数据库暂不可用，请重试"},
	{"internal", 500, "Internal error", "服务器内部错误"},
};

const struct problem *problem_find(const char *code)
{
	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
		if (strcmp(problems[i].code, code) == 0)
			return &problems[i];
	return NULL;
}

const struct problem *problem_at(size_t i)
{
	return i < sizeof(problems) / sizeof(problems[0]) ? &problems[i] : NULL;
}
