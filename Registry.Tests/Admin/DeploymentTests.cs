using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

public sealed class DeploymentTests
{
    [Fact]
    public async Task The_published_manifest_deploys_the_Postgres_container_the_migrations_and_the_API_and_no_local_process()
    {
        var output = Path.Combine(Path.GetTempPath(), $"registry-manifest-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, stdout, stderr) = await Repository.RunAsync("Registry.AppHost", ["--publisher", "manifest", "--output-path", output],
                new Dictionary<string, string> { ["Postgres__Mode"] = "executable" });

            Assert.True(exitCode == 0, stdout + stderr);
            var resources = JsonNode.Parse(await File.ReadAllTextAsync(output))!["resources"]!.AsObject();
            Assert.Equal("container.v0", (string?)resources["postgres"]!["type"]);
            Assert.StartsWith("docker.io/library/postgres", (string?)resources["postgres"]!["image"]);
            Assert.Equal("project.v0", (string?)resources["migrations"]!["type"]);
            Assert.Equal("project.v0", (string?)resources["api"]!["type"]);
            Assert.Equal("{registrydb.connectionString}", (string?)resources["api"]!["env"]!["ConnectionStrings__registrydb"]);
            Assert.DoesNotContain(resources, r => (string?)r.Value!["type"] is "executable.v0");
        }
        finally
        {
            File.Delete(output);
        }
    }
}
