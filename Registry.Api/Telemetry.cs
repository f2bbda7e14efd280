using System.Diagnostics;

namespace Registry.Api;

/// <summary>
/// One span per MLflow operation, started by <see cref="OperationSpans"/> for the project groups' endpoints; the database spans
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
/// Gives every MLflow operation its span: named after the endpoint as MLflow's REST API names it
/// (<c>POST /api/2.0/mlflow/registered-models/create</c>), tagged with the project. A middleware just before the endpoint,
/// not an endpoint filter: a filter on a group makes every endpoint of it box its arguments and its result on every
/// request, span or not. With nobody listening to <see cref="Telemetry.Source"/> (no exporter) nothing is built at all.
/// </summary>
internal static class OperationSpans
{
    private const string ProjectScope = "/api/v4/projects/{projectId}/ml/mlflow";

    /// <summary>Endpoint metadata: the endpoint is an operation that gets a span.</summary>
    private sealed class Operation
    {
        public static readonly Operation Instance = new();
    }

    public static RouteGroupBuilder WithOperationSpans(this RouteGroupBuilder group) => group.WithMetadata(Operation.Instance);

    public static IApplicationBuilder UseOperationSpans(this IApplicationBuilder app) => app.Use((context, next) =>
        Telemetry.Source.HasListeners() && context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<Operation>() is not null
            ? InSpanAsync(context, endpoint, next)
            : next(context));

    private static async Task InSpanAsync(HttpContext http, Endpoint endpoint, RequestDelegate next)
    {
        using var activity = Telemetry.Source.StartActivity($"{http.Request.Method} {Route(endpoint)}");
        if (activity is not null && http.Request.RouteValues.TryGetValue("projectId", out var projectId)
            && long.TryParse(projectId as string, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            activity.SetTag("registry.project_id", id);
        }
        await next(http);
    }

    private static string? Route(Endpoint endpoint) => (endpoint as RouteEndpoint)?.RoutePattern.RawText is { } route
        && route.StartsWith(ProjectScope, StringComparison.Ordinal) ? route[ProjectScope.Length..] : endpoint.DisplayName;
}
