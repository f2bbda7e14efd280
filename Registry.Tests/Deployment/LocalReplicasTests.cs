using Registry.Tests.Infrastructure;

namespace Registry.Tests.Deployment;

/// <summary>`Api:Replicas` runs that many API processes on the one database and artifact root, behind one endpoint.</summary>
public sealed class LocalReplicasTests
{
    private const string ArtifactPath = "/api/v4/projects/1/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/shared.txt";

    [Fact]
    public async Task With_Api_Replicas_2_two_API_processes_serve_and_each_reads_what_the_other_wrote()
    {
        var token = new TestToken("replicas-" + Guid.NewGuid().ToString("N"));
        await using var app = await LocalApp.StartAsync($"--Parameters:bootstrap-token={token.Value}", "--Postgres:DataDir=temp", "--Api:Replicas=2");

        var replicas = await RunningReplicaUrlsAsync(app, "api", 2);
        using var first = new HttpClient { BaseAddress = new Uri(replicas[0]) };
        using var second = new HttpClient { BaseAddress = new Uri(replicas[1]) };
        await new RegisteredModelClient(first, 1, token).CreateAsync("from-the-first", "written through one replica");
        await (await second.SendRawAsync(HttpMethod.Put, ArtifactPath, new StringContent("shared"), token)).ShouldBeOkAsync();

        Assert.Equal("written through one replica", (string?)(await new RegisteredModelClient(second, 1, token).GetAsync("from-the-first"))["description"]);
        var download = await first.SendRawAsync(HttpMethod.Get, ArtifactPath, null, token);
        Assert.Equal("shared", await download.Content.ReadAsStringAsync());
        Assert.Equal("written through one replica", (string?)(await new RegisteredModelClient(app.Http, 1, token).GetAsync("from-the-first"))["description"]);
    }

    /// <summary>Each replica's own address (the balanced endpoint is the same for all of them), once that many run.</summary>
    private static async Task<List<string>> RunningReplicaUrlsAsync(LocalApp app, string resource, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var urls = new Dictionary<string, string>();
        await foreach (var update in app.Notifications.WatchAsync(timeout.Token))
        {
            if (update.Resource.Name != resource || update.Snapshot.State?.Text != KnownResourceStates.Running)
            {
                continue;
            }
            urls[update.ResourceId] = (string)update.Snapshot.EnvironmentVariables.Single(v => v.Name == "ASPNETCORE_URLS").Value!;
            if (urls.Count == count)
            {
                return [.. urls.Values];
            }
        }
        throw new TimeoutException();
    }
}
