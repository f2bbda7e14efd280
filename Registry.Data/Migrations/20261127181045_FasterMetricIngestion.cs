using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <summary>
    /// Makes a metric point cost one index entry and no per-row check (issue 20, ingestion; figures in bench/README.md):
    /// the surrogate <c>id</c> no query read goes and the point's identity becomes the primary key (the unique index it
    /// already had, kept as it is), and the per-row foreign key to the run is replaced by statement triggers that are as
    /// strong: an insert locks each run it names once (KEY SHARE, what the foreign key's check took per row) and fails if
    /// one is gone; deleting runs (a project's deletion cascades to them) deletes their points.
    /// </summary>
    public partial class FasterMetricIngestion : Migration
    {
        /// <summary>
        /// Why this is as strong as the foreign key, at READ COMMITTED (every write of the API): an insert's trigger runs at
        /// the end of its statement, as the foreign key's checks did, and locks the runs with a fresh snapshot. A run deleted
        /// before that lock is not found (the insert fails, 23503 as before); one deleted after it waits for the inserting
        /// transaction, and the delete's trigger then reads the points with a snapshot taken after that commit. At
        /// REPEATABLE READ or SERIALIZABLE the delete's trigger reads with its transaction's older snapshot and would miss
        /// points committed meanwhile (the foreign key's cascade re-checks with a newer one, which PL/pgSQL cannot): so runs
        /// are deleted at READ COMMITTED only, and otherwise the delete fails, saying so. TRUNCATE of the runs, which the
        /// foreign key refused unless cascaded, empties the points too.
        /// </summary>
        private const string RunCheckedPerStatement =
            """
            CREATE FUNCTION registry_metric_points_lock_their_runs() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                runs bigint;
                locked bigint;
            BEGIN
                -- One probe of the run's primary key per distinct run, whatever the planner thinks of the transition table.
                SELECT count(*), count(run.id) INTO runs, locked
                FROM (SELECT DISTINCT candidate_id FROM written) named
                LEFT JOIN LATERAL (SELECT r.id FROM ml_candidates r WHERE r.id = named.candidate_id FOR KEY SHARE) run ON true;
                IF locked < runs THEN
                    RAISE EXCEPTION 'a metric point names a run that does not exist (ml_candidate_metrics.candidate_id)'
                        USING ERRCODE = 'foreign_key_violation';
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER registry_metric_points_lock_their_runs AFTER INSERT ON ml_candidate_metrics
                REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION registry_metric_points_lock_their_runs();
            CREATE TRIGGER registry_moved_metric_points_lock_their_runs AFTER UPDATE ON ml_candidate_metrics
                REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION registry_metric_points_lock_their_runs();

            CREATE FUNCTION registry_deleted_runs_take_their_metric_points() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('transaction_isolation') IN ('repeatable read', 'serializable') AND EXISTS (SELECT FROM deleted) THEN
                    RAISE EXCEPTION 'runs (ml_candidates) can only be deleted at READ COMMITTED isolation'
                        USING ERRCODE = 'feature_not_supported',
                              DETAIL = 'Their metric points are deleted by a trigger that must see points committed while the delete waited for the runs.';
                END IF;
                DELETE FROM ml_candidate_metrics m USING deleted d WHERE m.candidate_id = d.id;
                RETURN NULL;
            END $$;
            CREATE TRIGGER registry_deleted_runs_take_their_metric_points AFTER DELETE ON ml_candidates
                REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION registry_deleted_runs_take_their_metric_points();

            CREATE FUNCTION registry_truncated_runs_take_their_metric_points() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                TRUNCATE ml_candidate_metrics;
                RETURN NULL;
            END $$;
            CREATE TRIGGER registry_truncated_runs_take_their_metric_points AFTER TRUNCATE ON ml_candidates
                FOR EACH STATEMENT EXECUTE FUNCTION registry_truncated_runs_take_their_metric_points();
            """;

        private const string RunCheckedPerRow =
            """
            DROP TRIGGER registry_truncated_runs_take_their_metric_points ON ml_candidates;
            DROP FUNCTION registry_truncated_runs_take_their_metric_points();
            DROP TRIGGER registry_deleted_runs_take_their_metric_points ON ml_candidates;
            DROP FUNCTION registry_deleted_runs_take_their_metric_points();
            DROP TRIGGER registry_moved_metric_points_lock_their_runs ON ml_candidate_metrics;
            DROP TRIGGER registry_metric_points_lock_their_runs ON ml_candidate_metrics;
            DROP FUNCTION registry_metric_points_lock_their_runs();
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Contract step: no build reads ml_candidate_metrics.id or relies on its foreign key.
            // Writes name their columns and reads take value, timestamp and step; the previous build's ON CONFLICT finds its
            // arbiter in the new primary key (the same index); the triggers check and clean up after every build's statements.
            migrationBuilder.Sql(RunCheckedPerStatement);

            migrationBuilder.DropForeignKey(
                name: "fk_ml_candidate_metrics_ml_candidates_candidate_id",
                table: "ml_candidate_metrics");

            migrationBuilder.DropPrimaryKey(
                name: "pk_ml_candidate_metrics",
                table: "ml_candidate_metrics");

            migrationBuilder.DropColumn(
                name: "id",
                table: "ml_candidate_metrics");

            // The unique index becomes the key as it is: no rebuild, however many points the table holds (its columns are
            // already NOT NULL), and the index is renamed to the key's name.
            migrationBuilder.Sql(
                """
                ALTER TABLE ml_candidate_metrics ADD CONSTRAINT pk_ml_candidate_metrics
                    PRIMARY KEY USING INDEX ix_ml_candidate_metrics_candidate_id_name_step_timestamp_value;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_ml_candidate_metrics",
                table: "ml_candidate_metrics");

            migrationBuilder.Sql("ALTER TABLE ml_candidate_metrics ADD COLUMN id bigint GENERATED BY DEFAULT AS IDENTITY;");

            migrationBuilder.AddPrimaryKey(
                name: "pk_ml_candidate_metrics",
                table: "ml_candidate_metrics",
                column: "id");

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_metrics_candidate_id_name_step_timestamp_value",
                table: "ml_candidate_metrics",
                columns: new[] { "candidate_id", "name", "step", "timestamp", "value" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_ml_candidate_metrics_ml_candidates_candidate_id",
                table: "ml_candidate_metrics",
                column: "candidate_id",
                principalTable: "ml_candidates",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.Sql(RunCheckedPerRow);
        }
    }
}
