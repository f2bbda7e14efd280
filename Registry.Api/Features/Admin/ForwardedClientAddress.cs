using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Registry.Api.Features.Admin;

/// <summary>
/// The browser's address as the web UI vouches for it. The web sends it in <see cref="Header"/>, protected with the web's
/// own Data Protection key ring (in PostgreSQL, <c>data_protection_keys</c>, which only the web writes and this reads),
/// valid for a minute and bound to the token being signed in. Anyone else calling the endpoint cannot make such a
/// value, so a forged header is ignored and the connection's address is recorded instead (as for every other write;
/// behind a reverse proxy that is what ASP.NET Core's forwarded-headers settings make it). Mirrors
/// <c>Registry.Web/Session/ForwardedClientAddress.cs</c>.
/// </summary>
internal sealed class ForwardedClientAddress(IDataProtectionProvider webKeyRing, ILogger<ForwardedClientAddress> logger)
{
    public const string Header = "X-Registry-Client-Address";
    private const string WebApplicationName = "Registry.Web";
    private const string Purpose = "Registry.SignIns.ClientAddress.v1";

    private readonly ITimeLimitedDataProtector _protector = webKeyRing.CreateProtector(Purpose).ToTimeLimitedDataProtector();

    /// <returns>The browser's address, or null when the request carries none the web vouched for.</returns>
    public string? Verify(HttpContext http)
    {
        if (http.Request.Headers[Header].ToString() is not { Length: > 0 } value)
        {
            return null;
        }
        try
        {
            var lines = _protector.Unprotect(value).Split('\n');
            if (lines is [var address, var tokenDigest] && IPAddress.TryParse(address, out var parsed)
                && BearerDigest(http.Request) is { } digest && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(tokenDigest), Encoding.ASCII.GetBytes(digest)))
            {
                return parsed.ToString();
            }
        }
        catch (Exception e) when (e is CryptographicException or InvalidOperationException or FormatException)
        {
            // Not the web's, expired, or the web's key ring is unreadable: the caller's own address is recorded.
        }
        logger.LogInformation("A sign-in carried a client address the web did not vouch for; the connection's address is recorded.");
        return null;
    }

    /// <summary>Base64 of the SHA-256 of the bearer token: what the web bound the address to.</summary>
    public static string? BearerDigest(HttpRequest request) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
        && header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && header.Parameter is { Length: > 0 } token
            ? Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)))
            : null;

    /// <summary>A Data Protection stack of its own that reads (never writes) the web's key ring under the web's name.</summary>
    public static ForwardedClientAddress Create(IServiceProvider services)
    {
        var webServices = new ServiceCollection();
        webServices.AddSingleton(services.GetRequiredService<ILoggerFactory>());
        webServices.AddDataProtection().SetApplicationName(WebApplicationName).DisableAutomaticKeyGeneration();
        webServices.Configure<KeyManagementOptions>(options => options.XmlRepository = PostgresKeyRing.WebKeys(services.GetRequiredService<NpgsqlDataSource>()));
        return new ForwardedClientAddress(
            webServices.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>(),
            services.GetRequiredService<ILogger<ForwardedClientAddress>>());
    }
}
