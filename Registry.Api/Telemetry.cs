using System.Diagnostics;

namespace Registry.Api;

/// <summary>One span per MLflow operation; the database spans hang below it.</summary>
internal static class Telemetry
{
    /// <summary>ServiceDefaults subscribes to the application's own name.</summary>
    public const string SourceName = "Registry.Api";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartOperation(string name, long projectId)
    {
        var activity = Source.StartActivity(name);
        activity?.SetTag("registry.project_id", projectId);
        return activity;
    }
}
