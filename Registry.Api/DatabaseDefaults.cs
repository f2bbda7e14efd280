using Npgsql;

namespace Registry.Api;

/// <summary>
/// Npgsql settings that the benchmark showed to matter, applied only where the connection string leaves them at
/// Npgsql's defaults (set them there to override).
/// </summary>
internal static class DatabaseDefaults
{
    public static void Apply(NpgsqlDataSourceBuilder dataSource)
    {
        var settings = dataSource.ConnectionStringBuilder;
        // Hot statements (get, create, log-batch) are long texts with laterals: parsing and planning them on every
        // call costs PostgreSQL more than running them. Prepared once per connection, they skip both.
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }
        // PostgreSQL does more work with a few busy backends than with many: past a handful per core they mostly
        // contend. Requests beyond the pool wait for a connection instead of adding a backend.
        if (settings.MaxPoolSize == 100)
        {
            settings.MaxPoolSize = Math.Max(16, Environment.ProcessorCount * 4);
        }
        // A pooled connection is reset on its next use by prepending RESET ALL, UNLISTEN, advisory-unlock-all and DISCARDs
        // to the next statement: a quarter of PostgreSQL's CPU on a get. The API keeps no session state (its locks and
        // settings are transaction-scoped: pg_advisory_xact_lock, set_config(..., true)), so there is nothing to reset.
        if (!IsSet(settings, "No Reset On Close"))
        {
            settings.NoResetOnClose = true;
        }
        // Searches plan with their real parameters (see CustomPlans), and over many runs their cost crosses
        // jit_above_cost: every search then compiled its expressions anew (bench/README.md has the cost), while the
        // queries themselves are index scans that gain nothing from JIT.
        if (string.IsNullOrEmpty(settings.Options))
        {
            settings.Options = "-c jit=off";
        }
    }

    /// <summary>Npgsql's builder answers ContainsKey for every keyword it knows; its connection string holds only those set.</summary>
    private static bool IsSet(NpgsqlConnectionStringBuilder settings, string keyword) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = settings.ConnectionString }.ContainsKey(keyword);
}
