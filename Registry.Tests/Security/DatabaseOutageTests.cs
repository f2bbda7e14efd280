using System.Diagnostics;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Security;

/// <summary>PostgreSQL stopped under a running API, then started again: clients are told to retry, and nothing answered is lost.</summary>
[Collection(OutageCollection.Name)]
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task While_the_database_is_down_the_API_answers_503_and_within_5_seconds_of_its_return_it_serves_again()
    {
        await using var postgres = await OwnedPostgres.StartNewAsync();
        var token = new TestToken("outage-" + Guid.NewGuid().ToString("N"));
        var migrated = await Repository.RunAsync("Registry.MigrationService", [], new Dictionary<string, string>
        {
            ["ConnectionStrings__registrydb"] = postgres.ConnectionString("registrydb"),
            ["Registry__BootstrapToken"] = token.Value,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        Assert.True(migrated.ExitCode == 0, migrated.StdOut + migrated.StdErr);
        await using var api = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = postgres.ConnectionString("registrydb"),
            ["OTEL_SDK_DISABLED"] = "true",
        });
        var models = new RegisteredModelClient(api.CreateClient(), 1, token);
        await models.CreateAsync("answered-before", "kept through the outage");

        await postgres.StopAsync();
        var clock = Stopwatch.StartNew();
        var during = await models.CreateRawAsync("during-outage");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the API took {clock.Elapsed} to answer during the outage");
        await during.ShouldBeMlflowErrorAsync(HttpStatusCode.ServiceUnavailable, "TEMPORARILY_UNAVAILABLE");
        await (await models.GetRawAsync("answered-before")).ShouldBeMlflowErrorAsync(HttpStatusCode.ServiceUnavailable, "TEMPORARILY_UNAVAILABLE");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await api.CreateClient().GetAsync("/health")).StatusCode);

        await postgres.StartAsync();
        var back = Stopwatch.StartNew();
        HttpResponseMessage response;
        do
        {
            response = await models.GetRawAsync("answered-before");
            if (response.StatusCode == HttpStatusCode.OK) break;
            await Task.Delay(100);
        }
        while (back.Elapsed < TimeSpan.FromSeconds(5));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"still {(int)response.StatusCode} {back.Elapsed} after the database came back");
        Assert.Equal("kept through the outage", (string?)(await response.ShouldBeOkAsync())["registered_model"]!["description"]);
        await (await models.GetRawAsync("during-outage")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await models.CreateAsync("after-outage");
    }
}
