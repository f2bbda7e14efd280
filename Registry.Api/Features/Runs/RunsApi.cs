using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Tracking;
using Registry.Data;

namespace Registry.Api.Features.Runs;

internal static class RunsApi
{
    public static RouteGroupBuilder MapRuns(this RouteGroupBuilder mlflow)
    {
        var runs = mlflow.MapGroup("runs");
        runs.MapPost("create", Create);
        runs.MapGet("get", Get);
        runs.MapPost("update", Update);
        runs.MapPost("delete", (long projectId, JsonBody<RunIdRequest> body, RunStore store, CancellationToken ct) => SetDeleted(projectId, body.Value, true, store, ct));
        runs.MapPost("restore", (long projectId, JsonBody<RunIdRequest> body, RunStore store, CancellationToken ct) => SetDeleted(projectId, body.Value, false, store, ct));
        runs.MapPost("search", Search).Reads();
        runs.MapPost("log-metric", LogMetric);
        runs.MapPost("log-parameter", LogParameter);
        runs.MapPost("log-batch", LogBatch);
        runs.MapPost("set-tag", SetTag);
        runs.MapPost("delete-tag", DeleteTag);
        runs.MapPost("log-inputs", LogInputs);
        runs.MapPost("log-model", LogModel);
        runs.MapPost("outputs", LogOutputs);
        return mlflow;
    }

    private static async Task<Results<Ok<RunResponse>, MlflowError>> Create(
        long projectId, JsonBody<CreateRunRequest> body, ClaimsPrincipal user, RunStore store, CancellationToken cancellationToken)
    {
        var request = body.Value;
        // The client sends "0" when no experiment is set; an absent id means the same.
        var experimentId = string.IsNullOrEmpty(request.ExperimentId) ? "0" : request.ExperimentId;
        var experiment = ExperimentSql.RequireId(experimentId);
        if (experiment.Error is { } error)
        {
            return error;
        }
        var tags = TrackingValidation.Tags(request.Tags, TrackingValidation.RunTag);
        // MLflow keeps run_name and the mlflow.runName tag in step.
        var name = request.RunName is { Length: > 0 } given ? TrackingValidation.RunName(given)
            : tags.FirstOrDefault(t => t.Key == ReservedKeys.RunName)?.Value ?? $"run-{Guid.NewGuid():N}"[..12];
        tags = [.. tags.Where(t => t.Key != ReservedKeys.RunName), new KeyValue(ReservedKeys.RunName, name)];
        var startTime = request.StartTime ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // MLflow keeps the user_id the client sends; without one, the run is the token owner's.
        var userName = TrackingValidation.RunUser(request.UserId) ?? user.Identity!.Name!;

        return (await store.CreateAsync(projectId, user.UserId(), userName, experiment.Value, name, startTime, tags, cancellationToken))
            .Respond(run => new RunResponse(run));
    }

    private static async Task<Results<Ok<RunResponse>, MlflowError>> Get(long projectId, HttpRequest http, RunStore store, CancellationToken cancellationToken)
    {
        var runId = TrackingValidation.RunId(http.String("run_id"), http.String("run_uuid"));
        return (await store.FindAsync(projectId, runId, cancellationToken)).Respond(run => new RunResponse(run));
    }

    private static async Task<Results<Ok<RunInfoResponse>, MlflowError>> Update(long projectId, JsonBody<UpdateRunRequest> body, RunStore store, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var runId = TrackingValidation.RunId(request.RunId, request.RunUuid);
        var status = request.Status is null ? null : TrackingValidation.Status(request.Status);
        var name = string.IsNullOrEmpty(request.RunName) ? null : TrackingValidation.RunName(request.RunName);
        return (await store.UpdateAsync(projectId, runId, status, request.EndTime, name, cancellationToken)).Respond(info => new RunInfoResponse(info));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> SetDeleted(
        long projectId, RunIdRequest request, bool deleted, RunStore store, CancellationToken cancellationToken)
    {
        var runId = TrackingValidation.RunId(request.RunId);
        return (await store.SetDeletedAsync(projectId, runId, deleted, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    /// <summary>The filter, order and page token are parsed deep in the search; what they refuse is thrown as a 400.</summary>
    private static async Task<Results<Ok<SearchRunsResponse>, MlflowError>> Search(long projectId, JsonBody<SearchRunsRequest> body, RunSearch search, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var (runs, next) = await search.SearchAsync(projectId, request.ExperimentIds ?? [], request.Filter, request.RunViewType,
            request.MaxResults, request.OrderBy ?? [], request.PageToken, cancellationToken);
        return TypedResults.Ok(new SearchRunsResponse(runs, next));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> LogMetric(long projectId, JsonBody<LogMetricRequest> body, RunLogStore store, CancellationToken cancellationToken)
    {
        var r = body.Value;
        var metric = TrackingValidation.Metric(r.Key, r.Value, r.Timestamp, r.Step, r.ModelId, r.DatasetName, r.DatasetDigest);
        return (await store.LogAsync(projectId, TrackingValidation.RunId(r.RunId, r.RunUuid), [metric], [], [], cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> LogParameter(long projectId, JsonBody<LogParamRequest> body, RunLogStore store, CancellationToken cancellationToken)
    {
        var r = body.Value;
        var param = TrackingValidation.Param(r.Key, r.Value);
        return (await store.LogAsync(projectId, TrackingValidation.RunId(r.RunId, r.RunUuid), [], [param], [], cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> LogBatch(long projectId, JsonBody<LogBatchRequest> body, RunLogStore store, CancellationToken cancellationToken)
    {
        var r = body.Value;
        var runId = TrackingValidation.RunId(r.RunId);
        TrackingValidation.BatchSizes(r.Metrics?.Count ?? 0, r.Params?.Count ?? 0, r.Tags?.Count ?? 0);
        var metrics = (r.Metrics ?? []).Select((m, i) => m is null
            ? throw TrackingValidation.Invalid("'metrics' contains a null entry.")
            : TrackingValidation.Metric(m.Key, m.Value, m.Timestamp, m.Step, m.ModelId, m.DatasetName, m.DatasetDigest, $"metrics[{i}].")).ToList();
        var parameters = TrackingValidation.Params(r.Params);
        var tags = TrackingValidation.Tags(r.Tags, TrackingValidation.RunTag);
        Telemetry.Tag("registry.batch_size", metrics.Count + parameters.Count + tags.Count);

        return (await store.LogAsync(projectId, runId, metrics, parameters, tags, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> SetTag(long projectId, JsonBody<SetRunTagRequest> body, RunStore store, CancellationToken cancellationToken)
    {
        var r = body.Value;
        var tag = TrackingValidation.RunTag(r.Key, r.Value);
        return (await store.SetTagAsync(projectId, TrackingValidation.RunId(r.RunId, r.RunUuid), tag, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> DeleteTag(
        long projectId, JsonBody<DeleteRunTagRequest> body, RunStore store, CancellationToken cancellationToken)
    {
        var runId = TrackingValidation.RunId(body.Value.RunId);
        var key = Keys.Validate(body.Value.Key, "tag");
        return (await store.DeleteTagAsync(projectId, runId, key, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> LogInputs(long projectId, JsonBody<LogInputsRequest> body, RunLogStore store, CancellationToken cancellationToken)
    {
        var runId = TrackingValidation.RunId(body.Value.RunId);
        // As MLflow's server: datasets are required (MLflow 3's client may send only the logged models a run used).
        if (body.Value.Datasets is null && body.Value.Models is not { Count: > 0 })
        {
            return MlflowError.InvalidParameterValue(MlflowMessages.Missing("datasets"));
        }
        var modelIds = (body.Value.Models ?? []).Select(m => m?.ModelId is { Length: > 0 } id
            ? Text.Storable(id, "model_id")
            : throw TrackingValidation.Invalid("Each entry of 'models' needs a 'model_id'.")).Distinct().ToList();
        var inputs = (body.Value.Datasets ?? []).Select(input =>
        {
            var dataset = input?.Dataset ?? throw TrackingValidation.Invalid("Each entry of 'datasets' needs a 'dataset'.");
            var name = Required(dataset.Name, "dataset.name");
            var digest = Required(dataset.Digest, "dataset.digest");
            Required(dataset.SourceType, "dataset.source_type");
            Required(dataset.Source, "dataset.source");
            var tags = TrackingValidation.Tags(input.Tags, TrackingValidation.RunTag);
            return (name, digest,
                JsonSerializer.Serialize(dataset, RunsJsonContext.Wire.Dataset),
                JsonSerializer.Serialize(tags, RunsJsonContext.Wire.ListKeyValue));
        }).ToList();

        return (await store.LogInputsAsync(projectId, runId, inputs, modelIds, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> LogModel(long projectId, JsonBody<LogModelRequest> body, RunLogStore store, CancellationToken cancellationToken)
    {
        var runId = TrackingValidation.RunId(body.Value.RunId);
        var modelJson = Required(body.Value.ModelJson, "model_json");
        try
        {
            using var document = JsonDocument.Parse(modelJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw TrackingValidation.Invalid("'model_json' must be a JSON object describing the logged model.");
            }
        }
        catch (JsonException)
        {
            throw TrackingValidation.Invalid("'model_json' is not valid JSON.");
        }

        return (await store.LogModelAsync(projectId, runId, modelJson, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> LogOutputs(
        long projectId, JsonBody<LogOutputsRequest> body, RunStore store, CancellationToken cancellationToken)
    {
        var runId = TrackingValidation.RunId(body.Value.RunId);
        var outputs = (body.Value.Models ?? []).Select(m => m?.ModelId is { Length: > 0 } id
            ? (id, m.Step ?? 0)
            : throw TrackingValidation.Invalid("Each entry of 'models' needs a 'model_id'.")).ToList();

        return (await store.LogOutputsAsync(projectId, runId, outputs, cancellationToken)).Respond(_ => EmptyResponse.Instance);
    }

    private static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw TrackingValidation.Invalid(MlflowMessages.Missing(field)) : Text.Storable(value, field);
}
