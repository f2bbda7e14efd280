using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.TrackingClient;

namespace Registry.Tests.Tracking;

/// <summary>
/// A metric point never outlives its run. Points have no per-row foreign key (migration FasterMetricIngestion): a statement
/// trigger locks the runs an insert names, once per statement, and deleting runs (a project's deletion cascades to them)
/// deletes their points. So a log-batch racing its project's deletion either lands first and goes with the run, or fails.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class MetricPointsFollowTheirRunTests(RegistryAppFixture app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly AdminHttp _admin = new(app.Http, new TestToken(app.BootstrapToken));

    /// <summary>A new project with a developer and runs that each hold a few points; the runs' row ids.</summary>
    private async Task<(long ProjectId, TrackingClient Tracking, string[] RunIds, long[] Ids)> ProjectWithRunsAsync(int runs)
    {
        var projectId = await _admin.ProjectAsync();
        var developer = await _admin.PersonAsync(projectId, 30);
        var tracking = new TrackingClient(app.Http, projectId, developer.Token);
        var experimentId = await tracking.CreateExperimentAsync(MlflowHttp.UniqueName("points"));
        var runIds = new string[runs];
        for (var i = 0; i < runs; i++)
        {
            runIds[i] = await tracking.NewRunIdAsync(experimentId);
            await (await tracking.LogBatchAsync(runIds[i], metrics: [Metric("loss", 0.5, step: 0), Metric("acc", 0.9, step: 0)])).ShouldBeOkAsync();
        }
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var ids = dataSource.CreateCommand("SELECT array_agg(id) FROM ml_candidates WHERE run_id = ANY($1)");
        ids.Parameters.AddWithValue(runIds);
        return (projectId, tracking, runIds, (long[])(await ids.ExecuteScalarAsync())!);
    }

    /// <summary>Points of these run ids, and how many of them have no run.</summary>
    private async Task<(long Points, long Orphans)> PointsAsync(long[] runs)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var count = dataSource.CreateCommand(
            """
            SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT FROM ml_candidates r WHERE r.id = m.candidate_id))
            FROM ml_candidate_metrics m WHERE m.candidate_id = ANY($1)
            """);
        count.Parameters.AddWithValue(runs);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task ExecuteAsync(NpgsqlTransaction transaction, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, transaction.Connection, transaction);
        foreach (var parameter in parameters) command.Parameters.AddWithValue(parameter);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until the statement <paramref name="running"/> on backend <paramref name="pid"/> finished or waits for a lock.</summary>
    private static async Task BlockedOrDoneAsync(NpgsqlDataSource dataSource, int pid, Task running)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!running.IsCompleted)
        {
            await using var waiting = dataSource.CreateCommand("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1");
            waiting.Parameters.AddWithValue(pid);
            if (await waiting.ExecuteScalarAsync(timeout.Token) is true) return;
            await Task.Delay(20, timeout.Token);
        }
    }

    private static string InsertPoints(string name) =>
        $"INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step) SELECT $1, '{name}', s, 0, s FROM generate_series(1, 100) s";

    [Theory]
    [InlineData("through the API")]
    [InlineData("by plain SQL")]
    public async Task Deleting_a_project_deletes_its_runs_metric_points(string how)
    {
        var (projectId, _, _, ids) = await ProjectWithRunsAsync(3);
        Assert.Equal((6L, 0L), await PointsAsync(ids));

        if (how == "by plain SQL")
        {
            await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
            await dataSource.CreateCommand($"DELETE FROM projects WHERE id = {projectId}").ExecuteNonQueryAsync();
        }
        else
        {
            Assert.Equal(HttpStatusCode.NoContent, (await _admin.SendAsync(HttpMethod.Delete, $"projects/{projectId}", _admin.Admin)).StatusCode);
        }

        Assert.Equal((0L, 0L), await PointsAsync(ids));
    }

    [Fact]
    public async Task Log_batches_racing_the_deletion_of_their_project_leave_no_point_without_its_run()
    {
        using var timeout = new CancellationTokenSource(Patience * 3);
        for (var round = 0; round < 6; round++)
        {
            var (projectId, tracking, runIds, ids) = await ProjectWithRunsAsync(2);
            var batches = Enumerable.Range(0, 8).Select(async i =>
            {
                await Task.Delay(i * round, timeout.Token);
                return await tracking.LogBatchAsync(runIds[i % 2], metrics: [.. Enumerable.Range(0, 1000).Select(s => Metric("x", s, step: (i * 1000) + s))]);
            }).ToList();
            await Task.Delay(5 * round, timeout.Token);
            var deletion = _admin.SendAsync(HttpMethod.Delete, $"projects/{projectId}", _admin.Admin);

            Assert.Equal(HttpStatusCode.NoContent, (await deletion.WaitAsync(timeout.Token)).StatusCode);
            foreach (var response in await Task.WhenAll(batches).WaitAsync(timeout.Token))
            {
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
                }
            }
            Assert.Equal((0L, 0L), await PointsAsync(ids));
        }
    }

    [Fact]
    public async Task Points_written_before_their_run_is_deleted_are_deleted_with_it_when_they_commit()
    {
        var (projectId, _, _, ids) = await ProjectWithRunsAsync(1);
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var writerConnection = await dataSource.OpenConnectionAsync();
        await using var writer = await writerConnection.BeginTransactionAsync();
        await ExecuteAsync(writer, InsertPoints("late"), ids[0]);

        await using var deleter = await dataSource.OpenConnectionAsync();
        var deletion = new NpgsqlCommand($"DELETE FROM projects WHERE id = {projectId}", deleter).ExecuteNonQueryAsync();
        await BlockedOrDoneAsync(dataSource, deleter.ProcessID, deletion);
        await writer.CommitAsync();
        await deletion.WaitAsync(Patience);

        Assert.Equal((0L, 0L), await PointsAsync(ids));
    }

    [Fact]
    public async Task Points_written_while_their_run_is_being_deleted_fail_as_a_missing_reference_and_leave_nothing()
    {
        var (projectId, _, _, ids) = await ProjectWithRunsAsync(1);
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var deleterConnection = await dataSource.OpenConnectionAsync();
        await using var deleter = await deleterConnection.BeginTransactionAsync();
        await ExecuteAsync(deleter, $"DELETE FROM projects WHERE id = {projectId}");

        await using var writer = await dataSource.OpenConnectionAsync();
        await using var late = new NpgsqlCommand(InsertPoints("late"), writer);
        late.Parameters.AddWithValue(ids[0]);
        var insert = late.ExecuteNonQueryAsync();
        await BlockedOrDoneAsync(dataSource, writer.ProcessID, insert);
        await deleter.CommitAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => insert.WaitAsync(Patience));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        Assert.Equal((0L, 0L), await PointsAsync(ids));
    }

    [Fact]
    public async Task A_point_naming_no_run_is_refused_as_a_foreign_key_would()
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var insert = dataSource.CreateCommand(InsertPoints("nowhere"));
        insert.Parameters.AddWithValue(long.MaxValue);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        Assert.Equal((0L, 0L), await PointsAsync([long.MaxValue]));
    }

    [Fact]
    public async Task Runs_are_deleted_at_read_committed_only_where_the_cleanup_sees_points_committed_meanwhile()
    {
        var (projectId, _, _, ids) = await ProjectWithRunsAsync(1);
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var repeatable = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            new NpgsqlCommand($"DELETE FROM projects WHERE id = {projectId}", connection, repeatable).ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.FeatureNotSupported, refused.SqlState);
        await repeatable.RollbackAsync();
        Assert.Equal((2L, 0L), await PointsAsync(ids));
    }
}
