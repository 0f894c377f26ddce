"""Live events (GET /api/v1/streams/{id}/events, text/event-stream): the current hot list on
connecting, a new event within 1 s of a change, many viewers on one stream served without a
thread each, and a prompt, clean SIGTERM while viewers are connected — with the viewers held
by the SSE fan-out processes (the default, `--sse-procs 2`) and in the server process
(`--sse-procs 0`)."""
import os
import signal
import socket
import time
import unittest

from test_live_common import SSE, LiveCase


def children(pid):
    """The pids of pid's child processes (the SSE fan-out processes)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may hold spaces and parentheses
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(d))
    return sorted(out)


def nfds_tree(pid):
    """Open descriptors of pid and its children together."""
    n = 0
    for p in [pid] + children(pid):
        try:
            n += len(os.listdir("/proc/%d/fd" % p))
        except OSError:
            pass
    return n


class LiveEventsTest(LiveCase):
    def test_event_on_connect_and_within_a_second_of_a_new_question(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        first = self.ask(sid, "草原补奖什么时候发？")
        sse = SSE(srv.port, "/api/v1/streams/%d/events" % sid)
        try:
            self.assertEqual(sse.status, 200)
            self.assertTrue(sse.headers["content-type"].startswith("text/event-stream"))
            name, eid, data = sse.next_event(timeout=3)
            self.assertEqual(name, "hot")
            self.assertEqual(data["stream_id"], sid)
            self.assertEqual(int(eid), data["version"])
            self.assertEqual([h["cluster_id"] for h in data["items"]], [first["cluster_id"]])
            latencies = []
            for text in ("医保报销要带哪些材料？", "养老保险一年交多少钱？", "医保报销需要什么材料"):
                t0 = time.monotonic()
                q = self.ask(sid, text)
                got = None
                while got is None:
                    ev = sse.next_event(timeout=max(0.01, 1.0 - (time.monotonic() - t0)))
                    self.assertIsNotNone(ev, "no event within 1 s of a question")
                    if ev[0] == "hot" and q["cluster_id"] in [h["cluster_id"] for h in ev[2]["items"]]:
                        want = [h for h in self.hot(sid) if h["cluster_id"] == q["cluster_id"]][0]
                        have = [h for h in ev[2]["items"] if h["cluster_id"] == q["cluster_id"]][0]
                        if have["questions"] == want["questions"]:
                            got = ev
                latencies.append(time.monotonic() - t0)
                self.assertGreater(int(got[1]), int(eid))
                eid = got[1]
            self.assertLess(max(latencies), 1.0, latencies)
            # A host action is an event too.
            t0 = time.monotonic()
            r = self.county.post("/api/v1/streams/%d/hot/%d/answer" % (sid, first["cluster_id"]),
                                 json={"answer": "6月底前发放。"})
            self.assertEqual(r.status, 200, r)
            while True:
                ev = sse.next_event(timeout=1.0)
                self.assertIsNotNone(ev)
                item = [h for h in ev[2]["items"] if h["cluster_id"] == first["cluster_id"]][0]
                if item["status"] == "answered":
                    break
            self.assertLess(time.monotonic() - t0, 1.0)
        finally:
            sse.close()

    def test_many_viewers_on_one_stream_all_get_the_event(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        viewers = [SSE(srv.port, "/api/v1/streams/%d/events" % sid) for _ in range(200)]
        try:
            for v in viewers:
                self.assertEqual(v.next_event(timeout=5)[0], "hot")
            # Idle viewers cost nothing: the server still answers at once.
            t0 = time.monotonic()
            self.assertEqual(self.county.get("/api/v1/streams/%d" % sid).status, 200)
            self.assertLess(time.monotonic() - t0, 0.5)
            q = self.ask(sid, "高龄津贴怎么领？")
            t0 = time.monotonic()
            for v in viewers:
                ev = v.next_event(timeout=max(0.05, 2.0 - (time.monotonic() - t0)))
                self.assertIsNotNone(ev)
                self.assertIn(q["cluster_id"], [h["cluster_id"] for h in ev[2]["items"]])
            self.assertLess(time.monotonic() - t0, 1.5)
        finally:
            for v in viewers:
                v.close()

    def test_viewers_that_hang_up_release_their_connection_within_seconds(self):
        # An idle (suspended) viewer that closes its socket must not keep its connection and
        # descriptor until the next write (an update or the 15 s ping): the server's open
        # descriptors drop back within ~2 s, with no event published meanwhile.
        srv = type(self).server
        sid = self.new_stream()["id"]

        def nfds():
            return nfds_tree(srv.proc.pid)

        self.assertEqual(self.county.get("/api/v1/streams/%d" % sid).status, 200)
        time.sleep(1.5)  # viewers of earlier tests are gone
        before = nfds()
        viewers = [SSE(srv.port, "/api/v1/streams/%d/events" % sid) for _ in range(50)]
        for v in viewers:
            self.assertEqual(v.next_event(timeout=5)[0], "hot")
        time.sleep(0.3)  # every viewer is suspended now
        self.assertGreaterEqual(nfds(), before + 45)
        for v in viewers:
            v.close()
        t0 = time.monotonic()
        while nfds() > before + 5 and time.monotonic() - t0 < 5:
            time.sleep(0.1)
        held = nfds() - before
        self.assertLessEqual(held, 5, "%d descriptors still held %.1f s after the viewers left"
                             % (held, time.monotonic() - t0))
        self.assertLess(time.monotonic() - t0, 3.0)
        # The stream still works for a new viewer.
        sse = SSE(srv.port, "/api/v1/streams/%d/events" % sid)
        try:
            self.assertEqual(sse.next_event(timeout=5)[0], "hot")
        finally:
            sse.close()

    def test_unknown_stream_and_bad_id(self):
        r = self.new_client().get("/api/v1/streams/999999/events")
        self.assert_problem(r, 404, "live.stream_not_found")
        self.assert_problem(self.new_client().get("/api/v1/streams/x1/events"), 400,
                            "request.bad_id")


class LiveEventsInProcessTest(LiveEventsTest):
    """The same, with the viewers in the server process (MHD suspend/resume)."""
    serve_args = ("--trust-proxy", "1", "--sse-procs", "0")

    def test_no_fanout_processes(self):
        self.assertEqual(children(type(self).server.proc.pid), [])


class LiveEventsFanoutTest(LiveCase):
    serve_args = ("--trust-proxy", "1", "--sse-procs", "2", "--per-ip-connections", "8")

    def fanout_pids(self):
        pids = []
        for p in children(type(self).server.proc.pid):
            try:
                with open("/proc/%d/cmdline" % p, "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if cmd:  # a zombie (killed, not yet reaped) has none
                self.assertIn(b"sse-fanout", cmd)
                pids.append(p)
        return pids

    def test_viewers_are_held_by_the_fanout_processes_not_the_server(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        pids = self.fanout_pids()
        self.assertEqual(len(pids), 2)
        time.sleep(1.0)
        own = len(os.listdir("/proc/%d/fd" % srv.proc.pid))
        viewers = [SSE(srv.port, "/api/v1/streams/%d/events" % sid, ip="10.1.0.%d" % (i // 8))
                   for i in range(40)]
        try:
            for v in viewers:
                self.assertEqual(v.status, 200)
                self.assertEqual(v.headers.get("transfer-encoding"), "chunked")
                self.assertEqual(v.next_event(timeout=5)[0], "hot")
            held = [len(os.listdir("/proc/%d/fd" % p)) for p in pids]
            # They hold sockets and their epoll set only: no database, key or log file.
            for p in pids:
                for fd in os.listdir("/proc/%d/fd" % p):
                    if int(fd) > 2:
                        link = os.readlink("/proc/%d/fd/%s" % (p, fd))
                        self.assertTrue(link.startswith(("socket:", "anon_inode:")), link)
            # Split between the two, and the server keeps none of the 40.
            self.assertGreaterEqual(min(held), 15, held)
            self.assertLessEqual(len(os.listdir("/proc/%d/fd" % srv.proc.pid)), own + 5)
            q = self.ask(sid, "低保怎么申请？")
            t0 = time.monotonic()
            for v in viewers:
                ev = v.next_event(timeout=max(0.05, 1.0 - (time.monotonic() - t0)))
                self.assertIsNotNone(ev, "no event within 1 s of a question")
                self.assertIn(q["cluster_id"], [h["cluster_id"] for h in ev[2]["items"]])
            self.assertLess(time.monotonic() - t0, 1.0)
        finally:
            for v in viewers:
                v.close()
        with open(srv.log_path, "rb") as f:
            log = f.read()
        self.assertIn(b"(sse fan-out)", log)
        self.assertNotIn(b"mhd:", log, log[-3000:])

    def test_http10_viewer_gets_an_unchunked_stream(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        try:
            s.sendall(("GET /api/v1/streams/%d/events HTTP/1.0\r\nX-Real-IP: 10.3.0.1\r\n\r\n"
                       % sid).encode())
            buf = b""
            while b"\n\n" not in buf.partition(b"\r\n\r\n")[2]:
                chunk = s.recv(65536)
                self.assertTrue(chunk, buf)
                buf += chunk
            head, _, body = buf.partition(b"\r\n\r\n")
            self.assertIn(b" 200 ", head.split(b"\r\n")[0])
            self.assertNotIn(b"chunked", head.lower())
            self.assertTrue(body.startswith(b"event: hot\nid: "), body[:40])
        finally:
            s.close()

    def test_events_on_a_reused_keep_alive_connection_are_handed_off_too(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        try:
            s.sendall(("GET /api/v1/streams/%d/hot HTTP/1.1\r\nHost: t\r\n"
                       "X-Real-IP: 10.5.0.1\r\n\r\n" % sid).encode())
            buf = b""
            while b"\r\n\r\n" not in buf:
                buf += s.recv(65536)
            head, _, body = buf.partition(b"\r\n\r\n")
            length = int([ln.split(b":")[1] for ln in head.split(b"\r\n")
                          if ln.lower().startswith(b"content-length:")][0])
            while len(body) < length:
                body += s.recv(65536)
            self.assertIn(b" 200 ", head.split(b"\r\n")[0])
            # The same connection now asks for the event stream.
            s.sendall(("GET /api/v1/streams/%d/events HTTP/1.1\r\nHost: t\r\n"
                       "X-Real-IP: 10.5.0.1\r\n\r\n" % sid).encode())
            buf = body[length:]
            while b"\n\n" not in buf.partition(b"\r\n\r\n")[2]:
                chunk = s.recv(65536)
                self.assertTrue(chunk, buf)
                buf += chunk
            head, _, rest = buf.partition(b"\r\n\r\n")
            self.assertIn(b" 200 ", head.split(b"\r\n")[0])
            self.assertIn(b"chunked", head.lower())
            self.assertIn(b"event: hot\nid: ", rest)
            q = self.ask(sid, "残疾人补贴怎么申请？")
            t0 = time.monotonic()
            while ("%d" % q["cluster_id"]).encode() not in rest.split(b"event: hot")[-1]:
                s.settimeout(max(0.05, 1.0 - (time.monotonic() - t0)))
                chunk = s.recv(65536)
                self.assertTrue(chunk)
                rest += chunk
            self.assertLess(time.monotonic() - t0, 1.0)
        finally:
            s.close()
        with open(srv.log_path, "rb") as f:
            self.assertRegex(f.read(), rb"/api/v1/streams/%d/events 200 \d+ms 10\.5\.0\.1 - "
                             rb"\(sse fan-out\)" % sid)

    def test_per_ip_cap_applies_to_handed_off_viewers(self):
        # MHD counts only connections it holds (all of these come from 127.0.0.1); the
        # fan-out processes' viewers are capped per client address at --per-ip-connections.
        srv = type(self).server
        sid = self.new_stream()["id"]
        path = "/api/v1/streams/%d/events" % sid
        viewers = [SSE(srv.port, path, ip="10.2.0.1") for _ in range(8)]
        try:
            for v in viewers:
                self.assertEqual(v.status, 200)
                self.assertEqual(v.next_event(timeout=5)[0], "hot")
            over = SSE(srv.port, path, ip="10.2.0.1")
            self.assertEqual(over.status, 429)
            over.close()
            other = SSE(srv.port, path, ip="10.2.0.2")  # another address is not affected
            self.assertEqual(other.status, 200)
            other.close()
            viewers.pop().close()  # a departure frees a place within about a second
            t0 = time.monotonic()
            while True:
                again = SSE(srv.port, path, ip="10.2.0.1")
                if again.status == 200 or time.monotonic() - t0 > 3:
                    break
                again.close()
                time.sleep(0.1)
            self.assertEqual(again.status, 200)
            viewers.append(again)
        finally:
            for v in viewers:
                v.close()

    def test_a_killed_fanout_process_is_respawned_and_new_viewers_get_events(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        path = "/api/v1/streams/%d/events" % sid
        viewers = [SSE(srv.port, path, ip="10.4.0.%d" % i) for i in range(6)]
        for v in viewers:
            self.assertEqual(v.next_event(timeout=5)[0], "hot")
        before = self.fanout_pids()
        os.kill(before[0], signal.SIGKILL)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 5:
            now = self.fanout_pids()
            if len(now) == 2 and before[0] not in now:
                break
            time.sleep(0.05)
        self.assertEqual(len(now), 2, now)
        self.assertNotIn(before[0], now)
        # The dead one's viewers see their stream end; the others' go on.
        ended = sum(1 for v in viewers if v.next_event(timeout=0.5) is None and v.closed)
        self.assertGreaterEqual(ended, 1)
        self.assertLess(ended, 6)
        fresh = [SSE(srv.port, path, ip="10.4.1.%d" % i) for i in range(6)]
        try:
            for v in fresh:
                self.assertEqual(v.next_event(timeout=5)[0], "hot")
            q = self.ask(sid, "新农合缴费截止到哪天？")
            for v in fresh + [v for v in viewers if not v.closed]:
                ev = v.next_event(timeout=2)
                self.assertIsNotNone(ev)
                self.assertIn(q["cluster_id"], [h["cluster_id"] for h in ev[2]["items"]])
        finally:
            for v in fresh + viewers:
                v.close()
        with open(srv.log_path, "rb") as f:
            log = f.read()
        self.assertIn(b"killed by signal 9", log)


class LiveEventsShutdownTest(LiveCase):
    def test_sigterm_with_viewers_connected_exits_promptly_and_ends_their_streams(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        kids = children(srv.proc.pid)
        self.assertEqual(len(kids), 2)  # the default --sse-procs
        viewers = [SSE(srv.port, "/api/v1/streams/%d/events" % sid) for _ in range(20)]
        for v in viewers:
            self.assertIsNotNone(v.next_event(timeout=5))
        t0 = time.monotonic()
        srv.stop()  # asserts exit status 0 within 10 s
        self.assertLess(time.monotonic() - t0, 3.0)
        for v in viewers:
            self.assertIsNone(v.next_event(timeout=2))
            self.assertTrue(v.closed)
            v.close()
        for k in kids:  # the fan-out processes are gone too (reaped, not zombies)
            self.assertFalse(os.path.exists("/proc/%d" % k), k)


class LiveEventsHungFanoutTest(LiveCase):
    def test_a_hung_fanout_process_is_killed_and_replaced(self):
        # A stopped child takes viewers' sockets and writes nothing: it misses the
        # server's pings, is killed within ~3-4 s and respawned; new viewers get events.
        srv = type(self).server
        sid = self.new_stream()["id"]
        path = "/api/v1/streams/%d/events" % sid
        kids = children(srv.proc.pid)
        self.assertEqual(len(kids), 2)
        os.kill(kids[0], signal.SIGSTOP)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 8:
            alive = [k for k in children(srv.proc.pid) if k != kids[0]]
            if len(alive) == 2:
                break
            time.sleep(0.1)
        self.assertEqual(len(alive), 2, alive)
        self.assertLess(time.monotonic() - t0, 6)
        viewers = [SSE(srv.port, path, ip="10.6.0.%d" % i) for i in range(6)]
        try:
            for v in viewers:
                self.assertEqual(v.next_event(timeout=3)[0], "hot")
        finally:
            for v in viewers:
                v.close()
        with open(srv.log_path, "rb") as f:
            self.assertIn(b"has not answered", f.read())


class LiveEventsServerKilledTest(LiveCase):
    def test_fanout_processes_end_their_streams_when_the_server_is_killed(self):
        srv = type(self).server
        sid = self.new_stream()["id"]
        kids = children(srv.proc.pid)
        self.assertEqual(len(kids), 2)
        viewers = [SSE(srv.port, "/api/v1/streams/%d/events" % sid) for _ in range(6)]
        for v in viewers:
            self.assertIsNotNone(v.next_event(timeout=5))
        srv.kill()  # SIGKILL: no shutdown of ours runs
        for v in viewers:  # PR_SET_PDEATHSIG: the children end the streams and exit
            self.assertIsNone(v.next_event(timeout=3))
            self.assertTrue(v.closed)
            v.close()
        t0 = time.monotonic()
        while any(os.path.exists("/proc/%d" % k) for k in kids) and time.monotonic() - t0 < 3:
            time.sleep(0.05)
        for k in kids:
            try:
                with open("/proc/%d/stat" % k) as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            self.assertEqual(state, "Z", "fan-out process %d still running" % k)


class LiveEventsShutdownInProcessTest(LiveEventsShutdownTest):
    serve_args = ("--trust-proxy", "1", "--sse-procs", "0")

    def test_sigterm_with_viewers_connected_exits_promptly_and_ends_their_streams(self):
        srv = type(self).server
        self.assertEqual(children(srv.proc.pid), [])
        sid = self.new_stream()["id"]
        viewers = [SSE(srv.port, "/api/v1/streams/%d/events" % sid) for _ in range(20)]
        for v in viewers:
            self.assertIsNotNone(v.next_event(timeout=5))
        t0 = time.monotonic()
        srv.stop()
        self.assertLess(time.monotonic() - t0, 3.0)
        for v in viewers:
            self.assertIsNone(v.next_event(timeout=2))
            self.assertTrue(v.closed)
            v.close()


if __name__ == "__main__":
    unittest.main()
