using System.Diagnostics;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Scale;

/// <summary>
/// The API as it was built just before the newest migration was added: the build whose replicas are still running while
/// that migration is applied in a rolling upgrade. Built from git history into ~/.cache/registry/previous-api/&lt;commit&gt;
/// once per commit.
/// </summary>
public static class PreviousBuild
{
    private static readonly string Cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "registry", "previous-api");

    /// <summary>The commit to build, or why there is none (no git, a shallow clone, no migration in the history).</summary>
    public static (string? Commit, string? Unavailable) Find()
    {
        var (exitCode, added) = Git("log", "--diff-filter=A", "--format=%H", "-n", "1", "--", "Registry.Data/Migrations/*.cs");
        if (exitCode != 0 || added.Length == 0)
        {
            return (null, "No git history of Registry.Data/Migrations here (not a git checkout?): the previous build cannot be built.");
        }
        var (parentExit, parent) = Git("rev-parse", "--verify", "--quiet", $"{added}^1");
        return parentExit == 0 && parent.Length > 0
            ? (parent, null)
            : (null, $"The commit before {added[..12]} (which added the newest migration) is not in this clone (shallow?): fetch the history to run this test.");
    }

    /// <summary>Registry.Api.dll of that commit, built on first use.</summary>
    public static async Task<string> BuildAsync(string commit, TimeSpan timeout)
    {
        var output = Path.Combine(Cache, commit);
        var dll = Path.Combine(output, "bin", "Registry.Api.dll");
        if (File.Exists(Path.Combine(output, "complete")))
        {
            return dll;
        }
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var source = Path.Combine(output, "src");
        Directory.CreateDirectory(source);
        await RunAsync("bash", ["-c", $"git -C '{Repository.Root}' archive --format=tar {commit} | tar -x -C '{source}'"], timeout);
        await RunAsync("dotnet", ["build", Path.Combine(source, "Registry.Api", "Registry.Api.csproj"), "-c", "Debug", "-o", Path.Combine(output, "bin"), "-v", "q", "--nologo"], timeout);
        await File.WriteAllTextAsync(Path.Combine(output, "complete"), commit);
        return dll;
    }

    private static (int ExitCode, string Output) Git(params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit(10_000);
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "");
        }
    }

    private static async Task RunAsync(string command, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var cancel = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cancel.Token);
        var stderr = process.StandardError.ReadToEndAsync(cancel.Token);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', args)} took longer than {timeout}.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }
}

/// <summary>A fact that needs the previous build; skipped, saying why, when git history cannot provide it.</summary>
public sealed class PreviousBuildFactAttribute : FactAttribute
{
    public PreviousBuildFactAttribute()
    {
        if (PreviousBuild.Find().Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
