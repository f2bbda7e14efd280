using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <inheritdoc />
    public partial class ModelNamesInByteOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_ml_models_project_id_name_pattern",
                table: "ml_models");

            migrationBuilder.AlterColumn<string>(
                name: "name",
                table: "ml_models",
                type: "character varying(255)",
                maxLength: 255,
                nullable: false,
                collation: "C",
                oldClrType: typeof(string),
                oldType: "character varying(255)",
                oldMaxLength: 255);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "name",
                table: "ml_models",
                type: "character varying(255)",
                maxLength: 255,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(255)",
                oldMaxLength: 255,
                oldCollation: "C");

            migrationBuilder.CreateIndex(
                name: "ix_ml_models_project_id_name_pattern",
                table: "ml_models",
                columns: new[] { "project_id", "name" })
                .Annotation("Npgsql:IndexOperators", new[] { "int8_ops", "text_pattern_ops" });
        }
    }
}
