using Registry.Web.Api;

namespace Registry.Web.Features.Experiments;

/// <summary>
/// The runs table's extra columns, kept in the URL (<c>?columns=metrics.loss,params.lr,tags.team</c>) so a view can be
/// shared. Each column is a key MLflow's run search knows, so it can also be sorted on.
/// </summary>
public sealed record RunColumn(string Kind, string Key)
{
    public string Id => $"{Kind}.{Key}";

    /// <summary>The order_by term: keys with characters outside MLflow's plain identifiers go in backticks.</summary>
    public string OrderKey => Key.All(c => char.IsLetterOrDigit(c) || c is '_' or '.') ? Id : $"{Kind}.`{Key}`";

    public string? ValueOf(Run run) => Kind switch
    {
        "metrics" => Lists.Of(run.Data?.Metrics).FirstOrDefault(m => m.Key == Key) is { } m ? Rendering.Format.Number(m.Value) : null,
        "params" => Lists.Of(run.Data?.Params).FirstOrDefault(p => p.Key == Key)?.Value,
        _ => Lists.Of(run.Data?.Tags).FirstOrDefault(t => t.Key == Key)?.Value,
    };

    public static IReadOnlyList<RunColumn> Parse(string? columns) =>
        [.. (columns ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => c.Split('.', 2))
            .Where(p => p.Length == 2 && p[0] is "metrics" or "params" or "tags" && p[1].Length > 0)
            .Select(p => new RunColumn(p[0], p[1]))
            .DistinctBy(c => c.Id)
            .Take(30)];

    /// <summary>Columns worth offering: every metric and param key the listed runs have.</summary>
    public static IReadOnlyList<RunColumn> Available(IEnumerable<Run> runs) =>
        [.. runs.SelectMany(r => Lists.Of(r.Data?.Metrics).Select(m => new RunColumn("metrics", m.Key))
                .Concat(Lists.Of(r.Data?.Params).Select(p => new RunColumn("params", p.Key))))
            .DistinctBy(c => c.Id).OrderBy(c => c.Kind).ThenBy(c => c.Key, StringComparer.Ordinal).Take(200)];
}
