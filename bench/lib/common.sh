# Shared helpers of bench/run: logging, ports, tools, the stall meter, wrk's units and CPU accounting.

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

# A field of a JSON object read from stdin ("" when absent).
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

install_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v pgbench >/dev/null || missing+=(postgresql-client)
    ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    fi
}

# The machine's own stalls: a real-time thread (when run as root) sleeps 1 ms and notes every wake-up more than 2 ms
# late. Nothing in the guest can delay it that long; the host pausing this VM can. A run's p99 is read beside it.
start_stall_meter() {
    python3 - "$WORK/stalls.tsv" <<'PY' &
import sys, time
out = open(sys.argv[1], "w", buffering=1)
while True:
    before = time.monotonic()
    time.sleep(0.001)
    late = time.monotonic() - before - 0.001
    if late > 0.002:
        out.write(f"{time.time():.3f}\t{late * 1000:.0f}\n")
PY
    STALL_PID=$!
    chrt -f -p 99 "$STALL_PID" 2>/dev/null || true
}

# The longest machine stall (ms) between two wall-clock times.
longest_stall() { awk -F'\t' -v from="$1" -v to="$2" '$1 >= from && $1 <= to && $2 > m { m = $2 } END { print m + 0 }' "$WORK/stalls.tsv"; }

# wrk prints latencies as 1.23ms / 456.78us / 1.02s; the table shows milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0; else if (v ~ /s$/) printf "%.2f", v * 1000; else print v }'; }

CLOCK_TICKS=$(getconf CLK_TCK)

# CPU time (clock ticks) spent so far by each given process and everything below it: PostgreSQL's backends come and
# go, gunicorn's and uvicorn's workers are children of a master. Every live process in the tree counts its own time
# (utime + stime, all threads, exited ones included) plus what it has reaped from exited children (cutime + cstime);
# an exited child's time moves from its own entry to its parent's when the parent waits for it, so nothing counts
# twice and nothing that ran between two samples is lost. (A child that exits between this reading its parent's line
# and its own could slip by for one sample: the bench's backends and workers live for the whole run.)
# Prints one number per root, in order.
cpu_ticks() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v roots="$*" '
        { pid = $1; rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " ")
          parent[pid] = f[2]; ticks[pid] = f[12] + f[13] + f[14] + f[15] }
        END {
            n = split(roots, root, " ")
            for (i = 1; i <= n; i++) {
                sum = 0
                for (p in ticks) { q = p; while (q in parent && q != root[i]) q = parent[q]; if (q == root[i]) sum += ticks[p] }
                printf "%s%d", (i > 1 ? " " : ""), sum
            }
            print ""
        }'
}

# Microseconds of CPU per request from a tick delta.
cpu_us_per() { awk -v ticks="$1" -v n="$2" -v hz="$CLOCK_TICKS" 'BEGIN { if (n > 0) printf "%.0f", ticks * 1000000 / hz / n; else print "-" }'; }
