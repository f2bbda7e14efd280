using System.Diagnostics;
using Amazon.S3.Model;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

/// <summary>
/// A deleted project's objects leave S3-compatible storage too. On a database of its own, so that no API process with
/// other storage settings claims the deletion.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class ProjectDeletionS3Tests(MotoServer moto)
{
    [Fact]
    public async Task Deleting_a_project_removes_its_objects_from_S3()
    {
        await using var postgres = await OwnedPostgres.StartNewAsync();
        var admin = new TestToken("s3-deletion-" + Guid.NewGuid().ToString("N"));
        var migrated = await Repository.RunAsync("Registry.MigrationService", [], new Dictionary<string, string>
        {
            ["ConnectionStrings__registrydb"] = postgres.ConnectionString("registrydb"),
            ["Registry__BootstrapToken"] = admin.Value,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        Assert.True(migrated.ExitCode == 0, migrated.StdOut + migrated.StdErr);
        var prefix = $"deletion-{Guid.NewGuid():N}";
        await using var api = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = postgres.ConnectionString("registrydb"),
            ["Registry:Artifacts:Storage"] = "s3",
            ["Registry:Artifacts:S3:Bucket"] = MotoServer.Bucket,
            ["Registry:Artifacts:S3:Prefix"] = prefix,
            ["Registry:Artifacts:S3:ServiceUrl"] = moto.ServiceUrl,
            ["Registry:Artifacts:S3:AccessKey"] = MotoServer.AccessKey,
            ["Registry:Artifacts:S3:SecretKey"] = MotoServer.SecretKey,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        using var http = api.CreateClient();
        var admins = new AdminHttp(http, admin);
        var doomed = await admins.ProjectAsync();
        var kept = await admins.ProjectAsync();
        foreach (var (project, path) in new[] { (doomed, "1/a/model.bin"), (doomed, "1/b/MLmodel"), (kept, "1/a/model.bin") })
        {
            await (await http.SendRawAsync(HttpMethod.Put, $"/api/v4/projects/{project}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}",
                new ByteArrayContent([1, 2, 3]), admin)).ShouldBeOkAsync();
        }
        using var s3 = moto.Client();
        async Task<List<S3Object>> ObjectsAsync(long project) =>
            (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = MotoServer.Bucket, Prefix = $"{prefix}/projects/{project}/" })).S3Objects ?? [];
        Assert.Equal(2, (await ObjectsAsync(doomed)).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await admins.SendAsync(HttpMethod.Delete, $"projects/{doomed}", admin)).StatusCode);

        var clock = Stopwatch.StartNew();
        while ((await ObjectsAsync(doomed)).Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }
        Assert.Empty(await ObjectsAsync(doomed));
        Assert.Single(await ObjectsAsync(kept));
    }
}
