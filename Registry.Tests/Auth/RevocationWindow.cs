using System.Diagnostics;
using Npgsql;

namespace Registry.Tests.Auth;

/// <summary>
/// Measures how long API processes keep letting a credential in after the database says it is gone: a poller watches
/// the database for the commit while one poller per process repeats the credential's request until it is refused.
/// The window runs from the last time the database still showed the old state to the moment a refusal came back, so
/// it errs on the long side.
/// </summary>
public static class RevocationWindow
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan GiveUp = TimeSpan.FromMinutes(2);

    public sealed record Result(string Process, TimeSpan Window, int AcceptedAfterCommit)
    {
        public override string ToString() =>
            $"{Process}: {(Window == TimeSpan.MaxValue ? "never refused" : $"{Window.TotalMilliseconds:F0} ms")}, {AcceptedAfterCommit} requests accepted after the commit";
    }

    /// <param name="committed">SQL answering true once the change is committed.</param>
    /// <param name="change">Makes the change (the CLI, the API of some process, plain SQL).</param>
    /// <param name="refused">Per process: sends the credential's request and says whether it was refused.</param>
    /// <param name="limit">How long after the commit to keep trying before calling it never refused.</param>
    public static async Task<IReadOnlyList<Result>> MeasureAsync(
        string connectionString, string committed, Func<Task> change, IReadOnlyDictionary<string, Func<Task<bool>>> refused, TimeSpan limit)
    {
        foreach (var (process, probe) in refused)
        {
            Assert.False(await probe(), $"{process} refused before the change");
        }

        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(GiveUp);
        var commit = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = WatchCommitAsync(connectionString, committed, clock, commit, stop.Token);
        var probes = refused.Select(p => ProbeAsync(p.Key, p.Value, clock, commit.Task, limit, stop.Token)).ToList();
        await change();
        await watch;
        var commitAt = await commit.Task;
        return [.. (await Task.WhenAll(probes)).Select(o => new Result(
            o.Process,
            o.RefusedAt is { } at ? (at > commitAt ? at - commitAt : TimeSpan.Zero) : TimeSpan.MaxValue,
            o.Accepted.Count(t => t > commitAt)))];
    }

    private static async Task WatchCommitAsync(
        string connectionString, string committed, Stopwatch clock, TaskCompletionSource<TimeSpan> commit, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var lastSeenBefore = clock.Elapsed;
        while (true)
        {
            var asked = clock.Elapsed;
            await using var command = dataSource.CreateCommand(committed);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                commit.SetResult(lastSeenBefore);
                return;
            }
            lastSeenBefore = asked;
            await Task.Delay(PollEvery, cancellationToken);
        }
    }

    private static async Task<(string Process, TimeSpan? RefusedAt, List<TimeSpan> Accepted)> ProbeAsync(
        string process, Func<Task<bool>> refused, Stopwatch clock, Task<TimeSpan> commit, TimeSpan limit, CancellationToken cancellationToken)
    {
        var accepted = new List<TimeSpan>();
        while (!commit.IsCompleted || clock.Elapsed < commit.Result + limit)
        {
            var sent = clock.Elapsed;
            if (await refused())
            {
                return (process, clock.Elapsed, accepted);
            }
            accepted.Add(sent);
            await Task.Delay(PollEvery, cancellationToken);
        }
        return (process, null, accepted);
    }
}
