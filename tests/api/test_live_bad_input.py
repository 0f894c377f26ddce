"""Bad input on the live endpoints: every one answers problem+json 4xx naming the problem —
invalid JSON, wrong types, too long or blank text, invalid UTF-8, a huge body, unknown or
malformed ids, an ended stream — and the server stays up."""
import unittest

from harness import Client, raw_exchange
from test_live_common import LiveCase


class LiveBadInputTest(LiveCase):
    @classmethod
    def prepare(cls):
        super().prepare()
        c = cls.county
        r = c.post("/api/v1/streams", json={"title": "坏输入测试", "node": "balinyouqi"})
        cls.sid = r.json["id"]
        c.post("/api/v1/streams/%d/start" % cls.sid)

    def post_q(self, body=None, raw=None, sid=None, headers=None):
        v = self.viewer()
        path = "/api/v1/streams/%s/questions" % (sid or type(self).sid)
        if raw is not None:
            return v.post(path, raw_body=raw, headers=headers)
        return v.post(path, json=body, headers=headers)

    def test_question_body(self):
        self.assert_problem(self.post_q(raw=b"{not json"), 400, "request.malformed_json")
        self.assert_problem(self.post_q(raw=b'{"text":"\xff\xfe\xfd"}'), 400, "request.invalid_utf8")
        self.assert_problem(self.post_q(raw=b"[1,2]"), 400, "request.malformed_json")
        self.assert_problem(self.post_q({}), 400, "request.bad_field", "text")
        self.assert_problem(self.post_q({"text": 5}), 400, "request.bad_field", "text")
        self.assert_problem(self.post_q({"text": ["a"]}), 400, "request.bad_field", "text")
        self.assert_problem(self.post_q({"text": "　 \n"}), 400, "request.bad_field", "text")
        self.assert_problem(self.post_q({"text": "问" * 501}), 400, "request.bad_field", "text")
        self.assertEqual(self.post_q({"text": "问" * 500}).status, 201)
        self.assert_problem(self.post_q({"text": "a\u0000b"}), 400, "request.malformed_json")
        self.assert_problem(self.post_q({"text": "a\u0007b"}), 400, "request.bad_field", "text")
        self.assert_problem(self.post_q({"text": "好", "nickname": "长" * 21}), 400,
                            "request.bad_field", "nickname")
        self.assert_problem(self.post_q({"text": "好", "phone": "call me"}), 400,
                            "request.bad_field", "phone")
        self.assert_problem(self.post_q({"text": "好", "nickname": 7}), 400, "request.bad_field",
                            "nickname")
        self.assert_problem(self.post_q(raw=b'{"text":"x"}',
                                        headers={"Content-Type": "text/plain"}), 415,
                            "request.unsupported_media_type")
        big = b'{"text":"' + b"a" * (2 << 20) + b'"}'
        req = (b"POST /api/v1/streams/%d/questions HTTP/1.1\r\nHost: t\r\n"
               b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
               % (type(self).sid, len(big))) + big
        status, headers, body = raw_exchange(type(self).server.port, req)
        self.assertEqual(status, 413)
        self.assertIn(b"request.body_too_large", body)
        deep = b'{"text":"x","a":' + b"[" * 100 + b"]" * 100 + b"}"
        self.assert_problem(self.post_q(raw=deep), 400, "request.too_deep")

    def test_ids_and_states(self):
        self.assert_problem(self.post_q({"text": "好"}, sid="999999"), 404, "live.stream_not_found")
        self.assert_problem(self.post_q({"text": "好"}, sid="abc"), 400, "request.bad_id")
        self.assert_problem(self.post_q({"text": "好"}, sid="-1"), 400, "request.bad_id")
        self.assert_problem(self.post_q({"text": "好"}, sid="99999999999999999999"), 400,
                            "request.bad_id")
        anon = Client(type(self).server)
        self.assert_problem(anon.get("/api/v1/streams/999999/hot"), 404, "live.stream_not_found")
        self.assert_problem(anon.get("/api/v1/streams/%d/hot?limit=0" % type(self).sid), 400,
                            "request.bad_query")
        self.assert_problem(anon.get("/api/v1/streams/%d/hot?limit=201" % type(self).sid), 400,
                            "request.bad_query")
        self.assert_problem(anon.get("/api/v1/streams/%d/hot?limit=x" % type(self).sid), 400,
                            "request.bad_query")
        self.assertEqual(len(anon.get("/api/v1/streams/%d/hot?limit=200" % type(self).sid)
                             .json["items"]) >= 0, True)
        c = self.county
        sid = type(self).sid
        self.assert_problem(c.get("/api/v1/streams/999999"), 404, "live.stream_not_found")
        self.assert_problem(c.post("/api/v1/streams/%d/hot/999999/pin" % sid), 404,
                            "live.cluster_not_found")
        self.assert_problem(c.post("/api/v1/streams/%d/hot/1/fly" % sid), 404, "request.not_found")
        self.assert_problem(c.post("/api/v1/streams/%d/hot/999999/answer" % sid, json={}), 400,
                            "request.bad_field", "answer")
        self.assert_problem(c.post("/api/v1/streams/%d/hot/999999/merge" % sid,
                                   json={"into": "x"}), 400, "request.bad_field", "into")
        self.assert_problem(c.get("/api/v1/streams/%d/questions?status=odd" % sid), 400,
                            "request.bad_query")
        self.assert_problem(c.get("/api/v1/streams?status=odd"), 400, "request.bad_query")
        self.assert_problem(c.patch("/api/v1/streams/%d" % sid, json={"title": ""}), 400,
                            "request.bad_field", "title")
        # Create: fields checked.
        for body, field in (({"node": "balinyouqi"}, "title"), ({"title": "x"}, "node"),
                            ({"title": "x", "node": "balinyouqi", "topics": "医保"}, "topics"),
                            ({"title": "x", "node": "balinyouqi", "topics": [1]}, "topics"),
                            ({"title": "x", "node": "balinyouqi", "platform": "tiktok"}, "platform"),
                            ({"title": "x" * 101, "node": "balinyouqi"}, "title"),
                            ({"title": "x", "node": "balinyouqi", "scheduled_at": "soon"},
                             "scheduled_at")):
            self.assert_problem(c.post("/api/v1/streams", json=body), 400, "request.bad_field",
                                field)
        self.assert_problem(c.post("/api/v1/streams", json={"title": "x", "node": "nowhere"}),
                            404, "org.node_not_found")
        self.assert_problem(c.post("/api/v1/streams", json={"title": "x", "node": "root"}), 403,
                            "auth.forbidden")
        # The server is still healthy.
        self.assertEqual(Client(type(self).server).get("/healthz").status, 200)

    def test_ended_stream_refuses_questions_and_votes(self):
        c = self.county
        s = c.post("/api/v1/streams", json={"title": "已结束", "node": "balinyouqi"}).json
        self.assert_problem(c.post("/api/v1/streams/%d/end" % s["id"]), 409, "live.bad_transition")
        c.post("/api/v1/streams/%d/start" % s["id"])
        q = self.post_q({"text": "医保怎么交？"}, sid=str(s["id"])).json
        c.post("/api/v1/streams/%d/end" % s["id"])
        self.assert_problem(self.post_q({"text": "还在吗"}, sid=str(s["id"])), 409,
                            "live.stream_ended")
        self.assert_problem(self.viewer().post("/api/v1/public/questions/%d/upvote" % q["id"]),
                            409, "live.stream_ended")
        self.assert_problem(c.post("/api/v1/streams/%d/start" % s["id"]), 409,
                            "live.bad_transition")


if __name__ == "__main__":
    unittest.main()
