using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.Scale;

/// <summary>
/// A rolling restart under load: while eight clients write through the balanced endpoint, replica A is stopped (SIGTERM)
/// and started again, as a platform replaces a replica (B's turn would prove nothing more, and cost CI another start).
/// Clients retry 503 and connection errors as the MLflow client does; they must see
/// nothing else, no request may outlive its timeout, and every write that was answered 200 must be there afterwards.
/// </summary>
[Collection(ScaleCollection.Name)]
public sealed class RollingRestartTests(ScaleFixture scale, ITestOutputHelper output)
{
    private const int Clients = 8;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ThinkTime = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task Restarting_a_replica_under_load_answers_only_200_or_503_and_loses_no_acknowledged_write()
    {
        var replicas = scale.File;
        var (project, token) = (replicas.Tenants.ProjectId, replicas.Tenants.Developer);
        var setup = new TrackingClient(replicas.Balanced.Http, project, token);
        var experimentId = await setup.CreateExperimentAsync(MlflowHttp.UniqueName("rolling"));
        var runs = new List<string>();
        for (var c = 0; c < Clients; c++) runs.Add(await setup.NewRunIdAsync(experimentId, $"client-{c}"));
        var prefix = MlflowHttp.UniqueName("rolling");
        var tally = new Tally();
        var acknowledgedModels = new ConcurrentBag<string>();
        var acknowledgedSteps = new ConcurrentBag<(string RunId, int Step)>();

        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = replicas.Balanced.Http.BaseAddress, Timeout = RequestTimeout };
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                if (i % 2 == 0)
                {
                    var name = $"{prefix}-{c}-{i}";
                    if (await tally.SendAsync(() => http.PostJsonAsync(project, "registered-models/create", new { name }, token))) acknowledgedModels.Add(name);
                }
                else if (await tally.SendAsync(() => new TrackingClient(http, project, token).LogBatchAsync(runs[c], [TrackingClient.Metric("step", i, step: i)])))
                {
                    acknowledgedSteps.Add((runs[c], i));
                }
                await Task.Delay(ThinkTime);
            }
        })).ToList();

        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var replica = replicas.A;
        var stopping = clock.Elapsed;
        Assert.Equal(0, await replica.StopAsync());
        var stopped = clock.Elapsed;
        await replica.StartAsync();
        output.WriteLine($"{replica.Name}: SIGTERM at {stopping.TotalSeconds:F1} s, exited after {(stopped - stopping).TotalSeconds:F1} s, ready again at {clock.Elapsed.TotalSeconds:F1} s");
        // Load on both again, once the balancer's probe has seen A ready.
        await Task.Delay(TimeSpan.FromSeconds(1));
        stop.Cancel();
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(60));

        var lost = await LostAsync(replicas.ConnectionString, project, [.. acknowledgedModels], [.. acknowledgedSteps]);
        output.WriteLine($"{tally} over {clock.Elapsed.TotalSeconds:F1} s; acknowledged writes {acknowledgedModels.Count + acknowledgedSteps.Count}, lost {lost}");
        Assert.True(tally.Other.IsEmpty, $"answers other than 200 and 503: {tally}");
        Assert.Equal(0, tally.TimedOut);
        Assert.Equal(0, tally.Failed);
        Assert.True(acknowledgedModels.Count > 0 && acknowledgedSteps.Count > 0);
        Assert.Equal(0, lost);
    }

    private static async Task<int> LostAsync(string connectionString, long project, string[] models, (string RunId, int Step)[] steps)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM unnest($2::text[]) n WHERE NOT EXISTS (SELECT 1 FROM ml_models m WHERE m.project_id = $1 AND m.name = n))
                 + (SELECT count(*) FROM unnest($3::text[], $4::int[]) s(run_id, step) WHERE NOT EXISTS (
                       SELECT 1 FROM ml_candidate_metrics p JOIN ml_candidates r ON r.id = p.candidate_id
                       WHERE r.project_id = $1 AND r.run_id = s.run_id AND p.name = 'step' AND p.step = s.step))
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = project });
        command.Parameters.Add(new NpgsqlParameter { Value = models });
        command.Parameters.Add(new NpgsqlParameter { Value = steps.Select(s => s.RunId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = steps.Select(s => s.Step).ToArray() });
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>What the clients saw, attempt by attempt.</summary>
    private sealed class Tally
    {
        private const int Attempts = 10;
        private int _requests, _ok, _unavailable, _connectionErrors, _timedOut, _failed;

        public ConcurrentDictionary<int, int> Other { get; } = new();
        public int TimedOut => _timedOut;

        /// <summary>Writes that gave up after every retry.</summary>
        public int Failed => _failed;

        /// <summary>Sends until 200 (true) or a final answer; retries 503 and connection errors with back-off, as MLflow's client does.</summary>
        public async Task<bool> SendAsync(Func<Task<HttpResponseMessage>> send)
        {
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                Interlocked.Increment(ref _requests);
                try
                {
                    using var response = await send();
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.OK:
                            Interlocked.Increment(ref _ok);
                            return true;
                        case HttpStatusCode.ServiceUnavailable:
                            Interlocked.Increment(ref _unavailable);
                            break;
                        default:
                            Other.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                            return false;
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref _connectionErrors);
                }
                catch (TaskCanceledException)
                {
                    Interlocked.Increment(ref _timedOut);
                    return false;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt));
            }
            Interlocked.Increment(ref _failed);
            return false;
        }

        public override string ToString() =>
            $"{_requests} requests: {_ok} × 200, {_unavailable} × 503, {_connectionErrors} connection errors, {_timedOut} timed out, " +
            $"{Other.Sum(o => o.Value)} other ({string.Join(", ", Other.Select(o => $"{o.Value} × {o.Key}"))})";
    }
}
