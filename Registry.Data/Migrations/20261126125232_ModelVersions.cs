using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <inheritdoc />
    public partial class ModelVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "last_version",
                table: "ml_models",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ml_model_versions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    model_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    description = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: true),
                    source = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    run_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    run_link = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status_message = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: true),
                    current_stage = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    user_id = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_model_versions", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_model_versions_ml_models_model_id",
                        column: x => x.model_id,
                        principalTable: "ml_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_model_versions_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_model_versions_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "ml_model_version_aliases",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    model_id = table.Column<long>(type: "bigint", nullable: false),
                    model_version_id = table.Column<long>(type: "bigint", nullable: false),
                    alias = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_model_version_aliases", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_model_version_aliases_ml_models_model_id",
                        column: x => x.model_id,
                        principalTable: "ml_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ml_model_version_aliases_model_versions_model_version_id",
                        column: x => x.model_version_id,
                        principalTable: "ml_model_versions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ml_model_version_metadata",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    model_version_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    value = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ml_model_version_metadata", x => x.id);
                    table.ForeignKey(
                        name: "fk_ml_model_version_metadata_ml_model_versions_model_version_id",
                        column: x => x.model_version_id,
                        principalTable: "ml_model_versions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_version_aliases_model_id_alias",
                table: "ml_model_version_aliases",
                columns: new[] { "model_id", "alias" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_version_aliases_model_version_id",
                table: "ml_model_version_aliases",
                column: "model_version_id");

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_version_metadata_model_version_id_name",
                table: "ml_model_version_metadata",
                columns: new[] { "model_version_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_versions_model_id_current_stage_version",
                table: "ml_model_versions",
                columns: new[] { "model_id", "current_stage", "version" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_versions_model_id_version",
                table: "ml_model_versions",
                columns: new[] { "model_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_versions_project_id_run_id",
                table: "ml_model_versions",
                columns: new[] { "project_id", "run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_model_versions_user_id",
                table: "ml_model_versions",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ml_model_version_aliases");

            migrationBuilder.DropTable(
                name: "ml_model_version_metadata");

            migrationBuilder.DropTable(
                name: "ml_model_versions");

            migrationBuilder.DropColumn(
                name: "last_version",
                table: "ml_models");
        }
    }
}
