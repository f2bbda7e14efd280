using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Scale;

/// <summary>
/// One API process (the built Registry.Api, run as `dotnet Registry.Api.dll` as a container runs it) on a port of its
/// own. Stopping it sends SIGTERM, as a platform does when it rolls a replica; starting it again reuses the port.
/// </summary>
public sealed class ApiReplica : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _dll;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private ApiReplica(string name, int port, IReadOnlyDictionary<string, string> environment, string dll)
    {
        (Name, _environment, _dll) = (name, environment, dll);
        Url = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Name { get; }
    public Uri Url { get; }

    /// <summary>Talks to this replica only.</summary>
    public HttpClient Http { get; }

    public int ProcessId => _process?.Id ?? 0;

    /// <param name="dll">Another build of the API (an older one); this checkout's by default.</param>
    public static async Task<ApiReplica> StartAsync(string name, IReadOnlyDictionary<string, string> environment, string? dll = null)
    {
        var replica = new ApiReplica(name, FreePort(), environment, dll ?? Repository.BuiltDll("Registry.Api"));
        await replica.StartAsync();
        return replica;
    }

    /// <summary>Starts the process and waits until its readiness probe passes.</summary>
    public async Task StartAsync()
    {
        var dll = _dll;
        // Its own directory, so that it reads its appsettings.json as a deployed API does.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in _environment) start.Environment[key] = value;
        start.Environment["ASPNETCORE_URLS"] = Url.ToString();
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"API replica {Name} exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                if ((await probe.GetAsync("/health")).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"API replica {Name} was not ready after {StartTimeout}:\n{Output}");
    }

    /// <summary>SIGTERM, then waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is null || _process.HasExited) return _process?.ExitCode ?? 0;
        using (var kill = Process.Start("kill", ["-TERM", $"{_process.Id}"])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"API replica {Name} was still running {StopTimeout} after SIGTERM:\n{Output}");
        }
        return _process.ExitCode;
    }

    public string Output => string.Join('\n', _output);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(new CancellationTokenSource(StopTimeout).Token);
        }
        _process?.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 200) _output.TryDequeue(out _);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
