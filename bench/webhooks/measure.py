"""Webhook and audit figures (issue 18), against APIs bench/webhooks/run started on one database.

  overhead  model-versions/create p50 in a project with 10 subscribed webhooks against one with none: interleaved back to
            back; in alternating runs of 50 writes back to back (streams); interleaved and settled (each write after the
            previous write's deliveries arrived)
  latency   how long after the write's answer each delivery reaches the receiver (one webhook, writes 100 ms apart)
  audit     registered-models/create p50 through this API (audit row + webhook CTE) against the before API (by default
            the same source with audit-off.patch: no audit row, no actor command), on the same database, interleaved
  burst     WEBHOOK_BENCH_BURST (10,000) events written through the first API while both deliver; the second is killed (SIGKILL) a third of
            the way in; every outbox row must reach the receiver at least once; duplicates are counted

WEBHOOK_BENCH_PHASES picks phases (all four), WEBHOOK_BENCH_OVERHEAD the overhead's modes (all three), WEBHOOK_BENCH_N the timed requests per side (500). Prints one
tab-separated line per figure. Usage: measure.py <admin token> <api url> <second api url> <second api pid> [<before api url>]
"""

import json
import multiprocessing
import os
import signal
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

TOKEN, API, SECOND, SECOND_PID = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
BEFORE = sys.argv[5] if len(sys.argv) > 5 else None
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
N = int(os.environ.get("WEBHOOK_BENCH_N", "500"))
BURST = int(os.environ.get("WEBHOOK_BENCH_BURST", "10000"))
PHASES = os.environ.get("WEBHOOK_BENCH_PHASES", "overhead latency audit burst").split()
MODES = os.environ.get("WEBHOOK_BENCH_OVERHEAD", "back_to_back streams settled").split()
STREAM = 50


class Receiver:
    """Runs in a process of its own (so that answering deliveries never holds the timing loop's GIL) and sends each
    arrival (CLOCK_MONOTONIC is system-wide, delivery id, body) back over a pipe, collected here by a thread."""

    def __init__(self):
        self.arrivals = []  # (monotonic time, delivery id, body)
        self.lock = threading.Lock()
        parent, child = multiprocessing.Pipe(duplex=False)
        ready = multiprocessing.Queue()
        self.process = multiprocessing.Process(target=Receiver.serve, args=(child, ready), daemon=True)
        self.process.start()
        self.url = ready.get(timeout=30)
        threading.Thread(target=self.collect, args=(parent,), daemon=True).start()

    def collect(self, pipe):
        while True:
            try:
                arrival = pipe.recv()
            except EOFError:
                return
            with self.lock:
                self.arrivals.append(arrival)

    @staticmethod
    def serve(pipe, ready):
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                now = time.monotonic()
                with lock:
                    pipe.send((now, self.headers["X-MLflow-Delivery-Id"], body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        ready.put(f"http://127.0.0.1:{server.server_address[1]}/hook")
        server.serve_forever()

    def count(self):
        with self.lock:
            return len(self.arrivals)

    def wait_for(self, count, timeout):
        deadline = time.monotonic() + timeout
        while self.count() < count and time.monotonic() < deadline:
            time.sleep(0.0005)


def api(base, project):
    return f"{base}/api/v4/projects/{project}/ml/mlflow/api/2.0/mlflow"


def ok(response):
    if response.status_code != 200:
        raise SystemExit(f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}")
    return response.json()


def project(session):
    return ok(session.post(f"{API}/api/v4/projects", json={"name": f"bench-{uuid.uuid4().hex[:8]}"}, headers=HEADERS))["id"]


def webhook(session, project_id, url, events):
    body = {"name": f"hook-{uuid.uuid4().hex[:8]}", "url": url, "events": [{"entity": e.split(".")[0].upper(), "action": e.split(".")[1].upper()} for e in events]}
    return ok(session.post(f"{api(API, project_id)}/webhooks", json=body, headers=HEADERS))["webhook"]["webhook_id"]


def timed(session, url, body):
    start = time.perf_counter()
    ok(session.post(url, json=body, headers=HEADERS))
    return (time.perf_counter() - start) * 1000


def p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def emit(name, value, unit, note=""):
    print(f"{name}\t{value:.2f}\t{unit}\t{note}", flush=True)


def order(quiet, busy, how):
    """The projects' writes in the order the mode times them: N + 50 each, the first 50 of each a warm-up."""
    if how == "streams":
        return [pid for start in range(0, N + 50, STREAM) for pid in (quiet, busy) for _ in range(min(STREAM, N + 50 - start))]
    return [pid for i in range(N + 50) for pid in ((quiet, busy) if i % 2 == 0 else (busy, quiet))]


def overhead(session, receiver):
    quiet, busy = project(session), project(session)
    for _ in range(10):
        webhook(session, busy, receiver.url, ["model_version.created"])
    for pid in (quiet, busy):
        ok(session.post(f"{api(API, pid)}/registered-models/create", json={"name": "m"}, headers=HEADERS))
    drain(receiver)
    notes = {
        "back_to_back": "interleaved request by request, each right after the previous answer: a write's deliveries "
                        "(dispatcher and this receiver) share the cores with the next write, in either project",
        "settled": "each write after the previous one's 10 deliveries arrived: the write's own cost",
        "streams": f"runs of {STREAM} writes in one project, then in the other, back to back: the deliveries' cost lands "
                   "on the writes of the project that has webhooks, as on a busy 2-core server",
    }
    for how in MODES:
        times = {quiet: [], busy: []}
        for i, pid in enumerate(order(quiet, busy, how)):
            arrived = receiver.count()
            elapsed = timed(session, f"{api(API, pid)}/model-versions/create", {"name": "m", "source": "mlflow-artifacts:/1/x/artifacts/model"})
            if i >= 100:  # warm-up
                times[pid].append(elapsed)
            if how == "settled" and pid == busy:
                receiver.wait_for(arrived + 10, timeout=5)
        q, b = statistics.median(times[quiet]), statistics.median(times[busy])
        note = notes[how]
        emit(f"create_version_p50_no_webhooks_{how}", q, "ms", f"n={N}")
        emit(f"create_version_p50_10_webhooks_{how}", b, "ms", f"n={N}")
        emit(f"create_version_p50_difference_{how}", b - q, "ms", f"target <= 1 ms; {note}")
        emit(f"create_version_p99_no_webhooks_{how}", p(times[quiet], 0.99), "ms")
        emit(f"create_version_p99_10_webhooks_{how}", p(times[busy], 0.99), "ms")
        drain(receiver)


def latency(session, receiver):
    pid = project(session)
    webhook(session, pid, receiver.url, ["registered_model.created"])
    answered = {}
    for i in range(200):
        name = f"lat-{i}"
        ok(session.post(f"{api(API, pid)}/registered-models/create", json={"name": name}, headers=HEADERS))
        answered[name] = time.monotonic()
        time.sleep(0.1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with receiver.lock:
            arrived = {json.loads(b)["data"]["name"]: t for t, _, b in receiver.arrivals if b.startswith(b'{"entity": "registered_model"') and b'"lat-' in b}
        if len(arrived) >= len(answered):
            break
        time.sleep(0.1)
    delays = [(arrived[n] - answered[n]) * 1000 for n in answered if n in arrived]
    emit("delivery_after_answer_p50", statistics.median(delays), "ms", f"n={len(delays)}; target <= 1000 ms after commit")
    emit("delivery_after_answer_p99", p(delays, 0.99), "ms")
    emit("delivery_after_answer_max", max(delays), "ms")


def audit(session):
    pid = project(session)
    times = {API: [], BEFORE: []}
    for i in range(N + 50):
        for base in ((API, BEFORE) if i % 2 == 0 else (BEFORE, API)):
            elapsed = timed(session, f"{api(base, pid)}/registered-models/create", {"name": f"a-{i}-{'h' if base == API else 'm'}", "tags": [{"key": "team", "value": "ml"}, {"key": "stage", "value": "dev"}]})
            if i >= 50:
                times[base].append(elapsed)
    before, after = statistics.median(times[BEFORE]), statistics.median(times[API])
    emit("create_model_p50_before", before, "ms", f"n={N}; the before API (by default this one with audit off)")
    emit("create_model_p50_audited", after, "ms", f"n={N}; this API: audit row and webhook CTE")
    emit("create_model_p50_audit_cost", (after - before) / before * 100, "%", "target <= 5%")


def burst(session, receiver):
    pid = project(session)
    hook = webhook(session, pid, receiver.url, ["registered_model.created"])
    start_count = receiver.count()
    killed = threading.Event()

    def create(i):
        if i == BURST // 3 and not killed.is_set():
            os.kill(SECOND_PID, signal.SIGKILL)
            killed.set()
        with requests.Session() as s:
            ok(s.post(f"{api(API, pid)}/registered-models/create", json={"name": f"b-{i}"}, headers=HEADERS))

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(BURST)))
    written = time.monotonic() - started
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with receiver.lock:
            names = {json.loads(b)["data"]["name"] for _, _, b in receiver.arrivals[start_count:] if b'"b-' in b}
        if len(names) >= BURST:
            break
        time.sleep(0.5)
    with receiver.lock:
        mine = [(t, d, b) for t, d, b in receiver.arrivals[start_count:] if b'"b-' in b]
    ids = [d for _, d, _ in mine]
    names = {json.loads(b)["data"]["name"] for _, _, b in mine}
    emit("burst_events_written", BURST, "events", f"{written:.1f} s at 8 writers; second API killed after {BURST // 3}")
    emit("burst_events_delivered", len(names), "events", "distinct events that reached the receiver")
    emit("burst_deliveries_received", len(ids), "requests")
    emit("burst_duplicates", (len(ids) - len(set(ids))) / max(1, len(set(ids))) * 100, "%", f"{len(ids) - len(set(ids))} requests repeated a delivery id; target <= 1%")
    emit("burst_all_delivered_after", (max(t for t, _, _ in mine) - started) if mine else 0, "s", "from the first write")
    return hook


def drain(receiver):
    """Waits until deliveries stop arriving, so that one phase's deliveries do not load the next one's writes."""
    last = -1
    while receiver.count() != last:
        last = receiver.count()
        time.sleep(2)


def main():
    receiver = Receiver()
    with requests.Session() as session:
        if "overhead" in PHASES:
            overhead(session, receiver)
            drain(receiver)
        if "latency" in PHASES:
            latency(session, receiver)
            drain(receiver)
        if "audit" in PHASES and BEFORE:
            audit(session)
        if "burst" in PHASES:
            burst(session, receiver)
    receiver.process.kill()


if __name__ == "__main__":
    main()
