using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.RegisteredModels;

[Collection(RegistryCollection.Name)]
public sealed class ConcurrentCreateTests(RegistryAppFixture app)
{
    [Fact]
    public async Task Thirty_two_concurrent_creates_of_one_name_let_exactly_one_win_and_write_nothing_twice()
    {
        var name = MlflowHttp.UniqueName("race");
        var tenants = app.Tenants;

        var responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => app.Http.PostJsonAsync(tenants.ProjectId, "registered-models/create",
            new { name, description = $"writer {i}", tags = new[] { new { key = "writer", value = $"{i}" } } }, tenants.Developer)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await loser.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
        }

        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM ml_models WHERE project_id = $1 AND name = $2),
                   (SELECT count(*) FROM ml_experiments WHERE project_id = $1 AND name = $3),
                   (SELECT count(*) FROM ml_model_metadata t JOIN ml_models m ON m.id = t.model_id WHERE m.project_id = $1 AND m.name = $2)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = tenants.ProjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = $"[model]{name}" });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((1L, 1L, 1L), (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
    }

    [Fact]
    public async Task Concurrent_creates_of_different_names_all_succeed_with_distinct_experiment_numbers()
    {
        var tenants = app.Tenants;
        var prefix = MlflowHttp.UniqueName("many");

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            app.Http.PostJsonAsync(tenants.ProjectId, "registered-models/create", new { name = $"{prefix}-{i}" }, tenants.Developer)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT count(*), count(DISTINCT iid) FROM ml_experiments WHERE project_id = $1 AND name LIKE $2");
        command.Parameters.Add(new NpgsqlParameter { Value = tenants.ProjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = $"[model]{prefix}-%" });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((24L, 24L), (reader.GetInt64(0), reader.GetInt64(1)));
    }
}
