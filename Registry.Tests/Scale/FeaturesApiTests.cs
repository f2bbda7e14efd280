using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Scale;

/// <summary>
/// GitLab's Features API: administrators turn <c>ml_experiment_tracking</c> on or off at runtime, for every project or
/// for one, over the configuration. On the S3 pair's database, whose other tests do not mind a flag being off.
/// </summary>
[Collection(ScaleCollection.Name)]
public sealed class FeaturesApiTests(ScaleFixture scale)
{
    private const string Flag = "ml_experiment_tracking";
    private readonly Replicas _replicas = scale.S3;

    private AdminHttp Admin => new(_replicas.A.Http, _replicas.Admin);

    private Task<HttpResponseMessage> PostFormAsync(string path, params (string Key, string Value)[] fields) =>
        _replicas.A.Http.SendRawAsync(HttpMethod.Post, $"/api/v4/{path}",
            new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))), _replicas.Admin);

    /// <summary>What the project's developer gets from an MLflow endpoint: served (a missing model) or absent (the flag is off).</summary>
    private async Task<string> MlflowAsync(long projectId, TestToken token) =>
        (string)(await (await _replicas.A.Http.GetAsync(projectId, "registered-models/get?name=absent", token)).JsonAsync())["error_code"]!;

    [Fact]
    public async Task Only_administrators_may_read_or_set_feature_flags()
    {
        var developer = _replicas.Tenants.Developer;

        foreach (var (method, path) in new[] { (HttpMethod.Get, "features"), (HttpMethod.Post, $"features/{Flag}?value=false"), (HttpMethod.Delete, $"features/{Flag}") })
        {
            await (await Admin.SendAsync(method, path, developer)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
            await (await Admin.SendAsync(method, path, token: null)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        }
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", await MlflowAsync(_replicas.Tenants.ProjectId, developer));
    }

    [Fact]
    public async Task Setting_a_flag_refuses_bad_input_with_clear_errors_and_changes_nothing()
    {
        var admin = Admin;
        async Task<string> RefusedAsync(HttpResponseMessage response, HttpStatusCode status, string code) => await response.ShouldBeMlflowErrorAsync(status, code);

        Assert.Contains("'value'", await RefusedAsync(await admin.SendAsync(HttpMethod.Post, $"features/{Flag}", admin.Admin, new { }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Contains("true or false", await RefusedAsync(await admin.SendAsync(HttpMethod.Post, $"features/{Flag}", admin.Admin, new { value = "maybe" }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Contains("percentage", await RefusedAsync(await PostFormAsync($"features/{Flag}", ("value", "30")), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Contains("project id", await RefusedAsync(await admin.SendAsync(HttpMethod.Post, $"features/{Flag}", admin.Admin, new { value = true, project = "vision" }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Contains("Project not found", await RefusedAsync(await PostFormAsync($"features/{Flag}", ("value", "false"), ("project", "987654321")), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
        Assert.Contains(Flag, await RefusedAsync(await admin.SendAsync(HttpMethod.Post, "features/no_such_flag", admin.Admin, new { value = true }), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
        await RefusedAsync(await admin.SendAsync(HttpMethod.Delete, "features/no_such_flag", admin.Admin), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await RefusedAsync(await _replicas.A.Http.SendRawAsync(HttpMethod.Post, $"/api/v4/features/{Flag}", new StringContent("value=true", System.Text.Encoding.UTF8, "text/plain"), admin.Admin),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await RefusedAsync(await _replicas.A.Http.SendRawAsync(HttpMethod.Post, $"/api/v4/features/{Flag}", new StringContent("{\"value\": tru", System.Text.Encoding.UTF8, "application/json"), admin.Admin),
            HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        var features = await admin.ListAsync("features", admin.Admin);
        Assert.Equal($$"""[{"name":"{{Flag}}","state":"on","gates":[]}]""", features.ToJsonString());
    }

    [Fact]
    public async Task A_projects_own_gate_wins_over_the_gate_for_every_project_which_wins_over_the_configuration_until_deleted()
    {
        var admin = Admin;
        var (kept, keptMember) = (_replicas.Tenants.ProjectId, _replicas.Tenants.Developer);
        var other = await admin.ProjectAsync();
        var otherMember = await admin.PersonAsync(other, 30);
        try
        {
            var off = await admin.OkAsync(HttpMethod.Post, $"features/{Flag}", admin.Admin, new { value = false });
            Assert.Equal($$"""{"name":"{{Flag}}","state":"off","gates":[{"key":"boolean","value":false}]}""", off.ToJsonString());
            Assert.Equal(("ENDPOINT_NOT_FOUND", "ENDPOINT_NOT_FOUND"), (await MlflowAsync(kept, keptMember), await MlflowAsync(other, otherMember.Token)));

            var forOne = await (await PostFormAsync($"features/{Flag}", ("value", "true"), ("project", $"{kept}"))).ShouldBeOkAsync();
            Assert.Equal($$"""{"name":"{{Flag}}","state":"conditional","gates":[{"key":"boolean","value":false},{"key":"actors","value":["Project:{{kept}}"]}]}""",
                forOne.ToJsonString());
            Assert.Equal(("RESOURCE_DOES_NOT_EXIST", "ENDPOINT_NOT_FOUND"), (await MlflowAsync(kept, keptMember), await MlflowAsync(other, otherMember.Token)));

            await admin.OkAsync(HttpMethod.Post, $"features/{Flag}", admin.Admin, new { value = true });
            var offForOther = await admin.OkAsync(HttpMethod.Post, $"features/{Flag}?value=false&project={other}", admin.Admin);
            Assert.Contains($$"""{"key":"disabled_actors","value":["Project:{{other}}"]}""", offForOther.ToJsonString());
            Assert.Equal(("RESOURCE_DOES_NOT_EXIST", "ENDPOINT_NOT_FOUND"), (await MlflowAsync(kept, keptMember), await MlflowAsync(other, otherMember.Token)));
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"features/{Flag}", admin.Admin)).StatusCode);
        }
        Assert.Equal(("RESOURCE_DOES_NOT_EXIST", "RESOURCE_DOES_NOT_EXIST"), (await MlflowAsync(kept, keptMember), await MlflowAsync(other, otherMember.Token)));
        Assert.Equal($$"""[{"name":"{{Flag}}","state":"on","gates":[]}]""", (await admin.ListAsync("features", admin.Admin)).ToJsonString());
    }

    [Fact]
    public async Task Evaluating_the_flag_on_every_request_reads_no_gates_from_the_database()
    {
        var (project, token) = (_replicas.Tenants.ProjectId, _replicas.Tenants.Developer);
        await using var dataSource = NpgsqlDataSource.Create(_replicas.ConnectionString);
        async Task<long> ReadAsync()
        {
            await using var command = dataSource.CreateCommand(
                "SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'feature_gates'");
            return (long)(await command.ExecuteScalarAsync())!;
        }
        // PostgreSQL publishes a backend's table statistics about a second after it goes idle, later on a busy machine:
        // a count is settled when two readings a second and a half apart agree.
        async Task<long> ReadsOfGatesAsync()
        {
            var last = await ReadAsync();
            for (var attempt = 0; attempt < 20; attempt++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1.5));
                var now = await ReadAsync();
                if (now == last) return now;
                last = now;
            }
            return last;
        }

        var before = await ReadsOfGatesAsync();
        for (var i = 0; i < 200; i++)
        {
            var response = await _replicas.Split(i).GetAsync(project, "registered-models/get?name=absent", token);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        var afterRequests = await ReadsOfGatesAsync();
        // The measure sees reads: each listing reads the table once.
        for (var i = 0; i < 5; i++) await Admin.ListAsync("features", _replicas.Admin);
        var afterListings = await ReadAsync();
        // Published late under load (a backend that cannot take the statistics lock retries ten seconds later).
        for (var waited = 0; afterListings - afterRequests < 5 && waited < 30; waited++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            afterListings = await ReadAsync();
        }

        Assert.True(afterRequests - before <= 4, $"200 gated requests read feature_gates {afterRequests - before} times");
        Assert.True(afterListings - afterRequests >= 5, $"5 listings read feature_gates {afterListings - afterRequests} times: the measure is blind");
    }
}
