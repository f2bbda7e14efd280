using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Registry.Bench.Fleet;

/// <summary>The MLflow REST calls a training job makes, over its own connection; each counted (and its failure recorded) by kind.</summary>
internal sealed class Tracker(JobConnection connection, string trackingPath, FleetRecorder recorder) : IDisposable
{
    private const string ArtifactScheme = "mlflow-artifacts:/";

    public string? CreateExperiment(string name)
    {
        using var document = Post("experiments/create", $$"""{"name":"{{name}}"}""");
        return document?.RootElement.GetProperty("experiment_id").GetString();
    }

    public CreatedRun? CreateRun(string experimentId, string runName, IEnumerable<KeyValuePair<string, string>> tags)
    {
        var body = new StringBuilder($$"""{"experiment_id":"{{experimentId}}","run_name":"{{runName}}","start_time":{{Now()}},"tags":[""");
        AppendPairs(body, tags).Append("]}");
        using var document = Post("runs/create", body.ToString());
        if (document is null)
        {
            return null;
        }
        var info = document.RootElement.GetProperty("run").GetProperty("info");
        var artifactUri = info.GetProperty("artifact_uri").GetString() ?? "";
        if (!artifactUri.StartsWith(ArtifactScheme, StringComparison.Ordinal))
        {
            recorder.Failed("runs/create", $"artifact_uri {artifactUri} is not served by the tracking server's artifact proxy");
            return null;
        }
        return new CreatedRun(info.GetProperty("run_id").GetString()!, artifactUri[ArtifactScheme.Length..].Trim('/'));
    }

    public bool LogBatch(string body)
    {
        using var document = Post("runs/log-batch", body);
        return document is not null;
    }

    public bool Upload(CreatedRun run, string fileName, ReadOnlySpan<byte> content)
    {
        using var document = Send("artifacts/upload", "PUT", $"{trackingPath}-artifacts/artifacts/{run.ArtifactPath}/{fileName}",
            "application/octet-stream", content);
        return document is not null;
    }

    public bool Finish(CreatedRun run)
    {
        using var document = Post("runs/update", $$"""{"run_id":"{{run.RunId}}","status":"FINISHED","end_time":{{Now()}}}""");
        return document is not null;
    }

    public void Dispose() => connection.Dispose();

    public static StringBuilder AppendPairs(StringBuilder body, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var first = true;
        foreach (var (key, value) in pairs)
        {
            body.Append(first ? "" : ",").Append($$"""{"key":"{{key}}","value":"{{value}}"}""");
            first = false;
        }
        return body;
    }

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private JsonDocument? Post(string endpoint, string json) =>
        Send(endpoint, "POST", $"{trackingPath}/{endpoint}", "application/json", Encoding.UTF8.GetBytes(json));

    /// <summary>The parsed JSON answer, or null once the failure is recorded: a non-2xx, a timeout, a refused or broken connection.</summary>
    private JsonDocument? Send(string kind, string method, string path, string contentType, ReadOnlySpan<byte> body)
    {
        try
        {
            var answer = connection.Send(method, path, contentType, body);
            if (!answer.Succeeded)
            {
                recorder.Failed(kind, $"HTTP {answer.Status} {answer.Body[..Math.Min(answer.Body.Length, 160)]}");
                return null;
            }
            recorder.Succeeded(kind);
            return JsonDocument.Parse(answer.Body.Length == 0 ? "{}" : answer.Body);
        }
        catch (Exception error) when (error is SocketException or IOException or JsonException or FormatException)
        {
            recorder.Failed(kind, $"{error.GetType().Name}: {error.Message}");
            return null;
        }
    }
}

/// <summary>A run the server created; <see cref="ArtifactPath"/> is its artifact URI below the proxy's root.</summary>
internal sealed record CreatedRun(string RunId, string ArtifactPath);
