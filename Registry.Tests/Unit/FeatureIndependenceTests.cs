using System.Text.RegularExpressions;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Unit;

/// <summary>
/// Features don't import each other, and <c>Mlflow/</c> (what they share) imports none of them: only the composition
/// (<c>RegistryApi.cs</c>, <c>Program.cs</c>) knows every feature. Read from the source, so a reference shows where it is.
/// </summary>
public sealed class FeatureIndependenceTests
{
    private static readonly string Api = Path.Combine(Repository.Root, "Registry.Api");

    private static readonly string[] Features = [.. Directory.GetDirectories(Path.Combine(Api, "Features")).Select(d => Path.GetFileName(d)).Order()];

    [Fact]
    public void No_feature_refers_to_another()
    {
        var references = Features.SelectMany(feature =>
            References(Path.Combine(Api, "Features", feature), Features.Where(other => other != feature))).ToList();

        Assert.True(references.Count == 0, $"Features refer to each other:\n{string.Join('\n', references)}");
    }

    [Fact]
    public void Mlflow_refers_to_no_feature()
    {
        Assert.True(Features.Length >= 10, $"Expected the feature folders under {Api}/Features.");

        var references = References(Path.Combine(Api, "Mlflow"), Features).ToList();

        Assert.True(references.Count == 0, $"Mlflow/ refers to features:\n{string.Join('\n', references)}");
    }

    /// <summary>
    /// <c>path:line: text</c> of every line under <paramref name="folder"/> that names one of <paramref name="features"/>:
    /// a using of its namespace (plain, static or alias) or a name qualified through it (<c>Registry.Api.Features.Runs.RunSql</c>,
    /// <c>Features.Runs.RunSql</c>, <c>Runs.RunSql</c>). Comment lines do not count.
    /// </summary>
    private static IEnumerable<string> References(string folder, IEnumerable<string> features)
    {
        var any = string.Join('|', features);
        var name = new Regex($@"(?<![\w.])(?:Registry\.Api\.Features\.(?:{any})\b|(?:Features\.)?(?:{any})\.[A-Za-z_])");
        return Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(file => File.ReadLines(file).Select((text, index) => (file, line: index + 1, text)))
            .Where(l => !l.text.TrimStart().StartsWith("//", StringComparison.Ordinal) && name.IsMatch(l.text))
            .Select(l => $"{Path.GetRelativePath(Api, l.file)}:{l.line}: {l.text.Trim()}");
    }
}
