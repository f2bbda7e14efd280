using System.Diagnostics;
using System.Net.Sockets;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Security;

/// <summary>What the README promises about SIGTERM, on a real API process (Kestrel, not the test server).</summary>
[Collection(RegistryCollection.Name)]
public sealed class ShutdownTests(RegistryAppFixture app)
{
    /// <summary>Shorter than the default (5 s): the drain itself is <c>GracefulShutdownTests</c>' subject.</summary>
    private static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task On_SIGTERM_the_API_takes_no_new_connections_after_its_drain_delay_and_finishes_the_request_in_flight()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var port = FreePort();
        var artifacts = Directory.CreateTempSubdirectory("registry-shutdown-").FullName;
        // Run from its own folder, so it reads its appsettings.json as a deployed API does.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(Repository.BuiltDll("Registry.Api"))! };
        start.ArgumentList.Add(Repository.BuiltDll("Registry.Api"));
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__registrydb"] = app.ConnectionString;
        start.Environment["Registry__Artifacts__Root"] = artifacts;
        start.Environment["OTEL_SDK_DISABLED"] = "true";
        start.Environment["Registry__Shutdown__DrainDelaySeconds"] = $"{DrainDelay.TotalSeconds}";
        using var api = Process.Start(start)!;
        api.OutputDataReceived += (_, _) => { };
        api.ErrorDataReceived += (_, _) => { };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            while (!await AnswersAsync(http))
            {
                await Task.Delay(200, timeout.Token);
            }

            // An upload that takes four seconds to send, longer than the drain delay; SIGTERM arrives while it is in flight.
            var body = new SlowContent(chunks: 20, chunkBytes: 64 * 1024, pause: TimeSpan.FromMilliseconds(200));
            var path = $"shutdown{Guid.NewGuid():N}/weights.bin";
            var upload = http.SendRawAsync(HttpMethod.Put,
                $"/api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}", body, app.Tenants.Developer);
            await body.Started.Task.WaitAsync(timeout.Token);
            using (var kill = Process.Start("kill", ["-TERM", api.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(timeout.Token);
            }

            var refused = Stopwatch.StartNew();
            while (await AcceptsAsync(port))
            {
                Assert.True(refused.Elapsed < DrainDelay + TimeSpan.FromSeconds(2), $"the API still accepted connections {refused.Elapsed} after SIGTERM (drain delay {DrainDelay})");
                await Task.Delay(50, timeout.Token);
            }
            Assert.False(body.Finished, "the upload had finished before the API stopped listening; the test proves nothing");
            await (await upload.WaitAsync(timeout.Token)).ShouldBeOkAsync();
            await api.WaitForExitAsync(timeout.Token);

            Assert.Equal(0, api.ExitCode);
            Assert.Equal(20 * 64 * 1024, new FileInfo(Path.Combine(artifacts, "projects", $"{app.Tenants.ProjectId}", path)).Length);
        }
        finally
        {
            if (!api.HasExited)
            {
                api.Kill(entireProcessTree: true);
            }
            Directory.Delete(artifacts, recursive: true);
        }
    }

    private static async Task<bool> AnswersAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/alive")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A body sent in pauses, so the request is still in flight when the test wants it to be.</summary>
    private sealed class SlowContent(int chunks, int chunkBytes, TimeSpan pause) : HttpContent
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Finished { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[chunkBytes];
            for (var i = 0; i < chunks; i++)
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
                Started.TrySetResult();
                await Task.Delay(pause);
            }
            Finished = true;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = (long)chunks * chunkBytes;
            return true;
        }
    }
}
