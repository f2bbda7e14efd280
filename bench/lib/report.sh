# The printed report: one table per target, the comparison when MLflow ran too, the fleet, the one-off measurements.

target_label() { [ "$1" = registry ] && echo "Registry" || echo "MLflow $MLFLOW_VERSION server"; }

# A column of results.tsv for one target, scenario and connection count.
result() { awk -F'\t' -v t="$1" -v s="$2" -v c="$3" -v col="$4" '$1 == t && $2 == s && $3 == c { print $col }' "$RESULTS"; }

report_target() { # target
    local target=$1
    echo
    echo "$(target_label "$target"): server and PostgreSQL CPU in microseconds per request"
    local header=(scenario conns "req/s" "p50 ms" "p90 ms" "p99 ms" errors "stall ms" "server us" "pg us")
    [ "$target" = registry ] && header+=(pgbench "API/pg" "pgb pg us")
    printf '%-12s %5s %9s %8s %8s %9s %8s %8s %9s %7s %8s %7s %9s\n' "${header[@]}"
    local scenario conns rps p50 p90 p99 errors stall server_us pg_us
    while IFS=$'\t' read -r _ scenario conns rps p50 p90 p99 errors stall server_us pg_us; do
        local extra=()
        if [ "$target" = registry ]; then
            local tps="" pgb_us="" ratio="-"
            [ -f "$WORK/pgbench.tsv" ] && read -r tps pgb_us < <(awk -F'\t' -v s="$scenario" -v c="$conns" '$1 == s && $2 == c { print $3, $4 }' "$WORK/pgbench.tsv") || true
            [ -n "$tps" ] && [ "$tps" -gt 0 ] && ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN { printf "%.0f%%", 100 * a / b }')
            extra=("${tps:--}" "$ratio" "${pgb_us:--}")
        fi
        printf '%-12s %5s %9s %8s %8s %9s %8s %8s %9s %7s %8s %7s %9s\n' "$scenario" "$conns" "$rps" "$p50" "$p90" "$p99" "$errors" "$stall" \
            "$server_us" "$pg_us" "${extra[@]}"
    done < <(awk -F'\t' -v t="$target" '$1 == t' "$RESULTS")
}

# Registry against MLflow, row by row: req/s ratio, p99 and CPU per request of both. A scenario MLflow did not run
# (no row) is marked; one it answered with errors shows them.
report_comparison() {
    echo
    echo "Registry / $(target_label mlflow), same scenarios, same wrk scripts, same PostgreSQL"
    printf '%-12s %5s %10s %10s %8s %10s %10s %12s %12s %10s\n' scenario conns "Reg req/s" "MLf req/s" "ratio" "Reg p99" "MLf p99" \
        "server us R/M" "pg us R/M" "MLf errors"
    local scenario conns rps p99 server_us pg_us
    while IFS=$'\t' read -r scenario conns rps p99 server_us pg_us; do
        local m_rps; m_rps=$(result mlflow "$scenario" "$conns" 4)
        if [ -z "$m_rps" ]; then
            printf '%-12s %5s %10s %10s\n' "$scenario" "$conns" "$rps" "MLflow lacks this scenario"
            continue
        fi
        local ratio; ratio=$(awk -v a="$rps" -v b="$m_rps" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
        printf '%-12s %5s %10s %10s %8s %10s %10s %12s %12s %10s\n' "$scenario" "$conns" "$rps" "$m_rps" "$ratio" "$p99" \
            "$(result mlflow "$scenario" "$conns" 7)" "$server_us/$(result mlflow "$scenario" "$conns" 10)" \
            "$pg_us/$(result mlflow "$scenario" "$conns" 11)" "$(result mlflow "$scenario" "$conns" 8)"
    done < <(awk -F'\t' '$1 == "registry" { print $2 "\t" $3 "\t" $4 "\t" $7 "\t" $10 "\t" $11 }' "$RESULTS")
}

# Log-batch sends 1000 metrics a request: its req/s times 1000 is the ingestion rate.
report_logbatch() {
    local target line
    for target in "${TARGETS[@]}"; do
        line=$(awk -F'\t' -v t="$target" '$1 == t && $2 == "logbatch" { printf "%s%s connections %.0f", sep, $3, $4 * 1000; sep = ", " }' "$RESULTS")
        if [ -n "$line" ]; then echo "$(target_label "$target") log-batch ingestion, metric points/s: $line"; fi
    done
}

report_fleet() {
    [ -s "$WORK/fleet.tsv" ] || return 0
    echo
    echo "Training fleet: ${FLEET_METRICS} metrics a second per job; latencies are log-batch in the steady window (every job started)"
    printf '%-9s %-9s %6s %9s %9s %8s %8s %8s %7s %9s %8s %7s %6s %6s %8s %8s %6s\n' mode target jobs "points/s" "expected" "p50 ms" "p99 ms" \
        "max ms" errors "runs" "art p50" overrun late "gen %" "server %" "pg %" stall
    local label target jobs pps expected p50 p99 max errors created finished art overruns late gen server pg stall
    while IFS=$'\t' read -r label target jobs pps expected p50 p99 max errors created finished art overruns late gen server pg stall; do
        printf '%-9s %-9s %6s %9s %9s %8s %8s %8s %7s %9s %8s %7s %6s %6s %8s %8s %6s\n' "$label" "$target" "$jobs" "$pps" "$expected" \
            "$p50" "$p99" "$max" "$errors" "$created/$finished" "$art" "$overruns" "$late" "$gen" "$server" "$pg" "$stall"
    done <"$WORK/fleet.tsv"
    local target
    for target in "${!FLEET_MAX[@]}"; do
        echo "$(target_label "$target"): largest fleet with log-batch p99 <= ${FLEET_P99_MS} ms and no errors: ${FLEET_MAX[$target]} jobs (${FLEET_MAX_NOTE[$target]}; ${FLEET_MAX_SECONDS}s steps)"
    done
}

report_sequential() {
    local target
    for target in "${TARGETS[@]}"; do
        local label; label=$(target_label "$target")
        [ -n "${PAGING[$target]:-}" ] && echo "$label model paging: ${PAGING[$target]}"
        [ -n "${HISTORY[$target]:-}" ] && echo "$label metric history (100,000 points): ${HISTORY[$target]}"
        [ -n "${HISTORY1M[$target]:-}" ] && echo "$label metric history ($SCALE_ROWS points): ${HISTORY1M[$target]}"
        [ -n "${ARTIFACTS[$target]:-}" ] && echo "$label artifacts: ${ARTIFACTS[$target]}"
    done
    return 0
}

report() {
    local rss; rss=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$API_PID/status")
    echo
    echo "Registry benchmark $(date -u +%F) on $(nproc) cores, ${DURATION}s per run; load generators on the same machine"
    local target
    for target in "${TARGETS[@]}"; do report_target "$target"; done
    if [ ${#TARGETS[@]} -gt 1 ]; then report_comparison; fi
    echo
    echo "server us / pg us: CPU time of the server's processes / of all PostgreSQL's processes during the run, per request"
    echo "stall ms: the longest the machine itself stopped during the run (a real-time thread's late wake-up; 0 = none over 2 ms)"
    echo "API peak RSS: ${rss} MiB"
    report_logbatch
    report_fleet
    report_sequential
}
