namespace Registry.AppHost.Postgres;

internal sealed record PostgresBinaries(string InitDb, string Postgres)
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
}
