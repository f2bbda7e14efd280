using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.Security;

/// <summary>
/// Seeded, reproducible hostile traffic over every MLflow endpoint. Set REGISTRY_FUZZ_SEED to replay a failing run
/// (the seed is in the failure message and the test output).
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class FuzzTests(RegistryAppFixture app, ITestOutputHelper output)
{
    private const int Requests = 10_000;
    private const int BrokenWrites = 1_000;

    private sealed record FuzzRequest(HttpMethod Method, string Path, byte[]? Body, string? ContentType, TestToken? Token)
    {
        public override string ToString() => $"{Method} {Path} [{ContentType}] {(Body is null ? "" : Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 200))))}";
    }

    private static readonly string[] Fields =
    [
        "name", "new_name", "description", "tags", "key", "value", "version", "source", "run_id", "run_uuid", "experiment_id",
        "experiment_ids", "filter", "max_results", "order_by", "page_token", "stage", "archive_existing_versions", "alias",
        "metrics", "params", "timestamp", "step", "status", "end_time", "start_time", "run_name", "datasets", "model_json",
        "view_type", "run_view_type", "num_parts", "upload_id", "parts", "path", "models", "model_id", "stages", "field_name",
    ];

    private static readonly string[] Strings =
    [
        "", " ", "x", "name", "0", "-1", "1e309", "NaN", "Infinity", "null", "true", "[]", "{}", "'", "\"", "\\", "%", "_",
        "name = 'x' OR 1=1", "x'; DROP TABLE ml_models; --", "tags.`a` = 'b' AND", "metrics.loss < ", "../../etc/passwd",
        "/absolute", "a//b", "ü😀漢字", "\u0001\u0002", "\ud800", "\0", "runs:/x/y", "models:/m-1", "mlflow-artifacts:/0/x",
        "LOGGED_MODEL_READY", "Production", "latest", "v1", "00000000000000000000000000000000", "9223372036854775808",
        // Model-version sources MLflow refuses, or that would send a loader's token to another host.
        "file:///etc/passwd", "/tmp/model", "s3://bucket/a/%2e%2e/b", "dbfs:/a/%252e%252e/b", "ftp://host/a?x=/../y", "s3://bucket/x%00",
        "mlflow-artifacts://127.0.0.1:57999/x/model", "https://evil.example.com/model", "mlflow-artifacts:%2F%2Fevil.example.com/x",
        "models:/m/1", "s3://bucket/models/m",
    ];

    [Fact]
    public async Task Ten_thousand_hostile_requests_never_get_a_5xx_and_always_an_MLflow_error_body()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("REGISTRY_FUZZ_SEED"), CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        output.WriteLine($"fuzz seed {seed}; replay with REGISTRY_FUZZ_SEED={seed}");
        var endpoints = await Endpoint.AllMlflowAsync(app.Http);
        var random = new Random(seed);
        var requests = Enumerable.Range(0, Requests).Select(_ => Any(random, endpoints)).ToList();

        var failures = await SendAllAsync(requests, (request, status, code) =>
            status >= 500 && !(status == 501 && code == "NOT_IMPLEMENTED") ? "a server error"
            : status >= 400 && code is null ? "an error without an MLflow body"
            : null);

        Assert.True(failures.IsEmpty, $"fuzz seed {seed}: {failures.Count} of {Requests} requests failed; first ones:\n{string.Join('\n', failures.Take(15))}");
    }

    [Fact]
    public async Task Writes_whose_bodies_cannot_bind_are_all_refused_and_change_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("REGISTRY_FUZZ_SEED"), CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        output.WriteLine($"fuzz seed {seed}; replay with REGISTRY_FUZZ_SEED={seed}");
        var writes = (await Endpoint.AllMlflowAsync(app.Http)).Where(e => e.Writes && !e.Template.Contains("/artifacts/{path}", StringComparison.Ordinal)).ToList();
        var random = new Random(seed);
        var project = app.Tenants.OtherProjectId;
        var requests = Enumerable.Range(0, BrokenWrites).Select(_ =>
        {
            var endpoint = writes[random.Next(writes.Count)];
            return new FuzzRequest(endpoint.Method, endpoint.Path(project), BrokenBody(random), "application/json", app.Tenants.Outsider);
        }).ToList();
        var before = await FingerprintAsync(project);

        var failures = await SendAllAsync(requests, (request, status, code) =>
            (status is >= 400 and < 500 && code is not null) || code == "NOT_IMPLEMENTED" ? null : $"answered {status} {code}");

        Assert.True(failures.IsEmpty, $"fuzz seed {seed}: {failures.Count} broken writes were not refused:\n{string.Join('\n', failures.Take(15))}");
        Assert.Equal(before, await FingerprintAsync(project));
    }

    /// <summary>
    /// The shapes an outside review found 500s with (issue 14 §4), seeded: chunked bodies whose chunk size overflows or is
    /// not hex, to any endpoint; artifact writes under a file, over a directory, or with names longer than 255 bytes.
    /// </summary>
    [Fact]
    public async Task Broken_framing_and_impossible_artifact_paths_never_get_a_5xx()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("REGISTRY_FUZZ_SEED"), CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        output.WriteLine($"fuzz seed {seed}; replay with REGISTRY_FUZZ_SEED={seed}");
        var random = new Random(seed);
        var endpoints = (await Endpoint.AllMlflowAsync(app.Http)).Where(e => e.Writes).ToList();
        var failures = new List<string>();

        for (var i = 0; i < 60; i++)
        {
            var endpoint = endpoints[random.Next(endpoints.Count)];
            var size = random.Next(3) switch
            {
                0 => new string('f', random.Next(16, 40)),
                1 => "1" + new string('0', random.Next(16, 30)),
                _ => new[] { "zz", "-1", "0x10", "ffffffffffffffff", " 5" }[random.Next(5)],
            };
            // Endpoints that never read a body may answer before the framing breaks; none may answer 5xx.
            var status = await app.Http.SendChunkedAsync(endpoint.Method, endpoint.Path(app.Tenants.ProjectId), size, """{"name": "x"}""", app.Tenants.Developer);
            if (!(status.StartsWith("HTTP/1.1 4", StringComparison.Ordinal) || status.StartsWith("HTTP/1.1 2", StringComparison.Ordinal)))
            {
                failures.Add($"{status} for chunk size {size} to {endpoint}");
            }
        }

        var root = $"fuzz{Guid.NewGuid():N}";
        var written = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var path = random.Next(3) switch
            {
                0 when written.Count > 0 => $"{written[random.Next(written.Count)]}/{Segment(random)}",
                1 when written.Count > 0 => string.Join('/', written[random.Next(written.Count)].Split('/').SkipLast(1)),
                _ => $"{root}/{string.Join('/', Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(4) == 0 ? new string('n', random.Next(200, 300)) : Segment(random)))}",
            };
            using var response = await app.Http.SendRawAsync(HttpMethod.Put,
                $"/api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}", new ByteArrayContent([1, 2, 3]), app.Tenants.Developer);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                written.Add(path);
            }
            else if ((int)response.StatusCode >= 500 || !(await response.Content.ReadAsStringAsync()).Contains("error_code", StringComparison.Ordinal))
            {
                failures.Add($"{(int)response.StatusCode} for PUT {path}");
            }
        }

        Assert.True(failures.Count == 0, $"fuzz seed {seed}: {failures.Count} failed:\n{string.Join('\n', failures.Take(15))}");
    }

    private async Task<ConcurrentBag<string>> SendAllAsync(List<FuzzRequest> requests, Func<FuzzRequest, int, string?, string?> judge)
    {
        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (fuzz, cancellationToken) =>
        {
            using var request = new HttpRequestMessage(fuzz.Method, fuzz.Path);
            if (fuzz.Body is not null)
            {
                request.Content = new ByteArrayContent(fuzz.Body);
                if (fuzz.ContentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(fuzz.ContentType);
            }
            if (fuzz.Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fuzz.Token.Value);
            using var response = await app.Http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            string? code = null;
            if (response.Content.Headers.ContentType?.MediaType == "application/json" && text.StartsWith('{'))
            {
                try { code = (string?)JsonNode.Parse(text)?["error_code"]; } catch (JsonException) { }
            }
            if (judge(fuzz, (int)response.StatusCode, code) is { } problem)
            {
                failures.Add($"{problem}: {(int)response.StatusCode} for {fuzz} -> {text[..Math.Min(text.Length, 200)]}");
            }
        });
        return failures;
    }

    private FuzzRequest Any(Random random, IReadOnlyList<Endpoint> endpoints)
    {
        var endpoint = endpoints[random.Next(endpoints.Count)];
        var method = random.Next(10) == 0 ? new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete }[random.Next(5)] : endpoint.Method;
        var path = random.Next(20) == 0
            ? $"/api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow/api/2.0/mlflow/{Segment(random)}/{Segment(random)}"
            : endpoint.Path(app.Tenants.ProjectId, _ => Segment(random));
        if (random.Next(2) == 0)
        {
            path += "?" + string.Join('&', Enumerable.Range(0, random.Next(1, 5)).Select(_ => $"{Uri.EscapeDataString(Fields[random.Next(Fields.Length)])}={Uri.EscapeDataString(Value(random))}"));
        }
        var body = method == HttpMethod.Get ? null : random.Next(4) switch
        {
            0 => BrokenBody(random),
            // Invalid UTF-8 inside a value: refused where the field is read, skipped where it is not.
            1 => [.. Encoding.UTF8.GetBytes($"{{{JsonString(Fields[random.Next(Fields.Length)])}: \""), 0xC3, 0x28, .. "\"}"u8.ToArray()],
            _ => Encoding.UTF8.GetBytes(JsonObject(random, depth: 0)),
        };
        var contentType = random.Next(12) switch { 0 => "text/plain", 1 => null, _ => "application/json" };
        var token = random.Next(8) switch
        {
            0 => app.Tenants.Reporter,
            1 => app.Tenants.DeveloperReadApi,
            2 => null,
            _ => app.Tenants.Developer,
        };
        return new FuzzRequest(method, path, body, contentType, token);
    }

    /// <summary>A path segment: printable (control characters are refused by the HTTP parser before any handler runs).</summary>
    private static string Segment(Random random)
    {
        var value = Strings[random.Next(Strings.Length)];
        value = new string([.. value.Where(c => !char.IsControl(c) && !char.IsSurrogate(c))]);
        return value.Length == 0 ? "x" : Uri.EscapeDataString(value);
    }

    /// <summary>A value for a query string or a JSON field. Kept under Kestrel's 8 KB request line, which it refuses itself (414).</summary>
    private static string Value(Random random) => random.Next(6) switch
    {
        0 => new string('a', random.Next(1, 2_000)),
        1 => random.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture),
        2 => (random.NextDouble() * 1e6).ToString(CultureInfo.InvariantCulture),
        _ => Strings[random.Next(Strings.Length)],
    };

    private static string JsonObject(Random random, int depth)
    {
        var fields = Enumerable.Range(0, random.Next(0, 6)).Select(_ => $"{JsonString(Fields[random.Next(Fields.Length)])}: {JsonValue(random, depth + 1)}");
        return "{" + string.Join(", ", fields) + "}";
    }

    private static string JsonValue(Random random, int depth) => random.Next(depth > 3 ? 8 : 11) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => random.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture),
        3 => new[] { "1e400", "-1e400", "18446744073709551616", "-9223372036854775809", "0.5", "-0", "1E-400" }[random.Next(7)],
        4 => JsonString(new string('z', random.Next(1, 100_000))),
        5 or 6 or 7 => JsonString(Value(random)),
        8 => "[" + string.Join(", ", Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(3) == 0 ? "null" : JsonValue(random, depth + 1))) + "]",
        _ => JsonObject(random, depth),
    };

    private static string JsonString(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary>A body no JSON binder can accept as a request object.</summary>
    private static byte[] BrokenBody(Random random) => random.Next(7) switch
    {
        0 => Encoding.UTF8.GetBytes("{\"name\": "),
        1 => Encoding.UTF8.GetBytes("{\"name\": \"x\",}"),
        2 => Encoding.UTF8.GetBytes(new string('[', 2000) + new string(']', 2000)),
        3 => Encoding.UTF8.GetBytes("{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 201)),
        4 => Encoding.UTF8.GetBytes("[1, 2, 3]"),
        5 => Encoding.UTF8.GetBytes("{\"name\": NaN}"),
        _ => Encoding.UTF8.GetBytes("name=x&value=y"),
    };

    /// <summary>Everything a write could change in a project, summed up.</summary>
    private async Task<string> FingerprintAsync(long projectId)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(
            """
            SELECT concat_ws(',',
                (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM ml_models WHERE project_id = $1),
                (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM ml_model_versions WHERE project_id = $1),
                (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM ml_experiments WHERE project_id = $1),
                (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM ml_candidates WHERE project_id = $1),
                (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM ml_logged_models WHERE project_id = $1),
                (SELECT count(*) FROM ml_model_metadata t JOIN ml_models m ON m.id = t.model_id WHERE m.project_id = $1),
                (SELECT count(*) FROM ml_candidate_metrics x JOIN ml_candidates r ON r.id = x.candidate_id WHERE r.project_id = $1),
                (SELECT count(*) FROM ml_candidate_params x JOIN ml_candidates r ON r.id = x.candidate_id WHERE r.project_id = $1),
                (SELECT count(*) FROM ml_candidate_metadata x JOIN ml_candidates r ON r.id = x.candidate_id WHERE r.project_id = $1))
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = projectId });
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
