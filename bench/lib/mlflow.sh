# The real MLflow tracking server beside the Registry (--compare-mlflow): built from the vendored sources, its own
# database on the same PostgreSQL, seeded with SQL like the Registry's, no auth, URL prefix /api/2.0/mlflow.

MLFLOW_VERSION=${MLFLOW_VERSION:-2.17.2}
MLFLOW_PID=""

# The vendored tarballs live in ../shared beside the main checkout; a worktree elsewhere finds them through the
# repository's common git directory.
mlflow_vendor_dir() {
    local beside="$ROOT/../shared/vendor/mlflow" common
    if [ -x "$beside/setup.sh" ]; then echo "$beside"; return; fi
    common=$(git -C "$ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null) || true
    echo "${MLFLOW_VENDOR:-$(dirname "${common:-$ROOT/.git}")/../shared/vendor/mlflow}"
}

# setup.sh builds the environment once (about a minute) and afterwards only checks it; it prints PYTHON= and PYTHONPATH=.
prepare_mlflow() {
    local vendor env_dir out; vendor=$(mlflow_vendor_dir)
    env_dir=${MLFLOW_ENV_DIR:-$HOME/.cache/registry/mlflow-$MLFLOW_VERSION}
    [ -x "$vendor/setup.sh" ] || { log "MLflow's vendored sources are not at $vendor (set MLFLOW_VENDOR)"; exit 1; }
    log "preparing MLflow $MLFLOW_VERSION in $env_dir"
    out=$("$vendor/setup.sh" "$MLFLOW_VERSION" "$env_dir")
    MLFLOW_PYTHON=$(sed -n 's/^PYTHON=//p' <<<"$out")
    MLFLOW_PYTHONPATH=$(sed -n 's/^PYTHONPATH=//p' <<<"$out")
}

mlflow_python() {
    (cd "$WORK" && PYTHONPATH="$MLFLOW_PYTHONPATH" MLFLOW_DISABLE_TELEMETRY=true exec "$MLFLOW_PYTHON" "$@")
}

# The schema is what the server creates when it starts on an empty database (its stores' own initialisation: the
# base tables, then every alembic migration); `mlflow db upgrade` alone fails on an empty database.
init_mlflow_db() {
    psql_db -c "CREATE DATABASE mlflowdb" >/dev/null
    MLFLOW_DB_URI="postgresql://postgres@127.0.0.1:$PGPORT/mlflowdb"
    mlflow_python - "$MLFLOW_DB_URI" "$WORK/mlflow-artifacts" >"$WORK/mlflow-init.log" 2>&1 <<'PY' || { cat "$WORK/mlflow-init.log"; exit 1; }
import sys
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as TrackingStore
TrackingStore(sys.argv[1], sys.argv[2])
RegistryStore(sys.argv[1])
PY
}

seed_mlflow() {
    log "seeding MLflow's tables the same way"
    psql_to mlflowdb -f "$BENCH/sql/mlflow/seed.sql"
    psql_to mlflowdb -f "$BENCH/sql/mlflow/seed-versions.sql"
    seed_runs mlflowdb "$BENCH/sql/mlflow/seed-runs.sql"
}

# gunicorn (2.x) or uvicorn (3.x) with 2 workers. gunicorn's worker timeout goes from 30 to 120 s so that a slow
# request (a whole 1,000,000-point history) is measured rather than killed. setsid gives the server, its master
# and its workers a process group of their own, stopped as one.
start_mlflow() {
    local port; port=$(free_port)
    local server_opts=(); [[ $MLFLOW_VERSION == 2.* ]] && server_opts=(--gunicorn-opts "--timeout 120")
    (cd "$WORK" && PYTHONPATH="$MLFLOW_PYTHONPATH" MLFLOW_DISABLE_TELEMETRY=true MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
        exec setsid "$MLFLOW_PYTHON" -m mlflow server --backend-store-uri "$MLFLOW_DB_URI" \
        --artifacts-destination "$WORK/mlflow-artifacts" --host 127.0.0.1 --port "$port" --workers 2 "${server_opts[@]}" \
        >"$WORK/mlflow.log" 2>&1) &
    MLFLOW_PID=$!
    # Out of the shell's job table: MLflow 3's CLI wrapper can die of SIGSEGV as its workers stop, after the
    # measurements, and the shell would report it. stop_mlflow waits for the group by polling.
    disown "$MLFLOW_PID"
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
    curl -sf "http://127.0.0.1:$port/health" >/dev/null || { tail -30 "$WORK/mlflow.log"; log "MLflow's server did not start"; exit 1; }
    BASE[mlflow]="http://127.0.0.1:$port/api/2.0/mlflow"
    SERVER_PID[mlflow]=$MLFLOW_PID
    log "MLflow $MLFLOW_VERSION on port $port (process group $MLFLOW_PID, 2 workers)"
}

stop_mlflow() {
    [ -n "$MLFLOW_PID" ] || return 0
    kill -TERM -- "-$MLFLOW_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 -- "-$MLFLOW_PID" 2>/dev/null && sleep 0.1 || break; done
    kill -KILL -- "-$MLFLOW_PID" 2>/dev/null || true
    MLFLOW_PID=""
}

# A server still chewing on a transfer it gave up on would land in the next scenarios: start it afresh.
restart_mlflow() {
    log "restarting MLflow's server"
    stop_mlflow
    start_mlflow
}
