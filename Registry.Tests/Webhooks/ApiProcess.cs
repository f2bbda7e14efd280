using System.Diagnostics;
using System.Text;

namespace Registry.Tests.Webhooks;

/// <summary>
/// Another API process on the test's database, started from the build output as `dotnet Registry.Api.dll` and killed
/// (SIGKILL, no shutdown) when a test says so or when disposed.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApiProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<ApiProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Registry.Api.dll"));
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["OTEL_SDK_DISABLED"] = "true";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var api = new ApiProcess(Process.Start(start)!);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(object _, DataReceivedEventArgs e)
        {
            lock (api._output) api._output.AppendLine(e.Data);
            if (e.Data?.Contains("Application started", StringComparison.Ordinal) == true) started.TrySetResult();
        }
        api._process.OutputDataReceived += Read;
        api._process.ErrorDataReceived += Read;
        api._process.BeginOutputReadLine();
        api._process.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await api.DisposeAsync();
            throw new TimeoutException($"The API process did not start:\n{api.Output}");
        }
        return api;
    }

    /// <summary>Ends the process at once, as a crash or an OOM kill would: nothing it had in flight is finished or released.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
