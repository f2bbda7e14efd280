using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <summary>
    /// Makes recording a write cheap (issue 18's write-cost targets; figures in bench/README.md): the actor's functions
    /// no longer plan their SQL body on every call, the outbox wakes dispatchers once per statement instead of once per
    /// delivery row, and outbox rows no longer lock the project's row (see WebhookDeliveryConfiguration).
    /// </summary>
    public partial class FasterRecordedWrites : Migration
    {
        /// <summary>
        /// registry_actor() returns a set (of one row), so PostgreSQL inlines its body into the write (a function that
        /// returns one record is run as a separate SQL function, planned again in every statement); OFFSET 0 keeps the
        /// setting parsed once. registry_act_as is PL/pgSQL, whose plan is cached per session (a SQL procedure's body is
        /// planned on every CALL). The notification trigger runs once per statement, and only when it inserted rows.
        /// </summary>
        private const string FastFunctions =
            """
            DROP FUNCTION registry_actor();
            CREATE FUNCTION registry_actor()
            RETURNS TABLE (author_id bigint, author_name text, token_id bigint, ip_address text, request_id text, via text)
            LANGUAGE sql STABLE ROWS 1 AS $$
                SELECT (a->>'author_id')::bigint, a->>'author_name', (a->>'token_id')::bigint, a->>'ip_address', a->>'request_id',
                       COALESCE(a->>'via', 'sql')
                FROM (SELECT NULLIF(current_setting('registry.actor', true), '')::jsonb AS a OFFSET 0) actor
            $$;

            CREATE OR REPLACE PROCEDURE registry_act_as(actor jsonb) LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM set_config('registry.actor', actor::text, true);
            END $$;

            DROP TRIGGER registry_notify_webhook_delivery ON webhook_deliveries;
            DROP FUNCTION registry_notify_webhook_delivery();
            CREATE FUNCTION registry_notify_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM inserted) THEN
                    PERFORM pg_notify('registry_webhooks', '');
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER registry_notify_webhook_deliveries AFTER INSERT ON webhook_deliveries
                REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION registry_notify_webhook_deliveries();
            """;

        /// <summary>WebhooksAndAuditEvents' definitions.</summary>
        private const string SlowFunctions =
            """
            DROP TRIGGER registry_notify_webhook_deliveries ON webhook_deliveries;
            DROP FUNCTION registry_notify_webhook_deliveries();
            CREATE FUNCTION registry_notify_webhook_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('registry_webhooks', '');
                RETURN NULL;
            END $$;
            CREATE TRIGGER registry_notify_webhook_delivery AFTER INSERT ON webhook_deliveries
                FOR EACH ROW EXECUTE FUNCTION registry_notify_webhook_delivery();

            CREATE OR REPLACE PROCEDURE registry_act_as(actor jsonb) LANGUAGE sql AS $$
                SELECT set_config('registry.actor', actor::text, true)
            $$;

            DROP FUNCTION registry_actor();
            CREATE FUNCTION registry_actor(
                OUT author_id bigint, OUT author_name text, OUT token_id bigint, OUT ip_address text, OUT request_id text, OUT via text)
            LANGUAGE sql STABLE AS $$
                SELECT (a->>'author_id')::bigint, a->>'author_name', (a->>'token_id')::bigint, a->>'ip_address', a->>'request_id',
                       COALESCE(a->>'via', 'sql')
                FROM (SELECT NULLIF(current_setting('registry.actor', true), '')::jsonb AS a) actor
            $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Contract step: the previous build survives it: it never reads deliveries by project (the index) nor relies on
            // the project foreign key (deletes cascade through webhooks), and it calls registry_actor() in FROM and
            // registry_act_as() with CALL, which the new definitions serve alike.
            migrationBuilder.Sql(FastFunctions);

            migrationBuilder.DropForeignKey(
                name: "fk_webhook_deliveries_projects_project_id",
                table: "webhook_deliveries");

            migrationBuilder.DropIndex(
                name: "ix_webhook_deliveries_project_id",
                table: "webhook_deliveries");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SlowFunctions);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_project_id",
                table: "webhook_deliveries",
                column: "project_id");

            migrationBuilder.AddForeignKey(
                name: "fk_webhook_deliveries_projects_project_id",
                table: "webhook_deliveries",
                column: "project_id",
                principalTable: "projects",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
