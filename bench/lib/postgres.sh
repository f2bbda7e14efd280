# bench/run's own PostgreSQL: production durability, one instance for the Registry's database and MLflow's.

# PostgreSQL refuses root; setpriv (exec'd, so the PID we hold is the program's own) runs it as postgres.
as_postgres() { if [ "$(id -u)" = 0 ]; then exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else exec "$@"; fi; }

start_postgres() {
    local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PGDATA="$WORK/pgdata"; PGPORT=$(free_port)
    mkdir -p "$PGDATA"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA" && chmod 755 "$WORK"
    (as_postgres "$bin/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 >/dev/null)
    # Production durability: fsync, synchronous_commit and full_page_writes keep their defaults (on).
    (as_postgres "$bin/postgres" -D "$PGDATA" -p "$PGPORT" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$PGDATA" \
        -c max_connections=200 -c shared_buffers=512MB >"$WORK/postgres.log" 2>&1) &
    PG_PID=$!
    for _ in $(seq 1 100); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.1; done
    psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE DATABASE registrydb" >/dev/null
    export ConnectionStrings__registrydb="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=registrydb"
    log "PostgreSQL $(basename "$(dirname "$bin")") on port $PGPORT (pid $PG_PID, durable)"
}

stop_postgres() {
    # SIGINT is PostgreSQL's fast shutdown.
    [ -n "$PG_PID" ] && kill -INT "$PG_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null && sleep 0.1 || break; done
}

psql_to() { local db=$1; shift; psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$db" "$@"; }
psql_db() { psql_to registrydb "$@"; }

# Each scenario starts on a quiet system, as pgbench vacuums before its runs: a write scenario (create, logbatch)
# leaves dirty pages and vacuum/analyze work behind, and autovacuum would take it up a minute later, in the middle of
# whatever runs next (get's p99 at 8 connections: 3 ms on a quiet database, 13-22 ms under an autoanalyze). sync writes
# back what the file system still holds (the 1 GiB artifact): the kernel flushed it during create, 30 s later.
settle() {
    local db
    for db in "${DATABASES[@]}"; do psql_to "$db" -c "VACUUM (ANALYZE)" >/dev/null; done
    psql_db -c "CHECKPOINT" >/dev/null
    sync
    sleep 1
}
