using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Api.Features.Artifacts;
using Registry.Api.Mlflow;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

/// <summary>
/// Deleting a project takes its artifacts with it: the deletion is recorded in the same transaction as the project's
/// (also when done by plain SQL) and carried out in the background, resuming after a crash; nothing can be uploaded
/// into a deleted project.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ProjectDeletionTests(RegistryAppFixture app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly AdminHttp _api = new(app.Http, new TestToken(app.BootstrapToken));

    private string ProjectDirectory(long projectId) => Path.Combine(app.ArtifactsRoot, "projects", $"{projectId}");

    private static string ArtifactUrl(long projectId, string path) => $"/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}";

    private async Task<(long ProjectId, Person Developer)> ProjectWithArtifactsAsync(HttpClient? http = null)
    {
        var projectId = await _api.ProjectAsync();
        var developer = await _api.PersonAsync(projectId, 30);
        foreach (var path in new[] { "1/run/artifacts/model/weights.bin", "1/run/artifacts/MLmodel", "models/m-1/artifacts/x" })
        {
            await (await (http ?? app.Http).SendRawAsync(HttpMethod.Put, ArtifactUrl(projectId, path), new ByteArrayContent([1, 2, 3]), developer.Token)).ShouldBeOkAsync();
        }
        Assert.True(File.Exists(Path.Combine(ProjectDirectory(projectId), "1/run/artifacts/model/weights.bin")));
        return (projectId, developer);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    private async Task AssertArtifactsGoneAsync(long projectId)
    {
        var clock = Stopwatch.StartNew();
        while (Directory.Exists(ProjectDirectory(projectId)) && clock.Elapsed < Patience)
        {
            await Task.Delay(50);
        }
        Assert.False(Directory.Exists(ProjectDirectory(projectId)), $"project {projectId}'s artifacts are still there after {Patience}");
        while ((long)(await ScalarAsync($"SELECT count(*) FROM pending_artifact_deletions WHERE project_id = {projectId}"))! > 0 && clock.Elapsed < Patience)
        {
            await Task.Delay(50);
        }
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM pending_artifact_deletions WHERE project_id = {projectId}"));
    }

    [Fact]
    public async Task Deleting_a_project_removes_its_artifacts_in_the_background()
    {
        var (projectId, _) = await ProjectWithArtifactsAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"projects/{projectId}", _api.Admin)).StatusCode);

        await AssertArtifactsGoneAsync(projectId);
    }

    [Fact]
    public async Task A_project_deleted_by_plain_SQL_loses_its_artifacts_too()
    {
        var (projectId, _) = await ProjectWithArtifactsAsync();

        await ScalarAsync($"DELETE FROM projects WHERE id = {projectId}");

        await AssertArtifactsGoneAsync(projectId);
    }

    [Fact]
    public async Task An_artifact_put_into_a_deleted_project_is_404_and_leaves_nothing()
    {
        await using var second = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = app.ConnectionString,
            ["Registry:Artifacts:Root"] = app.ArtifactsRoot,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        using var b = second.CreateClient();
        var (projectId, developer) = await ProjectWithArtifactsAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await b.SendRawAsync(HttpMethod.Delete, $"/api/v4/projects/{projectId}", null, _api.Admin)).StatusCode);
        var put = await app.Http.SendRawAsync(HttpMethod.Put, ArtifactUrl(projectId, "late/file.bin"), new ByteArrayContent([9]), developer.Token);

        await put.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await AssertArtifactsGoneAsync(projectId);
    }

    [Fact]
    public async Task An_upload_landing_after_its_deleted_projects_artifacts_were_removed_leaves_no_directory_behind()
    {
        // The race the test above can lose: the upload was authorized just before the deletion, and the deletion's
        // worker removed the project's directory before the upload placed its file (recreating the directories).
        var projectId = 8_000_000 + Random.Shared.Next(1_000_000);
        var store = new FileArtifactStore(Options.Create(new ArtifactOptions { Root = app.ArtifactsRoot }));
        await store.WriteAsync(projectId, "late/deeper/file.bin", new MemoryStream([9]), CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        var guard = new DeletedProjectGuard(dataSource, store, NullLogger<DeletedProjectGuard>.Instance);
        var http = new DefaultHttpContext();
        http.Request.RouteValues["projectId"] = $"{projectId}";
        http.Request.RouteValues["path"] = "late/deeper/file.bin";

        var answer = await guard.InvokeAsync(new DefaultEndpointFilterInvocationContext(http), _ => ValueTask.FromResult<object?>(Results.Ok()));

        Assert.Equal(StatusCodes.Status404NotFound, Assert.IsType<MlflowError>(answer).StatusCode);
        Assert.False(Directory.Exists(ProjectDirectory(projectId)));
    }

    [Fact]
    public async Task A_deletion_cut_short_by_a_crash_is_finished_by_the_next_process()
    {
        var projectId = 7_000_000 + Random.Shared.Next(1_000_000);
        var leftOver = Path.Combine(ProjectDirectory(projectId), "1/run/artifacts/half-deleted.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(leftOver)!);
        await File.WriteAllBytesAsync(leftOver, [1]);
        // What a process that claimed the deletion and died left behind: a claim whose lease has run out.
        await ScalarAsync($"INSERT INTO pending_artifact_deletions (project_id, attempts, next_attempt_at) VALUES ({projectId}, 1, now() - interval '1 second')");

        await using var next = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = app.ConnectionString,
            ["Registry:Artifacts:Root"] = app.ArtifactsRoot,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        using var http = next.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);

        await AssertArtifactsGoneAsync(projectId);
    }
}
