"""Live Q&A end to end (docs/live.md): a stream is created, started, asked, its hot
questions ranked, answered, pinned, merged and split, and ended; viewers' text is redacted
and classified; a sensitive word sends a message to moderation; one upvote per device."""
import unittest

from harness import Client
from test_live_common import LiveCase, uniq
from test_open311 import new_key


class LiveFlowTest(LiveCase):
    def test_stream_lifecycle_and_three_paraphrases_make_one_hot_question(self):
        srv = type(self).server
        s = self.new_stream(start=False, topics=["草原补奖", "医保"], platform="douyin",
                            host_name="旗政务服务局 王海军")
        self.assertEqual(s["status"], "scheduled")
        self.assertEqual(len(s["join_code"]), 6)
        self.assertTrue(set(s["join_code"]) <= set("23456789ABCDEFGHJKMNPQRSTUVWXYZ"))
        self.assertTrue(s["join_url"].endswith("/m/#/live/" + s["join_code"]), s)
        self.assertEqual(s["node"]["code"], "balinyouqi")
        self.assertEqual(s["topics"], ["草原补奖", "医保"])
        sid = s["id"]
        # Questions are taken before the start (viewers join early).
        a = self.ask(sid, "请问草原补奖什么时候发？")
        self.assertEqual(a["status"], "visible")
        self.assertEqual(a["kind"], "question")
        self.assertIsNotNone(a["cluster_id"])
        c = self.county
        r = c.post("/api/v1/streams/%d/start" % sid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "live")
        self.assertIsNotNone(r.json["started_at"])
        self.assert_problem(c.post("/api/v1/streams/%d/start" % sid), 409, "live.bad_transition")
        b = self.ask(sid, "草原补奖什么时候发放啊")
        d = self.ask(sid, "草原补奖啥时候发")
        self.assertEqual(b["cluster_id"], a["cluster_id"])
        self.assertEqual(d["cluster_id"], a["cluster_id"])
        other = self.ask(sid, "医保报销需要带哪些材料")
        self.assertNotEqual(other["cluster_id"], a["cluster_id"])
        items = self.hot(sid)
        self.assertEqual(items[0]["cluster_id"], a["cluster_id"])
        self.assertEqual(items[0]["questions"], 3)
        self.assertEqual(items[0]["askers"], 3)
        self.assertEqual(items[0]["status"], "open")
        self.assertFalse(items[0]["pinned"])
        self.assertIsNone(items[0]["answer"])
        self.assertEqual(items[1]["cluster_id"], other["cluster_id"])
        self.assertGreater(items[0]["heat"], items[1]["heat"])
        self.assertEqual(len(self.hot(sid, limit=1)), 1)
        # Answer the hot question: it stays in the list with its status and answer.
        cid = a["cluster_id"]
        r = c.post("/api/v1/streams/%d/hot/%d/answer" % (sid, cid),
                   json={"answer": "补奖资金于每年6月底前发放到户。"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "answered")
        top = self.hot(sid)[0]
        self.assertEqual((top["cluster_id"], top["status"]), (cid, "answered"))
        self.assertEqual(top["answer"], "补奖资金于每年6月底前发放到户。")
        # Pin the other one: pinned first.
        r = c.post("/api/v1/streams/%d/hot/%d/pin" % (sid, other["cluster_id"]))
        self.assertEqual(r.status, 200, r)
        items = self.hot(sid)
        self.assertEqual(items[0]["cluster_id"], other["cluster_id"])
        self.assertTrue(items[0]["pinned"])
        g = c.get("/api/v1/streams/%d" % sid).json
        self.assertEqual(g["pinned_cluster_id"], other["cluster_id"])
        self.assertEqual(g["counts"], {"questions": 4, "askers": 4, "clusters": 2, "hot": 1,
                                       "pending": 0})  # hot: the one of 3 questions, not the single
        r = c.post("/api/v1/streams/%d/hot/%d/pin" % (sid, other["cluster_id"]),
                   json={"pinned": False})
        self.assertEqual(r.status, 200, r)
        self.assertFalse(self.hot(sid)[1]["pinned"])
        # Defer and reopen.
        r = c.post("/api/v1/streams/%d/hot/%d/defer" % (sid, other["cluster_id"]))
        self.assertEqual(r.json["status"], "deferred")
        r = c.post("/api/v1/streams/%d/hot/%d/reopen" % (sid, other["cluster_id"]))
        self.assertEqual(r.json["status"], "open")
        # One hot question with its members (staff).
        r = c.get("/api/v1/streams/%d/hot/%d" % (sid, cid))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(m["id"] for m in r.json["members"]),
                         sorted([a["id"], b["id"], d["id"]]))
        # The viewer page on joining.
        pub = Client(srv).get("/api/v1/public/streams/%s" % s["join_code"])
        self.assertEqual(pub.status, 200, pub)
        self.assertEqual(pub.json["id"], sid)
        self.assertEqual([h["cluster_id"] for h in pub.json["answered"]], [cid])
        self.assertIsNone(pub.json["pinned"])
        # End: no more questions.
        r = c.post("/api/v1/streams/%d/end" % sid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "ended")
        self.assert_problem(c.post("/api/v1/streams/%d/end" % sid), 409, "live.bad_transition")
        self.assert_problem(self.viewer().ask(sid, "还能提问吗？"), 409, "live.stream_ended")
        self.assertEqual(len(self.hot(sid)), 2)
        # Every staff write is in the audit log.
        aud = self.as_user("auditor").get("/api/v1/audit?action=live.*&limit=100").json["items"]
        acts = {e["action"] for e in aud if e["object"] in ("stream:%d" % sid,
                                                             "stream_cluster:%d" % cid)}
        self.assertTrue({"live.stream.create", "live.stream.start", "live.stream.end",
                         "live.hot.answer"} <= acts, acts)

    def test_text_is_redacted_classified_and_phone_stored_masked(self):
        sid = self.new_stream()["id"]
        r = self.ask(sid, "我电话13812345678，身份证150423199001011234，医保卡丢了怎么补办？",
                     nickname="牧民巴特尔", phone="139 1234 5678")
        self.assertNotIn("13812345678", r["text"])
        self.assertIn("138****5678", r["text"])
        self.assertIn("1504**********1234", r["text"])
        self.assertEqual(r["kind"], "question")
        self.assertEqual(self.ask(sid, "主播好")["kind"], "smalltalk")
        self.assertIsNone(self.ask(sid, "666666")["cluster_id"])
        sug = self.ask(sid, "建议下次多讲讲医保缴费的事")
        self.assertEqual(sug["kind"], "suggestion")
        self.assertIsNone(sug["cluster_id"])
        items = self.county.get("/api/v1/streams/%d/questions" % sid).json["items"]
        stored = [q for q in items if q["id"] == r["id"]][0]
        self.assertEqual(stored["text"], r["text"])
        self.assertEqual(stored["phone"], "139****5678")
        self.assertEqual(stored["nickname"], "牧民巴特尔")
        db = type(self).server.db
        raw = db.sql("SELECT text || '|' || COALESCE(phone_masked,'') || '|' || device "
                     "FROM stream_questions WHERE id = %d" % r["id"])
        self.assertNotIn("13812345678", raw)
        self.assertNotIn("13912345678", raw)
        self.assertNotIn("1391234", raw)
        self.assertTrue(raw.strip().split("|")[2].startswith("d:"), raw)
        kinds = {q["kind"] for q in
                 self.county.get("/api/v1/streams/%d/questions?kind=suggestion" % sid).json["items"]}
        self.assertEqual(kinds, {"suggestion"})
        # Only questions become hot questions.
        self.assertEqual([h["questions"] for h in self.hot(sid)], [1])

    def test_hot_question_title_is_the_display_form(self):
        sid = self.new_stream()["id"]
        r = self.ask(sid, "老师好，醫保怎麼繳費？？😂😂")
        self.assertEqual(r["text"], "老师好，醫保怎麼繳費？？😂😂")  # the question itself as asked
        title = [h["title"] for h in self.hot(sid) if h["cluster_id"] == r["cluster_id"]][0]
        self.assertEqual(title, "医保怎么缴费？")  # simplified, no greeting, emoji or repeat
        g = self.county.get("/api/v1/streams/%d/hot/%d" % (sid, r["cluster_id"])).json
        self.assertEqual(g["title"], "医保怎么缴费？")

    def test_sensitive_word_sends_to_moderation_then_approve_or_reject(self):
        c = self.county
        word = "骗子%d" % uniq()
        r = c.post("/api/v1/live/sensitive-words", json={"word": word})
        self.assertEqual(r.status, 201, r)
        wid = r.json["id"]
        self.assert_problem(c.post("/api/v1/live/sensitive-words", json={"word": word}), 409,
                            "live.word_exists")
        words = c.get("/api/v1/live/sensitive-words").json["items"]
        self.assertIn(word, [w["word"] for w in words])
        sid = self.new_stream()["id"]
        p = self.ask(sid, "村里那个%s什么时候处理？" % word)
        self.assertEqual(p["status"], "pending")
        self.assertIsNone(p["cluster_id"])
        self.assertEqual(self.hot(sid), [])
        q2 = self.ask(sid, "%s又来了，管不管" % word)
        pend = c.get("/api/v1/streams/%d/questions?status=pending" % sid).json["items"]
        self.assertEqual(sorted(x["id"] for x in pend), sorted([p["id"], q2["id"]]))
        self.assertEqual(pend[0]["moderation"], word)
        self.assertEqual(c.get("/api/v1/streams/%d" % sid).json["counts"]["pending"], 2)
        r = c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, p["id"]),
                   json={"action": "approve"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "visible")
        self.assertIsNotNone(r.json["cluster_id"])
        self.assertEqual([h["cluster_id"] for h in self.hot(sid)], [r.json["cluster_id"]])
        self.assert_problem(c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, p["id"]),
                                   json={"action": "approve"}), 409, "live.bad_transition")
        r = c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, q2["id"]),
                   json={"action": "reject"})
        self.assertEqual(r.json["status"], "rejected")
        self.assertEqual(len(self.hot(sid)), 1)
        self.assert_problem(c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, q2["id"]),
                                   json={"action": "maybe"}), 400, "request.bad_field", "action")
        self.assert_problem(c.post("/api/v1/streams/%d/questions/999999/moderate" % sid,
                                   json={"action": "reject"}), 404, "live.question_not_found")
        # Deleting the word lets the same text through.
        self.assertEqual(c.delete("/api/v1/live/sensitive-words/%d" % wid).status, 204)
        self.assert_problem(c.delete("/api/v1/live/sensitive-words/%d" % wid), 404,
                            "live.word_not_found")
        self.assertEqual(self.ask(sid, "那个%s的事情呢" % word)["status"], "visible")

    def test_merge_and_split_are_recorded_and_new_questions_follow_the_merge(self):
        c = self.county
        sid = self.new_stream()["id"]
        a = self.ask(sid, "医保报销需要带哪些材料？")
        a2 = self.ask(sid, "医保报销要带什么材料")
        b = self.ask(sid, "养老保险每年交多少钱？")
        self.assertNotEqual(a["cluster_id"], b["cluster_id"])
        ca, cb = a["cluster_id"], b["cluster_id"]
        self.assert_problem(c.post("/api/v1/streams/%d/hot/%d/merge" % (sid, cb),
                                   json={"into": cb}), 404, "live.cluster_not_found")
        r = c.post("/api/v1/streams/%d/hot/%d/merge" % (sid, cb), json={"into": ca})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["cluster_id"], ca)
        self.assertEqual(r.json["questions"], 3)
        items = self.hot(sid)
        self.assertEqual([(h["cluster_id"], h["questions"]) for h in items], [(ca, 3)])
        # A new paraphrase of the merged question flows into the target.
        b2 = self.ask(sid, "养老保险一年交多少钱")
        self.assertEqual(b2["cluster_id"], ca)
        self.assertEqual(self.hot(sid)[0]["questions"], 4)
        self.assert_problem(c.post("/api/v1/streams/%d/hot/%d/merge" % (sid, cb),
                                   json={"into": ca}), 404, "live.cluster_not_found")
        # Split the pension questions out again.
        r = c.post("/api/v1/streams/%d/hot/%d/split" % (sid, ca),
                   json={"questions": [b["id"], b2["id"]]})
        self.assertEqual(r.status, 201, r)
        new = r.json["cluster_id"]
        self.assertNotIn(new, (ca, cb))
        self.assertEqual(r.json["questions"], 2)
        got = {h["cluster_id"]: h["questions"] for h in self.hot(sid)}
        self.assertEqual(got, {ca: 2, new: 2})
        self.assert_problem(c.post("/api/v1/streams/%d/hot/%d/split" % (sid, ca),
                                   json={"questions": [b["id"]]}), 404, "live.question_not_found")
        self.assert_problem(c.post("/api/v1/streams/%d/hot/%d/split" % (sid, ca),
                                   json={"questions": []}), 400, "request.bad_field", "questions")
        members = c.get("/api/v1/streams/%d/hot/%d" % (sid, ca)).json["members"]
        self.assertEqual(sorted(m["id"] for m in members), sorted([a["id"], a2["id"]]))
        db = type(self).server.db
        edits = db.sql("SELECT action || ':' || from_cluster || ':' || to_cluster FROM "
                       "stream_cluster_edits WHERE stream_id = %d ORDER BY id" % sid).split()
        self.assertEqual(edits, ["merge:%d:%d" % (cb, ca), "split:%d:%d" % (ca, new)])
        aud = self.as_user("auditor").get("/api/v1/audit?action=live.hot.*&limit=50").json["items"]
        self.assertTrue({"live.hot.merge", "live.hot.split"} <= {e["action"] for e in aud})

    def test_upvote_once_per_device_and_heat_counts_it(self):
        sid = self.new_stream()["id"]
        v = self.viewer()
        b = self.ask(sid, "草场流转合同去哪里签？")
        a = self.ask(sid, "牧区的医保缴费标准是多少？")
        self.assertEqual(self.hot(sid)[0]["cluster_id"], a["cluster_id"])  # the more recent
        r = v.post("/api/v1/public/questions/%d/upvote" % b["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["upvotes"], r.json["already"]), (1, False))
        r = v.post("/api/v1/public/questions/%d/upvote" % b["id"])
        self.assertEqual((r.json["upvotes"], r.json["already"]), (1, True))
        r = self.viewer().post("/api/v1/public/questions/%d/upvote" % b["id"])
        self.assertEqual(r.json["upvotes"], 2)
        items = self.hot(sid)
        self.assertEqual(items[0]["cluster_id"], b["cluster_id"])  # 1 + 2 × 0.5 > 1
        self.assertAlmostEqual(items[0]["heat"], 2.0, delta=0.01)
        self.assertEqual(items[0]["upvotes"], 2)
        self.assert_problem(v.post("/api/v1/public/questions/999999/upvote"), 404,
                            "live.question_not_found")
        self.assert_problem(v.post("/api/v1/public/questions/abc/upvote"), 400, "request.bad_id")

    def test_hot_item_names_the_question_to_upvote_and_ended_streams_keep_their_order(self):
        sid = self.new_stream()["id"]
        first = self.ask(sid, "草原生态补奖什么时候发放？")
        self.ask(sid, "请问今年的草原补奖啥时候发")
        other = self.ask(sid, "牧区的医保缴费标准是多少？")
        items = {i["cluster_id"]: i for i in self.hot(sid)}
        # the hot question's vote lands on its first question, however old it is
        self.assertEqual(items[first["cluster_id"]]["question_id"], first["id"])
        self.assertEqual(items[other["cluster_id"]]["question_id"], other["id"])
        r = self.viewer().post("/api/v1/public/questions/%d/upvote" % first["id"])
        self.assertEqual(r.status, 200, r)
        before = [(i["cluster_id"], i["heat"]) for i in self.hot(sid)]
        self.assertEqual(before[0][0], first["cluster_id"])
        r = type(self).county.post("/api/v1/streams/%d/end" % sid)
        self.assertEqual(r.status, 200, r)
        # two half-lives after the end, heat is still read at the stream's last activity
        # (sessions stay valid: their idle limit is 30 minutes)
        type(self).server.advance(20 * 60 * 1000)
        after = [(i["cluster_id"], i["heat"]) for i in self.hot(sid)]
        self.assertEqual([c for c, _ in after], [c for c, _ in before])
        for (_, h0), (_, h1) in zip(before, after):
            self.assertAlmostEqual(h1, h0, delta=0.01)

    def test_public_stream_and_my_questions(self):
        s = self.new_stream()
        sid, code = s["id"], s["join_code"]
        me, other = self.viewer(), self.viewer()
        mine = self.ask(sid, "低保申请需要什么条件？", viewer=me)
        self.ask(sid, "主播好", viewer=me)
        self.ask(sid, "高龄津贴怎么领取？", viewer=other)
        r = me.get("/api/v1/public/streams/%s/questions?mine=1" % code)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["items"]), 2)
        self.assertEqual(r.json["items"][1]["id"], mine["id"])
        self.assertEqual(r.json["items"][1]["cluster"]["status"], "open")
        self.county.post("/api/v1/streams/%d/hot/%d/answer" % (sid, mine["cluster_id"]),
                         json={"answer": "家庭人均收入低于当地标准即可申请。"})
        r = me.get("/api/v1/public/streams/%s/questions?mine=1" % code)
        self.assertEqual(r.json["items"][1]["cluster"]["answer"], "家庭人均收入低于当地标准即可申请。")
        r = Client(type(self).server).get("/api/v1/public/streams/%s/questions" % code)
        self.assertEqual(len(r.json["items"]), 3)
        self.assert_problem(Client(type(self).server).get("/api/v1/public/streams/ZZZZZZ"), 404,
                            "live.stream_not_found")
        self.assert_problem(Client(type(self).server).get("/api/v1/public/streams/abc"), 400,
                            "request.bad_id")
        r = self.county.post("/api/v1/streams/%d/hot/%d/pin" % (sid, mine["cluster_id"]))
        pub = Client(type(self).server).get("/api/v1/public/streams/%s" % code).json
        self.assertEqual(pub["pinned"]["cluster_id"], mine["cluster_id"])

    def test_viewer_samples_and_timeline(self):
        c = self.county
        s = self.new_stream()
        sid = s["id"]
        t0 = s["started_at"]
        self.ask(sid, "草原补奖标准是多少？")
        self.ask(sid, "主播好")
        r = c.post("/api/v1/streams/%d/viewers" % sid, json={"viewers": 1200, "at": t0 + 1000})
        self.assertEqual(r.status, 201, r)
        type(self).server.advance(61000)
        self.ask(sid, "建议多讲讲医保")
        c.post("/api/v1/streams/%d/viewers" % sid, json={"viewers": 1800})
        r = c.get("/api/v1/streams/%d/viewers" % sid)
        self.assertEqual([x["viewers"] for x in r.json["items"]], [1200, 1800])
        r = c.get("/api/v1/streams/%d/timeline" % sid)
        self.assertEqual(r.status, 200, r)
        items = r.json["items"]
        self.assertGreaterEqual(len(items), 2)
        self.assertEqual((items[0]["questions"], items[0]["smalltalk"], items[0]["viewers"]),
                         (1, 1, 1200))
        self.assertEqual((items[1]["suggestions"], items[1]["viewers"]), (1, 1800))
        self.assert_problem(c.post("/api/v1/streams/%d/viewers" % sid, json={"viewers": -1}),
                            400, "request.bad_field", "viewers")

    def test_outside_tool_posts_viewer_counts_with_an_api_key(self):
        s = self.new_stream(node="daban")
        sid = s["id"]
        db = type(self).server.db
        town_key = new_key(db, "daban", "抖音直播助手")
        other_key = new_key(db, "chaganmulun", "别的苏木")
        tool = Client(type(self).server)
        path = "/api/v1/public/streams/%d/viewers" % sid
        r = tool.post(path, json={"viewers": 950}, headers={"X-Api-Key": town_key})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.json["source"].startswith("api_key:"), r.json)
        r = self.county.get("/api/v1/streams/%d/viewers" % sid)
        self.assertEqual([x["viewers"] for x in r.json["items"]], [950])
        # a county-wide key covers the town's stream too
        r = tool.post(path, json={"viewers": 990}, headers={"X-Api-Key": new_key(db, "balinyouqi")})
        self.assertEqual(r.status, 201, r)
        # refused: no key, an unknown key, another township's key, bad bodies, unknown stream
        self.assert_problem(tool.post(path, json={"viewers": 1}), 403, "live.bad_api_key")
        self.assert_problem(tool.post(path, json={"viewers": 1}, headers={"X-Api-Key": "nope"}),
                            403, "live.bad_api_key")
        self.assert_problem(tool.post(path, json={"viewers": 1}, headers={"X-Api-Key": other_key}),
                            403, "live.bad_api_key")
        self.assert_problem(tool.post(path, json={"viewers": "many"},
                                      headers={"X-Api-Key": town_key}),
                            400, "request.bad_field", "viewers")
        self.assert_problem(tool.post("/api/v1/public/streams/999999/viewers", json={"viewers": 1},
                                      headers={"X-Api-Key": town_key}),
                            404, "live.stream_not_found")
        r = self.county.get("/api/v1/streams/%d/viewers" % sid)
        self.assertEqual(len(r.json["items"]), 2)

    def test_join_qr_code_svg_and_png(self):
        s = self.new_stream(start=False)
        c = self.county
        r = c.get("/api/v1/streams/%d/qr.svg" % s["id"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["Content-Type"].startswith("image/svg+xml"))
        self.assertIn(b"<svg", r.raw)
        r = c.get("/api/v1/streams/%d/qr.png?scale=4" % s["id"])
        self.assertEqual(r.headers["Content-Type"], "image/png")
        self.assertTrue(r.raw.startswith(b"\x89PNG\r\n"))
        anon = Client(type(self).server)
        r = anon.get("/api/v1/public/streams/%s/qr.png" % s["join_code"])
        self.assertTrue(r.raw.startswith(b"\x89PNG\r\n"))
        self.assertIn(b"<svg", anon.get("/api/v1/public/streams/%s/qr.svg" % s["join_code"]).raw)
        self.assert_problem(anon.get("/api/v1/streams/%d/qr.svg" % s["id"]), 401, "auth.required")
        self.assert_problem(c.get("/api/v1/streams/%d/qr.png?scale=99" % s["id"]), 400,
                            "request.bad_query")
        self.assert_problem(anon.get("/api/v1/public/streams/ZZZZZZ/qr.svg"), 404,
                            "live.stream_not_found")

    def test_scope_and_roles(self):
        # A township's staff cannot see or run a stream of another township.
        s = self.new_stream(node="daban", start=False)
        town = self.as_user("town")  # 查干沐沦苏木
        self.assert_problem(town.get("/api/v1/streams/%d" % s["id"]), 403, "auth.forbidden")
        self.assert_problem(town.post("/api/v1/streams/%d/start" % s["id"]), 403,
                            "auth.forbidden")
        own = self.new_stream(node="chaganmulun", start=False, user=town)
        self.assertEqual(own["node"]["code"], "chaganmulun")
        listed = [x["id"] for x in town.get("/api/v1/streams").json["items"]]
        self.assertIn(own["id"], listed)
        self.assertNotIn(s["id"], listed)
        # The auditor reads but cannot write.
        aud = self.as_user("auditor")
        self.assert_problem(aud.post("/api/v1/streams", json={"title": "x", "node": "balinyouqi"}),
                            403, "auth.forbidden")
        self.assert_problem(Client(type(self).server).get("/api/v1/streams"), 401, "auth.required")
        r = self.county.patch("/api/v1/streams/%d" % s["id"], json={"title": "新标题",
                                                                     "host_name": "斯琴"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["title"], r.json["host_name"]), ("新标题", "斯琴"))
        lst = self.county.get("/api/v1/streams?status=scheduled").json["items"]
        self.assertTrue(all(x["status"] == "scheduled" for x in lst))


if __name__ == "__main__":
    unittest.main()
