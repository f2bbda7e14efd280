"""The database's share of a recorded write, without HTTP, protocol or commit noise: runs main's model-create statement
(bench/sql/pgbench-create.sql at MAIN_REF: no audit row, no webhook CTE) and this checkout's, alternately, each in a
transaction of its own inside one server-side procedure, and prints each one's p25/p50/p90 in microseconds. Timing the
two alternately, request by request, puts a shared machine's load on both alike.

Usage: PGHOST=... PGPORT=... PGUSER=... PGDATABASE=<a database with this checkout's schema> \
       python3 statement_cost.py <main's pgbench-create.sql> <this checkout's pgbench-create.sql> [iterations]
The project 1 of that database gets the rows; its webhooks (if any) subscribed to registered_model.created get deliveries.
"""

import subprocess
import sys

ACTOR = """'{"author_id":1,"author_name":"root","token_id":1,"ip_address":"127.0.0.1","request_id":"bench:1","via":"api"}'"""


def statement(path):
    """The pgbench script as PL/pgSQL: client 1, the name counter n, the final SELECT into two variables."""
    lines = [line for line in open(path).read().splitlines() if line and not line.startswith(("\\", "--"))]
    sql = "\n".join(lines).rstrip().rstrip(";").replace(":client_id", "1").replace(":n", "n")
    return sql[:sql.rindex("SELECT EXISTS")] + "SELECT EXISTS (SELECT 1 FROM model), EXISTS (SELECT 1 FROM model_taken) INTO d1, d2"


def main():
    files, iterations = sys.argv[1:3], int(sys.argv[3]) if len(sys.argv) > 3 else 500
    timed = " ".join(
        f"PERFORM set_config('registry.actor', {ACTOR}, true); t0 := clock_timestamp(); n := n + 1; {statement(f)}; "
        f"r{i} := r{i} || extract(epoch FROM clock_timestamp() - t0) * 1e6; COMMIT;"
        for i, f in enumerate(files))
    report = " ".join(
        f"RAISE NOTICE '% p25=% p50=% p90=% us', '{name}', "
        + ", ".join(f"(SELECT percentile_cont({q}) WITHIN GROUP (ORDER BY x)::int FROM unnest(r{i}) x)" for q in (0.25, 0.5, 0.9)) + ";"
        for i, name in enumerate(("main", "this")))
    procedure = f"""
        CREATE PROCEDURE pg_temp.statement_cost() LANGUAGE plpgsql AS $$
        DECLARE n bigint := (random() * 1e12)::bigint; t0 timestamptz; d1 bool; d2 bool; r0 float8[] := '{{}}'; r1 float8[] := '{{}}';
        BEGIN
            FOR k IN 1..{iterations} LOOP {timed} END LOOP;
            {report}
        END $$"""
    # Separate commands: a procedure may COMMIT only when called outside a transaction block.
    result = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", procedure, "-c", "SET synchronous_commit = off",
                             "-c", "CALL pg_temp.statement_cost()"], capture_output=True, text=True)
    print(result.stdout + result.stderr.replace("NOTICE:  ", ""), end="")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
