namespace Registry.Data.Entities;

public sealed class Model
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public long? UserId { get; set; }
    public long DefaultExperimentId { get; set; }

    /// <summary>The last version number handed out; versions are never renumbered or reused.</summary>
    public int LastVersion { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public List<ModelMetadata> Metadata { get; set; } = [];
}
