using System.Diagnostics;
using System.Text;
using System.Xml.Linq;

namespace Registry.Tests.RealClient;

/// <summary>One pytest test as its JUnit report tells it.</summary>
public sealed record PytestCase(string Name, string Outcome, double Seconds);

/// <summary>The outcome of one pytest run: every test, the console output, and how long it took.</summary>
public sealed record PytestResult(MlflowClient Client, int ExitCode, IReadOnlyList<PytestCase> Cases, string Output, TimeSpan Elapsed)
{
    public IEnumerable<PytestCase> Failed => Cases.Where(c => c.Outcome is "failed" or "error");

    /// <summary>pytest's short summary (which tests failed, and why in a line), then its failure sections, bounded for a test message.</summary>
    public string FailureSummary()
    {
        var summary = Section("short test summary info");
        var details = Section("= ERRORS =") ?? Section("= FAILURES =");
        var text = summary is null && details is null ? Output : $"{summary}\n\n{details?.Split("short test summary info")[0]}";
        const int limit = 12_000;
        return text.Length <= limit ? text.Trim() : $"{text[..(limit / 2)]}\n[...]\n{text[^(limit / 2)..]}";
    }

    private string? Section(string heading) =>
        Output.IndexOf(heading, StringComparison.Ordinal) is var at and >= 0 ? Output[(Output.LastIndexOf('\n', at) + 1)..] : null;

    public string Report() => new StringBuilder()
        .AppendLine($"MLflow {Client.Version} ({Client.Source}): {Cases.Count(c => c.Outcome == "passed")} passed, {Failed.Count()} failed, " +
                    $"{Cases.Count(c => c.Outcome == "skipped")} skipped in {Elapsed.TotalSeconds:F1} s (pytest exit {ExitCode})")
        .AppendJoin('\n', Cases.Select(c => $"  {c.Outcome,-7} {c.Seconds,6:F2} s  {c.Name}"))
        .ToString();
}

/// <summary>Runs the repository's pytest scripts (<c>Registry.Tests/RealClient/python</c>) with one MLflow client against one API.</summary>
public static class PytestRun
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    public static string ScriptsDirectory => Path.Combine(MlflowClients.RepositoryRoot().FullName, "Registry.Tests", "RealClient", "python");

    /// <param name="environment">More variables for the scripts (REGISTRY_S3_TRACKING_URI).</param>
    public static async Task<PytestResult> RunAsync(
        MlflowClient client, string trackingUri, string token, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory($"registry-pytest-{client.Version}-");
        try
        {
            var report = Path.Combine(work.FullName, "report.xml");
            var start = new ProcessStartInfo(client.Python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = ScriptsDirectory,
            };
            foreach (var argument in (string[])["-m", "pytest", "-q", "-rfEs", "--tb=short", $"--basetemp={Path.Combine(work.FullName, "tmp")}",
                         $"--junitxml={report}", "-o", "junit_family=xunit1", "."])
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["MLFLOW_TRACKING_URI"] = trackingUri;
            start.Environment["MLFLOW_TRACKING_TOKEN"] = token;
            start.Environment["MLFLOW_DISABLE_TELEMETRY"] = "true";
            // A test must see Registry's first answer: retries would hide a 5xx and stretch a failure into minutes.
            start.Environment["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0";
            start.Environment["MLFLOW_HTTP_REQUEST_TIMEOUT"] = "60";
            start.Environment["GIT_PYTHON_REFRESH"] = "quiet";
            start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
            if (client.PythonPath is not null)
            {
                start.Environment["PYTHONPATH"] = client.PythonPath;
            }

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(Timeout);
            try
            {
                await process.WaitForExitAsync(timer.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"pytest with MLflow {client.Version} did not finish within {Timeout}:\n{output}");
            }
            process.WaitForExit(); // flushes the redirected output
            return new PytestResult(client, process.ExitCode, File.Exists(report) ? Cases(report) : [], output.ToString(), clock.Elapsed);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static List<PytestCase> Cases(string report) =>
        [.. XDocument.Load(report).Descendants("testcase").Select(c => new PytestCase(
            $"{c.Attribute("classname")?.Value}::{c.Attribute("name")?.Value}",
            c.Element("failure") is not null ? "failed" : c.Element("error") is not null ? "error" : c.Element("skipped") is not null ? "skipped" : "passed",
            double.TryParse(c.Attribute("time")?.Value, System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds : 0))];
}
