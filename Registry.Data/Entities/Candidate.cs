namespace Registry.Data.Entities;

/// <summary>An MLflow run (GitLab calls runs candidates).</summary>
public sealed class Candidate
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public long ExperimentId { get; set; }

    /// <summary>32 lowercase hex characters, MLflow's run id.</summary>
    public required string RunId { get; set; }

    public string? Name { get; set; }
    public long? UserId { get; set; }

    /// <summary>The run's user_id on the wire: what the client sent, else the creating user's username.</summary>
    public string? UserName { get; set; }

    /// <summary>RUNNING, SCHEDULED, FINISHED, FAILED or KILLED.</summary>
    public required string Status { get; set; }

    /// <summary>Client-reported times, milliseconds since the epoch, as MLflow keeps them.</summary>
    public long StartTime { get; set; }
    public long? EndTime { get; set; }

    public DateTime? DeletedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
