using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

/// <summary>The /api/v4 administration and account API as a test drives it: the administrator sets people up, then each acts with their own token.</summary>
public sealed class AdminHttp(HttpClient http, TestToken admin)
{
    public TestToken Admin => admin;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, TestToken? token, object? body = null) =>
        http.SendRawAsync(method, $"/api/v4/{path}", body is null ? null : JsonContent.Create(body), token);

    public async Task<JsonObject> OkAsync(HttpMethod method, string path, TestToken? token, object? body = null) =>
        await (await SendAsync(method, path, token, body)).ShouldBeOkAsync();

    public async Task<JsonArray> ListAsync(string path, TestToken token)
    {
        var response = await SendAsync(HttpMethod.Get, path, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonArray>())!;
    }

    public async Task<long> ProjectAsync() =>
        (long)(await OkAsync(HttpMethod.Post, "projects", admin, new { name = MlflowHttp.UniqueName("team") }))["id"]!;

    /// <summary>A new user with an <c>api</c> (or the given) token, a member of the project at the level when one is given.</summary>
    public async Task<Person> PersonAsync(long? projectId = null, int? accessLevel = null, string scope = "api")
    {
        var username = MlflowHttp.UniqueName("person");
        var user = await OkAsync(HttpMethod.Post, "users", admin, new { username });
        var id = (long)user["id"]!;
        if (projectId is { } project && accessLevel is { } level)
        {
            await OkAsync(HttpMethod.Post, $"projects/{project}/members", admin, new { user_id = id, access_level = level });
        }
        var token = await OkAsync(HttpMethod.Post, $"users/{id}/personal_access_tokens", admin, new { name = "t", scopes = new[] { scope } });
        return new Person(id, username, new TestToken((string)token["token"]!), (long)token["id"]!);
    }
}

public sealed record Person(long Id, string Username, TestToken Token, long TokenId);
