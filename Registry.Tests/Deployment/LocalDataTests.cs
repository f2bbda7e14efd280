using Microsoft.Extensions.Configuration;
using Registry.AppHost;

namespace Registry.Tests.Deployment;

/// <summary>Where `dotnet run --project Registry.AppHost` keeps its data, by setting (the README's table).</summary>
public sealed class LocalDataTests
{
    private static LocalData With(params (string Key, string Value)[] settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build());

    [Fact]
    public void By_default_the_database_and_the_artifacts_persist_in_one_folder_of_the_user_and_as_root_outside_its_home()
    {
        var data = With();

        Assert.False(data.IsThrowAway);
        Assert.Equal(Path.Combine(LocalData.DefaultRoot, "postgres"), data.PostgresDirectory());
        Assert.Equal(Path.Combine(LocalData.DefaultRoot, "artifacts"), data.ArtifactDirectory());
        var expected = Environment.UserName == "root"
            ? "/var/lib/registry"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "registry");
        Assert.Equal(expected, LocalData.DefaultRoot);
    }

    [Fact]
    public void A_data_directory_keeps_the_cluster_there_and_the_artifacts_next_to_it_unless_they_are_given_their_own()
    {
        Assert.Equal("/srv/registry/pg", With(("Postgres:DataDir", "/srv/registry/pg")).PostgresDirectory());
        Assert.Equal("/srv/registry/pg-artifacts", With(("Postgres:DataDir", "/srv/registry/pg")).ArtifactDirectory());
        Assert.Equal("/srv/files", With(("Postgres:DataDir", "/srv/registry/pg"), ("Artifacts:Root", "/srv/files")).ArtifactDirectory());
    }

    [Fact]
    public void Temp_gives_this_run_its_own_throw_away_database_and_artifacts()
    {
        var data = With(("Postgres:DataDir", "temp"));

        Assert.True(data.IsThrowAway);
        var cluster = data.PostgresDirectory();
        var artifacts = data.ArtifactDirectory();
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "registry-postgres", $"run-{Environment.ProcessId}-"), cluster);
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "registry-postgres", $"run-{Environment.ProcessId}-"), artifacts);
        Assert.NotEqual(cluster, data.PostgresDirectory());
    }
}
