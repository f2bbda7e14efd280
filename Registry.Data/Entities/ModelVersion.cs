namespace Registry.Data.Entities;

public sealed class ModelVersion
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public long ModelId { get; set; }

    /// <summary>1, 2, 3...: the model's counter, never reused after a delete. A string on MLflow's wire.</summary>
    public int Version { get; set; }

    public string? Description { get; set; }
    public required string Source { get; set; }
    public string? RunId { get; set; }
    public string? RunLink { get; set; }

    /// <summary>The MLflow 3 logged model this version was registered from, if any ("m-...").</summary>
    public string? LoggedModelId { get; set; }
    public required string Status { get; set; }
    public string? StatusMessage { get; set; }

    /// <summary>None, Staging, Production or Archived, canonical case.</summary>
    public required string CurrentStage { get; set; }

    public long? UserId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
