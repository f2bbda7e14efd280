using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Security;

[Collection(RegistryCollection.Name)]
public sealed class ConcurrencyTests(RegistryAppFixture app)
{
    [Fact]
    public async Task Clients_racing_to_create_rename_delete_and_alias_the_same_names_leave_a_consistent_registry()
    {
        var versions = new ModelVersionClient(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);
        var prefix = $"race{Guid.NewGuid():N}"[..14];
        string[] names = [$"{prefix}-a", $"{prefix}-b", $"{prefix}-c"];
        var random = new Random(7);

        var operations = Enumerable.Range(0, 120).Select(i =>
        {
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
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
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
        command.Parameters.Add(new NpgsqlParameter { Value = app.Tenants.ProjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = $"{prefix}-%" });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((0L, 0L, 0L, 0L, 0L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
    }
}
