using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.RealClient;

/// <summary>
/// The stock MLflow client, 2.x and 3.x, runs the flows users run (python/test_*.py) against the API the AppHost started:
/// registered models, versions, stages, aliases, tracking, log-batch, search, log/register/load of models, artifacts,
/// logged models and prompts (3.x). Each test passes when every pytest test passes; its output lists them all.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RealClientTests(RegistryAppFixture app, RealClientRuns runs, ITestOutputHelper output) : IClassFixture<RealClientRuns>
{
    [RealClientFact(2)]
    public Task The_MLflow_2_client_runs_every_flow() => RunAsync(2);

    [RealClientFact(3)]
    public Task The_MLflow_3_client_runs_every_flow() => RunAsync(3);

    private async Task RunAsync(int major)
    {
        var result = await runs.ResultAsync(major, async (version, cancellationToken) =>
        {
            var client = await MlflowClients.PrepareAsync(version, cancellationToken);
            var trackingUri = new Uri(app.Http.BaseAddress!, $"api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow").ToString();
            return await PytestRun.RunAsync(client, trackingUri, app.Tenants.Developer.Value, ["--ignore=s3", "."], cancellationToken);
        }).WaitAsync(PytestRun.Timeout + TimeSpan.FromMinutes(2));

        output.WriteLine(result.Report());
        Assert.True(result.ExitCode == 0 && result.Cases.Count(c => c.Outcome == "passed") > 0,
            $"MLflow {result.Client.Version}: {result.Failed.Count()} of {result.Cases.Count} pytest tests failed (exit {result.ExitCode}).\n{result.FailureSummary()}");
    }
}
