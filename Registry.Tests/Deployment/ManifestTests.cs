using System.Text.RegularExpressions;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Deployment;

/// <summary>What `azd up` and other platforms deploy from the Aspire manifest: data that survives restarts, HTTPS from outside, secrets as parameters.</summary>
public sealed partial class ManifestTests(PublishedManifests manifests) : IClassFixture<PublishedManifests>
{
    private const string ArtifactPath = "/var/lib/registry/artifacts";

    [Fact]
    public void By_default_PostgreSQL_is_a_container_on_a_named_volume_with_a_generated_secret_password()
    {
        var manifest = manifests.Default;
        var postgres = manifest["postgres"];

        Assert.Equal("container.v0", (string?)postgres["type"]);
        Assert.StartsWith("docker.io/library/postgres:", (string?)postgres["image"]);
        var volume = Assert.Single(postgres["volumes"]!.AsArray())!;
        Assert.Equal("registry-postgres-data", (string?)volume["name"]);
        Assert.Equal("/var/lib/postgresql", (string?)volume["target"]);
        Assert.Equal("{postgres-password.value}", manifest.Env("postgres", "POSTGRES_PASSWORD"));
        AssertGeneratedSecret(manifest["postgres-password"]);
        Assert.Equal("{postgres.connectionString};Database=registrydb", (string?)manifest["registrydb"]["connectionString"]);
        Assert.Equal("{registrydb.connectionString}", manifest.Env("migrations", "ConnectionStrings__registrydb"));
        Assert.Equal("{registrydb.connectionString}", manifest.Env("api", "ConnectionStrings__registrydb"));
    }

    [Fact]
    public void By_default_the_API_keeps_artifacts_on_a_named_volume_at_a_fixed_path()
    {
        var api = manifests.Default["api"];

        var volume = Assert.Single(api["volumes"]!.AsArray())!;
        Assert.Equal("registry-artifacts", (string?)volume["name"]);
        Assert.Equal(ArtifactPath, (string?)volume["target"]);
        Assert.False((bool)volume["readOnly"]!);
        Assert.Equal(ArtifactPath, manifests.Default.Env("api", "Registry__Artifacts__Root"));
        Assert.Null(manifests.Default.Env("api", "Registry__Artifacts__Storage"));
    }

    [Fact]
    public void With_an_external_database_and_S3_both_are_parameters_and_nothing_is_kept_on_a_volume()
    {
        var manifest = manifests.ExternalDatabaseAndS3;

        Assert.DoesNotContain(manifest.Resources, r => (string?)r.Value!["type"] is "container.v0");
        var registrydb = manifest["registrydb"];
        Assert.Equal("parameter.v0", (string?)registrydb["type"]);
        Assert.Equal("{registrydb.value}", (string?)registrydb["connectionString"]);
        Assert.True((bool)registrydb["inputs"]!["value"]!["secret"]!);
        Assert.Equal("{registrydb.connectionString}", manifest.Env("migrations", "ConnectionStrings__registrydb"));
        Assert.Equal("{registrydb.connectionString}", manifest.Env("api", "ConnectionStrings__registrydb"));

        Assert.Equal("s3", manifest.Env("api", "Registry__Artifacts__Storage"));
        foreach (var (variable, parameter, secret) in new[]
        {
            ("Bucket", "artifacts-s3-bucket", false), ("ServiceUrl", "artifacts-s3-service-url", false), ("Region", "artifacts-s3-region", false),
            ("AccessKey", "artifacts-s3-access-key", true), ("SecretKey", "artifacts-s3-secret-key", true),
        })
        {
            Assert.Equal($"{{{parameter}.value}}", manifest.Env("api", $"Registry__Artifacts__S3__{variable}"));
            Assert.Equal("parameter.v0", (string?)manifest[parameter]["type"]);
            Assert.Equal(secret, (bool?)manifest[parameter]["inputs"]!["value"]!["secret"] ?? false);
        }
        Assert.Null(manifest["api"]["volumes"]);
        Assert.Null(manifest.Env("api", "Registry__Artifacts__Root"));
    }

    [Fact]
    public void The_API_is_reachable_from_outside_over_HTTPS_only_on_the_port_its_image_listens_on()
    {
        foreach (var manifest in new[] { manifests.Default, manifests.ExternalDatabaseAndS3 })
        {
            var bindings = manifest["api"]["bindings"]!.AsObject();
            var external = Assert.Single(bindings, b => (bool?)b.Value!["external"] == true);
            Assert.Equal("https", (string?)external.Value!["scheme"]);
            Assert.All(bindings, b => Assert.Equal(8080, (int?)b.Value!["targetPort"]));
            Assert.Null(manifest["migrations"]["bindings"]);
            var everyExternal = manifest.Resources.SelectMany(r => r.Value!["bindings"]?.AsObject().Select(b => b.Value!) ?? []).Where(b => (bool?)b["external"] == true);
            Assert.All(everyExternal, binding => Assert.Equal("https", (string?)binding["scheme"]));
        }
    }

    [Fact]
    public void The_API_and_the_migrations_are_images_built_from_the_repository_and_nothing_is_a_local_process()
    {
        foreach (var manifest in new[] { manifests.Default, manifests.ExternalDatabaseAndS3 })
        {
            foreach (var (service, dockerfile) in new[] { ("api", "api.Dockerfile"), ("migrations", "migrations.Dockerfile") })
            {
                Assert.Equal("container.v1", (string?)manifest[service]["type"]);
                Assert.Equal(".", manifest.RepositoryPath((string)manifest[service]["build"]!["context"]!));
                Assert.Equal($"Registry.AppHost/Containers/{dockerfile}", manifest.RepositoryPath((string)manifest[service]["build"]!["dockerfile"]!));
            }
            Assert.DoesNotContain(manifest.Resources, r => (string?)r.Value!["type"] == "executable.v0");
        }
    }

    [Fact]
    public void No_manifest_names_a_path_of_the_publishing_machine()
    {
        string[] machinePaths = [Repository.Root, Path.GetTempPath(), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "/tmp/", "/root", "/home/", "/Users/", @":\"];
        foreach (var manifest in new[] { manifests.Default, manifests.ExternalDatabaseAndS3 })
        {
            foreach (var path in machinePaths.Where(p => p.Length > 1))
            {
                Assert.False(manifest.Text.Contains(path, StringComparison.Ordinal), $"The manifest names '{path}':\n{manifest.Text}");
            }
        }
    }

    [Fact]
    public void Secrets_appear_only_as_references_to_secret_parameters_that_carry_no_value()
    {
        foreach (var manifest in new[] { manifests.Default, manifests.ExternalDatabaseAndS3 })
        {
            var secretParameters = manifest.Resources
                .Where(r => (string?)r.Value!["type"] == "parameter.v0" && (bool?)r.Value!["inputs"]!["value"]!["secret"] == true)
                .Select(r => r.Key).ToHashSet();
            Assert.Contains("bootstrap-token", secretParameters);
            foreach (var name in secretParameters)
            {
                Assert.Null(manifest[name]["inputs"]!["value"]!["default"]?["value"]);
            }

            foreach (var (service, variables) in manifest.Resources.Where(r => r.Value!["env"] is not null).Select(r => (r.Key, r.Value!["env"]!.AsObject())))
            {
                foreach (var (variable, value) in variables.Where(v => SecretName().IsMatch(v.Key)))
                {
                    var reference = ReferenceOnly().Match((string)value!);
                    Assert.True(reference.Success, $"{service}: {variable} is '{value}', not a reference");
                    var referenced = reference.Groups["resource"].Value;
                    Assert.True(secretParameters.Contains(referenced) || (string?)manifest[referenced]["type"] == "value.v0",
                        $"{service}: {variable} refers to '{referenced}', which is not a secret parameter");
                }
            }
            Assert.DoesNotMatch(LiteralPassword(), manifest.Text);
        }
    }

    [Fact]
    public async Task Several_API_replicas_are_refused_a_volume_that_may_be_each_replicas_own_and_allowed_S3_or_a_shared_volume()
    {
        var (exitCode, output, _) = await Manifest.TryPublishAsync("--Api:Replicas=2");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("api runs 2 replicas, but its artifacts would be on the volume 'registry-artifacts'", output);
        Assert.Contains("Artifacts:Storage=s3", output);
        Assert.Contains("Artifacts:SharedVolume=true", output);

        var onS3 = await Manifest.PublishAsync("--Api:Replicas=2", "--Artifacts:Storage=s3");
        Assert.Equal("s3", onS3.Env("api", "Registry__Artifacts__Storage"));
        var onSharedVolume = await Manifest.PublishAsync("--Api:Replicas=2", "--Artifacts:SharedVolume=true");
        Assert.Equal("registry-artifacts", (string?)onSharedVolume["api"]["volumes"]![0]!["name"]);
    }

    private static void AssertGeneratedSecret(JsonObject parameter)
    {
        Assert.Equal("parameter.v0", (string?)parameter["type"]);
        Assert.True((bool)parameter["inputs"]!["value"]!["secret"]!);
        Assert.NotNull(parameter["inputs"]!["value"]!["default"]!["generate"]);
    }

    [GeneratedRegex("PASSWORD|SECRET|TOKEN|ACCESSKEY|ConnectionStrings__", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^\{(?<resource>[a-z0-9-]+)\.(value|connectionString)\}$")]
    private static partial Regex ReferenceOnly();

    [GeneratedRegex(@"Password=(?!\{)", RegexOptions.IgnoreCase)]
    private static partial Regex LiteralPassword();
}
