using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

[Collection(RegistryCollection.Name)]
public sealed class AdminCliTests(RegistryAppFixture app)
{
    private Task<(int ExitCode, string StdOut, string StdErr)> AdminAsync(params string[] args) =>
        Repository.RunAsync("Registry.Api", ["admin", .. args], new Dictionary<string, string> { ["ConnectionStrings__registrydb"] = app.ConnectionString });

    [Fact]
    public async Task The_CLI_makes_an_administrator_whose_token_works_over_HTTP()
    {
        var username = MlflowHttp.UniqueName("root");

        var user = await AdminAsync("create-user", username, "--admin");
        var token = await AdminAsync("create-token", username, "--name", "cli", "--scopes", "api");

        Assert.Equal(0, user.ExitCode);
        Assert.Equal(0, token.ExitCode);
        Assert.Matches("^glpat-[A-Za-z0-9_-]{32}$", token.StdOut.Trim());
        var users = await app.Http.SendRawAsync(HttpMethod.Get, $"/api/v4/users?username={username}", null, new TestToken(token.StdOut.Trim()));
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
    }

    [Fact]
    public async Task The_CLI_sets_up_a_project_with_an_owner()
    {
        var username = MlflowHttp.UniqueName("owner");
        await AdminAsync("create-user", username);

        var project = await AdminAsync("create-project", MlflowHttp.UniqueName("proj"), "--owner", username);
        var token = (await AdminAsync("create-token", username)).StdOut.Trim();

        Assert.Equal(0, project.ExitCode);
        var projectId = long.Parse(project.StdOut.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        await (await app.Http.PostJsonAsync(projectId, "registered-models/create", new { name = "m" }, new TestToken(token))).ShouldBeOkAsync();
    }

    [Fact]
    public async Task Mistakes_exit_non_zero_with_a_message()
    {
        var unknown = await AdminAsync("make-coffee");
        var missingUser = await AdminAsync("create-token", MlflowHttp.UniqueName("nobody"));
        var badScope = await AdminAsync("create-user", "x-" + Guid.NewGuid().ToString("N"));
        var tokenForBadScope = await AdminAsync("create-token", "root", "--scopes", "sudo");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("usage", unknown.StdErr);
        Assert.Equal(1, missingUser.ExitCode);
        Assert.Contains("No user", missingUser.StdErr);
        Assert.Equal(0, badScope.ExitCode);
        Assert.Equal(1, tokenForBadScope.ExitCode);
        Assert.Contains("scopes", tokenForBadScope.StdErr);
    }
}
