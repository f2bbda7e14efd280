"""Walks a paged MLflow GET endpoint (page_token -> next_page_token) and times every page, from the request sent to
the last byte read; the page is parsed for its token only after that. Prints one summary line.

  walk.py --url URL [--token T] --style history|paging [--walks 20] [--warmups 4] [--budget 60]

Warm-up walks stop once a quarter of the budget is spent; measured walks stop once the budget is spent (after one at
least). A walk cut short by twice the budget is reported as such: a server that needs minutes per walk still gets a
line, not an endless run."""
import argparse
import http.client
import json
import math
import statistics
import sys
import time
import urllib.parse


class WalkFailed(Exception):
    pass


def walk(url, token, deadline):
    """(milliseconds, items) per page, and whether the walk reached the last page."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    pages, page_token = [], None
    while True:
        path = parts.path + "?" + parts.query + (f"&page_token={urllib.parse.quote(page_token)}" if page_token else "")
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise WalkFailed(f"HTTP {response.status} {body[:200]!r}")
        answer = json.loads(body)
        pages.append((elapsed, len(answer.get("metrics", answer.get("registered_models", [])))))
        page_token = answer.get("next_page_token")
        if not page_token:
            return pages, True
        if time.monotonic() > deadline:
            return pages, False


def p90(values):
    """Nearest rank: the smallest value at or above 90% of them."""
    return sorted(values)[math.ceil(0.9 * len(values)) - 1]


def history_line(walks, complete):
    pages = [[w[i][0] for w in walks] for i in range(len(walks[0]))]
    totals = [sum(ms for ms, _ in w) for w in walks]
    size = f"{walks[0][0][1]:,}"
    per_page = [f"{statistics.median(xs):.1f}/{p90(xs):.1f}" for xs in pages]
    if len(pages) > 6:
        slowest = max(range(len(pages)), key=lambda i: statistics.median(pages[i]))
        per_page = [f"first {per_page[0]}", f"slowest (page {slowest + 1}) {per_page[slowest]}", f"last {per_page[-1]}"]
    return (f"{len(pages)} page{'s' if len(pages) > 1 else ''} of up to {size} points, {len(walks)} walks, "
            f"p50/p90 per page: {', '.join(per_page)} ms; whole history p50 {statistics.median(totals):.0f} ms"
            + ("" if complete else "; STOPPED before the last page (time budget)"))


def paging_line(walks, complete):
    times = [ms for ms, _ in walks[0]]
    if len(times) >= 7:
        summary = f"pages 2-6 avg {statistics.mean(times[1:6]):.1f} ms, last 5 avg {statistics.mean(times[-5:]):.1f} ms"
    else:
        summary = "per page " + ", ".join(f"{ms:.1f}" for ms in times) + " ms"
    return f"{len(times)} pages of 1000: {summary}" + ("" if complete else f"; STOPPED after {len(times)} pages (time budget)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token")
    parser.add_argument("--style", choices=["history", "paging"], required=True)
    parser.add_argument("--walks", type=int, default=20)
    parser.add_argument("--warmups", type=int, default=4)
    parser.add_argument("--budget", type=float, default=60)
    args = parser.parse_args()

    try:
        walks, complete = measure(args)
    except (OSError, http.client.HTTPException, WalkFailed) as error:
        print(f"failed: {type(error).__name__} {error}")
        return
    print((history_line if args.style == "history" else paging_line)(walks, complete))


def measure(args):
    started = time.monotonic()
    hard_deadline = started + 2 * args.budget
    for _ in range(args.warmups):
        if time.monotonic() - started > args.budget / 4:
            break
        walk(args.url, args.token, hard_deadline)
    walks, complete = [], True
    while len(walks) < args.walks and (not walks or time.monotonic() - started < args.budget):
        pages, complete = walk(args.url, args.token, hard_deadline)
        if not complete and walks:
            break
        walks.append(pages)
        if not complete:
            break
    return walks, complete


main()
