namespace Registry.Data.Entities;

/// <summary>A model version's tag.</summary>
public sealed class ModelVersionMetadata
{
    public long Id { get; set; }
    public long ModelVersionId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
