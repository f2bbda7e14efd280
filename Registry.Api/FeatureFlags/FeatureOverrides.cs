using System.Collections.Frozen;
using System.Diagnostics;
using Npgsql;
using Registry.Api.Auth;

namespace Registry.Api.FeatureFlags;

/// <summary>What the Features API set for one flag: for every project (<see cref="Global"/>) and per project.</summary>
public sealed record FlagOverrides(bool? Global, FrozenDictionary<long, bool> Projects)
{
    public static readonly FlagOverrides None = new(null, FrozenDictionary<long, bool>.Empty);

    public bool IsEmpty => Global is null && Projects.Count == 0;

    /// <summary>From <c>feature_gates</c> rows of one flag: a null project is the gate for every project.</summary>
    public static FlagOverrides From(IEnumerable<(long? Project, bool Enabled)> gates)
    {
        var list = gates.ToList();
        return new(
            list.Where(g => g.Project is null).Select(g => (bool?)g.Enabled).SingleOrDefault(),
            list.Where(g => g.Project is not null).ToFrozenDictionary(g => g.Project!.Value, g => g.Enabled));
    }
}

/// <summary>
/// The <c>feature_gates</c> table, held in memory so that evaluating a flag never waits on the database. It is read
/// again when <see cref="AuthChangeListener"/> hears a gate change (sent in the changing transaction, so after its
/// commit) and whenever the listener (re)connects; while the listener hears nothing, what was read is trusted for half
/// a second only, as the auth cache does. A read that fails (the database is away) keeps the last state, or none: the
/// configuration alone.
/// </summary>
public sealed class FeatureOverrides
{
    private static readonly TimeSpan UnheardLifetime = TimeSpan.FromMilliseconds(500);

    private readonly NpgsqlDataSource _dataSource;
    private readonly AuthChangeListener _listener;
    private readonly ILogger<FeatureOverrides> _logger;
    private readonly Lock _gate = new();
    private Snapshot _snapshot = new(-1, 0, Trusted: false, FrozenDictionary<string, FlagOverrides>.Empty);
    private long _changes;
    private Task? _reading;
    private long _readingFor = -1;

    public FeatureOverrides(NpgsqlDataSource dataSource, AuthChangeListener listener, ILogger<FeatureOverrides> logger)
    {
        (_dataSource, _listener, _logger) = (dataSource, listener, logger);
        listener.FeatureGatesChanged += Changed;
        listener.HearingAgain += Changed;
    }

    public async ValueTask<FlagOverrides> ForAsync(string flag)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (!IsFresh(snapshot))
        {
            await ReadAsync();
            snapshot = Volatile.Read(ref _snapshot);
        }
        return snapshot.Flags.GetValueOrDefault(flag, FlagOverrides.None);
    }

    /// <summary>A gate changed (here or anywhere): read the table again, before any evaluation that follows.</summary>
    public void Changed()
    {
        Interlocked.Increment(ref _changes);
        _ = ReadAsync();
    }

    private bool IsFresh(Snapshot snapshot) =>
        snapshot.Changes == Interlocked.Read(ref _changes)
        && ((snapshot.Trusted && _listener.IsHearing) || Stopwatch.GetElapsedTime(snapshot.ReadAt) < UnheardLifetime);

    /// <summary>One read at a time for the latest change; a read that started before a change cannot stand for it.</summary>
    private Task ReadAsync()
    {
        lock (_gate)
        {
            var changes = Interlocked.Read(ref _changes);
            if (_reading is null || _readingFor != changes || (_reading.IsCompleted && !IsFresh(Volatile.Read(ref _snapshot))))
            {
                _readingFor = changes;
                _reading = Task.Run(() => ReadTableAsync(changes));
            }
            return _reading;
        }
    }

    private async Task ReadTableAsync(long changes)
    {
        var readAt = Stopwatch.GetTimestamp();
        try
        {
            Install(new Snapshot(changes, readAt, Trusted: true, await FeatureGateTable.ReadAsync(_dataSource, CancellationToken.None)));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The database is away: every request that gets past the gate meets the outage itself. Keep what was known
            // for half a second, so that evaluations do not each wait for a read of their own.
            _logger.LogDebug(e, "Could not read the feature gates; keeping the last ones read");
            Install(Volatile.Read(ref _snapshot) with { Changes = changes, ReadAt = readAt, Trusted = false });
        }
    }

    /// <summary>Reads finish in any order; the one for the latest change wins.</summary>
    private void Install(Snapshot read)
    {
        lock (_gate)
        {
            if (read.Changes >= _snapshot.Changes)
            {
                Volatile.Write(ref _snapshot, read);
            }
        }
    }

    private sealed record Snapshot(long Changes, long ReadAt, bool Trusted, FrozenDictionary<string, FlagOverrides> Flags);
}
