using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <inheritdoc />
    public partial class RuntimeFeatureGates : Migration
    {
        /// <summary>
        /// Every API process reloads its feature gates when one changes (<see cref="AuthChangeNotifications"/>): the
        /// notification is sent in the transaction that changes the row, so it arrives only once the change is committed.
        /// A TRUNCATE sends <c>all</c>, which makes them reload as well.
        /// </summary>
        private const string CreateNotifyingTrigger =
            """
            CREATE FUNCTION registry_notify_feature_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify('registry_auth', 'feature:' || OLD.feature_name);
                ELSE
                    PERFORM pg_notify('registry_auth', 'feature:' || NEW.feature_name);
                END IF;
                RETURN NULL;
            END $$;

            CREATE TRIGGER registry_notify_feature_change AFTER INSERT OR UPDATE OR DELETE ON feature_gates
                FOR EACH ROW EXECUTE FUNCTION registry_notify_feature_change();
            CREATE TRIGGER registry_notify_truncate AFTER TRUNCATE ON feature_gates
                FOR EACH STATEMENT EXECUTE FUNCTION registry_notify_truncate();
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "feature_gates",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    feature_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    project_id = table.Column<long>(type: "bigint", nullable: true),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_feature_gates", x => x.id);
                    table.ForeignKey(
                        name: "fk_feature_gates_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_feature_gates_global",
                table: "feature_gates",
                column: "feature_name",
                unique: true,
                filter: "project_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_feature_gates_project",
                table: "feature_gates",
                columns: new[] { "feature_name", "project_id" },
                unique: true,
                filter: "project_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_feature_gates_project_id",
                table: "feature_gates",
                column: "project_id");

            migrationBuilder.Sql(CreateNotifyingTrigger);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "feature_gates");
            migrationBuilder.Sql("DROP FUNCTION registry_notify_feature_change();");
        }
    }
}
