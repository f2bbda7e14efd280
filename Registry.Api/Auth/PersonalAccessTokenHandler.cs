using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Registry.Data;

namespace Registry.Api.Auth;

/// <summary>
/// Authenticates GitLab-style personal access tokens: <c>Authorization: Bearer</c> (MLFLOW_TRACKING_TOKEN),
/// Basic with the token as password (MLFLOW_TRACKING_USERNAME/PASSWORD), or GitLab's <c>PRIVATE-TOKEN</c> header.
/// A token not in the cache costs its client address a permit before it is looked up (see <see cref="RateLimiting"/>),
/// unless the same token's lookup is already under way for another request.
/// </summary>
internal sealed class PersonalAccessTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessLookup lookup,
    ClientAddressLimiter addresses,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "PersonalAccessToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadToken(Request.Headers, out var token, out var malformed))
        {
            return malformed is null ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(malformed);
        }

        var digest = TokenDigest.Of(token);
        if (!lookup.TryGetCachedTokenOwner(digest, out var owner))
        {
            // Only a request that starts a lookup pays for it: many jobs sharing one token must not spend the budget.
            if (lookup.TokenLookupUnderWay(digest) is { } underWay)
            {
                owner = await underWay.WaitAsync(Context.RequestAborted);
            }
            else if (addresses.TryChargeLookup(Context) is { } retryAfter)
            {
                return AuthenticateResult.Fail(new TooManyUnauthenticatedRequests(retryAfter));
            }
            else
            {
                owner = await lookup.FindTokenOwnerAsync(digest, Context.RequestAborted);
            }
        }
        if (owner is null)
        {
            return AuthenticateResult.Fail("The access token is not valid.");
        }
        if (owner.Revoked)
        {
            return AuthenticateResult.Fail("The access token has been revoked.");
        }
        if (owner.ExpiresAt <= clock.GetUtcNow().UtcDateTime)
        {
            return AuthenticateResult.Fail("The access token has expired.");
        }

        var claims = new List<Claim>
        {
            new(RegistryClaims.UserIdType, owner.UserId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, owner.Username),
            new(RegistryClaims.AdminType, owner.IsAdmin ? "true" : "false"),
            new(RegistryClaims.TokenIdType, owner.TokenId.ToString(CultureInfo.InvariantCulture)),
        };
        claims.AddRange(owner.Scopes.Select(scope => new Claim(RegistryClaims.ScopeType, scope)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private static bool TryReadToken(IHeaderDictionary headers, out string token, out string? malformed)
    {
        token = "";
        malformed = null;
        if (headers.TryGetValue("PRIVATE-TOKEN", out var privateToken) && !string.IsNullOrEmpty(privateToken))
        {
            token = privateToken.ToString();
            return true;
        }

        var authorization = headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return false;
        }

        var space = authorization.IndexOf(' ');
        var scheme = space < 0 ? authorization : authorization[..space];
        var credential = space < 0 ? "" : authorization[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && credential.Length > 0)
        {
            token = credential;
            return true;
        }
        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && TryDecodeBasicPassword(credential, out token))
        {
            return true;
        }

        malformed = "The Authorization header is malformed; send 'Bearer <personal access token>'.";
        return false;
    }

    private static bool TryDecodeBasicPassword(string credential, out string password)
    {
        password = "";
        var buffer = new byte[credential.Length];
        if (!Convert.TryFromBase64String(credential, buffer, out var length))
        {
            return false;
        }

        var decoded = Encoding.UTF8.GetString(buffer, 0, length);
        var colon = decoded.IndexOf(':');
        password = colon < 0 ? "" : decoded[(colon + 1)..];
        return password.Length > 0;
    }
}

/// <summary>An authentication refused before the token was looked up: its address has spent its budget.</summary>
internal sealed class TooManyUnauthenticatedRequests(TimeSpan retryAfter) : Exception("Too many requests without a valid token from this address")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
