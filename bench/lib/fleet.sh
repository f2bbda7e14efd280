# The training fleet (bench/fleet, a compiled load generator): N jobs, each a run that logs FLEET_METRICS metrics with
# one log-batch a second. `fleet` runs FLEET_JOBS jobs for FLEET_SECONDS; `fleetmax` looks for the largest N whose
# log-batch p99 stays within FLEET_P99_MS (and without errors), doubling N and then halving the gap.

FLEET_JOBS=${FLEET_JOBS:-200}
FLEET_SECONDS=${FLEET_SECONDS:-60}
FLEET_METRICS=${FLEET_METRICS:-10}
FLEET_ARTIFACT_KB=${FLEET_ARTIFACT_KB:-256}
FLEET_P99_MS=${FLEET_P99_MS:-100}
FLEET_MAX_START=${FLEET_MAX_START:-100}
FLEET_MAX_SECONDS=${FLEET_MAX_SECONDS:-30}
FLEET_MAX_LIMIT=${FLEET_MAX_LIMIT:-8000}  # a thread and a connection per job: mind pid_max and the open-file limit

build_fleet() {
    log "building the fleet generator"
    dotnet publish "$BENCH/fleet" -c Release -o "$WORK/fleet" --nologo -v quiet >/dev/null
}

# One value of the generator's key=value line.
fleet_value() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# Runs one fleet and appends a row to $WORK/fleet.tsv: the generator's figures, then the server's and PostgreSQL's
# CPU as a share of one core over the run, and the longest machine stall.
fleet_run() { # target jobs seconds label
    local target=$1 jobs=$2 seconds=$3 label=$4
    settle
    local started before after out elapsed auth=()
    [ -n "$(token_for "$target")" ] && auth=(--token "$(token_for "$target")")
    started=$(date +%s.%N); before=$(cpu_ticks "${SERVER_PID[$target]}" "$PG_PID")
    # The generator fails only when the fleet cannot start (its experiment not created): a row of errors, not the end.
    out=$(dotnet "$WORK/fleet/fleet.dll" --url "${BASE[$target]}" "${auth[@]}" \
        --jobs "$jobs" --seconds "$seconds" --metrics "$FLEET_METRICS" --artifact-kb "$FLEET_ARTIFACT_KB" 2>"$WORK/fleet.err") \
        || out="jobs=$jobs errors=no-fleet"
    after=$(cpu_ticks "${SERVER_PID[$target]}" "$PG_PID"); elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
    local server_before pg_before server_after pg_after
    read -r server_before pg_before <<<"$before"; read -r server_after pg_after <<<"$after"
    local server_pct pg_pct stall
    server_pct=$(awk -v t=$((server_after - server_before)) -v hz="$CLOCK_TICKS" -v s="$elapsed" 'BEGIN { printf "%.0f", 100 * t / hz / s }')
    pg_pct=$(awk -v t=$((pg_after - pg_before)) -v hz="$CLOCK_TICKS" -v s="$elapsed" 'BEGIN { printf "%.0f", 100 * t / hz / s }')
    stall=$(longest_stall "$started" "$(date +%s.%N)")
    local key value row=("$label" "$target")
    for key in jobs points_per_s expected_points_per_s logbatch_p50_ms logbatch_p99_ms logbatch_max_ms errors runs_created \
        runs_finished artifact_p50_ms overruns late_sends generator_cpu_pct; do
        value=$(fleet_value "$key" "$out"); row+=("${value:--}")
    done
    row+=("$server_pct" "$pg_pct" "$stall")
    (IFS=$'\t'; echo "${row[*]}") >>"$WORK/fleet.tsv"
    sed 's/^/  /' "$WORK/fleet.err" >&2
    log "$target $label $jobs jobs: $out server CPU ${server_pct}% pg CPU ${pg_pct}% stall ${stall}ms"
    FLEET_LAST_P99=$(fleet_value logbatch_p99_ms "$out"); FLEET_LAST_ERRORS=$(fleet_value errors "$out")
}

fleet_passes() { awk -v p="$FLEET_LAST_P99" -v e="$FLEET_LAST_ERRORS" -v limit="$FLEET_P99_MS" 'BEGIN { exit !(p != "" && p <= limit && e == "0") }'; }

# Doubling from FLEET_MAX_START until a step fails, then halving the gap between the last pass and the first failure
# until it is within a tenth of the pass (or 10 jobs). Sets FLEET_MAX[target] (0: not even the first step passed).
fleet_find_max() { # target
    local target=$1 n=$FLEET_MAX_START good=0 bad=0
    while [ "$n" -le "$FLEET_MAX_LIMIT" ]; do
        fleet_run "$target" "$n" "$FLEET_MAX_SECONDS" fleetmax
        if fleet_passes; then good=$n; else bad=$n; fi
        if [ "$bad" -eq 0 ]; then n=$((n * 2)); continue; fi
        local gap=$((bad - good)) step=$(( good / 10 > 10 ? good / 10 : 10 ))
        [ "$gap" -le "$step" ] && break
        n=$(( good + gap / 2 ))
    done
    FLEET_MAX[$target]=$good
    if [ "$bad" -gt 0 ]; then FLEET_MAX_NOTE[$target]="first failure at $bad"; else FLEET_MAX_NOTE[$target]="no failure up to FLEET_MAX_LIMIT=$FLEET_MAX_LIMIT"; fi
    log "$target fleetmax: largest N with log-batch p99 <= ${FLEET_P99_MS} ms and no errors: $good (${FLEET_MAX_NOTE[$target]})"
}

run_fleet() {
    local target
    for target in "${TARGETS[@]}"; do
        if wants fleet; then fleet_run "$target" "$FLEET_JOBS" "$FLEET_SECONDS" fleet; fi
        if wants fleetmax; then fleet_find_max "$target"; fi
    done
}
