using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

[Collection(RegistryCollection.Name)]
public sealed class OpenApiTests(RegistryAppFixture app)
{
    [Fact]
    public async Task The_OpenAPI_document_describes_every_endpoint_with_its_bodies_and_errors()
    {
        var document = JsonNode.Parse(await app.Http.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();

        var create = paths["/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow/registered-models/create"]!["post"]!;
        var body = create["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!.AsObject();
        Assert.Equal(["description", "name", "tags"], body.Select(p => p.Key).Order());
        Assert.Equal(["200", "400", "401", "403", "404"], create["responses"]!.AsObject().Select(r => r.Key).Order());
        Assert.Contains("MlflowErrorBody", document["components"]!["schemas"]!.AsObject().Select(s => s.Key));
        foreach (var rpc in new[] { "model-versions/search", "runs/log-batch", "experiments/get-by-name", "metrics/get-history" })
        {
            Assert.Contains($"/api/v4/projects/{{projectId}}/ml/mlflow/api/2.0/mlflow/{rpc}", paths.Select(p => p.Key));
        }
        Assert.Contains("/api/v4/personal_access_tokens/self", paths.Select(p => p.Key));
    }

    /// <summary>
    /// Every MLflow operation reads input it can refuse (a JSON body, a query parameter, a path), so each must declare
    /// <c>MlflowError</c> in its result type, which documents 400: a handler declaring only <c>Ok</c> while its validation
    /// throws would hide that error from the document. (404 the project group declares for all.)
    /// </summary>
    [Fact]
    public async Task Every_MLflow_operation_declares_that_it_answers_MLflow_errors()
    {
        var document = JsonNode.Parse(await app.Http.GetStringAsync("/openapi/v1.json"))!;

        var undeclared = document["paths"]!.AsObject()
            .Where(path => path.Key.Contains("/ml/mlflow/", StringComparison.Ordinal))
            .SelectMany(path => path.Value!.AsObject()
                .Where(operation => !operation.Value!["responses"]!.AsObject().ContainsKey("400"))
                .Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Key}"))
            .ToList();

        Assert.True(undeclared.Count == 0, $"Declare MlflowError in the result type of: {string.Join(", ", undeclared)}");
    }

    [Fact]
    public async Task Artifact_endpoints_declare_the_statuses_only_they_answer()
    {
        var document = JsonNode.Parse(await app.Http.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!;
        const string artifacts = "/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow-artifacts/";

        Assert.Contains("416", Statuses(paths[artifacts + "artifacts/{path}"]!["get"]!));
        Assert.Contains("413", Statuses(paths[artifacts + "artifacts/{path}"]!["put"]!));
        foreach (var step in new[] { "create", "complete", "abort" })
        {
            Assert.Contains("501", Statuses(paths[$"{artifacts}mpu/{step}/{{path}}"]!["post"]!));
        }
    }

    private static IEnumerable<string> Statuses(JsonNode operation) => operation["responses"]!.AsObject().Select(r => r.Key);

    [Fact]
    public async Task A_registered_models_latest_versions_are_described_as_model_versions()
    {
        var document = JsonNode.Parse(await app.Http.GetStringAsync("/openapi/v1.json"))!;
        var schemas = document["components"]!["schemas"]!;

        var latest = schemas["RegisteredModel"]!["properties"]!["latest_versions"]!;
        Assert.Equal("array", (string?)latest["type"]);
        Assert.Equal("#/components/schemas/ModelVersion", (string?)latest["items"]!["$ref"]);
    }
}
