using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <inheritdoc />
    public partial class MetricPointsOnceAndLoggedModelMetrics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_ml_candidate_metrics_candidate_id_name_step_timestamp_id",
                table: "ml_candidate_metrics");

            migrationBuilder.AddColumn<string>(
                name: "user_name",
                table: "ml_candidates",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            // Like registry_fail (Tracking migration), for writes that name something that is not there: SQLSTATE RG404 =
            // RunWrite.MissingState, answered 404 RESOURCE_DOES_NOT_EXIST; the statement fails as a whole.
            migrationBuilder.Sql(
                """
                CREATE FUNCTION registry_missing(message text) RETURNS text LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION USING MESSAGE = message, ERRCODE = 'RG404';
                END $$;
                """);

            // Runs created so far show their creator's username as user_id, never the internal user number.
            migrationBuilder.Sql("UPDATE ml_candidates r SET user_name = u.username FROM users u WHERE u.id = r.user_id;");

            // A metric point is (run, key, step, timestamp, value), as in MLflow's SQL store: replays logged before this
            // migration are folded into one point each (NaN = NaN for PostgreSQL, so repeated NaN points fold too).
            migrationBuilder.Sql(
                """
                DELETE FROM ml_candidate_metrics WHERE id IN (
                    SELECT id FROM (
                        SELECT id, row_number() OVER (PARTITION BY candidate_id, name, step, timestamp, value ORDER BY id) AS n
                        FROM ml_candidate_metrics
                    ) points WHERE n > 1);
                """);

            migrationBuilder.CreateTable(
                name: "ml_candidate_model_inputs",
                columns: table => new
                {
                    candidate_id = table.Column<long>(type: "bigint", nullable: false),
                    logged_model_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_candidate_model_inputs", x => new { x.candidate_id, x.logged_model_id });
                    table.ForeignKey(
                        name: "fk_ml_candidate_model_inputs_logged_models_logged_model_id",
                        column: x => x.logged_model_id,
                        principalTable: "ml_logged_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_candidate_model_inputs_ml_candidates_candidate_id",
                        column: x => x.candidate_id,
                        principalTable: "ml_candidates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ml_logged_model_metrics",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    logged_model_id = table.Column<long>(type: "bigint", nullable: false),
                    candidate_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    value = table.Column<double>(type: "double precision", nullable: false),
                    timestamp = table.Column<long>(type: "bigint", nullable: false),
                    step = table.Column<long>(type: "bigint", nullable: false),
                    dataset_name = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    dataset_digest = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_logged_model_metrics", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_logged_model_metrics_ml_candidates_candidate_id",
                        column: x => x.candidate_id,
                        principalTable: "ml_candidates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_logged_model_metrics_ml_logged_models_logged_model_id",
                        column: x => x.logged_model_id,
                        principalTable: "ml_logged_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_metrics_candidate_id_name_step_timestamp_value",
                table: "ml_candidate_metrics",
                columns: new[] { "candidate_id", "name", "step", "timestamp", "value" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_model_inputs_logged_model_id",
                table: "ml_candidate_model_inputs",
                column: "logged_model_id");

            migrationBuilder.CreateIndex(
                name: "ix_ml_logged_model_metrics_candidate_id",
                table: "ml_logged_model_metrics",
                column: "candidate_id");

            migrationBuilder.CreateIndex(
                name: "ix_ml_logged_model_metrics_logged_model_id_name_step_timestamp",
                table: "ml_logged_model_metrics",
                columns: new[] { "logged_model_id", "name", "step", "timestamp", "value", "candidate_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION registry_missing(text);");

            migrationBuilder.DropTable(
                name: "ml_candidate_model_inputs");

            migrationBuilder.DropTable(
                name: "ml_logged_model_metrics");

            migrationBuilder.DropIndex(
                name: "ix_ml_candidate_metrics_candidate_id_name_step_timestamp_value",
                table: "ml_candidate_metrics");

            migrationBuilder.DropColumn(
                name: "user_name",
                table: "ml_candidates");

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_metrics_candidate_id_name_step_timestamp_id",
                table: "ml_candidate_metrics",
                columns: new[] { "candidate_id", "name", "step", "timestamp", "id" });
        }
    }
}
