using System.Collections.Concurrent;
using System.Diagnostics;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.RegisteredModels;

[Collection(RegistryCollection.Name)]
public sealed class TelemetryTests(RegistryAppFixture app)
{
    [Fact]
    public async Task Create_emits_an_operation_span_whose_children_are_the_database_calls()
    {
        var finished = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Registry.Api" or "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = finished.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var api = new InProcessApi(new Dictionary<string, string?> { ["ConnectionStrings:registrydb"] = app.ConnectionString });
        using var http = api.CreateClient();
        var name = MlflowHttp.UniqueName("traced");

        await (await http.PostJsonAsync(app.Tenants.ProjectId, "registered-models/create", new { name }, app.Tenants.Developer)).ShouldBeOkAsync();

        var operation = Assert.Single(finished, a => a.OperationName == "POST /api/2.0/mlflow/registered-models/create" && (string?)a.GetTagItem("registry.model_name") == name);
        Assert.Equal(app.Tenants.ProjectId, operation.GetTagItem("registry.project_id"));
        var database = finished.Where(a => a.Source.Name == "Npgsql" && a.ParentSpanId == operation.SpanId).ToList();
        Assert.NotEmpty(database);
        Assert.All(database, span => Assert.Equal(operation.TraceId, span.TraceId));
    }
}
