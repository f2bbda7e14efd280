using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <inheritdoc />
    public partial class ImmediateRevocationAndTokenExpiry : Migration
    {
        /// <summary>See <see cref="AuthChangeNotifications"/>: what each change tells the API processes.</summary>
        private const string CreateNotifyingTriggers =
            """
            CREATE FUNCTION registry_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    PERFORM pg_notify('registry_auth', 'token:' || encode(OLD.token_digest, 'hex'));
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    PERFORM pg_notify('registry_auth', 'token:' || encode(NEW.token_digest, 'hex'));
                END IF;
                RETURN NULL;
            END $$;

            CREATE FUNCTION registry_notify_member_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    PERFORM pg_notify('registry_auth', 'member:' || OLD.user_id || ':' || OLD.project_id);
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    PERFORM pg_notify('registry_auth', 'member:' || NEW.user_id || ':' || NEW.project_id);
                END IF;
                RETURN NULL;
            END $$;

            CREATE FUNCTION registry_notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('registry_auth', 'user:' || OLD.id);
                RETURN NULL;
            END $$;

            CREATE FUNCTION registry_notify_project_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    INSERT INTO pending_artifact_deletions (project_id) VALUES (OLD.id);
                    PERFORM pg_notify('registry_auth', 'project:' || OLD.id);
                ELSE
                    PERFORM pg_notify('registry_auth', 'project:' || NEW.id);
                END IF;
                RETURN NULL;
            END $$;

            CREATE FUNCTION registry_notify_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('registry_auth', 'all');
                RETURN NULL;
            END $$;

            CREATE TRIGGER registry_notify_token_change AFTER INSERT OR UPDATE OR DELETE ON personal_access_tokens
                FOR EACH ROW EXECUTE FUNCTION registry_notify_token_change();
            CREATE TRIGGER registry_notify_member_change AFTER INSERT OR UPDATE OR DELETE ON project_members
                FOR EACH ROW EXECUTE FUNCTION registry_notify_member_change();
            CREATE TRIGGER registry_notify_user_change AFTER UPDATE OR DELETE ON users
                FOR EACH ROW EXECUTE FUNCTION registry_notify_user_change();
            CREATE TRIGGER registry_notify_project_change AFTER INSERT OR DELETE ON projects
                FOR EACH ROW EXECUTE FUNCTION registry_notify_project_change();
            CREATE TRIGGER registry_notify_truncate AFTER TRUNCATE ON personal_access_tokens
                FOR EACH STATEMENT EXECUTE FUNCTION registry_notify_truncate();
            CREATE TRIGGER registry_notify_truncate AFTER TRUNCATE ON project_members
                FOR EACH STATEMENT EXECUTE FUNCTION registry_notify_truncate();
            CREATE TRIGGER registry_notify_truncate AFTER TRUNCATE ON users
                FOR EACH STATEMENT EXECUTE FUNCTION registry_notify_truncate();
            CREATE TRIGGER registry_notify_truncate AFTER TRUNCATE ON projects
                FOR EACH STATEMENT EXECUTE FUNCTION registry_notify_truncate();
            """;

        private const string DropNotifyingTriggers =
            """
            DROP TRIGGER registry_notify_truncate ON projects;
            DROP TRIGGER registry_notify_truncate ON users;
            DROP TRIGGER registry_notify_truncate ON project_members;
            DROP TRIGGER registry_notify_truncate ON personal_access_tokens;
            DROP TRIGGER registry_notify_project_change ON projects;
            DROP TRIGGER registry_notify_user_change ON users;
            DROP TRIGGER registry_notify_member_change ON project_members;
            DROP TRIGGER registry_notify_token_change ON personal_access_tokens;
            DROP FUNCTION registry_notify_truncate();
            DROP FUNCTION registry_notify_project_change();
            DROP FUNCTION registry_notify_user_change();
            DROP FUNCTION registry_notify_member_change();
            DROP FUNCTION registry_notify_token_change();
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Contract step: breaks the previous build during a rolling upgrade (it predates the README's upgrade rule): that build stores a token created without expires_at as NULL, which now fails (500) until every replica runs this one.
            // Every token expires: those that never did get the longest lifetime a new token may have (365 days, as GitLab
            // caps it), from today, so that no one is locked out by the upgrade.
            migrationBuilder.Sql(
                """
                UPDATE personal_access_tokens
                SET expires_at = (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '365 days') AT TIME ZONE 'UTC'
                WHERE expires_at IS NULL;
                """);
            migrationBuilder.AlterColumn<DateTime>(
                name: "expires_at",
                table: "personal_access_tokens",
                type: "timestamp with time zone",
                nullable: false,
                oldClrType: typeof(DateTime),
                oldType: "timestamp with time zone",
                oldNullable: true);

            migrationBuilder.CreateTable(
                name: "pending_artifact_deletions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    requested_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    attempts = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pending_artifact_deletions", x => x.id);
                });

            migrationBuilder.Sql(CreateNotifyingTriggers);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(DropNotifyingTriggers);

            migrationBuilder.DropTable(
                name: "pending_artifact_deletions");

            migrationBuilder.AlterColumn<DateTime>(
                name: "expires_at",
                table: "personal_access_tokens",
                type: "timestamp with time zone",
                nullable: true,
                oldClrType: typeof(DateTime),
                oldType: "timestamp with time zone");
        }
    }
}
