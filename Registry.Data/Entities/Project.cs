namespace Registry.Data.Entities;

public sealed class Project
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The last per-project experiment number handed out (GitLab's internal id).</summary>
    public int LastExperimentIid { get; set; }
}
