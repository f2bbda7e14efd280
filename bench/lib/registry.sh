# The Registry under test: built in Release, its schema applied by the migration service, run on its own.

build_and_migrate() {
    log "building Release"
    dotnet publish "$ROOT/Registry.Api" -c Release -o "$WORK/api" --nologo -v quiet >/dev/null
    dotnet publish "$ROOT/Registry.MigrationService" -c Release -o "$WORK/migrations" --nologo -v quiet >/dev/null
    log "applying the schema"
    (cd "$WORK/migrations" && Registry__BootstrapToken="$TOKEN" OTEL_SDK_DISABLED=true dotnet Registry.MigrationService.dll >"$WORK/migrations.log" 2>&1) \
        || { cat "$WORK/migrations.log"; exit 1; }
}

start_api() {
    local port; port=$(free_port)
    # The runtime settings for a small machine shared with PostgreSQL and the load generator (README, Configuration).
    (cd "$WORK/api" && ASPNETCORE_URLS="http://127.0.0.1:$port" Logging__LogLevel__Default=Warning \
        DOTNET_gcServer=0 DOTNET_TieredPGO=0 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 \
        Registry__Artifacts__Root="$WORK/artifacts" Registry__RateLimit__PermitsPerSecond=0 \
        exec dotnet Registry.Api.dll >"$WORK/api.log" 2>&1) &
    API_PID=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    BASE[registry]="http://127.0.0.1:$port/api/v4/projects/1/ml/mlflow/api/2.0/mlflow"
    SERVER_PID[registry]=$API_PID
    log "API on port $port (pid $API_PID)"
}

stop_api() { [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null || true; }

seed_registry() {
    log "seeding 100,000 models x 5 tags, a model with 10,000 versions, 999 models with 5 versions"
    psql_db -f "$BENCH/sql/seed.sql"
    psql_db -f "$BENCH/sql/seed-versions.sql"
    seed_runs registrydb "$BENCH/sql/seed-runs.sql"
}

# The tracking experiments of sql/seed-runs.sql (or its MLflow twin): 100,000 runs and a 100,000-point metric always;
# SCALE_ROWS (1,000,000) runs and a SCALE_ROWS-point metric only for the scale scenarios that read them.
seed_runs() { # database script
    local db=$1 script=$2 runs=0 points=0
    log "seeding 100,000 runs and a 100,000-point metric ($db)"
    psql_to "$db" -v iid=2000000 -v name=bench-runs -v runs=100000 -v points=100000 \
        -v history_run=00000000000000000000000000000001 -v batch_run=00000000000000000000000000000002 -f "$script"
    if wants searchruns1m; then runs=$SCALE_ROWS; fi
    if wants history1m; then points=$SCALE_ROWS; fi
    [ "$runs" -gt 0 ] || [ "$points" -gt 0 ] || return 0
    log "seeding $runs runs and a $points-point metric ($db; minutes)"
    psql_to "$db" -v iid=2100000 -v name=bench-runs-1m -v runs="$runs" -v points="$points" \
        -v history_run=00000000000000000000000000000003 -v batch_run=00000000000000000000000000000004 -f "$script"
}
