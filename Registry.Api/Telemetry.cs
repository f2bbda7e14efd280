using System.Diagnostics;

namespace Registry.Api;

/// <summary>
/// One span per MLflow operation, started by <see cref="OperationSpans"/> on the project groups; the database spans
/// hang below it. A handler adds what only it knows (<see cref="Tag"/>).
/// </summary>
internal static class Telemetry
{
    /// <summary>ServiceDefaults subscribes to the application's own name.</summary>
    public const string SourceName = "Registry.Api";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Tags the current operation's span, when one is being recorded.</summary>
    public static void Tag(string key, object? value)
    {
        if (Activity.Current is { } activity && activity.Source == Source)
        {
            activity.SetTag(key, value);
        }
    }
}

/// <summary>
/// The endpoint filter that gives every MLflow operation its span: named after the endpoint as MLflow's REST API
/// names it (<c>POST /api/2.0/mlflow/registered-models/create</c>), tagged with the project.
/// </summary>
internal sealed class OperationSpans : IEndpointFilter
{
    private const string ProjectScope = "/api/v4/projects/{projectId}/ml/mlflow";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        using var activity = Telemetry.Source.StartActivity($"{http.Request.Method} {Route(http.GetEndpoint())}");
        if (activity is not null && http.Request.RouteValues.TryGetValue("projectId", out var projectId)
            && long.TryParse(projectId as string, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            activity.SetTag("registry.project_id", id);
        }
        return await next(context);
    }

    private static string? Route(Endpoint? endpoint) => (endpoint as RouteEndpoint)?.RoutePattern.RawText is { } route
        && route.StartsWith(ProjectScope, StringComparison.Ordinal) ? route[ProjectScope.Length..] : endpoint?.DisplayName;
}
