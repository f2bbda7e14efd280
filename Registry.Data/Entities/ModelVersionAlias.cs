namespace Registry.Data.Entities;

/// <summary>A named pointer (e.g. "champion") from a model to one of its versions; one version per alias per model.</summary>
public sealed class ModelVersionAlias
{
    public long Id { get; set; }
    public long ModelId { get; set; }
    public long ModelVersionId { get; set; }
    public required string Alias { get; set; }
    public DateTime CreatedAt { get; set; }
}
