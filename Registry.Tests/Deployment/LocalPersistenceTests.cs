using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Deployment;

/// <summary>`dotnet run --project Registry.AppHost` keeps its data: what was written before a restart is there after it.</summary>
public sealed class LocalPersistenceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"registry-persistence-{Guid.NewGuid():N}");
    private readonly TestToken _token = new("persistence-" + Guid.NewGuid().ToString("N"));

    private string[] Settings => [$"--Parameters:bootstrap-token={_token.Value}", "--Postgres:Mode=executable", $"--Postgres:DataDir={Path.Combine(_root, "pgdata")}"];

    [Fact]
    public async Task A_model_a_run_with_metrics_and_an_artifact_written_before_a_restart_are_all_there_after_it_on_a_durable_cluster()
    {
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        string experimentId, runId;
        await using (var before = await LocalApp.StartAsync(Settings))
        {
            await new RegisteredModelClient(before.Http, 1, _token).CreateAsync("kept", "written before the restart");
            var tracking = new TrackingClient(before.Http, 1, _token);
            experimentId = await tracking.CreateExperimentAsync("kept-experiment");
            runId = await tracking.NewRunIdAsync(experimentId, "kept-run");
            await (await tracking.LogBatchAsync(runId, [TrackingClient.Metric("loss", 0.5, step: 0), TrackingClient.Metric("loss", 0.25, step: 1)])).ShouldBeOkAsync();
            await (await before.Http.SendRawAsync(HttpMethod.Put, ArtifactPath(experimentId, runId), new ByteArrayContent(content), _token)).ShouldBeOkAsync();
        }

        await using var after = await LocalApp.StartAsync(Settings);
        Assert.Equal("written before the restart", (string?)(await new RegisteredModelClient(after.Http, 1, _token).GetAsync("kept"))["description"]);
        var run = await new TrackingClient(after.Http, 1, _token).GetRunAsync(runId);
        Assert.Equal("kept-run", (string?)run["info"]!["run_name"]);
        var history = await (await after.Http.GetAsync(1, $"metrics/get-history?run_id={runId}&metric_key=loss", _token)).ShouldBeOkAsync();
        Assert.Equal([0.5, 0.25], history["metrics"]!.AsArray().Select(m => (double)m!["value"]!));
        var download = await after.Http.SendRawAsync(HttpMethod.Get, ArtifactPath(experimentId, runId), null, _token);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("on", await ShowAsync(after.ConnectionString, "fsync"));
        Assert.Equal("on", await ShowAsync(after.ConnectionString, "full_page_writes"));
    }

    [Fact]
    public async Task A_second_AppHost_on_a_data_directory_in_use_is_refused_with_what_to_do()
    {
        await using var running = await LocalApp.StartAsync(Settings);

        var (exitCode, output) = await AppHostCommand.RunAsync(Settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"The PostgreSQL data directory {Path.Combine(_root, "pgdata")} is in use by PostgreSQL", output);
        Assert.Contains("Postgres:DataDir=temp", output);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    private static string ArtifactPath(string experimentId, string runId) =>
        $"/api/v4/projects/1/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/model/weights.bin";

    private static async Task<string?> ShowAsync(string connectionString, string setting)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return (string?)await new NpgsqlCommand($"SHOW {setting}", connection).ExecuteScalarAsync();
    }
}
