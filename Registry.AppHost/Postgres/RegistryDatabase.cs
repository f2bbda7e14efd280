using System.Diagnostics;

namespace Registry.AppHost.Postgres;

internal static class RegistryDatabase
{
    /// <summary>
    /// The <c>registrydb</c> database. <c>Postgres:Mode</c>: <c>container</c> (Aspire's Postgres container),
    /// <c>executable</c> (a local server from the machine's binaries) or <c>auto</c> (the container when a container
    /// runtime answers). Publishing always uses the container: a local process is not deployable.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRegistryDatabase(this IDistributedApplicationBuilder builder)
    {
        const string database = "registrydb";
        var dataDirectory = builder.Configuration["Postgres:DataDir"];
        if (UseContainer(builder))
        {
            var postgres = builder.AddPostgres("postgres");
            if (!string.IsNullOrWhiteSpace(dataDirectory))
            {
                postgres.WithDataBindMount(dataDirectory);
            }
            return postgres.AddDatabase(database);
        }

        return builder.AddLocalPostgresDatabase("postgres", database, dataDirectory);
    }

    /// <summary>
    /// Artifacts live and die with the database: next to a persistent data directory, or in a throw-away directory
    /// for a throw-away database (so a fresh database never meets old artifacts under reused project ids).
    /// <c>Artifacts:Root</c> overrides both.
    /// </summary>
    public static string ArtifactRoot(IDistributedApplicationBuilder builder) =>
        builder.Configuration["Artifacts:Root"] is { Length: > 0 } configured ? Path.GetFullPath(configured)
        : builder.Configuration["Postgres:DataDir"] is { Length: > 0 } dataDir ? Path.GetFullPath(dataDir).TrimEnd('/') + "-artifacts"
        : LocalPostgresExtensions.NewThrowAwayDirectory("artifacts");

    private static bool UseContainer(IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return true;
        }

        return (builder.Configuration["Postgres:Mode"] ?? "auto").ToLowerInvariant() switch
        {
            "container" => true,
            "executable" => false,
            "auto" => ContainerRuntimeAnswers(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? builder.Configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker"),
            var other => throw new InvalidOperationException($"Postgres:Mode is '{other}'; use auto, container or executable."),
        };
    }

    private static bool ContainerRuntimeAnswers(string runtime)
    {
        try
        {
            using var info = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (info is null)
            {
                return false;
            }
            info.StandardOutput.ReadToEndAsync();
            info.StandardError.ReadToEndAsync();
            if (!info.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                info.Kill();
                return false;
            }
            return info.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
