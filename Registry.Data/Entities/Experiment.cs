namespace Registry.Data.Entities;

public sealed class Experiment
{
    public long Id { get; set; }
    public long ProjectId { get; set; }

    /// <summary>Per-project number, the experiment id MLflow clients see.</summary>
    public int Iid { get; set; }

    public required string Name { get; set; }
    public long? UserId { get; set; }
    public string? ArtifactLocation { get; set; }

    /// <summary>Set when deleted (MLflow's lifecycle_stage "deleted"); restore clears it.</summary>
    public DateTime? DeletedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
