using Npgsql;
using Registry.Api.FeatureFlags;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.FeatureGates;

/// <summary>
/// The <c>feature_gates</c> table. Each change notifies every API process from its own transaction (the table's
/// trigger); this process reloads at once, so its next request already sees the change.
/// </summary>
internal sealed class FeatureGateStore(NpgsqlDataSource dataSource, FeatureOverrides overrides)
{
    private static readonly SqlColumns GateSelect = new();
    private static readonly int GateProject = GateSelect.Add("project_id");
    private static readonly int GateEnabled = GateSelect.Add("enabled");
    private static readonly int GateChanged = GateSelect.Count;

    /// <summary>Sets the gate for every project (no project) or for one, and reads the flag's other gates.</summary>
    private static string Set(SqlParameters sql, string flag, long? projectId, bool enabled)
    {
        var (name, on) = (sql.Add(flag), sql.Add(enabled));
        if (projectId is not { } id)
        {
            return $"""
                WITH changed AS (
                    INSERT INTO feature_gates (feature_name, project_id, enabled) VALUES ({name}, NULL, {on})
                    ON CONFLICT (feature_name) WHERE project_id IS NULL DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()
                    RETURNING project_id, enabled
                )
                SELECT {GateSelect.Sql}, true FROM changed
                UNION ALL
                SELECT {GateSelect.Sql}, false FROM feature_gates WHERE feature_name = {name} AND project_id IS NOT NULL
                """;
        }
        var project = sql.Add(id);
        return $"""
            WITH changed AS (
                INSERT INTO feature_gates (feature_name, project_id, enabled) SELECT {name}, p.id, {on} FROM projects p WHERE p.id = {project}
                ON CONFLICT (feature_name, project_id) WHERE project_id IS NOT NULL DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()
                RETURNING project_id, enabled
            )
            SELECT {GateSelect.Sql}, true FROM changed
            UNION ALL
            SELECT {GateSelect.Sql}, false FROM feature_gates WHERE feature_name = {name} AND project_id IS DISTINCT FROM {project}
            """;
    }

    /// <summary>Every gate set, by flag.</summary>
    public async Task<IReadOnlyDictionary<string, FlagOverrides>> AllAsync(CancellationToken cancellationToken) =>
        await FeatureGateTable.ReadAsync(dataSource, cancellationToken);

    /// <summary>Sets the flag for every project or for one; the flag's gates afterwards.</summary>
    public async Task<Outcome<FlagOverrides>> SetAsync(string flag, long? projectId, bool enabled, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource, Set(sql, flag, projectId, enabled));
        var rows = new List<(long? Project, bool Enabled, bool Changed)>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.IsDBNull(GateProject) ? null : reader.GetInt64(GateProject), reader.GetBoolean(GateEnabled), reader.GetBoolean(GateChanged)));
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return ProjectNotFound; // the project was deleted while this ran
        }
        overrides.Changed();
        return rows.Any(r => r.Changed) ? FlagOverrides.From(rows.Select(r => (r.Project, r.Enabled))) : ProjectNotFound;
    }

    private static MlflowError ProjectNotFound => MlflowError.ResourceDoesNotExist("Project not found.");

    /// <summary>Removes every gate of the flag: the configuration decides again.</summary>
    public async Task DeleteAsync(string flag, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource, $"DELETE FROM feature_gates WHERE feature_name = {sql.Add(flag)}");
        await command.ExecuteNonQueryAsync(cancellationToken);
        overrides.Changed();
    }
}
