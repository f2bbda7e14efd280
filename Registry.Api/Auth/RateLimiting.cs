using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Registry.Api.Mlflow;

namespace Registry.Api.Auth;

/// <summary>
/// Rate limiting, refusing with 429 REQUEST_LIMIT_EXCEEDED and Retry-After (which the client retries):
/// <list type="bullet">
/// <item>per token (a token bucket each): one runaway notebook or retry storm cannot take the service from everyone else;</item>
/// <item>per client address for everything without a valid token. The token handler spends one of the address's permits
/// before it looks up a token it has not cached (<see cref="ClientAddressLimiter"/>), so made-up tokens cannot drive
/// the database faster than the address's budget, however many there are.</item>
/// </list>
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddRegistryRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateOnStart();
        services.AddSingleton(provider => new ClientAddressLimiter(provider.GetRequiredService<IOptions<RateLimitOptions>>().Value.Unauthenticated));
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>, ClientAddressLimiter>((limiter, settings, addresses) =>
        {
            var options = settings.Value;
            var perToken = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                options.PermitsPerSecond <= 0 || context.User.FindFirstValue(RegistryClaims.TokenIdType) is not { } tokenId
                    ? RateLimitPartition.GetNoLimiter("")
                    : RateLimitPartition.GetTokenBucketLimiter(tokenId, _ => Bucket(options.PermitsPerSecond, options.Burst)));
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(perToken, addresses.ForRequests());
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                await RefuseAsync(context.HttpContext, retryAfter, context.HttpContext.User.Identity?.IsAuthenticated == true
                    ? "Too many requests for this token"
                    : "Too many requests without a valid token from this address");
            };
        });
        return services;
    }

    public static TokenBucketRateLimiterOptions Bucket(int permitsPerSecond, int burst) => new()
    {
        TokenLimit = Math.Max(burst, permitsPerSecond),
        TokensPerPeriod = permitsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    public static Task RefuseAsync(HttpContext http, TimeSpan retryAfter, string why)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new MlflowError("REQUEST_LIMIT_EXCEEDED", $"{why}; retry in {seconds} s.").ExecuteAsync(http);
    }
}

/// <summary>
/// A token bucket per client address (an IPv6 client by its /64, which is what one subscriber gets) for requests without
/// a valid token. Behind a reverse proxy, let the API see client addresses (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c>).
/// </summary>
internal sealed class ClientAddressLimiter(UnauthenticatedRateLimitOptions options) : IDisposable
{
    /// <summary>Set on a request that already paid its address's permit (to look its token up), so it is not charged twice.</summary>
    private static readonly object Charged = new();

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        options.PermitsPerSecond <= 0 || address.Length == 0
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetTokenBucketLimiter(address, _ => RateLimiting.Bucket(options.PermitsPerSecond, options.Burst)));

    /// <summary>Spends one of the address's permits for a token lookup that will reach the database.</summary>
    /// <returns>null when the permit was granted; otherwise how long to wait.</returns>
    public TimeSpan? TryChargeLookup(HttpContext http)
    {
        using var lease = _limiter.AttemptAcquire(AddressOf(http));
        http.Items[Charged] = true;
        return lease.IsAcquired ? null
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    /// <summary>
    /// The limiter the rate limiting middleware applies: requests that did not authenticate and reach an endpoint that
    /// needs authorization, unless already charged for their lookup.
    /// </summary>
    public PartitionedRateLimiter<HttpContext> ForRequests() => _limiter.WithTranslatedKey<HttpContext>(http =>
        http.User.Identity?.IsAuthenticated == true || http.Items.ContainsKey(Charged)
        || http.GetEndpoint()?.Metadata.GetMetadata<IAuthorizeData>() is null
            ? ""
            : AddressOf(http), leaveOpen: true);

    public void Dispose() => _limiter.Dispose();

    private static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { AddressFamily: AddressFamily.InterNetworkV6, IsIPv4MappedToIPv6: false } v6 => Convert.ToHexString(v6.GetAddressBytes(), 0, 8),
        var address => address.MapToIPv4().ToString(),
    };
}
