namespace Registry.Api.Auth;

/// <summary><c>Registry:RateLimit</c>: requests per token, and without a valid token per client address.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Registry:RateLimit";

    /// <summary>Requests each token may make per second on average; 0 turns limiting off.</summary>
    public int PermitsPerSecond { get; set; } = 2000;

    /// <summary>How many requests a token may make at once above the average before it is refused.</summary>
    public int Burst { get; set; } = 4000;

    /// <summary>Requests without a valid token, per client address.</summary>
    public UnauthenticatedRateLimitOptions Unauthenticated { get; set; } = new();
}
