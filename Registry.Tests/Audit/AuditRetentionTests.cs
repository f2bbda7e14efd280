using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Api.Features.Audit;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Audit;

/// <summary>The purge every API process runs (at start, then hourly) deletes what is older than the retention and nothing else.</summary>
[Collection(RegistryCollection.Name)]
public sealed class AuditRetentionTests(RegistryAppFixture app)
{
    [Fact]
    public async Task The_purge_deletes_audit_events_older_than_the_retention_and_keeps_the_rest()
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        var marker = MlflowHttp.UniqueName("retention");
        await using (var insert = dataSource.CreateCommand(
            """
            INSERT INTO audit_events (created_at, entity_type, entity_id, event_name, target_type, target_details)
            SELECT now() - make_interval(days => age), 'Project', 0, 'retention_probe', 'Probe', $1 || '/' || age
            FROM unnest(ARRAY[400, 31, 29, 0]) AS age
            """))
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = marker });
            await insert.ExecuteNonQueryAsync();
        }
        var retention = new AuditRetention(dataSource, Options.Create(new AuditOptions { RetentionDays = 30 }), NullLogger<AuditRetention>.Instance);

        var purged = await retention.PurgeAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(purged >= 2, $"purged {purged}");
        await using var left = dataSource.CreateCommand("SELECT array_agg(target_details ORDER BY created_at) FROM audit_events WHERE target_details LIKE $1 || '/%'");
        left.Parameters.Add(new NpgsqlParameter<string> { TypedValue = marker });
        Assert.Equal([$"{marker}/29", $"{marker}/0"], (string[])(await left.ExecuteScalarAsync())!);
    }
}
