namespace Registry.Data.Entities;

/// <summary>A run's tag (mlflow.* system tags included).</summary>
public sealed class CandidateMetadata
{
    public long Id { get; set; }
    public long CandidateId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
}
