namespace Registry.Tests.RealClient;

/// <summary>
/// A [Fact] for one MLflow major version; skipped with a message that says how to enable it when no client can be found,
/// except under CI (CI=true), where a missing client fails the test instead.
/// </summary>
public sealed class RealClientFactAttribute : FactAttribute
{
    public RealClientFactAttribute(int major)
    {
        if (!MlflowClients.IsCi && MlflowClients.Unavailable(major) is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// The pytest runs of one test class, one per MLflow major version, all started when the first test asks so that the
/// versions run side by side (each test then waits for its own); and what they share (an API), disposed after them.
/// </summary>
public sealed class RealClientRuns : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Dictionary<int, Task<PytestResult>>? _runs;
    private Task<IAsyncDisposable>? _shared;

    public Task<PytestResult> ResultAsync(int major, Func<int, CancellationToken, Task<PytestResult>> run)
    {
        lock (_gate)
        {
            _runs ??= MlflowClients.VendoredVersions.Keys
                .Where(m => m == major || MlflowClients.IsCi || MlflowClients.Unavailable(m) is null)
                .ToDictionary(m => m, m => Task.Run(() => run(m, _stop.Token)));
            return _runs[major];
        }
    }

    /// <summary>Created once for all runs of the class (the first caller's factory wins).</summary>
    public async Task<T> SharedAsync<T>(Func<Task<T>> create) where T : IAsyncDisposable
    {
        lock (_gate)
        {
            _shared ??= Task.Run(async () => (IAsyncDisposable)await create());
        }
        return (T)await _shared;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var run in _runs?.Values.ToList() ?? [])
        {
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        }
        if (_shared is { IsCompletedSuccessfully: true })
        {
            await (await _shared).DisposeAsync();
        }
        _stop.Dispose();
    }
}
