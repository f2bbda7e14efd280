using Npgsql;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// Races with exact outcomes, run against one API process (the registry collection) and split across two replicas on
/// one database (the scale collection): request <c>i</c> goes to <c>client(i)</c>. Uniqueness and numbering live in the
/// database, so how requests are spread over processes must not change a single outcome.
/// </summary>
public static class ConcurrencyScenarios
{
    public static async Task ThirtyTwoCreatesOfOneNameLetExactlyOneWinAsync(Func<int, HttpClient> client, string connectionString, Tenants tenants)
    {
        var name = MlflowHttp.UniqueName("race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => client(i).PostJsonAsync(tenants.ProjectId, "registered-models/create",
            new { name, description = $"writer {i}", tags = new[] { new { key = "writer", value = $"{i}" } } }, tenants.Developer)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await loser.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
        }
        Assert.Equal((1L, 1L, 1L), await CountsAsync(connectionString,
            """
            SELECT (SELECT count(*) FROM ml_models WHERE project_id = $1 AND name = $2),
                   (SELECT count(*) FROM ml_experiments WHERE project_id = $1 AND name = '[model]' || $2),
                   (SELECT count(*) FROM ml_model_metadata t JOIN ml_models m ON m.id = t.model_id WHERE m.project_id = $1 AND m.name = $2)
            """, tenants.ProjectId, name));
    }

    public static async Task CreatesOfDifferentNamesGetDistinctExperimentNumbersAsync(Func<int, HttpClient> client, string connectionString, Tenants tenants)
    {
        var prefix = MlflowHttp.UniqueName("many");

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            client(i).PostJsonAsync(tenants.ProjectId, "registered-models/create", new { name = $"{prefix}-{i}" }, tenants.Developer)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var (count, distinct, _) = await CountsAsync(connectionString,
            "SELECT count(*), count(DISTINCT iid), 0::bigint FROM ml_experiments WHERE project_id = $1 AND name LIKE '[model]' || $2 || '-%'",
            tenants.ProjectId, prefix);
        Assert.Equal((24L, 24L), (count, distinct));
    }

    public static async Task ThirtyTwoVersionCreatesNumberOneToThirtyTwoAsync(Func<int, HttpClient> client, Tenants tenants)
    {
        var name = MlflowHttp.UniqueName("numbering");
        await new RegisteredModelClient(client(0), tenants.ProjectId, tenants.Developer).CreateAsync(name);

        var responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(i =>
            new ModelVersionClient(client(i), tenants.ProjectId, tenants.Developer).CreateRawAsync(name, "s3://bucket/model")));

        var numbers = new List<int>();
        foreach (var response in responses)
        {
            numbers.Add(int.Parse((string)(await response.ShouldBeOkAsync())["model_version"]!["version"]!, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(Enumerable.Range(1, 32), numbers.Order());
    }

    public static async Task ReplaysOfOneBatchStoreEachPointOnceAsync(Func<int, HttpClient> client, Tenants tenants)
    {
        var tracking = new TrackingClient(client(0), tenants.ProjectId, tenants.Developer);
        var runId = await tracking.NewRunIdAsync(await tracking.CreateExperimentAsync(MlflowHttp.UniqueName("replay")));
        object[] batch = [.. Enumerable.Range(0, 200).Select(i => TrackingClient.Metric("x", i % 7, step: i))];

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            new TrackingClient(client(i), tenants.ProjectId, tenants.Developer).LogBatchAsync(runId, metrics: batch))).WaitAsync(timeout.Token);

        foreach (var response in responses)
        {
            await response.ShouldBeOkAsync();
        }
        var history = await (await tracking.GetAsync($"metrics/get-history?run_id={runId}&metric_key=x")).ShouldBeOkAsync();
        Assert.Equal(200, history["metrics"]!.AsArray().Count);
    }

    public static async Task RacingCreateRenameDeleteAndAliasLeaveAConsistentRegistryAsync(Func<int, HttpClient> client, string connectionString, Tenants tenants)
    {
        var prefix = $"race{Guid.NewGuid():N}"[..14];
        string[] names = [$"{prefix}-a", $"{prefix}-b", $"{prefix}-c"];
        var random = new Random(7);

        var operations = Enumerable.Range(0, 120).Select(i =>
        {
            var versions = new ModelVersionClient(client(i), tenants.ProjectId, tenants.Developer);
            var name = names[random.Next(names.Length)];
            var other = names[random.Next(names.Length)];
            return (random.Next(6)) switch
            {
                0 => versions.Models.CreateRawAsync(name),
                1 => versions.SendAsync(HttpMethod.Post, "registered-models/rename", new { name, new_name = other }),
                2 => versions.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name }),
                3 => versions.CreateRawAsync(name, "s3://bucket/model"),
                4 => versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "champion", version = $"{random.Next(1, 4)}" }),
                _ => versions.SendAsync(HttpMethod.Post, "model-versions/transition-stage",
                    new { name, version = $"{random.Next(1, 4)}", stage = "Production", archive_existing_versions = true }),
            };
        }).ToList();
        var responses = await Task.WhenAll(operations);

        var serverErrors = await Task.WhenAll(responses.Where(r => (int)r.StatusCode >= 500)
            .Select(async r => $"{(int)r.StatusCode} {r.RequestMessage?.RequestUri} {await r.Content.ReadAsStringAsync()}"));
        Assert.True(serverErrors.Length == 0, string.Join(Environment.NewLine, serverErrors));
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            """
            SELECT
              -- every model has its own default experiment, named after it
              (SELECT count(*) FROM ml_models m JOIN ml_experiments e ON e.id = m.default_experiment_id
               WHERE m.project_id = $1 AND m.name LIKE $2 AND e.name <> '[model]' || m.name),
              -- no version number twice, none above the model's counter
              (SELECT count(*) FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id
               WHERE m.project_id = $1 AND m.name LIKE $2 AND v.version > m.last_version),
              -- an alias points at a version of its own model
              (SELECT count(*) FROM ml_model_version_aliases a JOIN ml_model_versions v ON v.id = a.model_version_id
               JOIN ml_models m ON m.id = a.model_id WHERE m.project_id = $1 AND m.name LIKE $2 AND v.model_id <> a.model_id),
              -- archiving leaves at most one version of a model in Production
              (SELECT count(*) FROM (SELECT v.model_id FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id
               WHERE m.project_id = $1 AND m.name LIKE $2 AND v.current_stage = 'Production' GROUP BY v.model_id HAVING count(*) > 1) more),
              -- no experiment of a deleted model is left behind
              (SELECT count(*) FROM ml_experiments e WHERE e.project_id = $1 AND e.name LIKE '[model]' || $2
               AND NOT EXISTS (SELECT 1 FROM ml_models m WHERE m.default_experiment_id = e.id))
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenants.ProjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = $"{prefix}-%" });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((0L, 0L, 0L, 0L, 0L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
    }

    private static async Task<(long, long, long)> CountsAsync(string connectionString, string sql, long projectId, string name)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = projectId });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
