using Microsoft.AspNetCore.Http;
using Registry.Api.Auth;

namespace Registry.Tests.Auth;

public sealed class ClientAddressLimiterTests
{
    private static HttpContext From(string address) => new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse(address) } };

    private static ClientAddressLimiter Limiter() => new(new UnauthenticatedRateLimitOptions { PermitsPerSecond = 1, Burst = 2 });

    [Fact]
    public void An_address_that_spent_its_burst_is_told_when_to_retry_and_others_are_not_affected()
    {
        using var limiter = Limiter();

        Assert.Null(limiter.TryChargeLookup(From("192.0.2.1")));
        Assert.Null(limiter.TryChargeLookup(From("192.0.2.1")));
        var retryAfter = limiter.TryChargeLookup(From("192.0.2.1"));

        Assert.NotNull(retryAfter);
        Assert.True(retryAfter > TimeSpan.Zero);
        Assert.Null(limiter.TryChargeLookup(From("192.0.2.2")));
    }

    [Fact]
    public void IPv6_clients_share_the_budget_of_their_64_bit_prefix_and_mapped_IPv4_counts_as_IPv4()
    {
        using var limiter = Limiter();

        Assert.Null(limiter.TryChargeLookup(From("2001:db8:1:2::1")));
        Assert.Null(limiter.TryChargeLookup(From("2001:db8:1:2:ffff::9")));
        Assert.NotNull(limiter.TryChargeLookup(From("2001:db8:1:2:1234::7")));
        Assert.Null(limiter.TryChargeLookup(From("2001:db8:1:3::1")));

        Assert.Null(limiter.TryChargeLookup(From("198.51.100.7")));
        Assert.Null(limiter.TryChargeLookup(From("::ffff:198.51.100.7")));
        Assert.NotNull(limiter.TryChargeLookup(From("198.51.100.7")));
    }
}
