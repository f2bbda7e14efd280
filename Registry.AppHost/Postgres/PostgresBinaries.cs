using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Registry.AppHost.Postgres;

internal sealed partial record PostgresBinaries(string InitDb, string Postgres)
{
    /// <summary>The configured directory, else the newest Debian/Ubuntu layout (/usr/lib/postgresql/N/bin), else PATH.</summary>
    public static PostgresBinaries Find(string? configured)
    {
        var directory = configured;
        if (string.IsNullOrWhiteSpace(directory) && Directory.Exists("/usr/lib/postgresql"))
        {
            directory = Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0)
                .FirstOrDefault();
        }

        if (string.IsNullOrWhiteSpace(directory))
        {
            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "initdb")));
            directory = onPath ?? throw new InvalidOperationException(
                "No PostgreSQL server binaries found (initdb, postgres). Install them (apt-get install postgresql), set Postgres:BinDir, or use Postgres:Mode=container.");
        }

        return new(Path.Combine(directory, "initdb"), Path.Combine(directory, "postgres"));
    }

    /// <summary>The server's major version, as a cluster's PG_VERSION file records it ("15"; "9.6" before PostgreSQL 10).</summary>
    public string MajorVersion()
    {
        using var version = Process.Start(new ProcessStartInfo(Postgres, "--version") { RedirectStandardOutput = true })!;
        var output = version.StandardOutput.ReadToEnd();
        version.WaitForExit();
        var match = VersionPattern().Match(output);
        if (!match.Success)
        {
            throw new InvalidOperationException($"'{Postgres} --version' printed '{output.Trim()}', not a PostgreSQL version.");
        }
        var major = match.Groups[1].Value;
        return int.Parse(major, System.Globalization.CultureInfo.InvariantCulture) >= 10 ? major : $"{major}.{match.Groups[2].Value}";
    }

    [GeneratedRegex(@"\(PostgreSQL\) (\d+)(?:\.(\d+))?")]
    private static partial Regex VersionPattern();
}
