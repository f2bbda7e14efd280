using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Registry.Api.Mlflow;

namespace Registry.Api.Auth;

/// <summary>Answers refused requests with MLflow error bodies: 401 UNAUTHENTICATED (429 when the address is over its budget), 403 PERMISSION_DENIED, or 404 for a hidden project.</summary>
internal sealed class MlflowAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Challenged)
        {
            // The handler's result is cached for the request, so this does not look the token up again.
            var failure = (await context.AuthenticateAsync()).Failure;
            if (failure is TooManyUnauthenticatedRequests limited)
            {
                await RateLimiting.RefuseAsync(context, limited.RetryAfter, limited.Message);
                return;
            }
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await MlflowError.Unauthenticated(failure?.Message ?? "Authentication required: send 'Authorization: Bearer <personal access token>'.")
                .ExecuteAsync(context);
            return;
        }

        if (result.Forbidden)
        {
            var reasons = result.AuthorizationFailure?.FailureReasons ?? [];
            var error = reasons.Any(r => r.Message == ProjectMemberHandler.ProjectNotFound)
                ? MlflowError.ResourceDoesNotExist(ProjectMemberHandler.ProjectNotFound)
                : MlflowError.PermissionDenied(reasons.FirstOrDefault()?.Message ?? "Permission denied.");
            await error.ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, result);
    }
}
