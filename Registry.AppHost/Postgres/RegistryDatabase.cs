using System.Diagnostics;

namespace Registry.AppHost.Postgres;

internal static class RegistryDatabase
{
    public const string Name = "registrydb";

    /// <summary>
    /// The <c>registrydb</c> database. <c>Postgres:Mode</c>: <c>container</c> (Aspire's PostgreSQL container on a named
    /// volume), <c>executable</c> (a local server from the machine's binaries), <c>auto</c> (the container when a
    /// container runtime answers) or <c>external</c> (a connection string given as the secret parameter
    /// <c>ConnectionStrings:registrydb</c>, what production should use). Publishing turns auto and executable into the
    /// container: a local process is not deployable.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRegistryDatabase(this IDistributedApplicationBuilder builder)
    {
        var data = new LocalData(builder.Configuration);
        return Mode(builder) switch
        {
            "external" => builder.AddConnectionString(Name),
            "container" => builder.AddPostgresContainer(data).AddDatabase(Name),
            _ => builder.AddLocalPostgresDatabase("postgres", Name, data),
        };
    }

    private static IResourceBuilder<PostgresServerResource> AddPostgresContainer(this IDistributedApplicationBuilder builder, LocalData data)
    {
        var postgres = builder.AddPostgres("postgres");
        if (builder.ExecutionContext.IsPublishMode || (!data.IsThrowAway && data.ConfiguredPostgresDirectory is null))
        {
            // Aspire keeps the generated password in the AppHost's user secrets, so the volume's cluster stays reachable.
            return postgres.WithDataVolume(LocalData.PostgresVolume);
        }
        return data.ConfiguredPostgresDirectory is { } directory ? postgres.WithDataBindMount(directory) : postgres;
    }

    private static string Mode(IDistributedApplicationBuilder builder)
    {
        var mode = (builder.Configuration["Postgres:Mode"] ?? "auto").Trim().ToLowerInvariant();
        if (mode is not ("auto" or "container" or "executable" or "external"))
        {
            throw new InvalidOperationException($"Postgres:Mode is '{mode}'; use auto, container, executable or external.");
        }
        if (mode == "external" || builder.ExecutionContext.IsPublishMode)
        {
            return mode == "external" ? mode : "container";
        }
        if (mode == "auto")
        {
            var runtime = builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? builder.Configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
            return ContainerRuntimeAnswers(runtime) ? "container" : "executable";
        }
        return mode;
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
