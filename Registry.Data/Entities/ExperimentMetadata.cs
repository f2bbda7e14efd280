namespace Registry.Data.Entities;

/// <summary>An experiment's tag.</summary>
public sealed class ExperimentMetadata
{
    public long Id { get; set; }
    public long ExperimentId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
