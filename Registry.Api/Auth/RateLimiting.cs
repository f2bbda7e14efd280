using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Registry.Api.Mlflow;

namespace Registry.Api.Auth;

public sealed class RateLimitOptions
{
    /// <summary>Requests each token may make per second on average; 0 turns limiting off.</summary>
    public int PermitsPerSecond { get; set; } = 2000;

    /// <summary>How many requests a token may make at once above the average before it is refused.</summary>
    public int Burst { get; set; } = 4000;
}

/// <summary>
/// Per-token rate limiting (a token bucket for each token): one runaway notebook or retry storm cannot take the
/// service from everyone else. Refusals are 429 REQUEST_LIMIT_EXCEEDED with Retry-After, which the client retries.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddTokenRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Registry:RateLimit").Get<RateLimitOptions>() ?? new RateLimitOptions();
        return services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                options.PermitsPerSecond <= 0 || context.User.FindFirstValue(RegistryClaims.TokenIdType) is not { } tokenId
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetTokenBucketLimiter(tokenId, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = Math.Max(options.Burst, options.PermitsPerSecond),
                        TokensPerPeriod = options.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await new MlflowError("REQUEST_LIMIT_EXCEEDED", $"Too many requests for this token; retry in {retryAfter} s.").ExecuteAsync(context.HttpContext);
            };
        });
    }
}
