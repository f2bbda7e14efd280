using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth;

public sealed class GlobalFeatureFlagTests
{
    [Fact]
    public async Task With_the_flag_off_globally_every_MLflow_endpoint_is_absent_before_any_auth_or_database_work()
    {
        // An unreachable database: the gate must answer without touching it.
        await using var api = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = "Host=127.0.0.1;Port=1;Database=none;Timeout=1",
            ["FeatureManagement:ml_experiment_tracking:EnabledFor:0:Parameters:Audience:DefaultRolloutPercentage"] = "0",
            ["OTEL_SDK_DISABLED"] = "true",
        });
        using var http = api.CreateClient();

        var create = await http.PostJsonAsync(42, "registered-models/create", new { name = "m" }, token: null);
        var get = await http.GetAsync(42, "registered-models/get?name=m", new TestToken("whatever"));

        await create.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
        await get.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
    }
}
