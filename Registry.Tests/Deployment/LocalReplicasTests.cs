using System.Net;
using System.Text.RegularExpressions;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Deployment;

/// <summary>
/// `Api:Replicas` runs that many API processes on the one database and artifact root, behind one endpoint, and as many
/// web UI processes (`Web:Replicas` defaults to it), which share sessions.
/// </summary>
public sealed class LocalReplicasTests
{
    private const string ArtifactPath = "/api/v4/projects/1/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/shared.txt";

    [Fact]
    public async Task With_Api_Replicas_2_two_API_processes_serve_and_each_reads_what_the_other_wrote_and_two_web_processes_share_sessions()
    {
        var token = new TestToken("replicas-" + Guid.NewGuid().ToString("N"));
        await using var app = await LocalApp.StartAsync($"--Parameters:bootstrap-token={token.Value}", "--Postgres:DataDir=temp", "--Api:Replicas=2");

        var replicas = await RunningReplicaUrlsAsync(app, "api", 2);
        // "Running" is the process started, not yet listening.
        using var first = await HealthyAsync(new HttpClient { BaseAddress = new Uri(replicas[0]) });
        using var second = await HealthyAsync(new HttpClient { BaseAddress = new Uri(replicas[1]) });
        await new RegisteredModelClient(first, 1, token).CreateAsync("from-the-first", "written through one replica");
        await (await second.SendRawAsync(HttpMethod.Put, ArtifactPath, new StringContent("shared"), token)).ShouldBeOkAsync();

        Assert.Equal("written through one replica", (string?)(await new RegisteredModelClient(second, 1, token).GetAsync("from-the-first"))["description"]);
        var download = await first.SendRawAsync(HttpMethod.Get, ArtifactPath, null, token);
        Assert.Equal("shared", await download.Content.ReadAsStringAsync());
        Assert.Equal("written through one replica", (string?)(await new RegisteredModelClient(app.Http, 1, token).GetAsync("from-the-first"))["description"]);

        var webReplicas = await RunningReplicaUrlsAsync(app, "web", 2);
        using var firstWeb = await WebClientAsync(webReplicas[0]);
        using var secondWeb = await WebClientAsync(webReplicas[1]);
        var session = await SignInAsync(firstWeb, token);
        using var projects = new HttpRequestMessage(HttpMethod.Get, "/projects");
        projects.Headers.Add("Cookie", session);
        var page = await secondWeb.SendAsync(projects);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h1>Projects</h1>", await page.Content.ReadAsStringAsync());
    }

    /// <summary>A client of one web replica that keeps cookies to itself (the test passes them) and follows no redirect.</summary>
    private static Task<HttpClient> WebClientAsync(string url) =>
        HealthyAsync(new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) });

    /// <summary>The client, once its replica answers <c>/health</c>.</summary>
    private static async Task<HttpClient> HealthyAsync(HttpClient replica)
    {
        // As long as LocalApp gives the AppHost to start: a full test run starts many processes on few cores.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            try
            {
                if ((await replica.GetAsync("/health")).IsSuccessStatusCode) return replica;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the replica at {replica.BaseAddress} was not healthy within {clock.Elapsed}");
    }

    /// <summary>Posts the sign-in form as a browser does; answers the session cookie (<c>name=value</c>).</summary>
    private static async Task<string> SignInAsync(HttpClient web, TestToken token)
    {
        var form = await web.GetAsync("/sign-in");
        var html = await form.Content.ReadAsStringAsync();
        var fields = Regex.Matches(html, "<input[^>]*type=\"hidden\"[^>]*>").Select(input => (
            Name: Regex.Match(input.Value, "name=\"([^\"]*)\"").Groups[1].Value,
            Value: WebUtility.HtmlDecode(Regex.Match(input.Value, "value=\"([^\"]*)\"").Groups[1].Value)))
            .Append((Name: "token", Value: token.Value));
        using var post = new HttpRequestMessage(HttpMethod.Post, "/sign-in") { Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))) };
        post.Headers.Add("Cookie", string.Join("; ", Cookies(form)));
        var signedIn = await web.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return Cookies(signedIn).Single(c => c.StartsWith("registry_session=", StringComparison.Ordinal));
    }

    private static IEnumerable<string> Cookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.Select(c => c.Split(';')[0]) : [];

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
