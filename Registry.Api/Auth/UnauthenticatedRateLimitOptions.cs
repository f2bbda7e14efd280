namespace Registry.Api.Auth;

/// <summary><c>Registry:RateLimit:Unauthenticated</c>.</summary>
public sealed class UnauthenticatedRateLimitOptions
{
    /// <summary>
    /// Requests per second, on average, that one client address may make without a valid token: anonymous ones, ones whose
    /// token fails, and the first lookup of any token not yet cached. 0 turns limiting off.
    /// </summary>
    public int PermitsPerSecond { get; set; } = 10;

    public int Burst { get; set; } = 100;
}
