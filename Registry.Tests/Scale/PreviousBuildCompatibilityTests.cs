using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.Scale;

/// <summary>
/// The upgrade rule, end to end: the API built just before the newest migration, started on a database migrated to this
/// commit (as its replicas are while a rolling upgrade runs), is ready and serves the MLflow flows, and what it writes
/// and what this build writes are read by the other.
/// </summary>
[Collection(ScaleCollection.Name)]
public sealed class PreviousBuildCompatibilityTests(ScaleFixture scale, ITestOutputHelper output)
{
    [PreviousBuildFact]
    public async Task The_previous_build_serves_on_this_schema_beside_this_build()
    {
        var commit = PreviousBuild.Find().Commit!;
        var dll = await PreviousBuild.BuildAsync(commit, TimeSpan.FromMinutes(15));
        output.WriteLine($"previous build: {commit}");
        var replicas = scale.File;
        await using var previous = await ApiReplica.StartAsync("previous", replicas.Environment, dll);
        var (project, token) = (replicas.Tenants.ProjectId, replicas.Tenants.Developer);
        var (old, current) = (previous.Http, replicas.A.Http);
        var name = MlflowHttp.UniqueName("upgrade");

        var oldVersions = new ModelVersionClient(old, project, token);
        await oldVersions.Models.CreateAsync(name, "by the previous build");
        await oldVersions.CreateAsync(name);
        await oldVersions.TransitionAsync(name, "1", "Staging");
        await (await oldVersions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "champion", version = "1" })).ShouldBeOkAsync();
        var oldTracking = new TrackingClient(old, project, token);
        var experimentId = await oldTracking.CreateExperimentAsync(MlflowHttp.UniqueName("upgrade"));
        var runId = await oldTracking.NewRunIdAsync(experimentId);
        await (await oldTracking.LogBatchAsync(runId, [TrackingClient.Metric("loss", 0.5)], [TrackingClient.Pair("lr", "0.1")])).ShouldBeOkAsync();
        var artifact = $"/api/v4/projects/{project}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/model.bin";
        await (await old.SendRawAsync(HttpMethod.Put, artifact, new ByteArrayContent([1, 2, 3]), token)).ShouldBeOkAsync();

        var currentVersions = new ModelVersionClient(current, project, token);
        Assert.Equal("by the previous build", (string?)(await currentVersions.Models.GetAsync(name))["description"]);
        Assert.Equal([("1", "Staging")], await currentVersions.LatestAsync(name, "Staging"));
        var run = await new TrackingClient(current, project, token).GetRunAsync(runId);
        Assert.Equal("0.1", (string?)run["data"]!["params"]!.AsArray().Single()!["value"]);
        Assert.Equal([1, 2, 3], await (await current.SendRawAsync(HttpMethod.Get, artifact, null, token)).Content.ReadAsByteArrayAsync());

        await currentVersions.CreateAsync(name);
        Assert.Equal("2", (string?)(await oldVersions.GetAsync(name, "2"))["version"]);
        Assert.Equal([$"{name}/1", $"{name}/2"], (await oldVersions.SearchAsync($"name = '{name}'")).Versions.Order(StringComparer.Ordinal));
        Assert.Single((await oldTracking.SearchRunsAsync([experimentId], "metrics.loss < 1")).RunIds);
        var person = await new AdminHttp(old, replicas.Admin).PersonAsync(project, 30);
        await (await current.PostJsonAsync(project, "experiments/create", new { name = MlflowHttp.UniqueName("upgrade-member") }, person.Token)).ShouldBeOkAsync();
    }
}
