using System.Globalization;

namespace Registry.Bench.Fleet;

/// <summary>What one fleet run simulates; parsed from <c>--name value</c> pairs.</summary>
internal sealed record FleetOptions(
    Uri TrackingBase, string? Token, int Jobs, TimeSpan Duration, TimeSpan Ramp, int MetricsPerStep, int ArtifactBytes)
{
    public const string Usage =
        "usage: fleet --url http://host/.../api/2.0/mlflow [--token T] [--jobs 200] [--seconds 60] [--ramp-seconds 10] [--metrics 10] [--artifact-kb 256]";

    /// <summary>The steady window: every job has started and none has stopped logging.</summary>
    public TimeSpan Steady => Duration - Ramp;

    public static FleetOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }
        if (args.Length % 2 != 0 || !values.TryGetValue("url", out var url))
        {
            throw new ArgumentException(Usage);
        }

        var seconds = Number(values, "seconds", 60);
        // Starts spread over the ramp (a sixth of the run, at most 10 s) so that N creates do not land in one second.
        var ramp = Number(values, "ramp-seconds", Math.Min(10, seconds / 6));
        if (seconds <= 0 || ramp < 0 || ramp >= seconds)
        {
            throw new ArgumentException("--seconds must be positive and --ramp-seconds smaller than it");
        }
        return new FleetOptions(
            new Uri(url.TrimEnd('/') + "/"), values.GetValueOrDefault("token"), (int)Number(values, "jobs", 200),
            TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(ramp), (int)Number(values, "metrics", 10),
            (int)(Number(values, "artifact-kb", 256) * 1024));
    }

    private static double Number(Dictionary<string, string> values, string name, double fallback) =>
        values.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
