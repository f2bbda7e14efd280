using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Registry.Data;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Tracking;

[Collection(OutageCollection.Name)]
public sealed class MetricPointKeyMigrationTests
{
    /// <summary>The last migration while points had a surrogate id and a foreign key to their run.</summary>
    private const string BeforeThePointKey = "20261127150829_FasterRecordedWrites";

    /// <summary>The run of project 1 (run ids below are the project's id repeated).</summary>
    private const string KeptRun = "11111111111111111111111111111111";

    [Fact]
    public async Task Points_logged_before_the_upgrade_keep_their_data_and_follow_their_run_after_it()
    {
        await using var postgres = await OwnedPostgres.StartNewAsync();
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString("registrydb"));
        await using (var db = Context(dataSource))
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeThePointKey);
        }
        await ExecuteAsync(dataSource,
            """
            INSERT INTO projects (id, name) VALUES (1, 'kept'), (2, 'deleted');
            INSERT INTO ml_experiments (project_id, iid, name, created_at, updated_at) VALUES (1, 1, 'e', now(), now()), (2, 1, 'e', now(), now());
            INSERT INTO ml_candidates (project_id, experiment_id, run_id, status, start_time, created_at, updated_at)
            SELECT e.project_id, e.id, repeat(e.project_id::text, 32), 'RUNNING', 0, now(), now() FROM ml_experiments e;
            INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step)
            SELECT r.id, 'loss', 1.0 / s, 1700000000000 + s, s FROM ml_candidates r, generate_series(1, 1000) s;
            INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step)
            SELECT r.id, 'nan', 'NaN', 0, 0 FROM ml_candidates r;
            """);
        var before = await PointsAsync(dataSource, KeptRun);

        await using (var db = Context(dataSource))
        {
            await db.Database.MigrateAsync();
        }

        Assert.Equal(1001, before.Count);
        Assert.Equal(before, await PointsAsync(dataSource, KeptRun));
        Assert.Equal("PRIMARY KEY (candidate_id, name, step, \"timestamp\", value)", await ScalarAsync(dataSource,
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'ml_candidate_metrics'::regclass AND contype = 'p'"));
        Assert.Equal(0L, await ScalarAsync(dataSource,
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'ml_candidate_metrics'::regclass AND attname = 'id' AND NOT attisdropped"));
        await ExecuteAsync(dataSource,
            """
            INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step)
            SELECT r.id, 'nan', 'NaN', 0, 0 FROM ml_candidates r ON CONFLICT (candidate_id, name, step, timestamp, value) DO NOTHING;
            DELETE FROM projects WHERE id = 2;
            """);
        Assert.Equal(1001L, await ScalarAsync(dataSource, "SELECT count(*) FROM ml_candidate_metrics"));
    }

    private static async Task<List<string>> PointsAsync(NpgsqlDataSource dataSource, string runId)
    {
        await using var read = dataSource.CreateCommand(
            """
            SELECT m.name || ' ' || m.step || ' ' || m.timestamp || ' ' || m.value FROM ml_candidate_metrics m JOIN ml_candidates r ON r.id = m.candidate_id
            WHERE r.run_id = $1 ORDER BY m.name, m.step, m.timestamp, m.value
            """);
        read.Parameters.AddWithValue(runId);
        await using var reader = await read.ExecuteReaderAsync();
        var points = new List<string>();
        while (await reader.ReadAsync())
        {
            points.Add(reader.GetString(0));
        }
        return points;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    private static RegistryDbContext Context(NpgsqlDataSource dataSource) =>
        new((DbContextOptions<RegistryDbContext>)new DbContextOptionsBuilder<RegistryDbContext>().UseRegistryDatabase(dataSource).Options);
}
