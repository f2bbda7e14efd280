using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.Auth;

/// <summary>
/// Revocation is immediate everywhere: a token revoked, a member removed, a user or project deleted — by the CLI, by
/// the API of any process, or by plain SQL — is refused by every API process within a second. Process A is the
/// AppHost's API; process B is a second API hosted in the test, on the same database.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RevocationTests(RegistryAppFixture app, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KeepTrying = TimeSpan.FromSeconds(3);

    private InProcessApi _second = null!;
    private HttpClient _b = null!;
    private AdminHttp _api = null!;

    public Task InitializeAsync()
    {
        _second = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = app.ConnectionString,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        _b = _second.CreateClient();
        _api = new AdminHttp(app.Http, new TestToken(app.BootstrapToken));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _b.Dispose();
        await _second.DisposeAsync();
    }

    private async Task<(long ProjectId, Person Person)> MemberAsync()
    {
        var projectId = await _api.ProjectAsync();
        return (projectId, await _api.PersonAsync(projectId, 30));
    }

    private static Func<Task<bool>> Unauthenticated(HttpClient http, long projectId, TestToken token) => async () =>
        (await http.GetAsync(projectId, "registered-models/get?name=x", token)).StatusCode == HttpStatusCode.Unauthorized;

    private static Func<Task<bool>> ProjectHidden(HttpClient http, long projectId, TestToken token) => async () =>
    {
        var response = await http.GetAsync(projectId, "registered-models/get?name=x", token);
        return response.StatusCode == HttpStatusCode.NotFound && (await response.Content.ReadAsStringAsync()).Contains("Project not found", StringComparison.Ordinal);
    };

    private async Task ExecuteAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private void AssertWithinLimit(string how, IReadOnlyList<RevocationWindow.Result> results)
    {
        foreach (var result in results)
        {
            output.WriteLine($"{how}: {result}");
        }
        Assert.All(results, r => Assert.True(r.Window < Limit, $"{how}: {r}"));
    }

    [Fact]
    public async Task A_token_revoked_by_the_CLI_is_refused_by_every_API_process_within_a_second()
    {
        var (projectId, person) = await MemberAsync();

        var results = await RevocationWindow.MeasureAsync(app.ConnectionString,
            $"SELECT revoked FROM personal_access_tokens WHERE id = {person.TokenId}",
            async () =>
            {
                var cli = await Repository.RunAsync("Registry.Api", ["admin", "revoke-token", $"{person.TokenId}"],
                    new Dictionary<string, string> { ["ConnectionStrings__registrydb"] = app.ConnectionString });
                Assert.True(cli.ExitCode == 0, cli.StdErr);
            },
            new Dictionary<string, Func<Task<bool>>>
            {
                ["A"] = Unauthenticated(app.Http, projectId, person.Token),
                ["B"] = Unauthenticated(_b, projectId, person.Token),
            }, KeepTrying);

        AssertWithinLimit("revoked by the CLI", results);
    }

    [Fact]
    public async Task A_token_revoked_through_one_API_process_is_refused_by_the_other_within_a_second()
    {
        var (projectId, first) = await MemberAsync();
        var second = await _api.PersonAsync(projectId, 30);

        var viaB = await RevocationWindow.MeasureAsync(app.ConnectionString,
            $"SELECT revoked FROM personal_access_tokens WHERE id = {first.TokenId}",
            async () => Assert.Equal(HttpStatusCode.NoContent,
                (await _b.SendRawAsync(HttpMethod.Delete, "/api/v4/personal_access_tokens/self", null, first.Token)).StatusCode),
            new Dictionary<string, Func<Task<bool>>> { ["A"] = Unauthenticated(app.Http, projectId, first.Token) }, KeepTrying);
        var viaA = await RevocationWindow.MeasureAsync(app.ConnectionString,
            $"SELECT revoked FROM personal_access_tokens WHERE id = {second.TokenId}",
            async () => Assert.Equal(HttpStatusCode.NoContent,
                (await _api.SendAsync(HttpMethod.Delete, $"personal_access_tokens/{second.TokenId}", _api.Admin)).StatusCode),
            new Dictionary<string, Func<Task<bool>>> { ["B"] = Unauthenticated(_b, projectId, second.Token) }, KeepTrying);

        AssertWithinLimit("revoked through B", viaB);
        AssertWithinLimit("revoked through A", viaA);
    }

    [Fact]
    public async Task A_token_revoked_by_plain_SQL_is_refused_by_every_API_process_within_a_second()
    {
        var (projectId, person) = await MemberAsync();

        var results = await RevocationWindow.MeasureAsync(app.ConnectionString,
            $"SELECT revoked FROM personal_access_tokens WHERE id = {person.TokenId}",
            () => ExecuteAsync($"UPDATE personal_access_tokens SET revoked = true WHERE id = {person.TokenId}"),
            new Dictionary<string, Func<Task<bool>>>
            {
                ["A"] = Unauthenticated(app.Http, projectId, person.Token),
                ["B"] = Unauthenticated(_b, projectId, person.Token),
            }, KeepTrying);

        AssertWithinLimit("revoked by SQL", results);
    }

    [Fact]
    public async Task A_removed_member_is_shut_out_by_every_API_process_within_a_second()
    {
        var (projectId, bySql) = await MemberAsync();
        var byApi = await _api.PersonAsync(projectId, 30);

        var sql = await RevocationWindow.MeasureAsync(app.ConnectionString,
            $"SELECT NOT EXISTS (SELECT 1 FROM project_members WHERE project_id = {projectId} AND user_id = {bySql.Id})",
            () => ExecuteAsync($"DELETE FROM project_members WHERE project_id = {projectId} AND user_id = {bySql.Id}"),
            new Dictionary<string, Func<Task<bool>>>
            {
                ["A"] = ProjectHidden(app.Http, projectId, bySql.Token),
                ["B"] = ProjectHidden(_b, projectId, bySql.Token),
            }, KeepTrying);
        var api = await RevocationWindow.MeasureAsync(app.ConnectionString,
            $"SELECT NOT EXISTS (SELECT 1 FROM project_members WHERE project_id = {projectId} AND user_id = {byApi.Id})",
            async () => Assert.Equal(HttpStatusCode.NoContent,
                (await _b.SendRawAsync(HttpMethod.Delete, $"/api/v4/projects/{projectId}/members/{byApi.Id}", null, _api.Admin)).StatusCode),
            new Dictionary<string, Func<Task<bool>>> { ["A"] = ProjectHidden(app.Http, projectId, byApi.Token) }, KeepTrying);

        AssertWithinLimit("member removed by SQL", sql);
        AssertWithinLimit("member removed through B", api);
    }

    [Fact]
    public async Task A_deleted_user_is_refused_by_every_API_process_within_a_second()
    {
        var (projectId, person) = await MemberAsync();

        var results = await RevocationWindow.MeasureAsync(app.ConnectionString,
            $"SELECT NOT EXISTS (SELECT 1 FROM users WHERE id = {person.Id})",
            async () => Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"users/{person.Id}", _api.Admin)).StatusCode),
            new Dictionary<string, Func<Task<bool>>>
            {
                ["A"] = Unauthenticated(app.Http, projectId, person.Token),
                ["B"] = Unauthenticated(_b, projectId, person.Token),
            }, KeepTrying);

        AssertWithinLimit("user deleted through A", results);
    }

    [Fact]
    public async Task A_deleted_project_disappears_from_every_API_process_within_a_second()
    {
        var (projectId, person) = await MemberAsync();

        var results = await RevocationWindow.MeasureAsync(app.ConnectionString,
            $"SELECT NOT EXISTS (SELECT 1 FROM projects WHERE id = {projectId})",
            async () => Assert.Equal(HttpStatusCode.NoContent,
                (await _b.SendRawAsync(HttpMethod.Delete, $"/api/v4/projects/{projectId}", null, _api.Admin)).StatusCode),
            new Dictionary<string, Func<Task<bool>>>
            {
                ["A"] = ProjectHidden(app.Http, projectId, person.Token),
                ["B"] = ProjectHidden(_b, projectId, person.Token),
            }, KeepTrying);

        AssertWithinLimit("project deleted through B", results);
        var create = await app.Http.PostJsonAsync(projectId, "experiments/create", new { name = "after" }, person.Token);
        await create.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task A_process_whose_listening_connection_was_cut_still_refuses_a_revoked_token_within_a_second()
    {
        var (projectId, person) = await MemberAsync();
        Assert.False(await Unauthenticated(_b, projectId, person.Token)());

        await ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'registry-auth-listener'");
        var results = await RevocationWindow.MeasureAsync(app.ConnectionString,
            $"SELECT revoked FROM personal_access_tokens WHERE id = {person.TokenId}",
            () => ExecuteAsync($"UPDATE personal_access_tokens SET revoked = true WHERE id = {person.TokenId}"),
            new Dictionary<string, Func<Task<bool>>>
            {
                ["A"] = Unauthenticated(app.Http, projectId, person.Token),
                ["B"] = Unauthenticated(_b, projectId, person.Token),
            }, KeepTrying);

        AssertWithinLimit("revoked by SQL while the listeners reconnect", results);
    }
}
