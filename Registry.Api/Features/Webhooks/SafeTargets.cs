using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Webhooks;

/// <summary>A delivery refused because its target is not a public address (checked again at every connection).</summary>
internal sealed class UnsafeTargetException(string message) : Exception(message);

/// <summary>
/// Keeps webhooks away from the registry's own network (server-side request forgery): a webhook URL must use an
/// allowed scheme and resolve only to public addresses, checked when it is saved (with MLflow's messages) and again by
/// <see cref="ConnectAsync"/>, which resolves the host itself and connects to the address it vetted, so a DNS answer
/// that changes in between (DNS rebinding) cannot redirect a delivery.
/// </summary>
internal sealed partial class SafeTargets(IOptions<WebhookOptions> options)
{
    /// <summary>MLflow's <c>_validate_webhook_url</c>, with its messages.</summary>
    public async Task ValidateAsync(string url, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(url))
        {
            throw Invalid($"Webhook URL cannot be empty or just whitespace: {Py.Repr(url)}");
        }
        var scheme = Scheme().Match(url) is { Success: true } match ? match.Groups[1].Value.ToLowerInvariant() : "";
        if (!settings.Schemes.Contains(scheme))
        {
            throw Invalid($"Invalid webhook URL scheme: {Py.Repr(scheme)}. Allowed schemes are: {string.Join(", ", settings.Schemes)}.");
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.DnsSafeHost.Length == 0)
        {
            throw Invalid($"Webhook URL must include a hostname: {Py.Repr(url)}");
        }
        if (settings.AllowPrivateTargets)
        {
            return;
        }

        var host = uri.DnsSafeHost.ToLowerInvariant();
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(host, cancellationToken);
        }
        catch (SocketException e)
        {
            throw Invalid($"Cannot resolve webhook URL hostname {Py.Repr(host)}: {e.Message}");
        }
        if (addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused)
        {
            throw Invalid($"Webhook URL must not resolve to a non-public IP address. {Py.Repr(host)} resolves to {refused}.");
        }
    }

    /// <summary>
    /// The delivery client's <c>ConnectCallback</c>: resolves the host, refuses it if any address is not public, and
    /// connects to the vetted addresses only. TLS still validates the certificate for the URL's host name.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await ResolveAsync(host, cancellationToken);
        if (!options.Value.AllowPrivateTargets && addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused)
        {
            throw new UnsafeTargetException($"Refused to connect: '{host}' resolves to {refused}, which is not a public address.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether an address is on the public internet (Python's <c>is_global</c>, which MLflow uses, and stricter):
    /// not loopback, private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254), documentation, benchmarking,
    /// multicast or reserved; IPv6 only in global unicast 2000::/3, and an IPv4 address embedded in IPv6 is judged as IPv4.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublic(address.MapToIPv4());
        }
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !Ipv4NotPublic.Any(range => range.Contains(bytes));
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }
        if (Nat64.Contains(bytes))
        {
            return IsPublic(new IPAddress(bytes[12..]));
        }
        return (bytes[0] & 0xE0) == 0x20 && !Ipv6NotPublic.Any(range => range.Contains(bytes));
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*):")]
    private static partial Regex Scheme();

    private static readonly Range[] Ipv4NotPublic =
    [
        new("0.0.0.0", 8), new("10.0.0.0", 8), new("100.64.0.0", 10), new("127.0.0.0", 8), new("169.254.0.0", 16),
        new("172.16.0.0", 12), new("192.0.0.0", 24), new("192.0.2.0", 24), new("192.88.99.0", 24), new("192.168.0.0", 16),
        new("198.18.0.0", 15), new("198.51.100.0", 24), new("203.0.113.0", 24), new("224.0.0.0", 4), new("240.0.0.0", 4),
    ];

    private static readonly Range Nat64 = new("64:ff9b::", 96);

    /// <summary>Within 2000::/3: IETF protocol assignments (Teredo, ORCHID, ...), documentation, and 6to4.</summary>
    private static readonly Range[] Ipv6NotPublic = [new("2001::", 23), new("2001:db8::", 32), new("2002::", 16), new("3fff::", 20)];

    private readonly record struct Range(byte[] Network, int PrefixLength)
    {
        public Range(string network, int prefixLength) : this(IPAddress.Parse(network).GetAddressBytes(), prefixLength)
        {
        }

        public bool Contains(byte[] address)
        {
            if (address.Length != Network.Length)
            {
                return false;
            }
            var whole = PrefixLength / 8;
            if (!address.AsSpan(0, whole).SequenceEqual(Network.AsSpan(0, whole)))
            {
                return false;
            }
            var rest = PrefixLength % 8;
            var mask = (byte)(0xFF << (8 - rest));
            return rest == 0 || (address[whole] & mask) == (Network[whole] & mask);
        }
    }
}
