# The throughput scenarios: wrk against each target at each connection count, pgbench with the API's own SQL.
# Every row also gets the CPU the server and PostgreSQL spent per request (see cpu_ticks).

# wrk's scenarios and the path each requests; scenario_run adds the Lua script and its arguments (none: a plain GET).
declare -A SCENARIO_PATH=(
    [create]="registered-models/create" [get]="registered-models/get" [search]="registered-models/search"
    [latest]="registered-models/get-latest-versions?name=model-000001" [get10k]="registered-models/get?name=model-000001"
    [searchpage]="registered-models/search?max_results=100&filter=name%20LIKE%20%27model-000%25%27"
    [logbatch]="runs/log-batch" [searchruns]="runs/search" [searchruns1m]="runs/search"
)
WRK_SCENARIOS="create get search latest get10k searchpage logbatch searchruns searchruns1m"

token_for() { [ "$1" = registry ] && echo "$TOKEN" || true; }

# A 30 s timeout: a slow scenario at 64 connections must show its latency, not vanish as timeouts.
wrk_run() { # target scenario connections url [lua script [args...]]
    local target=$1 scenario=$2 conns=$3 url=$4 lua=${5:-}; shift 4; shift $(( $# > 0 ? 1 : 0 ))
    local threads=$(( conns < 2 ? 1 : 2 )) started; started=$(date +%s.%N)
    local auth=(); [ -n "$(token_for "$target")" ] && auth=(-H "Authorization: Bearer $(token_for "$target")")
    local before after; before=$(cpu_ticks "${SERVER_PID[$target]}" "$PG_PID")
    local out; out=$(wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 30s --latency "${auth[@]}" \
        ${lua:+-s "$lua"} "$url" ${lua:+-- "$@"})
    after=$(cpu_ticks "${SERVER_PID[$target]}" "$PG_PID")
    local rps p50 p90 p99 errors requests
    rps=$(awk '/Requests\/sec/ { printf ($2 < 10 ? "%.1f" : "%.0f"), $2 }' <<<"$out")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    p90=$(to_ms "$(awk '$1 == "90%" { print $2 }' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    errors=$(awk '/Non-2xx/ { print $NF } /Socket errors/ { print "socket:" $0 }' <<<"$out" | tr -s ' ' | paste -sd' ')
    # wrk drops what is still in flight at the end: a server slower than the run completes nothing, and has no latency.
    if [ "${requests:-0}" -eq 0 ]; then p50=- p90=- p99=- errors="none-completed"; fi
    local server_before pg_before server_after pg_after server_us pg_us
    read -r server_before pg_before <<<"$before"; read -r server_after pg_after <<<"$after"
    server_us=$(cpu_us_per $((server_after - server_before)) "${requests:-0}")
    pg_us=$(cpu_us_per $((pg_after - pg_before)) "${requests:-0}")
    local stall; stall=$(longest_stall "$started" "$(date +%s.%N)")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$scenario" "$conns" "$rps" "$p50" "$p90" "$p99" \
        "${errors:-0}" "$stall" "$server_us" "$pg_us" >>"$RESULTS"
    log "$target $scenario c=$conns: $rps req/s p50=${p50}ms p99=${p99}ms non-2xx=${errors:-0} CPU/req server=${server_us}us pg=${pg_us}us stall=${stall}ms"
}

scenario_run() { # target scenario connections
    local target=$1 scenario=$2 c=$3 url="${BASE[$1]}/${SCENARIO_PATH[$2]}"
    case $scenario in
        create) wrk_run "$target" create "$c" "$url" "$BENCH/lua/create.lua" "$target-c$c-$RANDOM" ;;
        get) wrk_run "$target" get "$c" "$url" "$BENCH/lua/get.lua" 100000 ;;
        search) wrk_run "$target" search "$c" "$url?max_results=100&filter=$(urlencode \
            "name LIKE 'model-01%' AND tags.team = 'team-3' AND tags.stage = 'prod' AND tags.framework = 'tensorflow'")" ;;
        logbatch) wrk_run "$target" logbatch "$c" "$url" "$BENCH/lua/log_batch.lua" 00000000000000000000000000000002 ;;
        searchruns) wrk_run "$target" searchruns "$c" "$url" "$BENCH/lua/search_runs.lua" 2000000 ;;
        searchruns1m) wrk_run "$target" searchruns1m "$c" "$url" "$BENCH/lua/search_runs.lua" 2100000 ;;
        *) wrk_run "$target" "$scenario" "$c" "$url" ;;
    esac
}

run_scenarios() {
    local target scenario c
    for target in "${TARGETS[@]}"; do
        # Warm up the JIT (or the interpreter's caches), the pools and the database's buffers before measuring.
        DURATION=3 wrk_run "$target" warmup 8 "${BASE[$target]}/registered-models/get" "$BENCH/lua/get.lua" 100000
        sed -i '/^[a-z]*\twarmup\t/d' "$RESULTS"
    done
    for scenario in $SCENARIOS; do
        [[ " $WRK_SCENARIOS " == *" $scenario "* ]] || continue
        for target in "${TARGETS[@]}"; do
            settle
            for c in $CONNECTIONS; do scenario_run "$target" "$scenario" "$c"; done
        done
    done
}

pgbench_run() { # scenario script connections
    local scenario=$1 script=$2 conns=$3
    local threads=$(( conns < 2 ? 1 : 2 ))
    local before after; before=$(cpu_ticks "$PG_PID")
    # -M prepared: the API prepares its hot statements too (see Registry.Api/DatabaseDefaults.cs).
    local out tps transactions; out=$(pgbench -n -h 127.0.0.1 -p "$PGPORT" -U postgres -M prepared -c "$conns" -j "$threads" \
        -T "$DURATION" -f "$BENCH/sql/$script" registrydb 2>/dev/null)
    after=$(cpu_ticks "$PG_PID")
    tps=$(awk '/^tps/ { printf "%.0f", $3 }' <<<"$out")
    transactions=$(awk '/number of transactions actually processed/ { split($NF, n, "/"); print n[1] }' <<<"$out")
    local pg_us; pg_us=$(cpu_us_per $((after - before)) "${transactions:-0}")
    printf '%s\t%s\t%s\t%s\n' "$scenario" "$conns" "$tps" "$pg_us" >>"$WORK/pgbench.tsv"
    log "pgbench $scenario c=$conns: $tps tps, PostgreSQL CPU ${pg_us}us/transaction"
}

run_pgbench() {
    local scenario c
    for scenario in create get; do
        wants "$scenario" || continue
        settle
        for c in $CONNECTIONS; do pgbench_run "$scenario" "pgbench-$scenario.sql" "$c"; done
    done
}
