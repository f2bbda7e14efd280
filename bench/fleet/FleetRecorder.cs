using System.Collections.Concurrent;

namespace Registry.Bench.Fleet;

/// <summary>Requests by kind and their failures, shared by every job.</summary>
internal sealed class FleetRecorder
{
    private readonly ConcurrentDictionary<string, long> succeeded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> failures = new(StringComparer.Ordinal);

    public long Errors => failures.Values.Sum();

    public void Succeeded(string kind) => succeeded.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Failed(string kind, string why) => failures.AddOrUpdate($"{kind}: {why}", 1, (_, n) => n + 1);

    public long Count(string kind) => succeeded.GetValueOrDefault(kind);

    /// <summary>The most frequent failures, most frequent first.</summary>
    public IEnumerable<string> TopFailures(int count) =>
        failures.OrderByDescending(f => f.Value).Take(count).Select(f => $"{f.Value} x {f.Key}");
}
