namespace Registry.Data.Entities;

/// <summary>A run's parameter: written once (the same value again is accepted).</summary>
public sealed class CandidateParam
{
    public long Id { get; set; }
    public long CandidateId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
}
