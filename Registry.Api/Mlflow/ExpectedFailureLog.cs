namespace Registry.Api.Mlflow;

/// <summary>
/// 503s during a database outage and 501s for what a store cannot do are expected answers, not faults: they are logged at
/// Warning without a stack trace, and an outage is one event, not one line per request. The first answer of a kind is
/// logged at once; while they keep coming, one line per <see cref="Interval"/> says how many there were.
/// </summary>
internal sealed class ExpectedFailureLog(ILogger<ExpectedFailureLog> logger, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset Since, int Suppressed)> _open = [];

    public void Log(MlflowError error)
    {
        var now = time.GetUtcNow();
        int suppressed;
        DateTimeOffset since;
        lock (_lock)
        {
            if (_open.TryGetValue(error.ErrorCode, out var open) && now - open.Since < Interval)
            {
                _open[error.ErrorCode] = (open.Since, open.Suppressed + 1);
                return;
            }
            (since, suppressed) = open;
            _open[error.ErrorCode] = (now, 0);
        }
        if (suppressed > 0)
        {
            logger.LogWarning("Answered {Status} {ErrorCode} {Count} more times since {Since:o}; now: {Message}",
                error.StatusCode, error.ErrorCode, suppressed, since, error.Message);
        }
        else
        {
            logger.LogWarning("Answered {Status} {ErrorCode}: {Message}", error.StatusCode, error.ErrorCode, error.Message);
        }
    }
}
