using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <summary>
    /// The outbox becomes one row per event (issue 18's write-cost target; figures in bench/README.md): a write used to
    /// insert one delivery per subscribed webhook, each with four index entries and a foreign-key check; now it inserts
    /// one event naming its webhooks, and the dispatcher that takes it makes the deliveries. The table keeps only its key,
    /// and wakes the dispatchers as the deliveries table does (once per statement). Builds before this one still write
    /// deliveries directly, which this build's dispatchers claim as before.
    /// </summary>
    public partial class OneOutboxRowPerEvent : Migration
    {
        private const string Notify =
            """
            CREATE TRIGGER registry_notify_webhook_events AFTER INSERT ON webhook_events
                REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION registry_notify_webhook_deliveries();
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "webhook_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    @event = table.Column<string>(name: "event", type: "character varying(64)", maxLength: 64, nullable: false),
                    payload = table.Column<string>(type: "json", nullable: false),
                    webhook_ids = table.Column<Guid[]>(type: "uuid[]", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_events", x => x.id);
                });
            migrationBuilder.Sql(Notify);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "webhook_events");
        }
    }
}
