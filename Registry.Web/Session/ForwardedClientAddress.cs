using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Registry.Web.Session;

/// <summary>
/// Vouches to the API for the browser's address when signing someone in, so that the audit event names the browser
/// rather than this server: the address and the token's digest, protected with this app's Data Protection key ring for
/// a minute. The API reads the ring (it is in PostgreSQL) and trusts only what it can unprotect; a client calling the API
/// directly cannot forge it. Mirrors <c>Registry.Api/Features/Admin/ForwardedClientAddress.cs</c>.
/// </summary>
public sealed class ForwardedClientAddress(IDataProtectionProvider provider)
{
    public const string Header = "X-Registry-Client-Address";
    private const string Purpose = "Registry.SignIns.ClientAddress.v1";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector(Purpose).ToTimeLimitedDataProtector();

    /// <returns>The header's value, or null when the request has no client address.</returns>
    public string? For(HttpContext browser, string token)
    {
        if (browser.Connection.RemoteIpAddress is not { } address)
        {
            return null;
        }
        var digest = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        return _protector.Protect($"{(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)}\n{digest}", Lifetime);
    }
}
