namespace Registry.Data.Entities;

/// <summary>
/// One key of the API's ASP.NET Core Data Protection key ring (which encrypts webhook secrets), as the framework's XML.
/// Kept in the database so that every API process decrypts what any other encrypted.
/// </summary>
public sealed class ApiDataProtectionKey
{
    public int Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
}
