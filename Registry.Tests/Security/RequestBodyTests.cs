using System.Text;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Security;

/// <summary>
/// Malformed JSON bodies get MLflow's own wording and a 400, never a 500 (issue 14 §4, issue 15 §3): null list elements
/// anywhere, values of the wrong type, missing fields, broken chunked framing.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RequestBodyTests(RegistryAppFixture app)
{
    private const string SeeTheDocs = " See the API docs for more information about request parameters.";

    private Task<HttpResponseMessage> PostAsync(string rpc, string body) =>
        app.Http.PostRawAsync(app.Tenants.ProjectId, rpc, body, app.Tenants.Developer);

    [Fact]
    public async Task Runs_search_with_a_null_order_by_element_is_400_in_MLflows_words()
    {
        var message = await (await PostAsync("runs/search", """{"experiment_ids": ["0"], "order_by": [null]}"""))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal($"Invalid value [null] for parameter 'order_by' supplied:  Hint: Value was of type 'list'.{SeeTheDocs}", message);
    }

    /// <summary>Every list-typed field of every JSON request the API documents, found in its own OpenAPI document.</summary>
    [Fact]
    public async Task Every_list_of_every_JSON_request_refuses_a_null_element_with_400()
    {
        var document = JsonNode.Parse(await app.Http.GetStringAsync("/openapi/v1.json"))!;
        var cases = new List<(Endpoint Endpoint, string Field)>();
        foreach (var endpoint in await Endpoint.AllMlflowAsync(app.Http))
        {
            var operation = document["paths"]![endpoint.Template]![endpoint.Method.Method.ToLowerInvariant()]!;
            if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is { } schema)
            {
                var properties = Resolve(document, schema)["properties"]?.AsObject() ?? [];
                cases.AddRange(properties.Where(p => IsArray(Resolve(document, p.Value!))).Select(p => (endpoint, p.Key)));
            }
        }
        Assert.True(cases.Count >= 15, $"Only {cases.Count} list fields found: {string.Join(", ", cases)}");

        // A Maintainer may call every endpoint, webhooks included.
        var failures = new List<string>();
        foreach (var (endpoint, field) in cases)
        {
            var response = await app.Http.SendRawAsync(endpoint.Method, endpoint.Path(app.Tenants.ProjectId),
                new StringContent($$"""{"{{field}}": [null]}""", Encoding.UTF8, "application/json"), app.Tenants.Maintainer);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.BadRequest || !body.Contains($"Invalid value [null] for parameter '{field}'", StringComparison.Ordinal))
            {
                failures.Add($"{endpoint} {field}: {(int)response.StatusCode} {body}");
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task A_null_element_of_a_nested_list_is_refused_naming_its_path()
    {
        var message = await (await PostAsync("runs/log-inputs",
                """{"run_id": "0123456789abcdef0123456789abcdef", "datasets": [{"dataset": {"name": "d", "digest": "x", "source_type": "local", "source": "{}"}, "tags": [null]}]}"""))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.StartsWith("Invalid value [null] for parameter 'datasets[0].tags' supplied", message);
    }

    /// <summary>MLflow 2.17.2's and 3.11.1's servers answer these requests with exactly these messages (checked against both).</summary>
    public static TheoryData<string, string, string> MlflowMessages => new()
    {
        { "registered-models/create", """{"name": 123}""", $"Invalid value 123 for parameter 'name' supplied:  Hint: Value was of type 'int'.{SeeTheDocs}" },
        { "registered-models/create", """{"name": true}""", $"Invalid value true for parameter 'name' supplied:  Hint: Value was of type 'bool'.{SeeTheDocs}" },
        { "registered-models/create", """{"name": 1.5}""", $"Invalid value 1.5 for parameter 'name' supplied:  Hint: Value was of type 'float'.{SeeTheDocs}" },
        { "registered-models/create", """{"name": {"a": 1}}""", $$"""Invalid value {"a":1} for parameter 'name' supplied:  Hint: Value was of type 'dict'.{{SeeTheDocs}}""" },
        { "registered-models/create", """{"name": [1, 2]}""", $"Invalid value [1,2] for parameter 'name' supplied:  Hint: Value was of type 'list'.{SeeTheDocs}" },
        { "registered-models/create", """{}""", $"Missing value for required parameter 'name'.{SeeTheDocs}" },
        { "registered-models/create", """{"name": ""}""", $"Missing value for required parameter 'name'.{SeeTheDocs}" },
        { "registered-models/create", """{"name": "m", "tags": "x"}""", $"Invalid value \"x\" for parameter 'tags' supplied:  Hint: Value was of type 'str'.{SeeTheDocs}" },
        { "registered-models/set-tag", """{"name": "m", "key": 5, "value": "v"}""", $"Invalid value 5 for parameter 'key' supplied:  Hint: Value was of type 'int'.{SeeTheDocs}" },
        { "model-versions/create", """{"name": "m", "source": 5}""", $"Invalid value 5 for parameter 'source' supplied:  Hint: Value was of type 'int'.{SeeTheDocs}" },
        { "model-versions/create", """{"name": "m"}""", $"Missing value for required parameter 'source'.{SeeTheDocs}" },
        { "runs/log-batch", """{"run_id": 5}""", $"Invalid value 5 for parameter 'run_id' supplied:  Hint: Value was of type 'int'.{SeeTheDocs}" },
        { "runs/log-batch", """{"metrics": []}""", $"Missing value for required parameter 'run_id'.{SeeTheDocs}" },
        { "runs/log-batch", """{"run_id": "x", "metrics": [{"key": "a", "value": 1}]}""", $"Missing value for required parameter 'metrics[0].timestamp'.{SeeTheDocs}" },
        { "runs/log-batch", """{"run_id": "x", "metrics": [{"key": "a", "value": 1, "timestamp": 1}, {"value": 1, "timestamp": 1}]}""", $"Missing value for required parameter 'metrics[1].key'.{SeeTheDocs}" },
        { "runs/log-batch", """{"run_id": "x", "params": [{"value": "1"}]}""", $"Missing value for required parameter 'params[0].key'.{SeeTheDocs}" },
        { "runs/log-batch", """{"run_id": "x", "tags": [{"value": "1"}]}""", $"Missing value for required parameter 'tags[0].key'.{SeeTheDocs}" },
        { "runs/log-batch", """{"run_id": "x", "metrics": "abc"}""", $"Invalid value \"abc\" for parameter 'metrics' supplied:  Hint: Value was of type 'str'.{SeeTheDocs}" },
        { "runs/log-metric", """{"run_id": "x", "key": "a", "value": "abc", "timestamp": 1}""", $"Invalid value \"abc\" for parameter 'value' supplied:  Hint: Value was of type 'str'.{SeeTheDocs}" },
        { "runs/log-metric", """{"run_id": "x", "key": "a", "value": 1}""", $"Missing value for required parameter 'timestamp'.{SeeTheDocs}" },
        { "runs/search", """{"max_results": 0}""", "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer" },
        { "runs/search", """{"max_results": -5}""", "Invalid value -5 for parameter 'max_results' supplied. It must be a positive integer" },
        { "runs/search", """{"max_results": "abc"}""", $"Invalid value \"abc\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.{SeeTheDocs}" },
        { "model-versions/transition-stage", """{"name": "m", "version": "x", "stage": "Staging", "archive_existing_versions": false}""", "Model version must be an integer, got 'x'" },
    };

    [Theory]
    [MemberData(nameof(MlflowMessages))]
    public async Task Malformed_types_and_missing_fields_get_MLflows_own_messages(string rpc, string body, string expected)
    {
        var message = await (await PostAsync(rpc, body)).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal(expected, message);
    }

    [Fact]
    public async Task Runs_search_above_its_max_results_says_the_bound_as_MLflows_tracking_store_does()
    {
        var message = await (await PostAsync("runs/search", """{"max_results": 50001}""")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal("Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000", message);
    }

    [Theory]
    [InlineData("ffffffffffffffff")]
    [InlineData("fffffffffffffffff0")]
    [InlineData("zz")]
    public async Task A_chunked_body_with_a_broken_chunk_size_is_400_not_500(string chunkSize)
    {
        var statusLine = await app.Http.SendChunkedAsync(HttpMethod.Post, MlflowHttp.Path(app.Tenants.ProjectId, "registered-models/create"),
            chunkSize, """{"name": "chunky"}""", app.Tenants.Developer);

        Assert.StartsWith("HTTP/1.1 400", statusLine);
    }

    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        while (schema["$ref"] is { } reference)
        {
            schema = document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]!;
        }
        return schema;
    }

    private static bool IsArray(JsonNode schema) => schema["type"] switch
    {
        JsonValue type => (string?)type == "array",
        JsonArray types => types.Any(t => (string?)t == "array"),
        _ => false,
    };
}
