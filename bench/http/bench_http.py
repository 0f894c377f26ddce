#!/usr/bin/env python3
"""bench_http.py — wrk against `tala serve` on SQLite: question submissions (POST from a Lua
script, a different X-Tala-Device per request out of 100,000 per wrk thread, formatted once
at the start) and hot-list reads (GET …/hot), at --connections connections; then the same
hot-list JSON served by a throwaway nginx as a static file (own prefix and config in a temp
dir, a free loopback port). Each figure is the median of --runs runs, interleaved (submit,
read, nginx, submit, …).

wrk and the server share the machine's cores: the figures are the pair's, on this machine.
Writes a markdown fragment to --md.
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402

QUESTIONS = ['请问草原补奖今年什么时候发放？', '农机购置补贴怎么申请？', '禁牧区的补助标准是多少',
             '草畜平衡奖励怎么算的', '新农合今年缴费多少钱', '养老金认证在哪里办理',
             '主播，牧民贷款贴息政策还有吗', '边境村的护边员补助怎么领', '危房改造补贴怎么申请啊',
             '孩子上学的营养餐补助有吗', '请问高龄津贴怎么申请', '主播好，医保异地报销要备案吗']

# The requests are formatted once, in each wrk thread's init(): 100,000 per thread, each from
# its own device, then sent round and round. Formatting them per request (wrk.format in
# request()) cost the client ~1.2 us more CPU a request on the two cores it shares with the
# server: 6 interleaved pairs against one server, 24.5k -> 28.8k submissions/s, p99 18.5 ->
# 17.7 ms (docs/performance.md).
SUBMIT_LUA = r'''
local bodies = {%(bodies)s}
local tid = 0
function setup(thread)
  thread:set("id", tid)
  tid = tid + 1
end
local reqs, n, total = {}, 0, 100000
function init(args)
  for i = 0, total - 1 do
    local dev = string.format("bench%%02d%%011d", id, i)
    reqs[i + 1] = wrk.format("POST", "%(path)s", {["Content-Type"] = "application/json",
                             ["X-Tala-Device"] = dev}, bodies[i %% #bodies + 1])
  end
end
request = function()
  n = n %% total + 1
  return reqs[n]
end
'''

NGINX_CONF = '''worker_processes auto;
daemon off;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  types { application/json json; }
  client_body_temp_path %(dir)s/tmp;
  proxy_temp_path %(dir)s/tmp;
  fastcgi_temp_path %(dir)s/tmp;
  uwsgi_temp_path %(dir)s/tmp;
  scgi_temp_path %(dir)s/tmp;
  server {
    listen 127.0.0.1:%(port)d;
    root %(dir)s/root;
  }
}
'''


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def to_ms(v):
    m = re.match(r'([\d.]+)(us|ms|s|m)$', v)
    x = float(m.group(1))
    return {'us': x / 1000, 'ms': x, 's': x * 1000, 'm': x * 60000}[m.group(2)]


def wrk(url, args, script=None):
    argv = ['wrk', '-t', str(args.wrk_threads), '-c', str(args.connections), '-d',
            '%ds' % args.duration, '--latency', '--timeout', '5s']
    if script:
        argv += ['-s', script]
    out = subprocess.run(argv + [url], capture_output=True, text=True,
                         timeout=args.duration + 60).stdout
    rps = re.search(r'Requests/sec:\s+([\d.]+)', out)
    p50 = re.search(r'^\s+50%\s+(\S+)', out, re.M)
    p99 = re.search(r'^\s+99%\s+(\S+)', out, re.M)
    if not (rps and p50 and p99):
        sys.exit('bench_http: could not read wrk output:\n' + out)
    non2xx = re.search(r'Non-2xx or 3xx responses:\s+(\d+)', out)
    errs = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', out)
    total = re.search(r'(\d+) requests in', out)
    return {'rps': float(rps.group(1)), 'p50': to_ms(p50.group(1)), 'p99': to_ms(p99.group(1)),
            'non2xx': int(non2xx.group(1)) if non2xx else 0,
            'errors': sum(int(x) for x in errs.groups()) if errs else 0,
            'requests': int(total.group(1)) if total else 0}


def median_of(runs):
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tala', default=os.path.join(common.TOP, 'build', 'tala'))
    ap.add_argument('--connections', type=int, default=256)
    ap.add_argument('--duration', type=int, default=8, help='seconds per wrk run')
    ap.add_argument('--wrk-threads', type=int, default=2)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--md')
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='tala-bench-http-')
    os.chmod(tmp, 0o755)  # nginx's workers run as nobody and read root/
    srv = common.Server(args.tala)
    nginx = None
    try:
        base = 'http://127.0.0.1:%d' % srv.port
        qpath = '/api/v1/streams/%d/questions' % srv.stream
        hot = '/api/v1/streams/%d/hot' % srv.stream
        script = os.path.join(tmp, 'submit.lua')
        bodies = ', '.join(json.dumps(json.dumps({'text': q}, ensure_ascii=False),
                                      ensure_ascii=False) for q in QUESTIONS)
        with open(script, 'w', encoding='utf-8') as f:
            f.write(SUBMIT_LUA % {'bodies': bodies, 'path': qpath})
        # fill the hot list (20 items, as the readers will see it), then give nginx a copy
        for k in range(60):
            urllib.request.urlopen(urllib.request.Request(
                base + qpath, data=json.dumps({'text': '%s（%d）' % (
                    QUESTIONS[k % len(QUESTIONS)], k // len(QUESTIONS))}).encode(),
                headers={'Content-Type': 'application/json',
                         'X-Tala-Device': 'benchhttpwarm%05d' % k}), timeout=10).read()
        body = urllib.request.urlopen(base + hot, timeout=10).read()
        os.makedirs(os.path.join(tmp, 'root', 'tmp'))
        os.makedirs(os.path.join(tmp, 'tmp'))
        with open(os.path.join(tmp, 'root', 'hot.json'), 'wb') as f:
            f.write(body)
        for d in (os.path.join(tmp, 'root'),):
            os.chmod(d, 0o755)
        nport = free_port()
        with open(os.path.join(tmp, 'nginx.conf'), 'w') as f:
            f.write(NGINX_CONF % {'dir': tmp, 'port': nport})
        nginx = subprocess.Popen(['nginx', '-p', tmp, '-c', os.path.join(tmp, 'nginx.conf')],
                                 stderr=subprocess.DEVNULL)
        nurl = 'http://127.0.0.1:%d/hot.json' % nport
        for _ in range(100):
            try:
                if urllib.request.urlopen(nurl, timeout=2).read() == body:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit('bench_http: nginx did not serve the file')

        sub, rd, ng = [], [], []
        for _ in range(args.runs):
            sub.append(wrk(base + qpath, args, script))
            rd.append(wrk(base + hot, args))
            ng.append(wrk(nurl, args))
        rss = common.rss_mb(srv.pid, 'VmHWM')
        body_end = urllib.request.urlopen(base + hot, timeout=10).read()
        con_rows = __import__('sqlite3').connect(srv.db).execute(
            'SELECT count(*) FROM stream_questions').fetchone()[0]
    finally:
        if nginx:
            nginx.terminate()
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        srv.stop()
        subprocess.run(['rm', '-rf', tmp])
    S, R, N = median_of(sub), median_of(rd), median_of(ng)
    md = ['### HTTP on SQLite (bench/http)', '',
          'wrk %d threads, %d connections, %d s per run, median of %d runs; hot list %d bytes '
          '(nginx\'s copy; tala\'s at the end %d); '
          'server peak RSS %.0f MB; %d questions stored by the end.' % (
              args.wrk_threads, args.connections, args.duration, args.runs, len(body),
              len(body_end), rss,
              con_rows), '',
          '| | req/s | p50 ms | p99 ms | non-2xx | socket errors |', '|---|---:|---:|---:|---:|---:|']
    for name, m in (('tala: question submissions (POST)', S), ('tala: hot-list reads (GET)', R),
                    ('nginx: the same JSON, static file', N)):
        md.append('| %s | %.0f | %.2f | %.2f | %d | %d |' % (name, m['rps'], m['p50'], m['p99'],
                                                              m['non2xx'], m['errors']))
    md.append('| ratio reads tala/nginx | %.3f× | | | | |' % (R['rps'] / N['rps']))
    md += ['', 'Each run in order, req/s and p99: ' + '; '.join(
        '%s %s' % (name, ', '.join('%.1fk %.1f ms' % (r['rps'] / 1000, r['p99']) for r in runs))
        for name, runs in (('submissions', sub), ('reads', rd), ('nginx', ng))) + '.']
    good_sub = S['rps'] * (1 - S['non2xx'] / max(1, S['requests']))
    md += ['', '| bar | holds | measured |', '|---|---|---|',
           '| ≥ 10k submissions/s (201s only) | %s | %.0f |' % (
               'yes' if good_sub >= 10000 else '**no**', good_sub),
           '| ≥ 40k hot-list reads/s | %s | %.0f |' % (
               'yes' if R['rps'] >= 40000 else '**no**', R['rps']),
           '| p99 < 20 ms (submissions, reads) | %s | %.1f, %.1f ms |' % (
               'yes' if max(S['p99'], R['p99']) < 20 else '**no**', S['p99'], R['p99']),
           '| reads ≥ 0.5× nginx | %s | %.3f× |' % (
               'yes' if R['rps'] >= 0.5 * N['rps'] else '**no**', R['rps'] / N['rps']), '']
    text = '\n'.join(md)
    print(text)
    if args.md:
        with open(args.md, 'w', encoding='utf-8') as f:
            f.write(text + '\n')
    if S['requests'] == 0 or R['non2xx'] == R['requests']:
        sys.exit('bench_http: nothing answered')


if __name__ == '__main__':
    main()
