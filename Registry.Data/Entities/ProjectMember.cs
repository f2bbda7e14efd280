namespace Registry.Data.Entities;

public sealed class ProjectMember
{
    public long ProjectId { get; set; }
    public long UserId { get; set; }
    public AccessLevel AccessLevel { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>GitLab's project access levels, stored as their numbers.</summary>
public enum AccessLevel
{
    Guest = 10,
    Reporter = 20,
    Developer = 30,
    Maintainer = 40,
    Owner = 50,
}
