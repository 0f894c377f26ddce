"""The public display (公示) of points, without a session: the village ranking (ties share a
rank, head names masked) and a household's approved history by household code."""
import json
import unittest

from test_points_common import PointsCase


class PointsPublicTest(PointsCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("secretary")
        cls.chk = cls.add_user("pubcheck")
        cls.new_item(cls.sec, "p-ten", 10)
        cls.new_item(cls.sec, "p-one", 1)
        # Names of 2, 3, 4 and 6 characters; two households tie on 20 points.
        cls.hh = {}
        for key, head in (("a", "乌兰"), ("b", "巴特尔"), ("c", "那仁高娃"),
                          ("d", "额尔敦巴雅尔")):
            cls.hh[key] = cls.new_household(cls.sec, head=head)
        for key, tens, ones in (("a", 2, 0), ("b", 2, 0), ("c", 5, 3), ("d", 0, 1)):
            cls.earn(cls.sec, cls.chk, cls.hh[key]["id"], "p-ten", tens)
            cls.earn(cls.sec, cls.chk, cls.hh[key]["id"], "p-one", ones)

    def test_ranking_without_a_session(self):
        anon = self.anonymous()
        r = anon.get("/api/v1/public/points/ranking?node=hutele")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["node"], {"code": "hutele", "name": "呼特勒嘎查"})
        items = r.json["items"]

        # Every household of the village is ranked with its real balance.
        households = self.sec.get("/api/v1/households?node=hutele").json["items"]
        self.assertEqual(sorted(i["code"] for i in items), sorted(h["code"] for h in households))
        by_code = {h["code"]: h for h in households}
        for i in items:
            self.assertEqual(set(i), {"rank", "code", "head", "balance"})
            want = self.hh_points(self.sec, by_code[i["code"]]["id"])["balance"]
            self.assertEqual(i["balance"], want, i)

        # Ordered by balance; a rank is 1 + the number of households with more points.
        balances = [i["balance"] for i in items]
        self.assertEqual(balances, sorted(balances, reverse=True))
        for i in items:
            self.assertEqual(i["rank"], 1 + sum(1 for b in balances if b > i["balance"]), i)
        mine = {k: next(i for i in items if i["code"] == h["code"]) for k, h in self.hh.items()}
        self.assertEqual(mine["c"]["balance"], 53)
        self.assertEqual((mine["a"]["balance"], mine["b"]["balance"]), (20, 20))
        self.assertEqual(mine["a"]["rank"], mine["b"]["rank"])
        self.assertEqual(mine["d"]["balance"], 1)

        # Head names masked: first character kept, no full name anywhere in the answer.
        self.assertEqual(mine["a"]["head"], "乌*")
        self.assertEqual(mine["b"]["head"], "巴*尔")
        self.assertEqual(mine["c"]["head"], "那*娃")
        self.assertEqual(mine["d"]["head"], "额*尔")
        text = r.raw.decode("utf-8")
        text_unescaped = json.dumps(r.json, ensure_ascii=False)
        for h in households:
            self.assertNotIn(h["head_name"], text, h)
            self.assertNotIn(h["head_name"], text_unescaped, h)
            if h.get("phone"):
                self.assertNotIn(h["phone"], text)
        for i in items:
            self.assertIn("*", i["head"])

    def test_ranking_needs_a_village(self):
        anon = self.anonymous()
        self.assert_problem(anon.get("/api/v1/public/points/ranking?node=chaganmulun"), 400,
                            "request.bad_query", "node")
        self.assert_problem(anon.get("/api/v1/public/points/ranking?node=balinyouqi"), 400,
                            "request.bad_query", "node")
        self.assert_problem(anon.get("/api/v1/public/points/ranking"), 400,
                            "request.bad_query", "node")
        self.assert_problem(anon.get("/api/v1/public/points/ranking?node="), 400,
                            "request.bad_query", "node")
        self.assert_problem(anon.get("/api/v1/public/points/ranking?node=no-such-village"), 404,
                            "org.node_not_found", "node")

    def test_household_history_shows_approved_entries_only(self):
        sec, chk = self.sec, self.chk
        h = self.new_household(sec, head="图雅其其格")
        hid = h["id"]
        kept = self.earn(sec, chk, hid, "p-ten")[0]
        undone = self.earn(sec, chk, hid, "p-one")[0]
        rev = sec.post("/api/v1/points/entries/%d/reverse" % undone["id"],
                       json={"reason": "录入有误"})
        self.assertEqual(rev.status, 201, rev)
        pending = self.post_entry(sec, hid, "p-ten").json
        rejected = self.post_entry(sec, hid, "p-one").json
        self.assertEqual(chk.post("/api/v1/points/entries/%d/reject" % rejected["id"],
                                  json={"reason": "不符"}).status, 200)

        anon = self.anonymous()
        r = anon.get("/api/v1/public/points/households/%s" % h["code"])
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertEqual(body["code"], h["code"])
        self.assertEqual(body["head"], "图*格")
        self.assertEqual(body["village"], "呼特勒嘎查")
        self.assertEqual(body["balance"], 10)
        self.assertNotIn("pending", body)
        self.assertNotIn("available", body)
        self.assertNotIn("图雅其其格", r.raw.decode("utf-8"))
        got = {e["id"]: e for e in body["entries"]}
        self.assertEqual(set(got), {kept["id"], undone["id"], rev.json["id"]})
        self.assertNotIn(pending["id"], got)
        self.assertNotIn(rejected["id"], got)
        self.assertEqual(sum(e["points"] for e in body["entries"]), body["balance"])
        self.assertEqual((got[rev.json["id"]]["points"], got[rev.json["id"]]["reversal"],
                          got[rev.json["id"]]["reason"]), (-1, True, "录入有误"))
        self.assertEqual((got[kept["id"]]["points"], got[kept["id"]]["reversal"],
                          got[kept["id"]]["item"]), (10, False, "项目p-ten"))
        for e in body["entries"]:
            self.assertIsInstance(e["at"], int)
            self.assertIsInstance(e["period"], str)

    def test_household_history_unknown_or_bad_code(self):
        anon = self.anonymous()
        self.assert_problem(anon.get("/api/v1/public/points/households/hutele-99999"), 404,
                            "household.not_found")
        self.assert_problem(anon.get("/api/v1/public/points/households/bad%20code"), 400,
                            "request.bad_id")

    def test_zz_public_reads_are_rate_limited(self):
        # Last in the class: it spends this address's allowance.
        anon = self.anonymous()
        statuses = [anon.get("/api/v1/public/points/ranking?node=hutele").status
                    for _ in range(140)]
        self.assertIn(429, statuses)
        self.assertEqual(set(statuses), {200, 429})
        self.assertGreaterEqual(statuses.count(200), 100)
        # The bucket refills (10 a second), so a slow machine may earn a token back between
        # two calls: the household pages share the bucket and run dry within a few calls.
        answers = [anon.get("/api/v1/public/points/households/hutele-1") for _ in range(30)]
        limited = [r for r in answers if r.status == 429]
        self.assertTrue(limited, [r.status for r in answers])
        self.assert_problem(limited[0], 429, "rate.limited")
        # Signed-in reads are not limited by it.
        self.assertEqual(self.sec.get("/api/v1/points/items?node=hutele").status, 200)


if __name__ == "__main__":
    unittest.main()
