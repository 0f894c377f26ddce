"""A stream's room (its hot questions (热点问题), clusterer and askers in memory) is emptied
once the stream has ended and nobody has used it for 10 minutes, and built again from the
database on its next use with the same hot list and counts; a live stream's room is kept
however long it idles. /healthz says how many rooms are in memory."""
import unittest

from harness import Client
from test_live_common import LiveCase


class RoomEvictionTest(LiveCase):
    def rooms(self):
        r = Client(type(self).server).get("/healthz")
        self.assertEqual(r.status, 200, r)
        return r.json["live_rooms"]

    def stream(self, sid):
        r = type(self).county.get("/api/v1/streams/%d" % sid)
        self.assertEqual(r.status, 200, r)
        return r.json

    def hot_without_heat(self, sid):
        return [{k: v for k, v in h.items() if k != "heat"} for h in self.hot(sid)]

    def test_an_ended_streams_idle_room_is_emptied_and_built_again_on_use(self):
        srv = type(self).server
        c = type(self).county
        ended = self.new_stream()["id"]
        self.ask(ended, "请问草原补奖什么时候发？")
        self.ask(ended, "草原补奖什么时候发放啊")
        self.ask(ended, "医保报销要带哪些材料？")
        live = self.new_stream()["id"]
        self.ask(live, "养老保险一年交多少钱？")
        self.assertEqual(c.post("/api/v1/streams/%d/end" % ended).status, 200)
        hot, counts = self.hot_without_heat(ended), self.stream(ended)["counts"]
        self.assertEqual((counts["questions"], counts["hot"]), (3, 1))
        built = self.rooms()
        self.assertGreaterEqual(built, 2)
        # Five idle minutes: too soon.
        srv.advance_minutes(5)
        self.hot(live)
        self.assertEqual(self.rooms(), built)
        # Eleven: the next use of any room sweeps the ended one out, and only it.
        srv.advance_minutes(6)
        self.hot(live)
        self.assertLessEqual(self.rooms(), built - 1)
        log = srv.log_tail(400)
        self.assertIn("live: stream %d's room emptied" % ended, log)
        self.assertNotIn("live: stream %d's room emptied" % live, log)
        # Its counts now come from the database, and say the same; its hot list builds the
        # room again, the same as before.
        self.assertEqual(self.stream(ended)["counts"], counts)
        left = self.rooms()
        self.assertEqual(self.hot_without_heat(ended), hot)
        self.assertEqual(self.rooms(), left + 1)
        self.assertEqual(self.stream(ended)["counts"], counts)
        # The live stream's room was kept and takes questions as before.
        self.assertEqual(self.ask(live, "养老保险每年交多少钱")["status"], "visible")
        # Bad input still answers a clear error (and makes no room).
        self.assert_problem(Client(srv).get("/api/v1/streams/0/hot"), 400, "request.bad_id")
        self.assert_problem(Client(srv).get("/api/v1/streams/999999/hot"), 404,
                            "live.stream_not_found")
        self.assertEqual(self.rooms(), left + 1)


if __name__ == "__main__":
    unittest.main()
