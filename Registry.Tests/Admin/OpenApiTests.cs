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
