using System.Diagnostics;

namespace Registry.AppHost.Postgres;

/// <summary>
/// PostgreSQL refuses to run as root. As root, commands run through <c>setpriv</c> as the postgres user; setpriv
/// replaces itself with the command, so DCP's stop signal reaches postgres itself (runuser would keep a parent).
/// </summary>
internal static class AsPostgres
{
    public static bool IsRoot { get; } = Environment.UserName == "root";

    public static string Command => IsRoot ? "setpriv" : "/usr/bin/env";

    public static string[] Prefix => IsRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : [];

    public static void Chown(string path)
    {
        using var chown = Process.Start("chown", ["postgres:postgres", path]);
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown postgres:postgres {path} failed; is there a 'postgres' user?");
        }
    }
}
