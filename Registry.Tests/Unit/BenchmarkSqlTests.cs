using System.Text.RegularExpressions;
using Registry.Api.Features.RegisteredModels;
using Registry.Api.Mlflow.Sql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Unit;

/// <summary>The benchmark compares the API with pgbench running the API's own SQL; these keep the copies honest.</summary>
public sealed partial class BenchmarkSqlTests
{
    [Fact]
    public void Pgbench_create_script_is_the_APIs_create_statement()
    {
        var create = RegisteredModelStore.CreateSql(new SqlParameters(), 1, 1, "pgb", null, [new("team", "ml"), new("stage", "dev")], DateTime.UtcNow);
        var expected = Fill(create, new()
        {
            ["$1"] = "1",
            ["$2"] = "('[model]pgb-' || :client_id || '-' || :n)",
            ["$3"] = "1",
            ["$4"] = "now()",
            ["$5"] = "('pgb-' || :client_id || '-' || :n)",
            ["$6"] = "NULL",
            ["$7"] = "'{team,stage}'",
            ["$8"] = "'{ml,dev}'",
        });

        Assert.Equal(Normalize(expected), Normalize(Statement("pgbench-create.sql")));
    }

    [Fact]
    public void Pgbench_get_script_is_the_APIs_get_statement()
    {
        var expected = Fill(RegisteredModelStore.FindSql(new SqlParameters(), 1, "model"), new() { ["$1"] = "1", ["$2"] = "('model-' || lpad(:i::text, 6, '0'))" });

        Assert.Equal(Normalize(expected), Normalize(Statement("pgbench-get.sql")));
    }

    private static string Fill(string sql, Dictionary<string, string> values) =>
        Placeholder().Replace(sql, match => values[match.Value]);

    /// <summary>The script's SQL without its comments, pgbench meta-commands and final semicolon.</summary>
    private static string Statement(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "bench", "sql", file))
            .Where(line => !line.StartsWith("--", StringComparison.Ordinal) && !line.StartsWith('\\'));
        return string.Join('\n', lines).TrimEnd().TrimEnd(';');
    }

    private static string Normalize(string sql) => Whitespace().Replace(sql, " ").Trim();

    [GeneratedRegex(@"\$\d+")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
