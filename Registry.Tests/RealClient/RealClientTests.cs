using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.RealClient;

/// <summary>
/// The stock MLflow client, 2.x and 3.x, runs the flows users run (python/test_*.py) against the API the AppHost started:
/// registered models, versions, stages, aliases, tracking, log-batch, search, log/register/load of models, artifacts,
/// logged models, prompts and webhooks (3.x); and python/s3/ (MLflow's proxied multipart upload) against an API of the same
/// database whose artifacts live in S3 (moto). Each test passes when every pytest test passes; its output lists them all.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RealClientTests(RegistryAppFixture app, MotoServer moto, RealClientRuns runs, ITestOutputHelper output)
    : IClassFixture<MotoServer>, IClassFixture<RealClientRuns>
{
    [RealClientFact(2)]
    public Task The_MLflow_2_client_runs_every_flow() => RunAsync(2);

    [RealClientFact(3)]
    public Task The_MLflow_3_client_runs_every_flow() => RunAsync(3);

    private string TrackingUri(string apiAddress) => $"{apiAddress.TrimEnd('/')}/api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow";

    private async Task RunAsync(int major)
    {
        var result = await runs.ResultAsync(major, async (version, cancellationToken) =>
        {
            var s3Api = await runs.SharedAsync(StartS3ApiAsync);
            var client = await MlflowClients.PrepareAsync(version, cancellationToken);
            return await PytestRun.RunAsync(client, TrackingUri(app.Http.BaseAddress!.ToString()), app.Tenants.Developer.Value,
                new Dictionary<string, string>
                {
                    ["REGISTRY_S3_TRACKING_URI"] = TrackingUri(s3Api.Address),
                    ["REGISTRY_MAINTAINER_TOKEN"] = app.Tenants.Maintainer.Value,
                }, cancellationToken);
        }).WaitAsync(PytestRun.Timeout + TimeSpan.FromMinutes(6));

        output.WriteLine(result.Report());
        Assert.True(result.ExitCode == 0 && result.Cases.Count(c => c.Outcome == "passed") > 0,
            $"MLflow {result.Client.Version}: {result.Failed.Count()} of {result.Cases.Count} pytest tests failed (exit {result.ExitCode}).\n{result.FailureSummary()}");
    }

    private Task<ListeningApi> StartS3ApiAsync()
    {
        var api = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = app.ConnectionString,
            ["Registry:Artifacts:Storage"] = "s3",
            ["Registry:Artifacts:S3:Bucket"] = MotoServer.Bucket,
            ["Registry:Artifacts:S3:Prefix"] = $"real-client-{Guid.NewGuid():N}",
            ["Registry:Artifacts:S3:ServiceUrl"] = moto.ServiceUrl,
            ["Registry:Artifacts:S3:AccessKey"] = MotoServer.AccessKey,
            ["Registry:Artifacts:S3:SecretKey"] = MotoServer.SecretKey,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        // The Python client needs a real socket, not the in-memory test server.
        api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        api.StartServer();
        var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return Task.FromResult(new ListeningApi(api, address));
    }

    private sealed record ListeningApi(InProcessApi Api, string Address) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Api.DisposeAsync();
    }
}
