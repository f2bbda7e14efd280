using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Changes;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Admin;

/// <summary>
/// Sign-ins to the web UI are audited (GitLab's sign-in event): the web signs a user in by calling
/// <c>POST /api/v4/user/sign_ins</c> with the token being signed in, which answers the user and records who, which
/// token, the browser's address and the request id. The browser's address counts only when the web vouches for it
/// (<see cref="ForwardedClientAddress"/>); otherwise the caller's own address is recorded.
/// </summary>
internal static class SignInsApi
{
    /// <summary>The endpoint and what it needs, made here so that the composition has one line for sign-ins.</summary>
    public static WebApplication MapSignIns(this WebApplication app)
    {
        var forwarded = ForwardedClientAddress.Create(app.Services);
        // Any scope: a read_api token signs in to look around, and recording that is not a write it makes.
        app.MapGroup("/api/v4").RequireAuthorization(AccessPolicies.Token).WithTags("Administration").ProducesMlflowErrors(401, 403)
            .MapPost("user/sign_ins", (HttpContext http, ClaimsPrincipal user, AdminStore store, CancellationToken ct) => SignIn(http, user, forwarded, store, ct))
            .AllowsAnyScope();
        return app;
    }

    private static async Task<Results<Ok<UserDto>, MlflowError>> SignIn(
        HttpContext http, ClaimsPrincipal user, ForwardedClientAddress forwarded, AdminStore store, CancellationToken ct)
    {
        var browser = forwarded.Verify(http);
        Actor.Current = (Actor.Current ?? Actor.FromRequest(http)) with
        {
            IpAddress = browser ?? Actor.Current?.IpAddress,
            Via = browser is null ? "api" : "web",
        };
        return (await store.SignInAsync(user.UserId(), ct)).Respond(signedIn => signedIn);
    }
}
