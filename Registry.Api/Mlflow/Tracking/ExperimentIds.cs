using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Mlflow.Tracking;

/// <summary>
/// Turns a project's experiment numbers (the wire's experiment ids) into table ids for searches. Filtering runs by
/// <c>r.experiment_id = ANY($ids)</c> lets PostgreSQL estimate from the column's statistics how many runs an
/// experiment holds; joining on <c>e.iid</c> made it assume an even spread over every experiment (one per registered
/// model), and with many runs in one experiment it chose nested loops that cost far more.
/// A number never moves to another experiment and table ids are never reused, so a found pair cannot go stale (it is
/// kept 30 minutes to bound memory); a number not found is not cached (the default experiment is made on first use).
/// </summary>
internal sealed class ExperimentIds(NpgsqlDataSource dataSource, IMemoryCache cache)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private static readonly SqlColumns Select = new();
    private static readonly int Iid = Select.Add("iid");
    private static readonly int Id = Select.Add("id");

    /// <returns>The ids of the experiments that exist; unknown numbers are left out.</returns>
    public async ValueTask<long[]> ResolveAsync(long projectId, IReadOnlyCollection<int> iids, CancellationToken cancellationToken)
    {
        var ids = new List<long>(iids.Count);
        var missing = new List<int>();
        foreach (var iid in iids.Distinct())
        {
            if (cache.TryGetValue(new Key(projectId, iid), out long id))
            {
                ids.Add(id);
            }
            else
            {
                missing.Add(iid);
            }
        }
        if (missing.Count == 0)
        {
            return [.. ids];
        }

        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"SELECT {Select.Sql} FROM ml_experiments WHERE project_id = {sql.Add(projectId)} AND iid = ANY({sql.Add<int[]>([.. missing])})");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(Id);
            cache.Set(new Key(projectId, reader.GetInt32(Iid)), id, Lifetime);
            ids.Add(id);
        }
        return [.. ids];
    }

    private readonly record struct Key(long ProjectId, int Iid);
}
