using System.Net.Http.Headers;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Scale;

/// <summary>Artifacts through one replica are the same bytes through the other, on the shared file root and on S3.</summary>
[Collection(ScaleCollection.Name)]
public sealed class CrossReplicaArtifactTests(ScaleFixture scale)
{
    private static string Url(long projectId, string rest) => $"/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow-artifacts/{rest}";

    [Theory]
    [InlineData("file")]
    [InlineData("s3")]
    public async Task An_artifact_uploaded_through_one_replica_downloads_byte_exact_through_the_other(string store)
    {
        var replicas = scale.Store(store);
        var (project, token) = (replicas.Tenants.ProjectId, replicas.Tenants.Developer);
        var path = $"1/{Guid.NewGuid():N}/artifacts/model/weights.bin";
        var bytes = new byte[3 * 1024 * 1024 + 17];
        Random.Shared.NextBytes(bytes);

        await (await replicas.A.Http.SendRawAsync(HttpMethod.Put, Url(project, $"artifacts/{path}"), new ByteArrayContent(bytes), token)).ShouldBeOkAsync();

        Assert.Equal(bytes, await (await replicas.B.Http.SendRawAsync(HttpMethod.Get, Url(project, $"artifacts/{path}"), null, token)).Content.ReadAsByteArrayAsync());
        Assert.Equal(bytes, await (await replicas.Balanced.Http.SendRawAsync(HttpMethod.Get, Url(project, $"artifacts/{path}"), null, token)).Content.ReadAsByteArrayAsync());
        using var range = new HttpRequestMessage(HttpMethod.Get, Url(project, $"artifacts/{path}"));
        range.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        range.Headers.Range = new RangeHeaderValue(1_000_000, 1_000_099);
        var partial = await replicas.B.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes.AsSpan(1_000_000, 100).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        await (await replicas.B.Http.SendRawAsync(HttpMethod.Delete, Url(project, $"artifacts/{path}"), null, token)).ShouldBeOkAsync();
        await (await replicas.A.Http.SendRawAsync(HttpMethod.Get, Url(project, $"artifacts/{path}"), null, token))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task An_S3_multipart_upload_created_on_one_replica_completes_on_the_other()
    {
        var replicas = scale.S3;
        var (project, token) = (replicas.Tenants.ProjectId, replicas.Tenants.Developer);
        var directory = $"1/{Guid.NewGuid():N}/artifacts/large";
        const string localFile = "/home/me/weights.bin";
        var first = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(first);
        var second = new byte[1234];
        Random.Shared.NextBytes(second);

        var created = await (await replicas.A.Http.SendRawAsync(HttpMethod.Post, Url(project, $"mpu/create/{directory}"),
            JsonContent.Create(new { path = localFile, num_parts = 2 }), token)).ShouldBeOkAsync();
        var parts = new List<object>();
        using var direct = new HttpClient();
        foreach (var (credential, bytes) in created["credentials"]!.AsArray().Zip([first, second]))
        {
            var put = await direct.PutAsync((string)credential!["url"]!, new ByteArrayContent(bytes));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            parts.Add(new { part_number = (long)credential["part_number"]!, etag = put.Headers.ETag!.Tag });
        }
        await (await replicas.B.Http.SendRawAsync(HttpMethod.Post, Url(project, $"mpu/complete/{directory}"),
            JsonContent.Create(new { path = localFile, upload_id = (string)created["upload_id"]!, parts }), token)).ShouldBeOkAsync();

        var downloaded = await (await replicas.Balanced.Http.SendRawAsync(HttpMethod.Get, Url(project, $"artifacts/{directory}/weights.bin"), null, token))
            .Content.ReadAsByteArrayAsync();
        Assert.Equal(first.Concat(second), downloaded);
    }
}
