namespace Registry.Data.Entities;

public sealed class User
{
    public long Id { get; set; }
    public required string Username { get; set; }
    public bool IsAdmin { get; set; }
    public DateTime CreatedAt { get; set; }
}
