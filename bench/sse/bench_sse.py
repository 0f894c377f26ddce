#!/usr/bin/env python3
"""bench_sse.py — live audience: many SSE viewers on one stream, a burst of questions, and how
long each update takes to reach every viewer; then a join burst of new viewers per second.

The viewers are bench/sse/sse_client.c (built here with cc), split over several processes so
each stays within the descriptor limit. The server is one `tala serve` on a demo database
(bench/common.py). In the join burst each new viewer first opens the stream's join page
(`GET /api/v1/public/streams/{code}`), then the events on the same connection, as the web app
does. A question is posted, then GET …/hot gives the version that includes it;
an update counts as delivered to a viewer when the viewer receives an event with that
version or a later one (the hub coalesces: viewers get the latest list, never a backlog).
Only viewers subscribed before the post count for it.

Each mode of --sse-procs runs the whole bench against its own server, in the order given
(default 0,2: before and after the fan-out processes, in one run). With --sse-procs 0 the
server process holds one descriptor per viewer, and a process cannot raise its descriptor hard
limit here (`ulimit -Hn`), so the viewer count is capped at that limit less a reserve for the
server's own descriptors; with N fan-out processes the cap is N times that. The server's
descriptors and RSS are summed over it and its children. Writes a markdown fragment to --md.
"""
import argparse
import bisect
import http.client
import json
import math
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

SERVER_FD_RESERVE = 120  # listen socket, epoll and wake-up fds per thread, SQLite files, stdio

QUESTIONS = ['请问草原补奖今年什么时候发放？', '农机购置补贴怎么申请？', '禁牧区的补助标准是多少',
             '草畜平衡奖励怎么算的', '新农合今年缴费多少钱', '养老金认证在哪里办理',
             '主播，牧民贷款贴息政策还有吗', '边境村的护边员补助怎么领', '危房改造补贴怎么申请啊',
             '孩子上学的营养餐补助有吗']


def build_client(tmp):
    exe = os.path.join(tmp, 'sse_client')
    subprocess.run(['cc', '-O2', '-Wall', '-o', exe, os.path.join(HERE, 'sse_client.c')],
                   check=True)
    return exe


def start_clients(exe, port, path, total, procs, rate, seconds, stopfile, tmp, tag, bind=None,
                  page=None):
    out = []
    for i in range(procs):
        n = total // procs + (1 if i < total % procs else 0)
        o = os.path.join(tmp, '%s%d.txt' % (tag, i))
        argv = [exe, '-p', str(port), '-P', path, '-n', str(n), '-t', str(seconds),
                '-s', stopfile, '-o', o]
        if rate:
            argv += ['-r', str(rate / procs)]
        if bind:
            argv += ['-b', '127.0.0.%d' % (bind + i)]
        if page:
            argv += ['-J', page]
        out.append((subprocess.Popen(argv, stderr=subprocess.PIPE), o))
    return out


def collect(clients, timeout):
    viewers, fails, summary = [], {}, []
    for p, o in clients:
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
        summary.append(err.decode().strip())
        recs, conns, pages = {}, {}, {}
        if not os.path.exists(o):
            continue
        with open(o) as f:
            for line in f:
                parts = line.split()
                if parts[0] == 'c':
                    conns[int(parts[1])] = (int(parts[2]), int(parts[3]))
                elif parts[0] == 'f':
                    reason = ' '.join(parts[2:])
                    fails[reason] = fails.get(reason, 0) + 1
                elif parts[0] == 'r':
                    recs.setdefault(int(parts[1]), []).append((int(parts[3]), int(parts[2])))
                elif parts[0] == 'p':
                    pages[int(parts[1])] = int(parts[2])
        for v, (c_us, first_us) in conns.items():
            r = sorted(recs.get(v, []))
            viewers.append({'connect': c_us, 'first': first_us, 'times': [t for t, _ in r],
                            'ids': [i for _, i in r], 'page': pages.get(v, -1)})
    return viewers, fails, summary


def post_questions(port, stream, count, gap, device_base):
    """Posts count questions (gap seconds apart); returns [(post time µs, version)]."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    posted = []
    for k in range(count):
        body = json.dumps({'text': QUESTIONS[k % len(QUESTIONS)] + ('（%d）' % k)})
        t = int(time.time() * 1e6)
        conn.request('POST', '/api/v1/streams/%d/questions' % stream, body=body.encode(),
                     headers={'Content-Type': 'application/json',
                              'X-Tala-Device': '%s%08d' % (device_base, k)})
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            raise SystemExit('bench_sse: question post answered %d' % r.status)
        conn.request('GET', '/api/v1/streams/%d/hot?limit=1' % stream)
        r = conn.getresponse()
        version = json.loads(r.read())['version']
        posted.append((t, version))
        if gap:
            time.sleep(gap)
    conn.close()
    return posted


def delivery(viewers, posted):
    """Per update: (the delay until every subscribed viewer had it, ms; missed deliveries);
    and every single delivery delay (ms)."""
    per_update, singles, missed = [], [], 0
    for t, v in posted:
        worst = 0.0
        for w in viewers:
            if w['first'] < 0 or w['first'] > t:
                continue
            i = bisect.bisect_left(w['ids'], v)
            # ids rise with time, so the first receipt of an id ≥ v is at index i
            if i == len(w['ids']):
                missed += 1
                continue
            d = (w['times'][i] - t) / 1000.0
            singles.append(d)
            worst = max(worst, d)
        per_update.append(worst)
    return per_update, singles, missed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sse-procs', default='0,2',
                    help='comma-separated tala serve --sse-procs values, one run each')
    ap.add_argument('--tala', default=os.path.join(common.TOP, 'build', 'tala'))
    ap.add_argument('--viewers', type=int, default=20000)
    ap.add_argument('--connect-rate', type=float, default=4000, help='viewers/s when filling')
    ap.add_argument('--questions', type=int, default=100, help='questions in the burst')
    ap.add_argument('--gap', type=float, default=0.02, help='seconds between questions')
    ap.add_argument('--bursts', type=int, default=3, help='bursts, 2.5 s apart')
    ap.add_argument('--join-rate', type=float, default=2000)
    ap.add_argument('--join-seconds', type=float, default=10)
    ap.add_argument('--reap-wait', type=float, default=20,
                    help='seconds to watch the server release departed viewers')
    ap.add_argument('--md')
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='tala-bench-sse-')
    exe = build_client(tmp)
    text, ok = [], True
    for mode in [int(m) for m in args.sse_procs.split(',') if m.strip()]:
        t, got = run_mode(args, mode, exe, tmp)
        text.append(t)
        ok = ok and got
    text = '\n'.join(text)
    if args.md:
        with open(args.md, 'w', encoding='utf-8') as f:
            f.write(text + '\n')
    subprocess.run(['rm', '-rf', tmp])
    if not ok:
        sys.exit('bench_sse: no viewer got anything')


def run_mode(args, mode, exe, tmp):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY:
        per_proc = cap = args.viewers
    else:
        per_proc = hard - SERVER_FD_RESERVE  # a client process, or a server-side process
        cap = per_proc * max(1, mode)
    viewers_n = min(args.viewers, cap)
    procs = max(2, math.ceil(viewers_n / per_proc))

    srv = common.Server(args.tala, extra=['--sse-procs', str(mode)])
    path = '/api/v1/streams/%d/events' % srv.stream
    time.sleep(0.5)  # the fan-out processes are up
    base_fds = common.fd_count_tree(srv.pid) + 8
    rss_base = common.rss_mb_tree(srv.pid)
    md = []
    try:
        # ---- 1. fill the room, then a burst of questions ----
        stop1 = os.path.join(tmp, 'stop1-%d' % mode)
        fill_s = viewers_n / args.connect_rate
        budget = fill_s + args.bursts * (args.questions * (args.gap + 0.01) + 3) + 60
        clients = start_clients(exe, srv.port, path, viewers_n, procs, args.connect_rate,
                                budget, stop1, tmp, 'fill%d-' % mode)
        deadline = time.time() + fill_s + 30
        while time.time() < deadline and common.fd_count_tree(srv.pid) < viewers_n:
            time.sleep(0.2)
        time.sleep(1.5)  # let the last ones take their first event
        rss_idle = common.rss_mb_tree(srv.pid)
        rss_parent = common.rss_mb(srv.pid)
        fds_idle = common.fd_count_tree(srv.pid)
        bursts = []
        for b in range(args.bursts):
            bursts.append(post_questions(srv.port, srv.stream, args.questions, args.gap,
                                         'benchsseburst%d' % b))
            time.sleep(2.5)
        posted = [p for burst in bursts for p in burst]
        rss_peak = common.rss_mb_tree(srv.pid, 'VmHWM')
        open(stop1, 'w').close()
        viewers, fails, summary = collect(clients, 60)
        per_update, singles, missed = delivery(viewers, posted)
        burst_max = [max(delivery(viewers, burst)[0] or [float('nan')]) for burst in bursts]
        subscribed = sum(1 for w in viewers if w['first'] >= 0)

        # ---- 2. the join burst: join-rate new viewers per second ----
        print('bench_sse: %d subscribed, update delivery max %.0f ms, %d missed' % (
            subscribed, max(per_update) if per_update else -1, missed), file=sys.stderr)
        # The viewers have gone. A suspended SSE connection is only found closed when the
        # server next writes to it (an update, or the 15 s ping): time how long the server
        # holds their descriptors, then nudge it with an update if they are still held.
        t_left = time.time()
        while time.time() - t_left < args.reap_wait and common.fd_count_tree(srv.pid) > base_fds:
            time.sleep(0.2)
        reaped_s = time.time() - t_left
        held = common.fd_count_tree(srv.pid)
        if held > base_fds:
            post_questions(srv.port, srv.stream, 1, 0, 'benchssenudge')
            t_n = time.time()
            while time.time() - t_n < 10 and common.fd_count_tree(srv.pid) > base_fds:
                time.sleep(0.2)
        join_n = min(int(args.join_rate * args.join_seconds), cap)
        stop2 = os.path.join(tmp, 'stop2-%d' % mode)
        # each new viewer opens the join page first, as a phone from the QR code does, then
        # asks for the events on the same connection
        con = sqlite3.connect(srv.db)
        code = con.execute('SELECT join_code FROM streams WHERE id = ?', (srv.stream,)).fetchone()[0]
        con.close()
        page = '/api/v1/public/streams/%s' % code
        jclients = start_clients(exe, srv.port, path, join_n, procs, args.join_rate,
                                 args.join_seconds + 30, stop2, tmp, 'join%d-' % mode, bind=2,
                                 page=page)
        jposted = []
        t_end = time.time() + join_n / args.join_rate
        k = 0
        while time.time() < t_end:
            jposted += post_questions(srv.port, srv.stream, 1, 0, 'benchssejoin%03d' % k)
            k += 1
            time.sleep(0.5)
        time.sleep(3)
        jrss = common.rss_mb_tree(srv.pid, 'VmHWM')
        open(stop2, 'w').close()
        jviewers, jfails, jsummary = collect(jclients, 60)
        jfirst = [(w['first'] - w['connect']) / 1000.0 for w in jviewers if w['first'] >= 0]
        jpage = [(w['page'] - w['connect']) / 1000.0 for w in jviewers if w['page'] >= 0]
        jper_update, jsingles, jmissed = delivery(jviewers, jposted)
    finally:
        srv.stop()

    def pct(v):
        return '%.0f / %.0f / %.0f' % (common.percentile(v, 50), common.percentile(v, 99),
                                       max(v) if v else float('nan'))

    fails_s = ', '.join('%s %d' % kv for kv in sorted(fails.items())) or 'none'
    jfails_s = ', '.join('%s %d' % kv for kv in sorted(jfails.items())) or 'none'
    jrefused = sum(jfails.values()) + (join_n - len(jviewers) - sum(jfails.values()))
    where = ('the server process holds one descriptor per viewer plus ~%d of its own'
             % SERVER_FD_RESERVE if mode == 0 else
             '%d fan-out processes hold the viewers, each capped at the limit less %d'
             % (mode, SERVER_FD_RESERVE))
    md += ['### Live audience (bench/sse), `tala serve --sse-procs %d`' % mode, '',
           'Descriptor hard limit per process: %s; viewers asked for %d, run with %d '
           '(%s), in %d client processes.' % (hard, args.viewers, viewers_n, where, procs), '',
           '| | figure |', '|---|---:|',
           '| viewers subscribed (got the first event) | %d of %d |' % (subscribed, viewers_n),
           '| viewers refused or dropped | %s |' % fails_s,
           '| updates (%d bursts of %d questions posted %d ms apart) | %d |' % (
               args.bursts, args.questions, args.gap * 1000, len(posted)),
           '| time until every viewer had every update of a burst, ms, per burst | %s |' % (
               ', '.join('%.0f' % m for m in burst_max)),
           '| time until every viewer had an update, ms: p50 / p99 / max | %s |' % pct(per_update),
           '| single deliveries, ms: p50 / p99 / max | %s |' % pct(singles),
           '| deliveries missed | %d |' % missed,
           '| server RSS with the viewers connected, MB (peak), with its children | %.0f (%.0f) |' % (
               rss_idle, rss_peak),
           '| … of which the server process, MB; before the viewers, MB | %.0f; %.0f |' % (
               rss_parent, rss_base),
           '| RSS per viewer (growth over the idle server / viewers), KB | %.1f |' % (
               (rss_idle - rss_base) * 1024 / max(1, subscribed)),
           '| server descriptors with the viewers connected, with its children | %d |' % fds_idle,
           '| descriptors the server still held %.1f s after the viewers left | %d |' % (
               reaped_s, held),
           '| join burst: viewers asked (%.0f/s for %.1f s) | %d |' % (
               args.join_rate, join_n / args.join_rate, join_n),
           '| join burst: subscribed / refused or dropped | %d / %s |' % (
               len(jfirst), jfails_s),
           '| join burst: connect → the join page (`GET /api/v1/public/streams/{code}`), ms: '
           'p50 / p99 / max | %s |' % pct(jpage),
           '| join burst: connect → first event (after the page), ms: p50 / p99 / max | %s |' % pct(jfirst),
           '| join burst: %d updates, time until every viewer had it, ms: p50 / p99 / max | %s |' % (
               len(jposted), pct(jper_update)),
           '| join burst: deliveries missed | %d |' % jmissed, '']
    ok_all = subscribed == viewers_n and missed == 0 and per_update and max(per_update) < 1000
    ok_join = len(jfirst) == join_n and not jfails
    ok_join_upd = jmissed == 0 and (not jper_update or max(jper_update) < 1000)
    md += ['| bar | holds | measured |', '|---|---|---|',
           '| 20k concurrent viewers | %s | %d%s |' % (
               'yes' if subscribed >= 20000 else '**no**', subscribed,
               ' (capped by the descriptor limit)' if viewers_n < args.viewers else ''),
           '| every update reaches every viewer within 1 s | %s | max %.0f ms, %d missed |' % (
               'yes' if ok_all else '**no**', max(per_update) if per_update else -1, missed),
           '| join burst %.0f/s: nothing refused | %s | %d of %d subscribed |' % (
               args.join_rate, 'yes' if ok_join else '**no**', len(jfirst), join_n),
           '| … and updates within 1 s during the join burst | %s | max %.0f ms, %d missed |' % (
               'yes' if ok_join_upd else '**no**', max(jper_update) if jper_update else -1,
               jmissed), '']
    text = '\n'.join(md)
    print(text, flush=True)
    print('clients: ' + ' | '.join(summary + jsummary), file=sys.stderr)
    return text, subscribed > 0 and bool(posted)


if __name__ == '__main__':
    main()
