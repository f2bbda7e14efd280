using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.RealClient;

/// <summary>
/// MLflow's proxied multipart upload through the stock client (python/s3/) against an API whose artifacts live in S3
/// (moto on loopback): large files in one directory and nested ones keep their own names, sizes and bytes, and an aborted
/// upload leaves nothing. The file store's 501 and the client's fallback to a plain upload are in the AppHost run.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RealClientS3Tests(RegistryAppFixture app, MotoServer moto, RealClientRuns runs, ITestOutputHelper output)
    : IClassFixture<MotoServer>, IClassFixture<RealClientRuns>
{
    [RealClientFact(2)]
    public Task The_MLflow_2_client_uploads_large_files_in_parts_to_S3() => RunAsync(2);

    [RealClientFact(3)]
    public Task The_MLflow_3_client_uploads_large_files_in_parts_to_S3() => RunAsync(3);

    private async Task RunAsync(int major)
    {
        var result = await runs.ResultAsync(major, async (version, cancellationToken) =>
        {
            var api = await runs.SharedAsync(StartS3ApiAsync);
            var client = await MlflowClients.PrepareAsync(version, cancellationToken);
            return await PytestRun.RunAsync(client, $"{api.Address}/api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow", app.Tenants.Developer.Value, ["s3"], cancellationToken);
        }).WaitAsync(PytestRun.Timeout + TimeSpan.FromMinutes(2));

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
        return Task.FromResult(new ListeningApi(api, address.TrimEnd('/')));
    }

    private sealed record ListeningApi(InProcessApi Api, string Address) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Api.DisposeAsync();
    }
}
