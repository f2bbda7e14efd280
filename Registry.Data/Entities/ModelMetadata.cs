namespace Registry.Data.Entities;

/// <summary>A registered model's tag.</summary>
public sealed class ModelMetadata
{
    public long Id { get; set; }
    public long ModelId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
