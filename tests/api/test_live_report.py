"""The stream report and the year's summary (docs/live.md "Report", "Across streams") on a
stream whose every message is known, so each figure is exact.

Stream S1 on 大板镇 (daban), started at T0, ended at T0 + 6 min; viewers:
  T0-30s   v10  请问养老资格认证在哪里办？        question  (before the start: minute 0)
  T0       v1   请问草原补奖什么时候发？  (A)     question
  T0       v2   请问草原补奖什么时候发？  (A)     question
  T0       v3   主播好                           small talk
  T0+1.5m  v4   请问草原补奖什么时候发？  (A)     question
  T0+1.5m  v5   医保缴费截止到哪天？      (B)     question
  T0+1.5m  v6   建议下次讲讲农机购置补贴           suggestion
  T0+3m    v7   医保缴费截止到哪天？      (B)     question
  T0+3m    v1   营业执照怎么网上办理？    (E)     question
  T0+3m    v3   营业执照怎么网上办理？    (E)     question
  T0+3m    v2   低保申请需要什么材料？电话 13812345678   question (phone masked)
  T0+3m    v11  a sensitive word → pending;  v12 a sensitive word → pending, rejected
  T0+3m    v8, v9 upvote A's first question
  T0+4m    import (douyin, user u1): 医保缴费截止到哪天？  (B)
viewer samples: 100 at T0, 300 at T0+2m, 200 at T0+5m. A answered, B deferred, E open.
"""
import unittest
from urllib.parse import quote

from harness import assert_problem
from report_common import MIN_MS, LiveCase

A = "请问草原补奖什么时候发？"
B = "医保缴费截止到哪天？"
E = "营业执照怎么网上办理？"
C = "请问养老资格认证在哪里办？"
SUGG = "建议下次讲讲农机购置补贴"
WORD = "测试违禁词"
ANSWER_A = "草原生态保护补助奖励资金每年下半年一次性发放到户，请留意一卡通到账短信。"

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LiveReportTest(LiveCase):
    renders_pdf = True

    @classmethod
    def prepare(cls):
        county = cls.as_user("county")
        r = county.post("/api/v1/live/sensitive-words", json={"word": WORD})
        assert r.status in (200, 201), r
        s = cls.create_stream("「惠民政策进万家」测试专场", "daban", ["草原生态补奖", "医保缴费"])
        cls.sid = sid = s["id"]
        cls.code = s["join_code"]
        v = {i: cls.viewer("r%d" % i) for i in range(1, 13)}
        cls.ask(v[10], sid, C)
        cls.advance(30000)
        st = cls.transition(sid, "start")
        cls.T0 = t0 = st["started_at"]
        cls.viewers(sid, 100, at=t0)
        qa = cls.ask(v[1], sid, A)
        cls.ask(v[2], sid, A)
        small = cls.ask(v[3], sid, "主播好")
        assert small["kind"] == "smalltalk", small
        cls.advance(90000)
        cls.ask(v[4], sid, A)
        cls.ask(v[5], sid, B)
        sg = cls.ask(v[6], sid, SUGG, nickname="牧民格日乐")
        assert sg["kind"] == "suggestion", sg
        cls.advance(90000)
        cls.viewers(sid, 300, at=t0 + 2 * MIN_MS)
        qb = cls.ask(v[7], sid, B)
        qe = cls.ask(v[1], sid, E)
        cls.ask(v[3], sid, E)
        cls.phone_q = cls.ask(v[2], sid, "低保申请需要什么材料？我的电话13812345678")
        p1 = cls.ask(v[11], sid, "请问%s怎么处理" % WORD)
        p2 = cls.ask(v[12], sid, "%s是什么意思呢" % WORD)
        assert p1["status"] == "pending" and p2["status"] == "pending", (p1, p2)
        r = county.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, p2["id"]),
                        json={"action": "reject"})
        assert r.status == 200, r
        cls.upvote(v[8], qa["id"])
        cls.upvote(v[9], qa["id"])
        cls.advance(70000)
        r = county.post("/api/v1/streams/%d/import" % sid,
                        raw_body='{"platform":"douyin","comment_id":"c1","user":"u1","text":"%s"}\n'
                                 % B)
        assert r.status == 200 and r.json["imported"] == 1, r
        cls.advance(110000)
        cls.viewers(sid, 200, at=t0 + 5 * MIN_MS)
        cls.cid = {"A": qa["cluster_id"], "B": qb["cluster_id"], "E": qe["cluster_id"]}
        assert len(set(cls.cid.values())) == 3, cls.cid
        cls.answer(sid, cls.cid["A"], ANSWER_A)
        cls.hot_verb(sid, cls.cid["B"], "defer")
        cls.ended = cls.transition(sid, "end")["ended_at"]
        r = county.get("/api/v1/streams/%d/report" % sid)
        assert r.status == 200, r
        cls.report = r.json

    def test_report_names_the_stream(self):
        st = self.report["stream"]
        self.assertEqual(st["id"], self.sid)
        self.assertEqual(st["status"], "ended")
        self.assertEqual(st["node"]["code"], "daban")
        self.assertEqual(st["topics"], ["草原生态补奖", "医保缴费"])

    def test_question_counts_are_exact(self):
        self.assertEqual(self.report["questions"],
                         {"total": 14, "askers": 11, "visible": 12, "pending": 1,
                          "rejected": 1, "imported": 1})

    def test_viewers_peak_and_time_weighted_average(self):
        vw = self.report["viewers"]
        t0, end = self.T0, self.ended
        avg = (100 * 2 * MIN_MS + 300 * 3 * MIN_MS + 200 * (end - t0 - 5 * MIN_MS)) / (end - t0)
        self.assertEqual(vw["peak"], 300)
        self.assertEqual(vw["samples"], 3)
        self.assertAlmostEqual(vw["average"], round(avg, 1), places=6)

    def test_interactions_per_minute(self):
        it = self.report["interactions"]
        rows = [(m["minute"], m["questions"], m["suggestions"], m["smalltalk"], m["upvotes"],
                 m["viewers"]) for m in it["per_minute"]]
        self.assertEqual(rows, [
            (0, 3, 0, 1, 0, 100),
            (1, 2, 1, 0, 0, 100),
            (2, 0, 0, 0, 0, 300),
            (3, 5, 0, 0, 2, 300),
            (4, 1, 0, 0, 0, 300),
            (5, 0, 0, 0, 0, 200),
            (6, 0, 0, 0, 0, 200),
        ])
        self.assertEqual(it["total"], 15)

    def test_hot_questions_ranked_with_status_and_answer(self):
        hot = [(h["rank"], h["cluster_id"], h["title"], h["questions"], h["askers"],
                h["upvotes"], h["status"], h["answer"]) for h in self.report["hot"]]
        self.assertEqual(hot, [
            (1, self.cid["A"], A, 3, 3, 2, "answered", ANSWER_A),
            (2, self.cid["B"], B, 3, 3, 0, "deferred", None),
            (3, self.cid["E"], E, 2, 2, 0, "open", None),
        ])
        self.assertEqual(self.report["counts"], {"hot": 3, "answered": 1, "unanswered": 1,
                                                 "deferred": 1, "suggestions": 1})

    def test_suggestions_listed(self):
        s = self.report["suggestions"]
        self.assertEqual([(x["text"], x["nickname"]) for x in s], [(SUGG, "牧民格日乐")])
        self.assertTrue(self.T0 <= s[0]["created_at"] < self.T0 + 2 * MIN_MS)

    def test_keywords_are_words_with_weights(self):
        kw = self.report["keywords"]
        self.assertTrue(0 < len(kw) <= 20, kw)
        for k in kw:
            self.assertIsInstance(k["word"], str)
            self.assertTrue(k["word"])
            self.assertIsInstance(k["weight"], (int, float))
        weights = [k["weight"] for k in kw]
        self.assertEqual(weights, sorted(weights, reverse=True))

    def test_report_has_no_phone_number(self):
        r = self.as_user("county").get("/api/v1/streams/%d/report" % self.sid)
        self.assertNotIn("13812345678", r.raw.decode("utf-8"))

    def test_report_of_a_stream_not_started(self):
        s = self.create_stream("未开播的直播", "daban")
        r = self.as_user("county").get("/api/v1/streams/%d/report" % s["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["interactions"], {"total": 0, "per_minute": []})
        self.assertEqual(r.json["viewers"], {"peak": 0, "average": 0, "samples": 0})
        self.assertEqual(r.json["hot"], [])
        self.assertEqual(r.json["counts"]["hot"], 0)

    def test_merged_hot_question_counts_once(self):
        s = self.create_stream("合并测试", "daban")
        sid = s["id"]
        self.transition(sid, "start")
        x = [self.ask(self.viewer(), sid, "不动产登记需要带什么材料？") for _ in range(2)]
        y = [self.ask(self.viewer(), sid, "新农合在外地住院怎么报销？") for _ in range(2)]
        self.assertNotEqual(x[0]["cluster_id"], y[0]["cluster_id"])
        self.hot_verb(sid, y[0]["cluster_id"], "merge", {"into": x[0]["cluster_id"]})
        r = self.as_user("county").get("/api/v1/streams/%d/report" % sid)
        self.assertEqual([(h["cluster_id"], h["questions"], h["askers"]) for h in r.json["hot"]],
                         [(x[0]["cluster_id"], 4, 4)])
        self.assertEqual(r.json["counts"]["hot"], 1)

    def test_downloads_are_xlsx_and_pdf(self):
        c = self.as_user("county")
        r = c.get("/api/v1/streams/%d/report.xlsx" % self.sid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["Content-Type"], XLSX)
        self.assertTrue(r.raw.startswith(b"PK\x03\x04"))
        self.assertIn("attachment", r.headers["Content-Disposition"])
        self.assertIn("''" + quote("直播报告-%d.xlsx" % self.sid),
                      r.headers["Content-Disposition"])
        r = c.get("/api/v1/streams/%d/report.pdf" % self.sid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["Content-Type"], "application/pdf")
        self.assertTrue(r.raw.startswith(b"%PDF-"))
        self.assertIn("''" + quote("直播报告-%d.pdf" % self.sid),
                      r.headers["Content-Disposition"])

    def test_the_township_of_the_stream_reads_it(self):
        # 大板镇 has no township account in the demo: a stream of 查干沐沦苏木 is read by `town`
        s = self.create_stream("查干沐沦苏木专场", "chaganmulun")
        r = self.as_user("town").get("/api/v1/streams/%d/report" % s["id"])
        self.assertEqual(r.status, 200, r)

    def test_another_township_is_refused(self):
        for user in ("town", "secretary"):
            r = self.as_user(user).get("/api/v1/streams/%d/report" % self.sid)
            assert_problem(r, 403, "auth.forbidden")
        # the volunteer role is no staff role
        r = self.as_user("volunteer").get("/api/v1/streams/%d/report" % self.sid)
        assert_problem(r, 403, "auth.forbidden")

    def test_signed_out_is_refused(self):
        r = self.new_client().get("/api/v1/streams/%d/report" % self.sid)
        assert_problem(r, 401, "auth.required")

    def test_unknown_and_bad_ids(self):
        c = self.as_user("county")
        assert_problem(c.get("/api/v1/streams/999999/report"), 404, "live.stream_not_found")
        assert_problem(c.get("/api/v1/streams/abc/report"), 400, "request.bad_id")
        assert_problem(c.get("/api/v1/streams/0/report"), 400, "request.bad_id")


class LiveSummaryTest(LiveCase):
    """Two streams of 大板镇 this year; A answered in S1 and asked again in S2, E left open in
    both, B deferred; the same suggestion in both."""

    @classmethod
    def prepare(cls):
        # the demo county's FAQ answers some of these already: start without it
        county = cls.as_user("county")
        r = county.get("/api/v1/faq?node=balinyouqi&limit=200")
        assert r.status == 200, r
        for e in r.json["items"]:
            assert county.delete("/api/v1/faq/%d" % e["id"]).status == 200
        v = {i: cls.viewer("s%d" % i) for i in range(1, 9)}
        s1 = cls.create_stream("S1", "daban", ["草原生态补奖"])
        cls.transition(s1["id"], "start")
        qa = [cls.ask(v[i], s1["id"], A) for i in (1, 2, 3)]
        qb = [cls.ask(v[i], s1["id"], B) for i in (4, 5)]
        qe = [cls.ask(v[i], s1["id"], E) for i in (6, 7)]
        cls.ask(v[8], s1["id"], C)
        cls.ask(v[1], s1["id"], SUGG)
        cls.answer(s1["id"], qa[0]["cluster_id"], ANSWER_A)
        cls.hot_verb(s1["id"], qb[0]["cluster_id"], "defer")
        cls.transition(s1["id"], "end")
        cls.advance(MIN_MS)
        s2 = cls.create_stream("S2", "daban", ["营业执照"])
        cls.transition(s2["id"], "start")
        for i in (1, 2, 3):
            cls.ask(v[i], s2["id"], E)
        for i in (4, 5):
            cls.ask(v[i], s2["id"], A)
        cls.ask(v[6], s2["id"], SUGG)
        cls.ask(v[7], s2["id"], "主播好")
        cls.transition(s2["id"], "end")
        # not started: left out of the year
        s3 = cls.create_stream("S3", "daban")
        cls.ask(v[8], s3["id"], E)
        assert qe[0]["cluster_id"], qe
        r = cls.as_user("county").get("/api/v1/live/summary?node=daban")
        assert r.status == 200, r
        cls.summary = r.json

    def test_counts_across_streams(self):
        s = self.summary
        self.assertEqual((s["streams"], s["questions"], s["askers"], s["hot_questions"],
                          s["answered"], s["suggestions"]), (2, 16, 8, 5, 1, 2))
        self.assertEqual(s["node"]["code"], "daban")

    def test_unanswered_topics_grouped_across_streams(self):
        self.assertEqual([(t["title"], t["questions"], t["streams"])
                          for t in self.summary["unanswered_topics"]],
                         [(E, 5, 2), (B, 2, 1), (A, 2, 1)])

    def test_proposed_topics_with_reasons(self):
        p = self.summary["proposed_topics"]
        self.assertEqual([(t["topic"], t["questions"]) for t in p[:3]],
                         [(E, 5), (B, 2), (A, 2)])
        self.assertEqual(p[0]["reason"], "2 场直播中 5 人次提问，尚未答复")
        self.assertIn("暂缓", p[1]["reason"])
        # A was answered in S1 and asked again, unanswered, in S2
        self.assertEqual(p[2]["reason"], "1 场直播中 2 人次提问，已有答复但仍有人问，宜再讲并推送常见问题")
        self.assertEqual(p[3]["topic"], SUGG)
        self.assertEqual(p[3]["reason"], "2 条网友意见建议提到")

    def test_topic_answered_in_the_faq_is_asked_again(self):
        c = self.as_user("county")
        r = c.post("/api/v1/faq", json={"question": E, "answer": "登录内蒙古政务服务网办理。",
                                         "node": "daban"})
        self.assertEqual(r.status, 201, r)
        fid = r.json["id"]
        try:
            r = c.get("/api/v1/live/summary?node=daban")
            p = {t["topic"]: t["reason"] for t in r.json["proposed_topics"]}
            self.assertEqual(p[E], "2 场直播中 5 人次提问，已有答复但仍有人问，宜再讲并推送常见问题")
        finally:
            c.delete("/api/v1/faq/%d" % fid)

    def test_year_and_node_scope(self):
        c = self.as_user("county")
        year = self.summary["year"]
        r = c.get("/api/v1/live/summary?node=daban&year=%d" % (year - 1))
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["streams"], r.json["hot_questions"]), (0, 0))
        r = c.get("/api/v1/live/summary?node=chaganmulun&year=%d" % year)
        self.assertEqual((r.json["streams"], r.json["unanswered_topics"]), (0, []))

    def test_bad_input(self):
        c = self.as_user("county")
        for q in ("year=abc", "year=1999", "year=2101", "year=20.5"):
            assert_problem(c.get("/api/v1/live/summary?" + q), 400, "request.bad_query", "year")
        assert_problem(c.get("/api/v1/live/summary?node=nosuchnode"), 404, "org.node_not_found")
        assert_problem(c.get("/api/v1/live/summary?node="), 400, "request.bad_query", "node")

    def test_other_township_refused(self):
        r = self.as_user("town").get("/api/v1/live/summary?node=daban")
        assert_problem(r, 403, "auth.forbidden")


if __name__ == "__main__":
    unittest.main()


class LiveReportScaleTest(LiveCase):
    """20,000 imported comments from 7,000 outside accounts over 40 minutes: the report is
    computed by SQL grouping, so it stays quick and exact (a 100k stream took about 1 s on
    the sanitizer build)."""

    N = 20000

    def test_big_stream_reports_quickly_and_exactly(self):
        import json
        import time
        s = self.create_stream("大流量专场", "daban")
        sid = s["id"]
        t0 = self.transition(sid, "start")["started_at"]
        c = self.as_user("county")
        topics = ["草原补奖", "农机补贴", "医保缴费", "养老认证", "营业执照", "不动产登记", "低保",
                  "新农合"]
        for batch in range(self.N // 5000):
            lines = []
            for i in range(5000):
                n = batch * 5000 + i
                lines.append(json.dumps({
                    "platform": "douyin", "comment_id": "c%d" % n, "user": "u%d" % (n % 7000),
                    "text": "请问%s第%d个问题怎么办理" % (topics[n % 8], n % 997)},
                    ensure_ascii=False))
            r = c.post("/api/v1/streams/%d/import" % sid, raw_body="\n".join(lines))
            self.assertEqual((r.status, r.json["imported"]), (200, 5000), r)
            self.advance(10 * MIN_MS)
        start = time.monotonic()
        r = c.get("/api/v1/streams/%d/report" % sid)
        took = time.monotonic() - start
        self.assertEqual(r.status, 200, r)
        self.assertLess(took, 10.0)
        q = r.json["questions"]
        self.assertEqual((q["total"], q["askers"], q["imported"]), (self.N, 7000, self.N))
        pm = r.json["interactions"]["per_minute"]
        self.assertEqual(sum(m["questions"] + m["suggestions"] + m["smalltalk"] for m in pm),
                         self.N)
        # each batch arrived within one minute, ten minutes apart
        busy = [m["minute"] for m in pm if m["questions"] + m["suggestions"] + m["smalltalk"]]
        self.assertEqual(busy, [0, 10, 20, 30])
        self.assertEqual(len(pm), 41)
        self.assertEqual(sum(h["questions"] for h in r.json["hot"]) <= self.N, True)
        self.assertEqual(t0, r.json["stream"]["started_at"])
