using System.Diagnostics;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Scale;

/// <summary>
/// SIGTERM hands a replica's traffic over: readiness fails at once while requests are still served for the drain delay,
/// then the process stops accepting, and a request already in flight still completes. A replica of its own, so that the
/// collection's pairs keep serving.
/// </summary>
[Collection(ScaleCollection.Name)]
public sealed class GracefulShutdownTests(ScaleFixture scale)
{
    [Fact]
    public async Task On_SIGTERM_readiness_fails_at_once_requests_are_served_through_the_drain_delay_and_an_upload_in_flight_completes()
    {
        var replicas = scale.File;
        var (project, token) = (replicas.Tenants.ProjectId, replicas.Tenants.Developer);
        await using var replica = await ApiReplica.StartAsync("leaving", new Dictionary<string, string>(replicas.Environment)
        {
            ["Registry__Shutdown__DrainDelaySeconds"] = "2",
        });
        var path = $"/api/v4/projects/{project}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/1/{Guid.NewGuid():N}/artifacts/slow.bin";
        var body = new SlowBody(chunks: 30, chunkBytes: 4096, pause: TimeSpan.FromMilliseconds(100));
        var upload = replica.Http.SendRawAsync(HttpMethod.Put, path, new StreamContent(body), token);
        await body.Started.WaitAsync(TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        var stopped = replica.StopAsync();
        var unready = await UntilAsync(async () => (await replica.Http.GetAsync("/health")).StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(1));
        var unreadyAfter = clock.Elapsed;
        var served = await replica.Http.GetAsync(project, "registered-models/get?name=absent", token);

        Assert.True(unready, "/health still passed a second after SIGTERM");
        Assert.True(unreadyAfter < TimeSpan.FromSeconds(1), $"readiness failed only {unreadyAfter} after SIGTERM");
        await served.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal("close", served.Headers.Connection.SingleOrDefault());
        Assert.False(stopped.IsCompleted, "the process stopped before its drain delay was over");

        await (await upload.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBeOkAsync();
        Assert.Equal(0, await stopped.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"stopped after {clock.Elapsed}, before the 2 s drain delay");
        var stored = await replicas.A.Http.SendRawAsync(HttpMethod.Get, path, null, token);
        Assert.Equal(30 * 4096, (await stored.Content.ReadAsByteArrayAsync()).Length);
    }

    private static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                if (await condition()) return true;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(20);
        }
        return false;
    }

    /// <summary>A request body that trickles in: the upload is still in flight while the process shuts down.</summary>
    private sealed class SlowBody(int chunks, int chunkBytes, TimeSpan pause) : Stream
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _sent;

        public Task Started => _started.Task;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent == chunks) return 0;
            if (_sent > 0) await Task.Delay(pause, cancellationToken);
            _started.TrySetResult();
            var count = Math.Min(chunkBytes, buffer.Length);
            buffer.Span[..count].Fill((byte)(_sent % 251));
            _sent++;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
