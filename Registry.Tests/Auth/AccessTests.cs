using System.Text;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth;

[Collection(RegistryCollection.Name)]
public sealed class AccessTests(RegistryAppFixture app)
{
    private HttpClient Http => app.Http;
    private Tenants Tenants => app.Tenants;

    private Task<HttpResponseMessage> CreateAsync(long projectId, TestToken? token) =>
        Http.PostJsonAsync(projectId, "registered-models/create", new { name = MlflowHttp.UniqueName("auth") }, token);

    private Task<HttpResponseMessage> GetAsync(long projectId, TestToken? token) =>
        Http.GetAsync(projectId, "registered-models/get?name=anything", token);

    [Fact]
    public async Task No_token_is_UNAUTHENTICATED()
    {
        await (await CreateAsync(Tenants.ProjectId, token: null)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await (await GetAsync(Tenants.ProjectId, token: null)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task Unknown_token_is_UNAUTHENTICATED()
    {
        var message = await (await GetAsync(Tenants.ProjectId, new TestToken("glpat-not-a-real-token"))).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Contains("not valid", message);
    }

    [Fact]
    public async Task Expired_token_is_UNAUTHENTICATED()
    {
        var message = await (await GetAsync(Tenants.ProjectId, Tenants.Expired)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Contains("expired", message);
    }

    [Fact]
    public async Task Revoked_token_is_UNAUTHENTICATED()
    {
        var message = await (await GetAsync(Tenants.ProjectId, Tenants.Revoked)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Contains("revoked", message);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Token abc")]
    [InlineData("Basic !!!not-base64")]
    public async Task Malformed_authorization_header_is_UNAUTHENTICATED(string header)
    {
        var response = await Http.SendRawAsync(HttpMethod.Get, MlflowHttp.Path(Tenants.ProjectId, "registered-models/get?name=x"), null, token: null, authorization: header);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task Basic_auth_with_the_token_as_password_is_accepted()
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"anyone:{Tenants.Developer.Value}"));

        var response = await Http.SendRawAsync(HttpMethod.Get, MlflowHttp.Path(Tenants.ProjectId, "registered-models/get?name=missing"), null, token: null, authorization: $"Basic {basic}");

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Read_api_token_reads_but_cannot_write()
    {
        await (await GetAsync(Tenants.ProjectId, Tenants.DeveloperReadApi)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var message = await (await CreateAsync(Tenants.ProjectId, Tenants.DeveloperReadApi)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.Contains("api", message);
    }

    [Fact]
    public async Task Reporter_reads_but_cannot_write()
    {
        await (await GetAsync(Tenants.ProjectId, Tenants.Reporter)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var message = await (await CreateAsync(Tenants.ProjectId, Tenants.Reporter)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.Contains("Developer", message);
    }

    [Fact]
    public async Task Reporters_and_read_api_tokens_make_the_reads_MLflow_sends_as_POST()
    {
        foreach (var token in new[] { Tenants.Reporter, Tenants.DeveloperReadApi })
        {
            await (await Http.PostJsonAsync(Tenants.ProjectId, "runs/search", new { experiment_ids = new[] { "0" } }, token)).ShouldBeOkAsync();
            await (await Http.PostJsonAsync(Tenants.ProjectId, "experiments/search", new { max_results = 10 }, token)).ShouldBeOkAsync();
            await (await Http.PostJsonAsync(Tenants.ProjectId, "logged-models/search", new { experiment_ids = new[] { "0" } }, token)).ShouldBeOkAsync();
            await (await Http.PostJsonAsync(Tenants.ProjectId, "registered-models/get-latest-versions", new { name = "absent" }, token))
                .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        }
        await (await Http.PostJsonAsync(Tenants.ProjectId, "runs/search", new { experiment_ids = new[] { "0" } }, Tenants.Guest))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task A_reporter_asking_for_an_endpoint_the_server_lacks_gets_ENDPOINT_NOT_FOUND_so_the_client_can_fall_back()
    {
        var response = await Http.PostJsonAsync(Tenants.ProjectId, "experiments/search-datasets", new { experiment_ids = new[] { "0" } }, Tenants.Reporter);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
    }

    [Fact]
    public async Task Guest_can_neither_read_nor_write()
    {
        await (await GetAsync(Tenants.ProjectId, Tenants.Guest)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await (await CreateAsync(Tenants.ProjectId, Tenants.Guest)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task Developer_reads_and_writes()
    {
        await (await CreateAsync(Tenants.ProjectId, Tenants.Developer)).ShouldBeOkAsync();
    }

    [Fact]
    public async Task An_administrator_reaches_projects_they_are_not_a_member_of()
    {
        var admin = new TestToken(app.BootstrapToken);

        var message = await (await GetAsync(Tenants.OtherProjectId, admin)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Contains("Registered Model", message);
        await (await CreateAsync(Tenants.OtherProjectId, admin)).ShouldBeOkAsync();
    }

    [Fact]
    public async Task Member_of_another_project_sees_no_project_at_all()
    {
        var asOutsider = await (await CreateAsync(Tenants.ProjectId, Tenants.Outsider)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var missing = await (await CreateAsync(987_654_321, Tenants.Outsider)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Equal(missing, asOutsider);
    }

    [Theory]
    [InlineData("not-a-number")]
    [InlineData("-1")]
    [InlineData("99999999999999999999999")]
    public async Task Malformed_project_ids_are_missing_projects(string projectId)
    {
        var response = await Http.SendRawAsync(HttpMethod.Get, $"/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow/registered-models/get?name=x", null, Tenants.Developer);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task With_the_flag_off_for_a_project_its_endpoints_are_absent_even_to_members()
    {
        await (await CreateAsync(Tenants.FlagOffProjectId, Tenants.Developer)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
        await (await GetAsync(Tenants.FlagOffProjectId, token: null)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
        await (await CreateAsync(Tenants.ProjectId, Tenants.Developer)).ShouldBeOkAsync();
    }
}
