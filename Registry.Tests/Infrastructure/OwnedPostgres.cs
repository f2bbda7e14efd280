using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Registry.Tests.Infrastructure;

/// <summary>A PostgreSQL server that a test owns, from the machine's binaries, so it can stop and start it at will.</summary>
public sealed class OwnedPostgres : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"registry-owned-pg-{Guid.NewGuid():N}");
    private readonly int _port = FreePort();
    private readonly string _bin = Directory.EnumerateDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
        .Where(d => File.Exists(Path.Combine(d, "postgres"))).OrderByDescending(d => d, StringComparer.Ordinal).First();
    private Process? _server;

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={_port};Username=postgres;Database={database};Timeout=3";

    public static async Task<OwnedPostgres> StartNewAsync()
    {
        var postgres = new OwnedPostgres();
        Directory.CreateDirectory(postgres._directory);
        if (IsRoot) await RunAsync("chown", "postgres:postgres", postgres._directory);
        await RunAsync(AsPostgres(Path.Combine(postgres._bin, "initdb"), "-D", postgres._directory, "-U", "postgres", "--auth=trust", "--no-sync"));
        await postgres.StartAsync();
        await using var connection = new NpgsqlConnection(postgres.ConnectionString("postgres"));
        await connection.OpenAsync();
        await new NpgsqlCommand("CREATE DATABASE registrydb", connection).ExecuteNonQueryAsync();
        return postgres;
    }

    public async Task StartAsync()
    {
        var (command, args) = AsPostgres(Path.Combine(_bin, "postgres"), "-D", _directory, "-p", $"{_port}",
            "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={_directory}", "-c", "fsync=off");
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
                await connection.OpenAsync(timeout.Token);
                return;
            }
            catch (NpgsqlException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    /// <summary>A fast shutdown (SIGINT): sessions are cut, committed work stays.</summary>
    public async Task StopAsync()
    {
        if (_server is { HasExited: false })
        {
            await RunAsync("kill", "-INT", $"{_server.Id}");
            await _server.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _server?.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static (string Command, string[] Args) AsPostgres(string program, params string[] args) =>
        IsRoot ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. args]) : (program, args);

    private static Task RunAsync((string Command, string[] Args) run) => RunAsync(run.Command, run.Args);

    private static async Task RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
