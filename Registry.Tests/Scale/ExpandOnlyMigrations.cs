using System.Text.RegularExpressions;

namespace Registry.Tests.Scale;

/// <summary>
/// The upgrade rule (README, Upgrade): a migration only adds, so that the replicas of the previous build, still running
/// during a rolling upgrade, keep working on the new schema. Dropping, renaming or tightening (a column made NOT NULL,
/// a type changed) comes a release after the code stopped using what it removes, in a migration whose <c>Up</c> says
/// so with a <c>// Contract step: &lt;reason&gt;</c> comment.
/// </summary>
public static partial class ExpandOnlyMigrations
{
    /// <summary>The last migration written before the rule; it and those before it are not checked.</summary>
    public const string Baseline = "20261127082454_MetricPointsOnceAndLoggedModelMetrics";

    public const string ContractStep = "// Contract step:";

    /// <summary>What an older build may still rely on: columns, tables, indexes (ON CONFLICT needs the unique ones), names, and looser constraints.</summary>
    private static readonly (string What, Regex Pattern)[] Destructive =
    [
        ("DropColumn", new(@"\.DropColumn\b")),
        ("DropTable", new(@"\.DropTable\b")),
        ("DropIndex", new(@"\.DropIndex\b")),
        ("DropPrimaryKey", new(@"\.DropPrimaryKey\b")),
        ("DropUniqueConstraint", new(@"\.DropUniqueConstraint\b")),
        ("RenameColumn", new(@"\.RenameColumn\b")),
        ("RenameTable", new(@"\.RenameTable\b")),
        ("RenameIndex", new(@"\.RenameIndex\b")),
        ("AlterColumn", new(@"\.AlterColumn\b")),
        ("SQL DROP TABLE/COLUMN/INDEX/CONSTRAINT", new(@"\bDROP\s+(TABLE|COLUMN|INDEX|CONSTRAINT)\b", RegexOptions.IgnoreCase)),
        ("SQL RENAME", new(@"\bRENAME\b", RegexOptions.IgnoreCase)),
        ("SQL SET NOT NULL", new(@"\bSET\s+NOT\s+NULL\b", RegexOptions.IgnoreCase)),
        ("SQL ALTER COLUMN ... TYPE", new(@"\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b", RegexOptions.IgnoreCase)),
    ];

    /// <summary>The migrations of Registry.Data after the baseline, by name, with their source.</summary>
    public static IEnumerable<(string Name, string Source)> AfterBaseline(string migrationsDirectory) =>
        Directory.EnumerateFiles(migrationsDirectory, "2*.cs")
            .Where(f => !f.EndsWith(".Designer.cs", StringComparison.Ordinal))
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f), Source: File.ReadAllText(f)))
            .Where(m => string.CompareOrdinal(m.Name, Baseline) > 0)
            .OrderBy(m => m.Name, StringComparer.Ordinal);

    /// <summary>What the migration's Up does that an older build may not survive; empty when it only adds, or says why it may.</summary>
    public static IReadOnlyList<string> Violations(string source)
    {
        var up = UpWithItsSql(source);
        if (up.Contains(ContractStep, StringComparison.Ordinal))
        {
            var reason = up[(up.IndexOf(ContractStep, StringComparison.Ordinal) + ContractStep.Length)..].Split('\n')[0].Trim();
            return reason.Length >= 20 ? [] : [$"'{ContractStep}' needs a reason (at least 20 characters)"];
        }
        return [.. Destructive.Where(d => d.Pattern.IsMatch(up)).Select(d => d.What)];
    }

    /// <summary>The body of Up, with the text of the string constants it hands to migrationBuilder.Sql.</summary>
    private static string UpWithItsSql(string source)
    {
        var start = UpMethod().Match(source);
        if (!start.Success) throw new InvalidOperationException("No Up method found.");
        var open = source.IndexOf('{', start.Index);
        var depth = 0;
        var end = open;
        for (; end < source.Length; end++)
        {
            if (source[end] == '{') depth++;
            else if (source[end] == '}' && --depth == 0) break;
        }
        var up = source[open..end];
        foreach (Match constant in SqlConstant().Matches(up))
        {
            var declaration = new Regex($@"const\s+string\s+{constant.Groups[1].Value}\s*=\s*(""""""[\s\S]*?""""""|""[^""]*"")").Match(source);
            up += "\n" + declaration.Groups[1].Value;
        }
        return up;
    }

    [GeneratedRegex(@"protected\s+override\s+void\s+Up\s*\(")]
    private static partial Regex UpMethod();

    [GeneratedRegex(@"\.Sql\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)")]
    private static partial Regex SqlConstant();
}
