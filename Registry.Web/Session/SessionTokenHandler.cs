using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;

namespace Registry.Web.Session;

/// <summary>Sends the signed-in user's token (kept inside the encrypted session cookie) with every API call.</summary>
public sealed class SessionTokenHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && accessor.HttpContext is { } http
            && await http.GetTokenAsync(SessionAuthentication.TokenName) is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
