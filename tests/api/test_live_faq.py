"""The FAQ (docs/live.md "Across streams, FAQ"): an answered hot question becomes an entry
(and a new answer updates it), staff add, edit, search and deactivate entries (audited),
and a viewer typing a question is shown matching answers first."""
import unittest
from urllib.parse import quote

from harness import assert_problem
from report_common import LiveCase

HOT = "请问草原补奖什么时候发？"
ANSWER1 = "草原生态保护补助奖励资金每年下半年发放到户。"
ANSWER2 = "今年的草原补奖资金已于11月20日前发放到一卡通，请查收。"

ENTRIES = [
    ("医保缴费标准是多少？", "2026年城乡居民医保个人缴费标准为每人每年400元。", "医保缴费"),
    ("营业执照怎么在网上办理？", "登录内蒙古政务服务网，选择个体工商户设立登记，按提示上传材料。",
     "营业执照"),
    ("养老资格认证在哪里做？", "可用掌上12333或者到苏木乡镇便民服务中心刷脸认证。", "养老资格认证"),
]


class FaqFromAnswerTest(LiveCase):
    @classmethod
    def prepare(cls):
        s = cls.create_stream("草原生态补奖专场", "daban", ["草原生态补奖", "农机购置补贴"])
        cls.sid, cls.code = s["id"], s["join_code"]
        cls.transition(cls.sid, "start")
        qs = [cls.ask(cls.viewer(), cls.sid, HOT) for _ in range(3)]
        cls.cid = qs[0]["cluster_id"]
        cls.answer(cls.sid, cls.cid, ANSWER1)

    def entry(self):
        r = self.as_user("county").get("/api/v1/faq?node=daban&inactive=1&limit=200")
        self.assertEqual(r.status, 200, r)
        mine = [e for e in r.json["items"] if e["cluster_id"] == self.cid]
        self.assertEqual(len(mine), 1, "no FAQ entry for the answered hot question %d "
                         "(the answer route must call live_faq_from_cluster)" % self.cid)
        return mine[0]

    def test_answer_creates_an_entry(self):
        e = self.entry()
        self.assertEqual((e["question"], e["answer"], e["topic"], e["asked"], e["active"],
                          e["stream_id"], e["node"]["code"]),
                         (HOT, ANSWER1, "草原生态补奖", 3, True, self.sid, "daban"))

    def test_answering_again_updates_it(self):
        self.ask(self.viewer(), self.sid, HOT)
        self.answer(self.sid, self.cid, ANSWER2)
        e = self.entry()
        self.assertEqual((e["answer"], e["asked"]), (ANSWER2, 4))
        r = self.as_user("county").get("/api/v1/faq?node=daban&inactive=1")
        self.assertEqual(sum(1 for x in r.json["items"] if x["cluster_id"] == self.cid), 1)

    def test_viewer_sees_it_while_typing(self):
        v = self.viewer()
        r = v.get("/api/v1/public/faq/suggest?code=%s&q=%s" % (self.code, quote("草原补奖什么时候发")))
        self.assertEqual(r.status, 200, r)
        # the demo county's FAQ has a like question too: this stream's entry is among the 3
        mine = [i for i in r.json["items"] if i["question"] == HOT]
        self.assertEqual(len(mine), 1, r.json)
        top = mine[0]
        self.assertEqual(set(top), {"id", "question", "answer", "score"})
        self.assertTrue(0 < top["score"] <= 1)


class FaqCrudTest(LiveCase):
    @classmethod
    def prepare(cls):
        county = cls.as_user("county")
        cls.ids = []
        for q, a, t in ENTRIES:
            r = county.post("/api/v1/faq", json={"question": q, "answer": a, "topic": t,
                                                   "node": "balinyouqi"})
            assert r.status == 201, r
            cls.ids.append(r.json["id"])
        s = cls.create_stream("医保专场", "chaganmulun", ["医保缴费"])
        cls.code = s["join_code"]

    def test_create_returns_the_entry(self):
        r = self.as_user("county").post("/api/v1/faq", json={
            "question": "不动产登记需要哪些材料？", "answer": "身份证、户口簿、权属来源证明。",
            "node": "daban"})
        self.assertEqual(r.status, 201, r)
        e = r.json
        self.assertEqual((e["question"], e["topic"], e["asked"], e["active"], e["stream_id"],
                          e["cluster_id"], e["node"]["code"]),
                         ("不动产登记需要哪些材料？", "", 0, True, None, None, "daban"))

    def test_search_ranks_the_matching_entry_first(self):
        c = self.as_user("county")
        r = c.get("/api/v1/faq?node=balinyouqi&q=%s" % quote("医保缴费"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"][0]["id"], self.ids[0])
        self.assertIn("score", r.json["items"][0])
        r = c.get("/api/v1/faq?node=balinyouqi&q=%s" % quote("营业执照网上怎么办"))
        self.assertEqual(r.json["items"][0]["id"], self.ids[1])

    def test_list_paginates(self):
        c = self.as_user("county")
        r = c.get("/api/v1/faq?node=balinyouqi&limit=2")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["items"]), 2)
        total = r.json["total"]
        self.assertGreaterEqual(total, 3)
        r2 = c.get("/api/v1/faq?node=balinyouqi&limit=2&offset=2")
        got = [e["id"] for e in r.json["items"] + r2.json["items"]]
        self.assertEqual(len(set(got)), min(total, 4))

    def test_township_sees_county_entries(self):
        r = self.as_user("town").get("/api/v1/faq")
        self.assertEqual(r.status, 200, r)
        got = {e["id"] for e in r.json["items"]}
        self.assertTrue(set(self.ids) <= got, r.json)

    def test_patch_and_deactivate_are_audited(self):
        c = self.as_user("county")
        r = c.post("/api/v1/faq", json={"question": "低保怎么申请？", "answer": "向嘎查村提出申请。",
                                         "node": "balinyouqi"})
        fid = r.json["id"]
        r = c.patch("/api/v1/faq/%d" % fid, json={"answer": "向户籍所在地嘎查村委会提出书面申请。",
                                                   "topic": "低保申请"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["answer"], r.json["topic"], r.json["question"]),
                         ("向户籍所在地嘎查村委会提出书面申请。", "低保申请", "低保怎么申请？"))
        r = c.delete("/api/v1/faq/%d" % fid)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["active"], False)
        r = c.get("/api/v1/faq?node=balinyouqi&limit=200")
        self.assertNotIn(fid, [e["id"] for e in r.json["items"]])
        r = c.get("/api/v1/faq?node=balinyouqi&limit=200&inactive=1")
        self.assertIn(fid, [e["id"] for e in r.json["items"]])
        r = c.patch("/api/v1/faq/%d" % fid, json={"active": True})
        self.assertIs(r.json["active"], True)
        r = self.as_user("auditor").get("/api/v1/audit?action=faq.*")
        self.assertEqual(r.status, 200, r)
        acts = [(e["action"], e["object"]) for e in r.json["items"]
                if e["object"] == "faq_entry:%d" % fid]
        self.assertEqual(sorted(a for a, _ in acts),
                         ["faq.create", "faq.deactivate", "faq.update", "faq.update"])

    def test_suggest_for_a_viewer(self):
        v = self.viewer()
        r = v.get("/api/v1/public/faq/suggest?code=%s&q=%s" % (self.code, quote("医保缴费标准")))
        self.assertEqual(r.status, 200, r)
        items = r.json["items"]
        self.assertTrue(1 <= len(items) <= 3, items)
        self.assertEqual(items[0]["id"], self.ids[0])
        scores = [i["score"] for i in items]
        self.assertEqual(scores, sorted(scores, reverse=True))

    def test_suggest_needs_two_characters(self):
        v = self.viewer()
        r = v.get("/api/v1/public/faq/suggest?code=%s&q=%s" % (self.code, quote("医")))
        self.assertEqual((r.status, r.json), (200, {"items": []}))
        r = v.get("/api/v1/public/faq/suggest?code=%s&q=%s" % (self.code, quote("？？！")))
        self.assertEqual((r.status, r.json), (200, {"items": []}))

    def test_suggest_bad_input(self):
        v = self.viewer()
        assert_problem(v.get("/api/v1/public/faq/suggest?code=%s&q=" % self.code), 400,
                       "request.bad_query", "q")
        assert_problem(v.get("/api/v1/public/faq/suggest?code=%s" % self.code), 400,
                       "request.bad_query", "q")
        assert_problem(v.get("/api/v1/public/faq/suggest?q=abc"), 400, "request.bad_query",
                       "code")
        assert_problem(v.get("/api/v1/public/faq/suggest?code=abc&q=abc"), 400,
                       "request.bad_query", "code")
        assert_problem(v.get("/api/v1/public/faq/suggest?code=ZZZZZZ&q=abc"), 404,
                       "live.stream_not_found")
        assert_problem(v.get("/api/v1/public/faq/suggest?code=%s&q=%s" % (self.code, quote("长" * 201))),
                       400, "request.bad_query", "q")

    def test_suggest_is_rate_limited_per_address(self):
        v = self.viewer()
        codes = [v.get("/api/v1/public/faq/suggest?code=%s&q=abc" % self.code).status
                 for _ in range(150)]
        self.assertIn(429, codes)
        self.assertEqual(codes[0], 200)
        # another address is not held back
        r = self.viewer().get("/api/v1/public/faq/suggest?code=%s&q=abc" % self.code)
        self.assertEqual(r.status, 200, r)

    def test_scope(self):
        c = self.as_user("county")
        r = c.post("/api/v1/faq", json={"question": "大板镇的问题？", "answer": "答复。",
                                         "node": "daban"})
        fid = r.json["id"]
        for user in ("town", "secretary"):
            u = self.as_user(user)
            assert_problem(u.patch("/api/v1/faq/%d" % fid, json={"answer": "x"}), 403,
                           "auth.forbidden")
            assert_problem(u.delete("/api/v1/faq/%d" % fid), 403, "auth.forbidden")
        assert_problem(self.as_user("town").post("/api/v1/faq", json={
            "question": "q？", "answer": "a", "node": "daban"}), 403, "auth.forbidden")
        assert_problem(self.as_user("town").get("/api/v1/faq?node=daban"), 403,
                       "auth.forbidden")
        assert_problem(self.as_user("volunteer").get("/api/v1/faq"), 403, "auth.forbidden")
        assert_problem(self.new_client().get("/api/v1/faq"), 401, "auth.required")

    def test_bad_input(self):
        c = self.as_user("county")
        assert_problem(c.post("/api/v1/faq", json={"question": 5, "answer": "a"}), 400,
                       "request.bad_field", "question")
        assert_problem(c.post("/api/v1/faq", json={"question": "  ", "answer": "a"}), 400,
                       "request.bad_field", "question")
        assert_problem(c.post("/api/v1/faq", json={"question": "q", "answer": ""}), 400,
                       "request.bad_field", "answer")
        assert_problem(c.post("/api/v1/faq", json={"question": "q"}), 400, "request.bad_field",
                       "answer")
        assert_problem(c.post("/api/v1/faq", json={"question": "q" * 201, "answer": "a"}), 400,
                       "request.bad_field", "question")
        assert_problem(c.post("/api/v1/faq", json={"question": "q", "answer": "a",
                                                   "node": "nosuch"}), 404,
                       "org.node_not_found")
        assert_problem(c.post("/api/v1/faq", raw_body="{"), 400, "request.malformed_json")
        assert_problem(c.patch("/api/v1/faq/999999", json={"answer": "x"}), 404,
                       "faq.not_found")
        assert_problem(c.delete("/api/v1/faq/999999"), 404, "faq.not_found")
        assert_problem(c.patch("/api/v1/faq/abc", json={"answer": "x"}), 400, "request.bad_id")
        assert_problem(c.patch("/api/v1/faq/%d" % self.ids[0], json={"active": "yes"}), 400,
                       "request.bad_field", "active")
        assert_problem(c.get("/api/v1/faq?limit=0"), 400, "request.bad_query", "limit")
        assert_problem(c.get("/api/v1/faq?offset=-1"), 400, "request.bad_query", "offset")
        assert_problem(c.get("/api/v1/faq?q=" + quote("长" * 201)), 400, "request.bad_query", "q")


if __name__ == "__main__":
    unittest.main()
