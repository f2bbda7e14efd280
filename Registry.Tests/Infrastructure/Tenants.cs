using Npgsql;
using Registry.Data;

namespace Registry.Tests.Infrastructure;

/// <summary>A user's personal access token, in plaintext as a client holds it.</summary>
public sealed record TestToken(string Value);

/// <summary>
/// Projects, users and tokens for the auth matrix, written straight into the database
/// (administration over HTTP is a later issue). Every name is unique per fixture.
/// </summary>
public sealed class Tenants
{
    public required long ProjectId { get; init; }
    public required long OtherProjectId { get; init; }
    public required long FlagOffProjectId { get; init; }

    public required TestToken Maintainer { get; init; }
    public required TestToken Developer { get; init; }
    public required TestToken DeveloperReadApi { get; init; }
    public required TestToken Reporter { get; init; }
    public required TestToken Guest { get; init; }
    public required TestToken Outsider { get; init; }
    public required TestToken Expired { get; init; }
    public required TestToken Revoked { get; init; }

    public static async Task<Tenants> SeedAsync(string connectionString, long flagOffProjectId)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var seed = new Seeder(dataSource, Guid.NewGuid().ToString("N")[..8]);

        var project = await seed.ProjectAsync("main");
        var other = await seed.ProjectAsync("other");
        await seed.ProjectAsync("flag-off", flagOffProjectId);

        var maintainer = await seed.UserAsync("maintainer");
        var developer = await seed.UserAsync("developer");
        var reporter = await seed.UserAsync("reporter");
        var guest = await seed.UserAsync("guest");
        var outsider = await seed.UserAsync("outsider");
        await seed.MemberAsync(project, maintainer, 40);
        await seed.MemberAsync(project, developer, 30);
        await seed.MemberAsync(flagOffProjectId, developer, 30);
        await seed.MemberAsync(project, reporter, 20);
        await seed.MemberAsync(project, guest, 10);
        await seed.MemberAsync(other, outsider, 40);

        return new Tenants
        {
            ProjectId = project,
            OtherProjectId = other,
            FlagOffProjectId = flagOffProjectId,
            Maintainer = await seed.TokenAsync(maintainer, ["api"]),
            Developer = await seed.TokenAsync(developer, ["api"]),
            DeveloperReadApi = await seed.TokenAsync(developer, ["read_api"]),
            Reporter = await seed.TokenAsync(reporter, ["api"]),
            Guest = await seed.TokenAsync(guest, ["api"]),
            Outsider = await seed.TokenAsync(outsider, ["api"]),
            Expired = await seed.TokenAsync(developer, ["api"], expiresAt: DateTime.UtcNow.AddDays(-1)),
            Revoked = await seed.TokenAsync(developer, ["api"], revoked: true),
        };
    }

    private sealed class Seeder(NpgsqlDataSource dataSource, string suffix)
    {
        public async Task<long> ProjectAsync(string name, long? id = null)
        {
            await using var command = id is null
                ? dataSource.CreateCommand("INSERT INTO projects (name) VALUES ($1) RETURNING id")
                : dataSource.CreateCommand("INSERT INTO projects (id, name) OVERRIDING SYSTEM VALUE VALUES ($2, $1) RETURNING id");
            command.Parameters.Add(new NpgsqlParameter { Value = $"{name}-{suffix}" });
            if (id is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = id.Value });
            }
            return (long)(await command.ExecuteScalarAsync())!;
        }

        public async Task<long> UserAsync(string name)
        {
            await using var command = dataSource.CreateCommand("INSERT INTO users (username) VALUES ($1) RETURNING id");
            command.Parameters.Add(new NpgsqlParameter { Value = $"{name}-{suffix}" });
            return (long)(await command.ExecuteScalarAsync())!;
        }

        public async Task MemberAsync(long projectId, long userId, int accessLevel)
        {
            await using var command = dataSource.CreateCommand(
                "INSERT INTO project_members (project_id, user_id, access_level) VALUES ($1, $2, $3)");
            command.Parameters.Add(new NpgsqlParameter { Value = projectId });
            command.Parameters.Add(new NpgsqlParameter { Value = userId });
            command.Parameters.Add(new NpgsqlParameter { Value = accessLevel });
            await command.ExecuteNonQueryAsync();
        }

        public async Task<TestToken> TokenAsync(long userId, string[] scopes, DateTime? expiresAt = null, bool revoked = false)
        {
            var token = "glpat-" + Guid.NewGuid().ToString("N");
            await using var command = dataSource.CreateCommand(
                "INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at, revoked) VALUES ($1, 'test', $2, $3, $4, $5)");
            command.Parameters.Add(new NpgsqlParameter { Value = userId });
            command.Parameters.Add(new NpgsqlParameter { Value = TokenDigest.Of(token) });
            command.Parameters.Add(new NpgsqlParameter { Value = scopes });
            command.Parameters.Add(new NpgsqlParameter { Value = expiresAt ?? DateTime.UtcNow.AddDays(30), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = revoked });
            await command.ExecuteNonQueryAsync();
            return new TestToken(token);
        }
    }
}
