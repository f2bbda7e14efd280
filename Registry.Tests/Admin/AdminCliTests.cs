using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

[Collection(RegistryCollection.Name)]
public sealed class AdminCliTests(RegistryAppFixture app)
{
    private Task<(int ExitCode, string StdOut, string StdErr)> AdminAsync(params string[] args) => AdminWithAsync([], args);

    private Task<(int ExitCode, string StdOut, string StdErr)> AdminWithAsync(Dictionary<string, string> settings, params string[] args) =>
        Repository.RunAsync("Registry.Api", ["admin", .. args], new Dictionary<string, string>(settings) { ["ConnectionStrings__registrydb"] = app.ConnectionString });

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

    [Fact]
    public async Task Token_lifetime_settings_the_API_would_refuse_stop_the_CLI_before_it_writes()
    {
        var username = MlflowHttp.UniqueName("lifetimes");
        await AdminAsync("create-user", username);

        var tooLong = await AdminWithAsync(new() { ["Registry__Auth__DefaultTokenLifetimeDays"] = "400", ["Registry__Auth__MaxTokenLifetimeDays"] = "365" },
            "create-token", username);
        var outOfRange = await AdminWithAsync(new() { ["Registry__Auth__MaxTokenLifetimeDays"] = "0" }, "create-token", username);

        Assert.Equal(2, tooLong.ExitCode);
        Assert.Contains("DefaultTokenLifetimeDays may not exceed MaxTokenLifetimeDays", tooLong.StdErr);
        Assert.Equal("", tooLong.StdOut);
        Assert.Equal(2, outOfRange.ExitCode);
        Assert.Contains("MaxTokenLifetimeDays", outOfRange.StdErr);
    }
}
