"""Importing outside comments (POST /api/v1/streams/{id}/import): JSON lines or CSV with a
header row, idempotent on (platform, comment_id), bad lines reported by number while the
rest go in; imported questions cluster like viewers' ones."""
import json
import unittest

from test_live_common import LiveCase


class LiveImportTest(LiveCase):
    def post_import(self, sid, body, ctype="application/x-ndjson"):
        return self.county.post("/api/v1/streams/%d/import" % sid, raw_body=body,
                                headers={"Content-Type": ctype})

    def test_jsonl_import_is_idempotent_and_reports_bad_lines(self):
        sid = self.new_stream()["id"]
        lines = [
            {"platform": "douyin", "comment_id": "dy-1", "user": "草原雄鹰", "time": 1795700000000,
             "text": "请问草原补奖什么时候发？"},
            {"platform": "douyin", "comment_id": "dy-2", "user": "牧民老王",
             "time": "2026-11-26 10:00:00", "text": "草原补奖什么时候发放啊"},
            {"platform": "kuaishou", "comment_id": 3001, "user": "小李", "text": "主播好"},
            {"platform": "douyin", "comment_id": "dy-3", "text": ""},
            {"platform": "Douyin!", "comment_id": "dy-4", "text": "平台名不对"},
            {"platform": "weixin", "comment_id": "wx-1", "text": "电话13812345678，医保怎么报销"},
        ]
        body = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines)
        body += "\nnot json at all\n\n"
        r = self.post_import(sid, body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["imported"], 4)
        self.assertEqual(r.json["duplicates"], 0)
        self.assertEqual([x["line"] for x in r.json["rejected"]], [4, 5, 7])
        self.assertTrue(r.json["rejected"][0]["reason"].startswith("text"))
        hot = sorted(self.hot(sid), key=lambda h: -h["questions"])
        self.assertEqual([h["questions"] for h in hot], [2, 1])
        self.assertEqual(hot[0]["askers"], 2)
        r = self.post_import(sid, body)
        self.assertEqual((r.json["imported"], r.json["duplicates"]), (0, 4))
        items = self.county.get("/api/v1/streams/%d/questions" % sid).json["items"]
        self.assertEqual(len(items), 4)
        self.assertEqual({q["source"] for q in items}, {"douyin", "kuaishou", "weixin"})
        wx = [q for q in items if q["source"] == "weixin"][0]
        self.assertIn("138****5678", wx["text"])
        dy1 = [q for q in items if q["text"] == "请问草原补奖什么时候发？"][0]
        self.assertEqual(dy1["created_at"], 1795700000000)
        self.assertEqual(sorted(h["questions"] for h in self.hot(sid)), [1, 2])
        # Duplicates inside one body count once.
        again = json.dumps({"platform": "douyin", "comment_id": "dy-9", "text": "养老保险怎么交"},
                           ensure_ascii=False)
        r = self.post_import(sid, again + "\n" + again + "\n")
        self.assertEqual((r.json["imported"], r.json["duplicates"]), (1, 1))

    def test_csv_import_with_header_quotes_and_bad_rows(self):
        sid = self.new_stream()["id"]
        body = ("\ufeffplatform,comment_id,user,time,text\r\n"
                "douyin,c1,牧民甲,2026-11-26 10:01,\"医保报销，需要什么材料？\"\r\n"
                "douyin,c2,牧民乙,,\"医保报销要带啥材料\"\r\n"
                "kuaishou,c3,\"名字,带逗号\",1795700000,\"建议多讲讲\"\"养老保险\"\"\"\r\n"
                "douyin,c4,牧民丁,not-a-time,草原补奖\r\n"
                ",c5,x,,没有平台\r\n")
        r = self.post_import(sid, body, "text/csv; charset=utf-8")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["imported"], 3, r.json)
        self.assertEqual([x["line"] for x in r.json["rejected"]], [5, 6])
        items = self.county.get("/api/v1/streams/%d/questions" % sid).json["items"]
        k3 = [q for q in items if q["source"] == "kuaishou"][0]
        self.assertEqual(k3["text"], "建议多讲讲\"养老保险\"")
        self.assertEqual(k3["kind"], "suggestion")
        self.assertEqual(k3["created_at"], 1795700000000)
        hot = self.hot(sid)
        self.assertEqual((hot[0]["questions"], hot[0]["askers"]), (2, 2))
        r = self.post_import(sid, body, "text/csv")
        self.assertEqual((r.json["imported"], r.json["duplicates"]), (0, 3))
        aud = self.as_user("auditor").get("/api/v1/audit?action=live.import&limit=10").json["items"]
        self.assertTrue(any(e["object"] == "stream:%d" % sid for e in aud))

    def test_top_of_many_hot_questions_is_the_head_of_the_full_ranking(self):
        sid = self.new_stream()["id"]
        subjects = ["草原补奖", "医保报销", "养老保险", "低保申请", "高龄津贴", "草场确权", "农机补贴",
                    "危房改造", "残疾人补贴", "退役军人优待", "义务教育资助", "大病救助", "生育津贴",
                    "住房公积金", "营业执照", "不动产登记", "户口迁移", "身份证补办", "驾驶证换证",
                    "社保转移", "失业登记", "创业贷款", "合作社注册", "牲畜保险", "防疫补助",
                    "光伏补贴", "饮水工程", "道路硬化", "网络覆盖", "温室大棚"]
        lines, n = [], 0
        for i, subj in enumerate(subjects):
            for j in range(1 + (i * 7) % 5):
                n += 1
                lines.append(json.dumps({"platform": "douyin", "comment_id": "m%d" % n,
                                         "user": "u%d" % n, "time": 1795700000000 + n * 1000,
                                         "text": "请问%s的政策是怎样的？" % subj},
                                        ensure_ascii=False))
        r = self.post_import(sid, "\n".join(lines))
        self.assertEqual(r.json["imported"], n)
        full = self.hot(sid, limit=200)
        self.assertGreater(len(full), 20)
        key = lambda items: [(h["cluster_id"], h["questions"]) for h in items]
        for limit in (1, 3, 5, 20):  # (heat moves with the clock between two reads)
            self.assertEqual(key(self.hot(sid, limit=limit)), key(full[:limit]))
        heats = [h["heat"] for h in full]
        self.assertEqual(heats, sorted(heats, reverse=True))

    def test_bad_imports(self):
        sid = self.new_stream()["id"]
        self.assert_problem(self.post_import(sid, "a,b,c\n1,2,3\n", "text/csv"), 400,
                            "live.bad_import")
        self.assert_problem(self.post_import(sid, ""), 400, "live.bad_import")
        # (20,000 lines of real comments may need a larger --max-body than the 1 MB default)
        big = "\n".join('{"platform":"d","comment_id":"%d","text":"q"}' % i for i in range(20002))
        self.assert_problem(self.post_import(sid, big), 400, "live.bad_import")
        self.assertEqual(self.county.get("/api/v1/streams/%d" % sid).json["counts"]["questions"], 0)
        r = self.post_import(sid, b'{"platform":"douyin","comment_id":"x","text":"\xff\xfe"}\n')
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["imported"], len(r.json["rejected"])), (0, 1))
        self.assert_problem(self.post_import(999999, '{"platform":"douyin"}'), 404,
                            "live.stream_not_found")
        self.assert_problem(self.as_user("secretary2").post(
            "/api/v1/streams/%d/import" % sid, raw_body='{"a":1}'), 403, "auth.forbidden")

    def test_large_import_in_one_call(self):
        sid = self.new_stream()["id"]
        topics = ["草原补奖什么时候发", "医保报销要什么材料", "养老保险一年交多少", "低保怎么申请",
                  "高龄津贴怎么领取"]
        body = "\n".join(json.dumps({"platform": "douyin", "comment_id": "b%d" % i,
                                     "user": "u%d" % (i % 700),
                                     "text": "请问%s？（%d）" % (topics[i % 5], i)},
                                    ensure_ascii=False) for i in range(5000))
        r = self.post_import(sid, body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["imported"], 5000)
        hot = self.hot(sid, limit=200)
        self.assertEqual(sum(h["questions"] for h in hot), 5000)


if __name__ == "__main__":
    unittest.main()
