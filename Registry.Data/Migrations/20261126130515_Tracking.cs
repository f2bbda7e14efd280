using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <inheritdoc />
    public partial class Tracking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Lets one statement refuse itself with a message for the client (e.g. a param logged again with another
            // value): the statement fails as a whole, so a batch is all or nothing. SQLSTATE RG400 = RunWrite.RejectedState.
            migrationBuilder.Sql(
                """
                CREATE FUNCTION registry_fail(message text) RETURNS text LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION USING MESSAGE = message, ERRCODE = 'RG400';
                END $$;
                """);

            migrationBuilder.AddColumn<string>(
                name: "artifact_location",
                table: "ml_experiments",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "deleted_at",
                table: "ml_experiments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ml_candidates",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    experiment_id = table.Column<long>(type: "bigint", nullable: false),
                    run_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: true),
                    user_id = table.Column<long>(type: "bigint", nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    start_time = table.Column<long>(type: "bigint", nullable: false),
                    end_time = table.Column<long>(type: "bigint", nullable: true),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_candidates", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_candidates_experiments_experiment_id",
                        column: x => x.experiment_id,
                        principalTable: "ml_experiments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_candidates_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_candidates_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "ml_experiment_metadata",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    experiment_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    value = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_experiment_metadata", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_experiment_metadata_ml_experiments_experiment_id",
                        column: x => x.experiment_id,
                        principalTable: "ml_experiments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ml_candidate_inputs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    candidate_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    digest = table.Column<string>(type: "text", nullable: false),
                    dataset = table.Column<string>(type: "jsonb", nullable: false),
                    tags = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_candidate_inputs", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_candidate_inputs_ml_candidates_candidate_id",
                        column: x => x.candidate_id,
                        principalTable: "ml_candidates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ml_candidate_latest_metrics",
                columns: table => new
                {
                    candidate_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    value = table.Column<double>(type: "double precision", nullable: false),
                    timestamp = table.Column<long>(type: "bigint", nullable: false),
                    step = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_candidate_latest_metrics", x => new { x.candidate_id, x.name });
                    table.ForeignKey(
                        name: "fk_ml_candidate_latest_metrics_ml_candidates_candidate_id",
                        column: x => x.candidate_id,
                        principalTable: "ml_candidates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ml_candidate_metadata",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    candidate_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    value = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_candidate_metadata", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_candidate_metadata_ml_candidates_candidate_id",
                        column: x => x.candidate_id,
                        principalTable: "ml_candidates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ml_candidate_metrics",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    candidate_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    value = table.Column<double>(type: "double precision", nullable: false),
                    timestamp = table.Column<long>(type: "bigint", nullable: false),
                    step = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_candidate_metrics", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_candidate_metrics_ml_candidates_candidate_id",
                        column: x => x.candidate_id,
                        principalTable: "ml_candidates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ml_candidate_params",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    candidate_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    value = table.Column<string>(type: "character varying(6000)", maxLength: 6000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_candidate_params", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_candidate_params_ml_candidates_candidate_id",
                        column: x => x.candidate_id,
                        principalTable: "ml_candidates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_inputs_candidate_id_name_digest",
                table: "ml_candidate_inputs",
                columns: new[] { "candidate_id", "name", "digest" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_latest_metrics_name_value",
                table: "ml_candidate_latest_metrics",
                columns: new[] { "name", "value" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_metadata_candidate_id_name",
                table: "ml_candidate_metadata",
                columns: new[] { "candidate_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_metrics_candidate_id_name_step_timestamp_id",
                table: "ml_candidate_metrics",
                columns: new[] { "candidate_id", "name", "step", "timestamp", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_params_candidate_id_name",
                table: "ml_candidate_params",
                columns: new[] { "candidate_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidates_experiment_id_start_time_run_id",
                table: "ml_candidates",
                columns: new[] { "experiment_id", "start_time", "run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidates_project_id",
                table: "ml_candidates",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidates_run_id",
                table: "ml_candidates",
                column: "run_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidates_user_id",
                table: "ml_candidates",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_ml_experiment_metadata_experiment_id_name",
                table: "ml_experiment_metadata",
                columns: new[] { "experiment_id", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION registry_fail(text);");

            migrationBuilder.DropTable(
                name: "ml_candidate_inputs");

            migrationBuilder.DropTable(
                name: "ml_candidate_latest_metrics");

            migrationBuilder.DropTable(
                name: "ml_candidate_metadata");

            migrationBuilder.DropTable(
                name: "ml_candidate_metrics");

            migrationBuilder.DropTable(
                name: "ml_candidate_params");

            migrationBuilder.DropTable(
                name: "ml_experiment_metadata");

            migrationBuilder.DropTable(
                name: "ml_candidates");

            migrationBuilder.DropColumn(
                name: "artifact_location",
                table: "ml_experiments");

            migrationBuilder.DropColumn(
                name: "deleted_at",
                table: "ml_experiments");
        }
    }
}
