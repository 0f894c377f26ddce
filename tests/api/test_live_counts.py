"""The staff's stream counts (questions, askers, clusters, hot questions (热点问题), pending),
in a stream's view and in the list of streams, come from the stream's room while it is built
(live_room_counts), kept as questions come in and are moderated; otherwise from the
database, and those are kept in the room until the stream's questions next change. All must
say what the database says at every step: questions from one device and from several, a
sensitive word's pending questions approved or rejected, a visible question taken down, a
merge and a split, the end, a moderation after it, a restart, and a room emptied when idle."""
import unittest

from test_live_common import LiveCase, uniq

# The same counts as the server's database query (live_store.c, STREAM_COUNTS), one row.
COUNTS_SQL = """SELECT
 (SELECT COUNT(*) FROM stream_questions q WHERE q.stream_id = {sid} AND q.status <> 'rejected'),
 (SELECT COUNT(DISTINCT q.device) FROM stream_questions q WHERE q.stream_id = {sid}
   AND q.status <> 'rejected'),
 (SELECT COUNT(*) FROM stream_clusters k WHERE k.stream_id = {sid} AND k.merged_into IS NULL),
 (SELECT COUNT(*) FROM stream_questions q WHERE q.stream_id = {sid} AND q.status = 'pending'),
 (SELECT COUNT(*) FROM stream_clusters k WHERE k.stream_id = {sid} AND k.merged_into IS NULL
   AND (SELECT COUNT(*) FROM stream_questions q WHERE q.cluster_id = k.id
        AND q.status = 'visible') >= 2)"""
KEYS = ("questions", "askers", "clusters", "pending", "hot")


class StreamCountsTest(LiveCase):
    def db_counts(self, sid):
        row = type(self).server.db.sql(COUNTS_SQL.format(sid=sid)).strip()
        return dict(zip(KEYS, (int(v) for v in row.split("|"))))

    def api_counts(self, sid):
        r = type(self).county.get("/api/v1/streams/%d" % sid)
        self.assertEqual(r.status, 200, r)
        return r.json["counts"]

    def list_counts(self, sid):
        r = type(self).county.get("/api/v1/streams")
        self.assertEqual(r.status, 200, r)
        mine = [s["counts"] for s in r.json["items"] if s["id"] == sid]
        self.assertEqual(len(mine), 1, r.json)
        return mine[0]

    def check(self, sid, want=None):
        """The stream's counts, read twice (the second may come from what the first kept),
        and its counts in the list are the database's (and want's, when given)."""
        db = self.db_counts(sid)
        for got in (self.api_counts(sid), self.api_counts(sid), self.list_counts(sid)):
            self.assertEqual(got, db)
        if want is not None:
            self.assertEqual(db, dict(zip(KEYS, want)))
        return db

    def test_counts_follow_questions_moderation_merges_and_a_restart(self):
        c = type(self).county
        word = "骗子%d" % uniq()
        r = c.post("/api/v1/live/sensitive-words", json={"word": word})
        self.assertEqual(r.status, 201, r)
        wid = r.json["id"]
        try:
            self.run_stream(word)
        finally:
            type(self).county.delete("/api/v1/live/sensitive-words/%d" % wid)

    def run_stream(self, word):
        c = type(self).county
        sid = self.new_stream()["id"]
        self.check(sid, (0, 0, 0, 0, 0))
        one = self.viewer()
        a = self.ask(sid, "请问草原补奖什么时候发？", viewer=one)
        self.ask(sid, "草原补奖什么时候发放啊", viewer=one)  # the same asker again
        self.check(sid, (2, 1, 1, 0, 1))
        b = self.ask(sid, "草原补奖啥时候发")
        m = self.ask(sid, "医保报销要带哪些材料？")
        self.check(sid, (4, 3, 2, 0, 1))
        # A sensitive word: pending, counted as a question but in no hot question.
        p1 = self.ask(sid, "村里那个%s什么时候处理？" % word)
        p2 = self.ask(sid, "%s又来了，管不管" % word)
        self.assertEqual((p1["status"], p2["status"]), ("pending", "pending"))
        self.check(sid, (6, 5, 2, 2, 1))
        r = c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, p1["id"]),
                   json={"action": "approve"})
        self.assertEqual(r.status, 200, r)
        self.check(sid, (6, 5, 3, 1, 1))
        # Rejected: neither a question nor an asker any more.
        r = c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, p2["id"]),
                   json={"action": "reject"})
        self.assertEqual(r.status, 200, r)
        self.check(sid, (5, 4, 3, 0, 1))
        # A visible question taken down: the one asker of two questions stays an asker.
        r = c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, a["id"]),
                   json={"action": "reject"})
        self.assertEqual(r.status, 200, r)
        self.check(sid, (4, 4, 3, 0, 1))
        # Bad input changes nothing.
        self.assert_problem(c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, a["id"]),
                                   json={"action": "reject"}), 409, "live.bad_transition")
        self.assert_problem(c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, b["id"]),
                                   json={"action": "shout"}), 400, "request.bad_field", "action")
        self.assert_problem(c.get("/api/v1/streams/999999"), 404, "live.stream_not_found")
        self.check(sid, (4, 4, 3, 0, 1))
        # Merge the materials question into the subsidy one, then split it out again.
        r = c.post("/api/v1/streams/%d/hot/%d/merge" % (sid, m["cluster_id"]),
                   json={"into": b["cluster_id"]})
        self.assertEqual(r.status, 200, r)
        self.check(sid, (4, 4, 2, 0, 1))
        r = c.post("/api/v1/streams/%d/hot/%d/split" % (sid, b["cluster_id"]),
                   json={"questions": [m["id"]]})
        self.assertEqual(r.status, 201, r)
        self.check(sid, (4, 4, 3, 0, 1))
        # After a restart no room is built: the database counts, and says the same; a
        # viewer's question builds the room again, and it counts on from there.
        srv = type(self).server
        srv.stop()
        srv.start()
        type(self).county = c = self.login("county")
        self.check(sid, (4, 4, 3, 0, 1))
        self.ask(sid, "医保报销需要带什么材料", viewer=one)
        self.check(sid, (5, 4, 3, 0, 2))
        # Ending the stream answers with the same counts.
        r = c.post("/api/v1/streams/%d/end" % sid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["counts"], self.db_counts(sid))
        # Ended, restarted, counted in the database (and kept): a moderation after that
        # changes what the next view says.
        srv.stop()
        srv.start()
        type(self).county = c = self.login("county")
        self.check(sid, (5, 4, 3, 0, 2))
        r = c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, b["id"]),
                   json={"action": "reject"})
        self.assertEqual(r.status, 200, r)
        self.check(sid, (4, 3, 3, 0, 1))
        # Emptied when idle (10 minutes after the end): counted in the database again, the
        # same, and a moderation then still shows.
        srv.advance_minutes(11)
        self.list_counts(sid)  # any use of a room sweeps
        self.check(sid, (4, 3, 3, 0, 1))
        r = c.post("/api/v1/streams/%d/questions/%d/moderate" % (sid, m["id"]),
                   json={"action": "reject"})
        self.assertEqual(r.status, 200, r)
        self.check(sid, (3, 2, 3, 0, 0))

if __name__ == "__main__":
    unittest.main()
