using System.Diagnostics;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Deployment;

/// <summary>Deployed, the API may start before the migrations finish: it is not ready, and refuses to serve, until they have.</summary>
[Collection(OutageCollection.Name)]
public sealed class SchemaReadinessTests
{
    [Fact]
    public async Task On_a_schema_without_the_migrations_the_API_is_not_ready_and_answers_503_until_they_have_run()
    {
        await using var postgres = await OwnedPostgres.StartNewAsync();
        var token = new TestToken("schema-" + Guid.NewGuid().ToString("N"));
        await using var api = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = postgres.ConnectionString("registrydb"),
            ["OTEL_SDK_DISABLED"] = "true",
        });
        using var http = api.CreateClient();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
        var refused = await http.PostJsonAsync(1, "registered-models/create", new { name = "too-early" }, token);
        Assert.Contains("schema", await refused.ShouldBeMlflowErrorAsync(HttpStatusCode.ServiceUnavailable, "TEMPORARILY_UNAVAILABLE"));

        var migrated = await Repository.RunAsync("Registry.MigrationService", [], new Dictionary<string, string>
        {
            ["ConnectionStrings__registrydb"] = postgres.ConnectionString("registrydb"),
            ["Registry__BootstrapToken"] = token.Value,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        Assert.True(migrated.ExitCode == 0, migrated.StdOut + migrated.StdErr);

        var clock = Stopwatch.StartNew();
        while ((await http.GetAsync("/health")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the API was still not ready 5 s after the migrations finished");
            await Task.Delay(100);
        }
        await (await http.PostJsonAsync(1, "registered-models/create", new { name = "in-time" }, token)).ShouldBeOkAsync();
    }
}
