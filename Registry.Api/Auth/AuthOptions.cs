using System.ComponentModel.DataAnnotations;

namespace Registry.Api.Auth;

/// <summary><c>Registry:Auth</c>: how long lookups are trusted and how long tokens live.</summary>
public sealed class AuthOptions
{
    public const string Section = "Registry:Auth";

    /// <summary>How long a token or membership lookup is kept while the database's change notifications are heard.</summary>
    [Range(0, 3600)]
    public int CacheSeconds { get; set; } = 30;

    /// <summary>The lifetime of a token created without <c>expires_at</c>.</summary>
    [Range(1, 36500)]
    public int DefaultTokenLifetimeDays { get; set; } = 30;

    /// <summary>How far out any token's <c>expires_at</c> may be (GitLab caps it at 365 days).</summary>
    [Range(1, 36500)]
    public int MaxTokenLifetimeDays { get; set; } = 365;
}
