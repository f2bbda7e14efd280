# One-at-a-time measurements, run first on a quiet system: paging, metric history and the 1 GiB artifact.
# Each fills a line of the report per target (PAGING, HISTORY, HISTORY1M, ARTIFACTS).

walk() { python3 "$BENCH/lib/walk.py" ${TARGET_TOKEN:+--token "$TARGET_TOKEN"} "$@"; }

# Paging through every model 1000 at a time: the last pages must cost what the first ones do (keyset tokens).
measure_paging() { # target
    local target=$1 filter; filter=$(urlencode "name LIKE 'model-%'")
    PAGING[$target]=$(TARGET_TOKEN=$(token_for "$target") walk --style paging --walks 1 --warmups 0 --budget "${PAGING_BUDGET:-300}" \
        --url "${BASE[$target]}/registered-models/search?max_results=1000&filter=$filter")
    log "$target paging: ${PAGING[$target]}"
}

# Metric history, 25,000 points a page (MLflow 2.x has no paging: one page holds it all). One walk of a 100,000-point
# metric is four samples and a single GC pause shows as a 50 ms page, so it walks 20 times (after 4 warm-up walks)
# and reports each page's median and p90. The 1,000,000-point metric (history1m) is 40 pages a walk.
measure_history() { # target run_id result-array
    local target=$1 run_id=$2
    local -n into=$3
    into[$target]=$(TARGET_TOKEN=$(token_for "$target") walk --style history --budget "${HISTORY_BUDGET:-60}" \
        --url "${BASE[$target]}/metrics/get-history?run_id=$run_id&metric_key=loss&max_results=25000")
    log "$target $3: ${into[$target]}"
}

# Resident memory (KiB) of a process and everything below it.
tree_rss_kib() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" -v page="$(getconf PAGESIZE)" '
        { pid = $1; rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " "); parent[pid] = f[2]; rss[pid] = f[22] }
        END { for (p in rss) { q = p; while (q in parent && q != root) q = parent[q]; if (q == root) sum += rss[p] }
              printf "%d\n", sum * page / 1024 }'
}

# A 1 GiB artifact up and down through the server, against a plain cp on the same file system; the server's RSS is
# sampled during the transfer (its high-water mark from earlier scenarios would hide the growth).
measure_artifacts() { # target
    local target=$1 file="$WORK/big.bin" url="${BASE[$target]}-artifacts/artifacts/bench/big.bin" pid=${SERVER_PID[$1]}
    [ -f "$file" ] || head -c 1073741824 /dev/urandom >"$file"
    local TIMEFORMAT=%R auth=(); [ -n "$(token_for "$target")" ] && auth=(-H "Authorization: Bearer $(token_for "$target")")
    local cp_seconds; cp_seconds=$( { time cp "$file" "$WORK/copy.bin"; } 2>&1 ); rm -f "$WORK/copy.bin"
    local baseline; baseline=$(tree_rss_kib "$pid")
    echo "$baseline" >"$WORK/rss-peak"
    # Stopped by a kill in the middle of a sample: no ERR trap in here.
    ( trap - ERR; set +e; while kill -0 "$pid" 2>/dev/null; do
        local now; now=$(tree_rss_kib "$pid")
        [ "$now" -gt "$(cat "$WORK/rss-peak")" ] && echo "$now" >"$WORK/rss-peak"; sleep 0.1; done ) &
    local sampler=$!
    # MLflow 3 serves its Flask app through Starlette's WSGI bridge, which gathers a request body in memory by
    # concatenating bytes (quadratic): 12 minutes into 1 GiB it had not written a byte. A transfer that outlasts
    # ARTIFACT_TIMEOUT (300 s) is reported as failed.
    local up down failed=""
    up=$(curl -s -o /dev/null --max-time "${ARTIFACT_TIMEOUT:-300}" -w '%{time_total}' -T "$file" "${auth[@]}" "$url") \
        || failed="upload failed after ${up}s (curl exit $?)"
    [ -n "$failed" ] || down=$(curl -s -o /dev/null --max-time "${ARTIFACT_TIMEOUT:-300}" -w '%{time_total}' "${auth[@]}" "$url") \
        || failed="download failed after ${down}s (curl exit $?)"
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    local growth; growth=$(( ($(cat "$WORK/rss-peak") - baseline) / 1024 ))
    if [ -n "$failed" ]; then
        ARTIFACTS[$target]="1 GiB: $failed; server RSS grew $growth MiB"
        log "$target artifacts: ${ARTIFACTS[$target]}"
        if [ "$target" = mlflow ]; then restart_mlflow; fi
        return
    fi
    ARTIFACTS[$target]=$(awk -v cp="$cp_seconds" -v up="$up" -v down="$down" -v g="$growth" 'BEGIN {
        printf "1 GiB: cp %.0f MiB/s; upload %.0f MiB/s (%.0f%% of cp); download %.0f MiB/s (%.0f%% of cp); server RSS grew %d MiB",
            1024 / cp, 1024 / up, 100 * cp / up, 1024 / down, 100 * cp / down, g }')
    log "$target artifacts: ${ARTIFACTS[$target]}"
}

run_sequential() {
    local target
    # Freshly seeded rows are not yet all-visible: a history page would visit the heap for every point (and set hint
    # bits, and share the cores with autovacuum) instead of reading the index alone, as the wrk scenarios do after settle.
    settle
    for target in "${TARGETS[@]}"; do
        if wants search; then measure_paging "$target"; fi
        if wants searchruns; then measure_history "$target" 00000000000000000000000000000001 HISTORY; fi
        if wants history1m; then measure_history "$target" 00000000000000000000000000000003 HISTORY1M; fi
        if wants artifacts; then measure_artifacts "$target"; fi
    done
    rm -f "$WORK/big.bin"
}
