using System.Diagnostics;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Deployment;

/// <summary>The AppHost run as an operator runs it (<c>dotnet Registry.AppHost.dll --Key=Value ...</c>), killed with its children if it outlives the timeout.</summary>
internal static class AppHostCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(Repository.BuiltDll("Registry.AppHost"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet Registry.AppHost.dll {string.Join(' ', args)} was still running after a minute.");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>A fact about running as root (how CI runs): PostgreSQL then runs as the postgres user.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "Only as root does the AppHost run PostgreSQL as another user.";
        }
    }
}
