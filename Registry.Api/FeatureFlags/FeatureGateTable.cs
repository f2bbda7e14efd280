using System.Collections.Frozen;
using Npgsql;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.FeatureFlags;

/// <summary>Every gate in <c>feature_gates</c>, by flag: what flags are evaluated with and what the Features API lists.</summary>
internal static class FeatureGateTable
{
    private static readonly SqlColumns Select = new();
    private static readonly int Flag = Select.Add("feature_name");
    private static readonly int Project = Select.Add("project_id");
    private static readonly int Enabled = Select.Add("enabled");

    public static async Task<FrozenDictionary<string, FlagOverrides>> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Select.Sql} FROM feature_gates");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(string Flag, long? Project, bool Enabled)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(Flag), reader.IsDBNull(Project) ? null : reader.GetInt64(Project), reader.GetBoolean(Enabled)));
        }
        return rows.GroupBy(r => r.Flag).ToFrozenDictionary(g => g.Key, g => FlagOverrides.From(g.Select(r => (r.Project, r.Enabled))));
    }
}
