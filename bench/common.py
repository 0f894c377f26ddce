"""common.py — what bench/http and bench/sse share: a throwaway demo database, a `tala serve`
on a free loopback port with the limits a one-address benchmark needs, reading a process's
memory, percentiles. Python 3 standard library only."""
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Every client of a benchmark comes from 127.0.0.1: lift the per-address limits for the run
# (flags only; the defaults stay as they are).
BENCH_FLAGS = ['--per-ip-connections', '1000000', '--max-connections', '1000000',
               '--live-ip-rate', '1000000', '--live-device-rate', '100000']


def percentile(values, p):
    if not values:
        return float('nan')
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def rss_mb(pid, field='VmRSS'):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float('nan')


def fd_count(pid):
    try:
        return len(os.listdir('/proc/%d/fd' % pid))
    except OSError:
        return 0


def children(pid):
    """pid's child processes (tala serve's SSE fan-out processes)."""
    out = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(')', 1)[1].split()[1]) == pid:
            out.append(int(d))
    return out


def fd_count_tree(pid):
    """Descriptors of pid and its children together."""
    return sum(fd_count(p) for p in [pid] + children(pid))


def rss_mb_tree(pid, field='VmRSS'):
    """RSS (or another /proc status field) of pid and its children, summed, MB."""
    return sum(rss_mb(p, field) for p in [pid] + children(pid))


class Server:
    """A demo database in a temp dir and `tala serve` on it; stop() ends both."""

    def __init__(self, tala, extra=(), threads=None):
        self.dir = tempfile.mkdtemp(prefix='tala-bench-')
        self.db = os.path.join(self.dir, 'bench.db')
        subprocess.run([tala, 'demo', '--db', 'sqlite:' + self.db], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        con = sqlite3.connect(self.db)
        self.stream = con.execute("SELECT id FROM streams WHERE status = 'live' "
                                  "ORDER BY id LIMIT 1").fetchone()[0]
        con.close()
        argv = [tala, 'serve', '--db', 'sqlite:' + self.db, '--listen', '127.0.0.1:0',
                '--web', os.path.join(self.dir, 'noweb')] + BENCH_FLAGS + list(extra)
        if threads:
            argv += ['--threads', str(threads)]
        self.log = os.path.join(self.dir, 'server.log')
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log, 'w'))
        self.port = None
        for _ in range(200):
            m = re.search(r'listening on http://127\.0\.0\.1:(\d+)', open(self.log).read())
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not self.port:
            self.stop()
            sys.exit('bench: tala serve did not start:\n' + open(self.log).read()[-2000:])
        self.pid = self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        keep = os.environ.get('TALA_BENCH_KEEP_LOG')  # a path: the server's log goes there
        if keep:
            shutil.copy(self.log, keep)
        shutil.rmtree(self.dir, ignore_errors=True)


def machine():
    cpu = '?'
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    return cpu, os.cpu_count()
