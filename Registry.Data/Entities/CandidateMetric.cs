namespace Registry.Data.Entities;

/// <summary>
/// One logged metric point, identified as in MLflow by (run, key, step, timestamp, value): logging the same point again
/// stores nothing new, so that identity is the primary key. NaN and ±Infinity are stored as such (PostgreSQL's NaN equals
/// NaN, so a NaN point is one point too).
/// </summary>
public sealed class CandidateMetric
{
    public long CandidateId { get; set; }
    public required string Name { get; set; }
    public double Value { get; set; }
    public long Timestamp { get; set; }
    public long Step { get; set; }
}

/// <summary>
/// The latest point of each metric of a run (highest step, then timestamp, then value, as MLflow orders them),
/// kept up to date on every write so that runs/get and metric filters never scan the history.
/// </summary>
public sealed class CandidateLatestMetric
{
    public long CandidateId { get; set; }
    public required string Name { get; set; }
    public double Value { get; set; }
    public long Timestamp { get; set; }
    public long Step { get; set; }
}
