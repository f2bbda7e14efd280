namespace Registry.Data.Entities;

public sealed class PersonalAccessToken
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string Name { get; set; }

    /// <summary>SHA-256 of the token; the plaintext is never stored.</summary>
    public required byte[] TokenDigest { get; set; }

    public required string[] Scopes { get; set; }
    /// <summary>Every token expires (midnight UTC of its expiry date); the API caps how far out.</summary>
    public DateTime ExpiresAt { get; set; }
    public bool Revoked { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class TokenScopes
{
    public const string Api = "api";
    public const string ReadApi = "read_api";
}
