using Registry.Tests.Infrastructure;

namespace Registry.Tests.RegisteredModels;

[Collection(RegistryCollection.Name)]
public sealed class ValidationTests(RegistryAppFixture app)
{
    private HttpClient Http => app.Http;
    private Tenants Tenants => app.Tenants;

    /// <summary>A request body with {NAME} standing for a fresh model name, and a word the error message must contain.</summary>
    public static TheoryData<string, string> InvalidCreates => new()
    {
        { """{}""", "name" },
        { """{"name": ""}""", "name" },
        { """{"name": null}""", "name" },
        { $$"""{"name": "{{new string('n', 256)}}"}""", "name" },
        { """{"name": "a\u0000b"}""", "name" },
        { """{"name": "\ud800"}""", "name" },
        { $$"""{"name": "{NAME}", "description": "{{new string('d', 5001)}}"}""", "description" },
        { """{"name": "{NAME}", "tags": [null]}""", "tags" },
        { """{"name": "{NAME}", "tags": [{"value": "v"}]}""", "key" },
        { """{"name": "{NAME}", "tags": [{"key": "k"}]}""", "value" },
        { """{"name": "{NAME}", "tags": [{"key": "../escape", "value": "v"}]}""", "../escape" },
        { """{"name": "{NAME}", "tags": [{"key": "/absolute", "value": "v"}]}""", "/absolute" },
        { """{"name": "{NAME}", "tags": [{"key": "a//b", "value": "v"}]}""", "a//b" },
        { """{"name": "{NAME}", "tags": [{"key": "trailing/", "value": "v"}]}""", "trailing/" },
        { """{"name": "{NAME}", "tags": [{"key": "semi;colon", "value": "v"}]}""", "semi;colon" },
        { """{"name": "{NAME}", "tags": [{"key": "", "value": "v"}]}""", "key" },
        { $$"""{"name": "{NAME}", "tags": [{"key": "{{new string('k', 251)}}", "value": "v"}]}""", "250" },
        { $$"""{"name": "{NAME}", "tags": [{"key": "k", "value": "{{new string('v', 5001)}}"}]}""", "5000" },
        { """{"name": 5}""", "Invalid value 5 for parameter 'name' supplied" },
        { """{"name": "{NAME}", "tags": {"key": "k"}}""", """Invalid value {"key":"k"} for parameter 'tags' supplied:  Hint: Value was of type 'dict'.""" },
        { """{"name": "{NAME}" """, "JSON" },
        { $$"""{"name": "{NAME}", "tags": [{{string.Join(", ", Enumerable.Range(0, 101).Select(i => $$"""{"key": "k{{i}}", "value": "v"}"""))}}]}""", "100 tags" },
        { """[1, 2]""", "JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreates))]
    public async Task Invalid_create_returns_INVALID_PARAMETER_VALUE_naming_the_problem_and_writes_nothing(string body, string mentioned)
    {
        var name = MlflowHttp.UniqueName("invalid");

        var response = await Http.PostRawAsync(Tenants.ProjectId, "registered-models/create", body.Replace("{NAME}", name), Tenants.Developer);

        var message = await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Contains(mentioned, message);
        await (await Http.GetAsync(Tenants.ProjectId, $"registered-models/get?name={name}", Tenants.Developer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Limits_are_inclusive()
    {
        var unique = MlflowHttp.UniqueName("edge");
        var name = unique + new string('e', 255 - unique.Length);

        var response = await Http.PostJsonAsync(Tenants.ProjectId, "registered-models/create", new
        {
            name,
            description = new string('d', 5000),
            tags = new[] { new { key = "sub/dir.name-with_chars " + new string('k', 226), value = new string('v', 5000) } },
        }, Tenants.Developer);

        var model = (await response.ShouldBeOkAsync())["registered_model"]!;
        Assert.Equal(255, ((string)model["name"]!).Length);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_rejected_with_a_readable_error()
    {
        var response = await Http.PostRawAsync(Tenants.ProjectId, "registered-models/create", "name=x", Tenants.Developer, "application/x-www-form-urlencoded");

        var message = await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Contains("application/json", message);
    }

    [Fact]
    public async Task Get_without_a_name_returns_INVALID_PARAMETER_VALUE()
    {
        var response = await Http.GetAsync(Tenants.ProjectId, "registered-models/get", Tenants.Developer);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Theory]
    [InlineData("GET", "registered-models/create")]
    [InlineData("POST", "registered-models/get")]
    [InlineData("GET", "registered-models/nonexistent")]
    [InlineData("DELETE", "no/such/endpoint")]
    public async Task Unknown_endpoints_and_wrong_methods_return_ENDPOINT_NOT_FOUND(string method, string rpc)
    {
        var response = await Http.SendRawAsync(new HttpMethod(method), MlflowHttp.Path(Tenants.ProjectId, rpc), content: null, Tenants.Developer);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
    }
}
