using Registry.Web.Api;

namespace Registry.Web.Session;

/// <summary>
/// Asks the API for the project (and the caller's role in it) before a project page renders, so a project the user may
/// not see answers 404 even on pages that stream. The page reuses the answer: the project is still one API call.
/// </summary>
public static class ProjectAccess
{
    private static readonly object ItemKey = new();

    public static Project? Project(this HttpContext http) => http.Items[ItemKey] as Project;

    public static IApplicationBuilder UseProjectAccess(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true && ProjectId(context.Request.Path) is { } projectId)
        {
            try
            {
                context.Items[ItemKey] = await context.RequestServices.GetRequiredService<RegistryApi>().ProjectAsync(projectId, context.RequestAborted);
            }
            catch (ApiException e) when (e.IsNotFound)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
        }
        await next(context);
    });

    /// <summary>The id in <c>/projects/{id}</c> or <c>/projects/{id}/...</c>.</summary>
    private static long? ProjectId(PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments is ["projects", var id, ..] && long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }
}
