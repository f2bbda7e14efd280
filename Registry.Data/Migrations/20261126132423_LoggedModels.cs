using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <inheritdoc />
    public partial class LoggedModels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "logged_model_id",
                table: "ml_model_versions",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ml_logged_models",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    experiment_id = table.Column<long>(type: "bigint", nullable: false),
                    model_id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    model_type = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    source_run_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status_message = table.Column<string>(type: "text", nullable: true),
                    user_id = table.Column<long>(type: "bigint", nullable: true),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_logged_models", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_logged_models_ml_experiments_experiment_id",
                        column: x => x.experiment_id,
                        principalTable: "ml_experiments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_logged_models_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_logged_models_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "ml_candidate_outputs",
                columns: table => new
                {
                    candidate_id = table.Column<long>(type: "bigint", nullable: false),
                    logged_model_id = table.Column<long>(type: "bigint", nullable: false),
                    step = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_candidate_outputs", x => new { x.candidate_id, x.logged_model_id });
                    table.ForeignKey(
                        name: "fk_ml_candidate_outputs_logged_models_logged_model_id",
                        column: x => x.logged_model_id,
                        principalTable: "ml_logged_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_candidate_outputs_ml_candidates_candidate_id",
                        column: x => x.candidate_id,
                        principalTable: "ml_candidates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ml_logged_model_params",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    logged_model_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    value = table.Column<string>(type: "character varying(6000)", maxLength: 6000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_logged_model_params", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_logged_model_params_ml_logged_models_logged_model_id",
                        column: x => x.logged_model_id,
                        principalTable: "ml_logged_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ml_logged_model_tags",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    logged_model_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    value = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_logged_model_tags", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_logged_model_tags_ml_logged_models_logged_model_id",
                        column: x => x.logged_model_id,
                        principalTable: "ml_logged_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_versions_logged_model_id",
                table: "ml_model_versions",
                column: "logged_model_id");

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_outputs_logged_model_id",
                table: "ml_candidate_outputs",
                column: "logged_model_id");

            migrationBuilder.CreateIndex(
                name: "ix_ml_logged_model_params_logged_model_id_name",
                table: "ml_logged_model_params",
                columns: new[] { "logged_model_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_logged_model_tags_logged_model_id_name",
                table: "ml_logged_model_tags",
                columns: new[] { "logged_model_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_logged_models_experiment_id_created_at",
                table: "ml_logged_models",
                columns: new[] { "experiment_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_logged_models_model_id",
                table: "ml_logged_models",
                column: "model_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_logged_models_project_id",
                table: "ml_logged_models",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_ml_logged_models_user_id",
                table: "ml_logged_models",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_candidate_outputs");

            migrationBuilder.DropTable(
                name: "ml_logged_model_params");

            migrationBuilder.DropTable(
                name: "ml_logged_model_tags");

            migrationBuilder.DropTable(
                name: "ml_logged_models");

            migrationBuilder.DropIndex(
                name: "ix_ml_model_versions_logged_model_id",
                table: "ml_model_versions");

            migrationBuilder.DropColumn(
                name: "logged_model_id",
                table: "ml_model_versions");
        }
    }
}
