using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Registry.Data;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth;

[Collection(OutageCollection.Name)]
public sealed class TokenExpiryMigrationTests
{
    /// <summary>The last migration before every token had to expire.</summary>
    private const string BeforeExpiries = "20261126154635_ModelNamesInByteOrder";

    [Fact]
    public async Task Tokens_that_never_expired_get_the_maximum_lifetime_when_the_schema_is_upgraded()
    {
        await using var postgres = await OwnedPostgres.StartNewAsync();
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString("registrydb"));
        await using (var db = Context(dataSource))
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeExpiries);
        }
        await using (var insert = dataSource.CreateCommand(
            """
            INSERT INTO users (username) VALUES ('old-timer');
            INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at)
            SELECT id, 'forever', '\x01'::bytea, ARRAY['api'], NULL FROM users WHERE username = 'old-timer';
            INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at)
            SELECT id, 'dated', '\x02'::bytea, ARRAY['api'], '2030-01-01T00:00:00Z' FROM users WHERE username = 'old-timer';
            """))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await using (var db = Context(dataSource))
        {
            await db.Database.MigrateAsync();
        }

        await using var read = dataSource.CreateCommand("SELECT name, expires_at FROM personal_access_tokens ORDER BY name");
        await using var reader = await read.ExecuteReaderAsync();
        var expiries = new Dictionary<string, DateTime>();
        while (await reader.ReadAsync())
        {
            expiries[reader.GetString(0)] = reader.GetDateTime(1);
        }
        Assert.Equal(new DateTime(2030, 1, 1), expiries["dated"].Date);
        Assert.InRange(expiries["forever"].Date, DateTime.UtcNow.Date.AddDays(364), DateTime.UtcNow.Date.AddDays(366));
    }

    private static RegistryDbContext Context(NpgsqlDataSource dataSource) =>
        new((DbContextOptions<RegistryDbContext>)new DbContextOptionsBuilder<RegistryDbContext>().UseRegistryDatabase(dataSource).Options);
}
