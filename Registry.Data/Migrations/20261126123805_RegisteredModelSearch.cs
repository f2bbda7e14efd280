using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <inheritdoc />
    public partial class RegisteredModelSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_ml_models_ml_experiments_default_experiment_id",
                table: "ml_models");

            migrationBuilder.CreateIndex(
                name: "ix_ml_models_project_id_created_at_name",
                table: "ml_models",
                columns: new[] { "project_id", "created_at", "name" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_models_project_id_name_pattern",
                table: "ml_models",
                columns: new[] { "project_id", "name" })
                .Annotation("Npgsql:IndexOperators", new[] { "int8_ops", "text_pattern_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_ml_models_project_id_updated_at_name",
                table: "ml_models",
                columns: new[] { "project_id", "updated_at", "name" });

            migrationBuilder.AddForeignKey(
                name: "fk_ml_models_ml_experiments_default_experiment_id",
                table: "ml_models",
                column: "default_experiment_id",
                principalTable: "ml_experiments",
                principalColumn: "id");

            // Tag filters (tags.k = 'v') as index-only scans. Values may be 5000 characters, more than a btree row holds,
            // so the index covers values up to 1 KiB; searches for longer values fall back to probing each model's tags.
            migrationBuilder.Sql(
                "CREATE INDEX ix_ml_model_metadata_name_value ON ml_model_metadata (name, value) INCLUDE (model_id) WHERE octet_length(value) <= 1024;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_ml_model_metadata_name_value;");

            migrationBuilder.DropForeignKey(
                name: "fk_ml_models_ml_experiments_default_experiment_id",
                table: "ml_models");

            migrationBuilder.DropIndex(
                name: "ix_ml_models_project_id_created_at_name",
                table: "ml_models");

            migrationBuilder.DropIndex(
                name: "ix_ml_models_project_id_name_pattern",
                table: "ml_models");

            migrationBuilder.DropIndex(
                name: "ix_ml_models_project_id_updated_at_name",
                table: "ml_models");

            migrationBuilder.AddForeignKey(
                name: "fk_ml_models_ml_experiments_default_experiment_id",
                table: "ml_models",
                column: "default_experiment_id",
                principalTable: "ml_experiments",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }
    }
}
