using System.Diagnostics;

namespace Registry.Tests.RealClient;

/// <summary>A Python that imports the stock <c>mlflow</c> package (and pytest), and where it came from.</summary>
public sealed record MlflowClient(string Version, string Python, string? PythonPath, string Source)
{
    public int Major => int.Parse(Version.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Finds the real MLflow client of one major version (2 or 3) for the real-client tests, in this order:
/// <list type="number">
/// <item><c>REGISTRY_MLFLOW_PYTHON</c> (+ <c>REGISTRY_MLFLOW_PYTHONPATH</c>): one interpreter, or several separated by ';'
/// (paths matched by position), e.g. one per version;</item>
/// <item>an <c>mlflow</c> that <c>python3</c> imports (a user who ran <c>pip install mlflow pytest</c>);</item>
/// <item>the vendored sources: <c>shared/vendor/mlflow/setup.sh &lt;version&gt; ~/.cache/registry/mlflow-&lt;version&gt;</c>, where
/// <c>shared/</c> sits beside the checkout or one of its parent directories (2.17.2 for 2.x, 3.11.1 for 3.x).</item>
/// </list>
/// </summary>
public static class MlflowClients
{
    public static readonly IReadOnlyDictionary<int, string> VendoredVersions = new Dictionary<int, string> { [2] = "2.17.2", [3] = "3.11.1" };

    public const string HowToEnable =
        "Enable it with REGISTRY_MLFLOW_PYTHON (and REGISTRY_MLFLOW_PYTHONPATH) naming a Python that imports mlflow and pytest, " +
        "with `pip install mlflow pytest` for python3, or with the vendored sources in ../shared/vendor/mlflow (see README, Tests and CI).";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Prints "version pytest|no-pytest" without importing mlflow itself (which takes seconds).</summary>
    private const string ProbeScript =
        "import importlib.util as u, os, runpy; s = u.find_spec('mlflow'); " +
        "print(runpy.run_path(os.path.join(os.path.dirname(s.origin), 'version.py'))['VERSION'] if s else 'none', " +
        "'pytest' if u.find_spec('pytest') else 'no-pytest')";

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Cheap: whether a client of this major version can be had, or why not (decides skipping at discovery).</summary>
    public static string? Unavailable(int major)
    {
        try
        {
            if (Configured().Any(c => c.Major == major) || Python3() is { } found && found.Major == major || VendorSetup() is not null)
            {
                return null;
            }
            return $"No MLflow {major}.x client found. {HowToEnable}";
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Lazy<Task<MlflowClient>>> Prepared = new();

    /// <summary>The client to run, preparing the vendored environment if that is where it comes from (once per test run).</summary>
    public static Task<MlflowClient> PrepareAsync(int major, CancellationToken cancellationToken) =>
        Prepared.GetOrAdd(major, m => new Lazy<Task<MlflowClient>>(() => FindAsync(m))).Value.WaitAsync(cancellationToken);

    private static async Task<MlflowClient> FindAsync(int major)
    {
        if (Configured().FirstOrDefault(c => c.Major == major) is { } configured)
        {
            return configured;
        }
        if (Python3() is { } python3 && python3.Major == major)
        {
            return python3;
        }
        var setup = VendorSetup() ?? throw new InvalidOperationException($"No MLflow {major}.x client found. {HowToEnable}");
        var version = VendoredVersions[major];
        var home = Environment.GetEnvironmentVariable("HOME") ?? Path.GetTempPath();
        var cache = Path.Combine(home, ".cache", "registry", $"mlflow-{version}");
        // An environment setup.sh built before needs no second look at Debian's packages (seconds on a busy machine).
        if (Probe(Path.Combine(cache, "venv", "bin", "python"), Path.Combine(cache, "src", $"mlflow-{version}"), $"vendored ({cache})") is { } built
            && built.Version == version)
        {
            return built;
        }
        // Not cancelled by the asking test: bounded by SetupTimeout, and shared by every test that asks.
        var (exit, output) = await RunAsync("bash", [setup, version, cache], null, SetupTimeout, CancellationToken.None);
        var lines = output.Split('\n').Select(l => l.Trim()).ToList();
        var python = lines.FirstOrDefault(l => l.StartsWith("PYTHON=", StringComparison.Ordinal))?["PYTHON=".Length..];
        var pythonPath = lines.FirstOrDefault(l => l.StartsWith("PYTHONPATH=", StringComparison.Ordinal))?["PYTHONPATH=".Length..];
        if (exit != 0 || python is null || pythonPath is null)
        {
            throw new InvalidOperationException($"{setup} {version} {cache} failed (exit {exit}):\n{output}");
        }
        return new MlflowClient(version, python, pythonPath, $"vendored ({setup})");
    }

    private static IEnumerable<MlflowClient> Configured()
    {
        var pythons = (Environment.GetEnvironmentVariable("REGISTRY_MLFLOW_PYTHON") ?? "").Split(';', StringSplitOptions.TrimEntries);
        var paths = (Environment.GetEnvironmentVariable("REGISTRY_MLFLOW_PYTHONPATH") ?? "").Split(';', StringSplitOptions.TrimEntries);
        for (var i = 0; i < pythons.Length; i++)
        {
            if (pythons[i].Length == 0)
            {
                continue;
            }
            var path = i < paths.Length && paths[i].Length > 0 ? paths[i] : null;
            yield return Probe(pythons[i], path, "REGISTRY_MLFLOW_PYTHON")
                ?? throw new InvalidOperationException(
                    $"REGISTRY_MLFLOW_PYTHON names {pythons[i]} (PYTHONPATH {path ?? "not set"}), which does not import mlflow and pytest. {HowToEnable}");
        }
    }

    private static MlflowClient? Python3() => Probe("python3", null, "python3");

    private static MlflowClient? Probe(string python, string? pythonPath, string source)
    {
        try
        {
            var (exit, output) = RunAsync(python, ["-c", ProbeScript], pythonPath, ProbeTimeout, CancellationToken.None).GetAwaiter().GetResult();
            var words = output.Trim().Split(' ');
            return exit == 0 && words is [var version, "pytest"] && version != "none" ? new MlflowClient(version, python, pythonPath, source) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no such interpreter
        }
    }

    /// <summary><c>shared/vendor/mlflow/setup.sh</c> beside the checkout or one of its parents (worktrees sit deeper than the main checkout).</summary>
    private static string? VendorSetup()
    {
        for (var directory = RepositoryRoot().Parent; directory is not null; directory = directory.Parent)
        {
            var setup = Path.Combine(directory.FullName, "shared", "vendor", "mlflow", "setup.sh");
            if (File.Exists(setup))
            {
                return setup;
            }
        }
        return null;
    }

    public static DirectoryInfo RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Registry.sln")))
            {
                return directory;
            }
        }
        throw new InvalidOperationException($"No Registry.sln above {AppContext.BaseDirectory}.");
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] arguments, string? pythonPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (pythonPath is not null) start.Environment["PYTHONPATH"] = pythonPath;
        using var process = Process.Start(start)!;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timer.Token);
        var stderr = process.StandardError.ReadToEndAsync(timer.Token);
        try
        {
            await process.WaitForExitAsync(timer.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
    }
}
