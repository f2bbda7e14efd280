namespace Registry.Data.Entities;

/// <summary>
/// A feature flag set at runtime through the Features API, overriding the API's configuration: for every project
/// (<see cref="ProjectId"/> null) or for one. A flag without rows is decided by configuration alone.
/// </summary>
public sealed class FeatureGate
{
    public long Id { get; set; }

    public string FeatureName { get; set; } = "";

    public long? ProjectId { get; set; }

    public bool Enabled { get; set; }

    public DateTime UpdatedAt { get; set; }
}
