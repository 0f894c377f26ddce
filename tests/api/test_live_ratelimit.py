"""Rate limits of the public question endpoint (docs/live.md): per device 5 per 10 s and
30 per 10 minutes, per address 60 per 10 s; a refused post is 429 live.rate_limited with
Retry-After. A burst from one phone is cut off while a crowd behind one carrier NAT, each
phone with its own device token, asks normally; the server stays healthy."""
import threading
import unittest

from harness import Client
from test_live_common import LiveCase, Viewer, device, fresh_ip


class LiveRateLimitTest(LiveCase):
    def test_burst_of_200_from_one_device_is_cut_off_other_devices_unaffected(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        nat = fresh_ip()
        spammer = Viewer(srv, ip=nat)
        results = []
        lock = threading.Lock()

        def burst(n):
            for i in range(n):
                r = spammer.ask(sid, "刷屏消息 %d 号，请问低保怎么办理" % i)
                with lock:
                    results.append(r)

        threads = [threading.Thread(target=burst, args=(50,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = [r.status for r in results]
        self.assertEqual(len(codes), 200)
        self.assertEqual(codes.count(201), 5, codes)
        self.assertEqual(codes.count(429), 195)
        refused = [r for r in results if r.status == 429][0]
        self.assert_problem(refused, 429, "live.rate_limited")
        self.assertGreaterEqual(int(refused.headers["Retry-After"]), 1)
        # 50 other phones behind the same address each ask normally.
        for i in range(50):
            r = Viewer(srv, ip=nat).ask(sid, "我是第%d位观众，想问医保缴费截止日期" % i)
            self.assertEqual(r.status, 201, r)
        # The address' own limit (60 per 10 s) stops more phones soon (it refills 6 a second,
        # so how soon depends on how long the above took).
        over = []
        for i in range(100):
            over.append(Viewer(srv, ip=nat).ask(sid, "再问一个问题 %d" % i).status)
            if over[-1] == 429:
                break
        self.assertEqual(over[-1], 429, over)
        # Elsewhere nothing changed, and the server is healthy.
        self.assertEqual(self.viewer().ask(sid, "养老保险怎么交？").status, 201)
        self.assertEqual(Client(srv).get("/healthz").status, 200)
        self.assertEqual(self.county.get("/api/v1/streams/%d" % sid).json["counts"]["questions"],
                         5 + 50 + over.count(201) + 1)
        # Time refills the device's bucket.
        srv.advance(10500)
        self.assertEqual(spammer.ask(sid, "过了十秒再问一次").status, 201)

    def test_thirty_per_ten_minutes_per_device(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        v = Viewer(srv)
        ok = 0
        for i in range(8):
            for j in range(5):
                if v.ask(sid, "第%d轮第%d个问题：草场确权怎么办" % (i, j)).status == 201:
                    ok += 1
            srv.advance(10001)
        # 30 at once, then the 10-minute bucket refills 3 a minute: 3 more in 70 s
        self.assertIn(ok, (33, 34))
        codes = [v.ask(sid, "还能问吗 %d" % i) for i in range(3)]
        self.assert_problem(codes[-1], 429, "live.rate_limited")

    def test_without_a_device_token_the_address_stands_in(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        v = Viewer(srv, token="")
        v.token = None
        codes = [v.ask(sid, "没有设备号的提问 %d" % i).status for i in range(7)]
        self.assertEqual(codes, [201] * 5 + [429] * 2)
        self.assert_problem(Viewer(srv, token="short").ask(sid, "x"), 400, "live.bad_device")
        self.assert_problem(Viewer(srv, token="bad token with spaces!!").ask(sid, "x"), 400,
                            "live.bad_device")

    def test_upvotes_thirty_a_minute_per_device(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        qs = [self.ask(sid, "问题%d：草原补奖发放时间" % i) for i in range(2)]
        v = Viewer(srv, token=device())
        codes = [v.post("/api/v1/public/questions/%d/upvote" % qs[i % 2]["id"]).status
                 for i in range(31)]
        self.assertEqual(codes[:30], [200] * 30)
        self.assert_problem(v.post("/api/v1/public/questions/%d/upvote" % qs[0]["id"]), 429,
                            "live.rate_limited")


if __name__ == "__main__":
    unittest.main()
