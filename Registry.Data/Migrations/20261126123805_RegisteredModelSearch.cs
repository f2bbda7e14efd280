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

            // Tag filters (tags.k = 'v'): values may be up to 5000 characters, too long for a btree on the value itself.
            migrationBuilder.Sql(
                "CREATE INDEX ix_ml_model_metadata_name_value_md5 ON ml_model_metadata (name, md5(value)) INCLUDE (model_id);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_ml_model_metadata_name_value_md5;");

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
