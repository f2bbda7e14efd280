using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Registry.Api.Features.Experiments;

/// <summary>
/// Turns a project's experiment numbers (the wire's experiment ids) into table ids for searches. Filtering runs by
/// <c>r.experiment_id = ANY($ids)</c> lets PostgreSQL estimate from the column's statistics how many runs an
/// experiment holds; joining on <c>e.iid</c> made it assume an even spread over every experiment (one per registered
/// model), and with many runs in one experiment it chose nested loops several times slower (bench/README.md).
/// A number never moves to another experiment and table ids are never reused, so a found pair cannot go stale (it is
/// kept 30 minutes to bound memory); a number not found is not cached (the default experiment is made on first use).
/// </summary>
internal sealed class ExperimentIds(NpgsqlDataSource dataSource, IMemoryCache cache)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

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

        await using var command = dataSource.CreateCommand("SELECT iid, id FROM ml_experiments WHERE project_id = $1 AND iid = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. missing] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(1);
            cache.Set(new Key(projectId, reader.GetInt32(0)), id, Lifetime);
            ids.Add(id);
        }
        return [.. ids];
    }

    private readonly record struct Key(long ProjectId, int Iid);
}
