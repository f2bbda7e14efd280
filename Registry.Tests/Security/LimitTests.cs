using Registry.Tests.Infrastructure;

namespace Registry.Tests.Security;

[Collection(RegistryCollection.Name)]
public sealed class LimitTests(RegistryAppFixture app)
{
    private InProcessApi Api(params (string Key, string Value)[] settings) => new(new Dictionary<string, string?>(
        settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
    {
        ["ConnectionStrings:registrydb"] = app.ConnectionString,
        ["OTEL_SDK_DISABLED"] = "true",
    });

    [Fact]
    public async Task A_token_over_its_rate_gets_429_with_Retry_After_and_other_tokens_are_not_slowed()
    {
        await using var api = Api(("Registry:RateLimit:PermitsPerSecond", "2"), ("Registry:RateLimit:Burst", "3"));
        using var http = api.CreateClient();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            responses.Add(await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=x", app.Tenants.Developer));
        }

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        await limited[0].ShouldBeMlflowErrorAsync(HttpStatusCode.TooManyRequests, "REQUEST_LIMIT_EXCEEDED");
        Assert.True(int.Parse(limited[0].Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        await (await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=x", app.Tenants.Reporter))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task A_JSON_body_over_the_limit_is_413_with_an_MLflow_body()
    {
        await using var api = Api(("Registry:MaxRequestBodyBytes", "1024"));
        using var http = api.CreateClient();

        var response = await http.PostRawAsync(app.Tenants.ProjectId, "registered-models/create",
            $$"""{"name": "big", "description": "{{new string('d', 4000)}}"}""", app.Tenants.Developer);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.RequestEntityTooLarge, "INVALID_PARAMETER_VALUE");
        await (await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=big", app.Tenants.Developer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }
}
