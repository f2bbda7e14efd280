using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Auth;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.Scale;

/// <summary>
/// Changes that a replica may have cached the old state of — revocation, a role change, a deleted project, a feature
/// flag — take effect on the other replica within a second of their commit. Each window is measured as
/// <see cref="RevocationWindow"/> measures it (from the last moment the database still showed the old state) and
/// printed to the test output.
/// </summary>
[Collection(ScaleCollection.Name)]
public sealed class CrossReplicaWindowTests(ScaleFixture scale, ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KeepTrying = TimeSpan.FromSeconds(3);
    private const string Flag = "ml_experiment_tracking";

    private void AssertWithinLimit(string how, IReadOnlyList<RevocationWindow.Result> results)
    {
        foreach (var result in results)
        {
            output.WriteLine($"{how}: {result}");
        }
        Assert.All(results, r => Assert.True(r.Window < Limit, $"{how}: {r}"));
    }

    private static async Task<(long ProjectId, Person Person, AdminHttp Admin)> MemberAsync(Replicas replicas, int accessLevel = 30)
    {
        var admin = new AdminHttp(replicas.A.Http, replicas.Admin);
        var projectId = await admin.ProjectAsync();
        return (projectId, await admin.PersonAsync(projectId, accessLevel), admin);
    }

    private static Func<Task<bool>> Status(HttpClient http, long projectId, TestToken token, HttpStatusCode status, string? errorCode = null) => async () =>
    {
        var response = await http.GetAsync(projectId, "registered-models/get?name=absent", token);
        return response.StatusCode == status && (errorCode is null || (await response.Content.ReadAsStringAsync()).Contains(errorCode, StringComparison.Ordinal));
    };

    [Fact]
    public async Task A_token_revoked_through_A_is_refused_by_B_within_a_second()
    {
        var (projectId, person, admin) = await MemberAsync(scale.File);

        var results = await RevocationWindow.MeasureAsync(scale.File.ConnectionString,
            $"SELECT revoked FROM personal_access_tokens WHERE id = {person.TokenId}",
            async () => Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"personal_access_tokens/{person.TokenId}", admin.Admin)).StatusCode),
            new Dictionary<string, Func<Task<bool>>> { ["B"] = Status(scale.File.B.Http, projectId, person.Token, HttpStatusCode.Unauthorized) }, KeepTrying);

        AssertWithinLimit("token revoked through A", results);
    }

    [Fact]
    public async Task A_developer_demoted_through_A_can_no_longer_write_through_B_within_a_second()
    {
        var (projectId, person, admin) = await MemberAsync(scale.File);
        var b = scale.File.B.Http;
        Func<Task<bool>> writeRefused = async () => (await b.PostJsonAsync(projectId, "experiments/create",
            new { name = MlflowHttp.UniqueName("role") }, person.Token)).StatusCode == HttpStatusCode.Forbidden;

        var results = await RevocationWindow.MeasureAsync(scale.File.ConnectionString,
            $"SELECT access_level = 20 FROM project_members WHERE project_id = {projectId} AND user_id = {person.Id}",
            async () => await admin.OkAsync(HttpMethod.Put, $"projects/{projectId}/members/{person.Id}", admin.Admin, new { access_level = 20 }),
            new Dictionary<string, Func<Task<bool>>> { ["B"] = writeRefused }, KeepTrying);

        AssertWithinLimit("demoted to Reporter through A", results);
    }

    [Fact]
    public async Task A_token_revoked_and_a_developer_demoted_by_the_CLI_take_effect_on_both_replicas_within_a_second()
    {
        var replicas = scale.File;
        var (projectId, revoked, admin) = await MemberAsync(replicas);
        var demoted = await admin.PersonAsync(projectId, 30);
        Func<Task> cli(params string[] args) => async () =>
        {
            var run = await Repository.RunAsync("Registry.Api", ["admin", .. args], new Dictionary<string, string> { ["ConnectionStrings__registrydb"] = replicas.ConnectionString });
            Assert.True(run.ExitCode == 0, run.StdErr);
        };
        Func<Task<bool>> writeRefused(HttpClient http) => async () => (await http.PostJsonAsync(projectId, "experiments/create",
            new { name = MlflowHttp.UniqueName("cli-role") }, demoted.Token)).StatusCode == HttpStatusCode.Forbidden;

        var revocation = await RevocationWindow.MeasureAsync(replicas.ConnectionString,
            $"SELECT revoked FROM personal_access_tokens WHERE id = {revoked.TokenId}",
            cli("revoke-token", $"{revoked.TokenId}"),
            new Dictionary<string, Func<Task<bool>>>
            {
                ["A"] = Status(replicas.A.Http, projectId, revoked.Token, HttpStatusCode.Unauthorized),
                ["B"] = Status(replicas.B.Http, projectId, revoked.Token, HttpStatusCode.Unauthorized),
            }, KeepTrying);
        var demotion = await RevocationWindow.MeasureAsync(replicas.ConnectionString,
            $"SELECT access_level = 20 FROM project_members WHERE project_id = {projectId} AND user_id = {demoted.Id}",
            cli("add-member", $"{projectId}", demoted.Username, "reporter"),
            new Dictionary<string, Func<Task<bool>>> { ["A"] = writeRefused(replicas.A.Http), ["B"] = writeRefused(replicas.B.Http) }, KeepTrying);

        AssertWithinLimit("token revoked by the CLI", revocation);
        AssertWithinLimit("demoted to Reporter by the CLI", demotion);
    }

    [Fact]
    public async Task A_project_deleted_through_A_disappears_from_B_within_a_second()
    {
        var (projectId, person, admin) = await MemberAsync(scale.File);

        var results = await RevocationWindow.MeasureAsync(scale.File.ConnectionString,
            $"SELECT NOT EXISTS (SELECT 1 FROM projects WHERE id = {projectId})",
            async () => Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"projects/{projectId}", admin.Admin)).StatusCode),
            new Dictionary<string, Func<Task<bool>>> { ["B"] = Status(scale.File.B.Http, projectId, person.Token, HttpStatusCode.NotFound, "Project not found") },
            KeepTrying);

        AssertWithinLimit("project deleted through A", results);
    }

    [Fact]
    public async Task A_feature_flag_turned_off_and_back_on_for_a_project_through_A_takes_effect_on_B_within_a_second()
    {
        var replicas = scale.S3;
        var (projectId, person, admin) = await MemberAsync(replicas);
        var off = Status(replicas.B.Http, projectId, person.Token, HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
        var on = Status(replicas.B.Http, projectId, person.Token, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var gate = $"FROM feature_gates WHERE feature_name = '{Flag}' AND project_id = {projectId}";

        var disabled = await RevocationWindow.MeasureAsync(replicas.ConnectionString, $"SELECT EXISTS (SELECT 1 {gate} AND NOT enabled)",
            async () => await admin.OkAsync(HttpMethod.Post, $"features/{Flag}", admin.Admin, new { value = false, project = projectId }),
            new Dictionary<string, Func<Task<bool>>> { ["B"] = off }, KeepTrying);
        var enabled = await RevocationWindow.MeasureAsync(replicas.ConnectionString, $"SELECT NOT EXISTS (SELECT 1 {gate})",
            async () => Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"features/{Flag}", admin.Admin)).StatusCode),
            new Dictionary<string, Func<Task<bool>>> { ["B"] = on }, KeepTrying);

        AssertWithinLimit("flag off for the project through A", disabled);
        AssertWithinLimit("flag gates deleted through A", enabled);
    }

    [Fact]
    public async Task A_feature_flag_turned_off_for_every_project_by_plain_SQL_takes_effect_on_both_replicas_within_a_second()
    {
        var replicas = scale.S3;
        var (projectId, person, _) = await MemberAsync(replicas);
        await using var dataSource = NpgsqlDataSource.Create(replicas.ConnectionString);
        try
        {
            var results = await RevocationWindow.MeasureAsync(replicas.ConnectionString,
                $"SELECT EXISTS (SELECT 1 FROM feature_gates WHERE feature_name = '{Flag}' AND project_id IS NULL)",
                async () => await dataSource.CreateCommand($"INSERT INTO feature_gates (feature_name, enabled) VALUES ('{Flag}', false)").ExecuteNonQueryAsync(),
                new Dictionary<string, Func<Task<bool>>>
                {
                    ["A"] = Status(replicas.A.Http, projectId, person.Token, HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND"),
                    ["B"] = Status(replicas.B.Http, projectId, person.Token, HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND"),
                }, KeepTrying);

            AssertWithinLimit("flag off for every project by SQL", results);
        }
        finally
        {
            await dataSource.CreateCommand($"DELETE FROM feature_gates WHERE feature_name = '{Flag}'").ExecuteNonQueryAsync();
            // The next test expects the flag on everywhere.
            var served = Status(replicas.B.Http, projectId, person.Token, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!await served() && clock.Elapsed < KeepTrying) await Task.Delay(20);
        }
    }
}
