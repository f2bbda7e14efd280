using System.Net.Http.Headers;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Security;

/// <summary>Every MLflow endpoint against every kind of caller: the answer depends on who asks, never on which endpoint.</summary>
[Collection(RegistryCollection.Name)]
public sealed class AccessMatrixTests(RegistryAppFixture app)
{
    private sealed record Caller(string Name, Func<Tenants, (TestToken? Token, string? Header)> Credentials);

    private static readonly Caller[] Callers =
    [
        new("anonymous", _ => (null, null)),
        new("malformed header", _ => (null, "Bearer")),
        new("unknown token", _ => (new TestToken("glpat-unknown-" + Guid.NewGuid().ToString("N")), null)),
        new("expired token", t => (t.Expired, null)),
        new("revoked token", t => (t.Revoked, null)),
        new("member of another project", t => (t.Outsider, null)),
        new("read_api token", t => (t.DeveloperReadApi, null)),
        new("guest", t => (t.Guest, null)),
        new("reporter", t => (t.Reporter, null)),
        new("developer", t => (t.Developer, null)),
    ];

    [Fact]
    public async Task Every_endpoint_answers_each_kind_of_caller_as_its_role_and_scope_allow()
    {
        var endpoints = await Endpoint.AllMlflowAsync(app.Http);
        Assert.True(endpoints.Count > 50, $"only {endpoints.Count} endpoints found in the OpenAPI document");
        var wrong = new List<string>();

        foreach (var endpoint in endpoints)
        {
            foreach (var caller in Callers)
            {
                var (token, header) = caller.Credentials(app.Tenants);
                using var request = new HttpRequestMessage(endpoint.Method, endpoint.Path(app.Tenants.ProjectId))
                {
                    Content = endpoint.Writes ? new StringContent("{}", System.Text.Encoding.UTF8, "application/json") : null,
                };
                if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
                if (header is not null) request.Headers.TryAddWithoutValidation("Authorization", header);
                var response = await app.Http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var code = response.Content.Headers.ContentType?.MediaType == "application/json" && body.StartsWith('{')
                    ? (string?)JsonNode.Parse(body)?["error_code"] : null;

                var expected = Expected(caller.Name, endpoint.Writes);
                var ok = expected switch
                {
                    // NOT_IMPLEMENTED: the file store's deliberate answer to multipart uploads, after access was granted.
                    "allowed" => ((int)response.StatusCode < 500 || code == "NOT_IMPLEMENTED")
                        && code is not ("UNAUTHENTICATED" or "PERMISSION_DENIED") && !body.Contains("Project not found", StringComparison.Ordinal),
                    _ => code == expected,
                };
                if (!ok)
                {
                    wrong.Add($"{endpoint} as {caller.Name}: expected {expected}, got {(int)response.StatusCode} {body[..Math.Min(body.Length, 160)]}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    private static string Expected(string caller, bool writes) => caller switch
    {
        "anonymous" or "malformed header" or "unknown token" or "expired token" or "revoked token" => "UNAUTHENTICATED",
        "member of another project" => "RESOURCE_DOES_NOT_EXIST",
        "guest" => "PERMISSION_DENIED",
        "read_api token" or "reporter" when writes => "PERMISSION_DENIED",
        _ => "allowed",
    };
}
