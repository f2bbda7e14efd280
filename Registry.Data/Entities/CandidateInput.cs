namespace Registry.Data.Entities;

/// <summary>A dataset a run used (runs/log-inputs), kept as MLflow's Dataset and InputTag JSON.</summary>
public sealed class CandidateInput
{
    public long Id { get; set; }
    public long CandidateId { get; set; }
    public required string Name { get; set; }
    public required string Digest { get; set; }
    public required string Dataset { get; set; }
    public required string Tags { get; set; }
}
