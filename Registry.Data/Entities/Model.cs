namespace Registry.Data.Entities;

public sealed class Model
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public long? UserId { get; set; }
    public long DefaultExperimentId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public List<ModelMetadata> Metadata { get; set; } = [];
}
