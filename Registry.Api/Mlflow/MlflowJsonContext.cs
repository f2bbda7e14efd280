using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.Api.Features.Admin;
using Registry.Api.Features.Artifacts;
using Registry.Api.Features.Audit;
using Registry.Api.Features.Experiments;
using Registry.Api.Features.FeatureGates;
using Registry.Api.Features.LoggedModels;
using Registry.Api.Features.ModelVersions;
using Registry.Api.Features.Runs;
using Registry.Api.Features.RegisteredModels;
using Registry.Api.Features.Webhooks;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Mlflow;

/// <summary>Source-generated JSON for every MLflow request and response: snake_case as in MLflow's protos.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MlflowErrorBody))]
[JsonSerializable(typeof(FeatureDto))]
[JsonSerializable(typeof(List<FeatureDto>))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(CreateRegisteredModelRequest))]
[JsonSerializable(typeof(UpdateRegisteredModelRequest))]
[JsonSerializable(typeof(RenameRegisteredModelRequest))]
[JsonSerializable(typeof(DeleteRegisteredModelRequest))]
[JsonSerializable(typeof(SetRegisteredModelTagRequest))]
[JsonSerializable(typeof(DeleteRegisteredModelTagRequest))]
[JsonSerializable(typeof(RegisteredModelResponse))]
[JsonSerializable(typeof(SearchRegisteredModelsResponse))]
[JsonSerializable(typeof(IReadOnlyList<ModelVersion>))]
[JsonSerializable(typeof(CreateModelVersionRequest))]
[JsonSerializable(typeof(UpdateModelVersionRequest))]
[JsonSerializable(typeof(ModelVersionRequest))]
[JsonSerializable(typeof(TransitionStageRequest))]
[JsonSerializable(typeof(SetModelVersionTagRequest))]
[JsonSerializable(typeof(DeleteModelVersionTagRequest))]
[JsonSerializable(typeof(GetLatestVersionsRequest))]
[JsonSerializable(typeof(SetAliasRequest))]
[JsonSerializable(typeof(DeleteAliasRequest))]
[JsonSerializable(typeof(ModelVersionResponse))]
[JsonSerializable(typeof(ModelVersionsResponse))]
[JsonSerializable(typeof(SearchModelVersionsResponse))]
[JsonSerializable(typeof(DownloadUriResponse))]
[JsonSerializable(typeof(Experiment))]
[JsonSerializable(typeof(ExperimentResponse))]
[JsonSerializable(typeof(CreateExperimentRequest))]
[JsonSerializable(typeof(CreateExperimentResponse))]
[JsonSerializable(typeof(SearchExperimentsRequest))]
[JsonSerializable(typeof(SearchExperimentsResponse))]
[JsonSerializable(typeof(UpdateExperimentRequest))]
[JsonSerializable(typeof(ExperimentIdRequest))]
[JsonSerializable(typeof(SetExperimentTagRequest))]
[JsonSerializable(typeof(DeleteExperimentTagRequest))]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(RunInfo))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(RunInfoResponse))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(UpdateRunRequest))]
[JsonSerializable(typeof(RunIdRequest))]
[JsonSerializable(typeof(LogMetricRequest))]
[JsonSerializable(typeof(LogParamRequest))]
[JsonSerializable(typeof(SetRunTagRequest))]
[JsonSerializable(typeof(DeleteRunTagRequest))]
[JsonSerializable(typeof(LogBatchRequest))]
[JsonSerializable(typeof(LogInputsRequest))]
[JsonSerializable(typeof(LogModelRequest))]
[JsonSerializable(typeof(Dataset))]
[JsonSerializable(typeof(List<KeyValue>))]
[JsonSerializable(typeof(SearchRunsRequest))]
[JsonSerializable(typeof(SearchRunsResponse))]
[JsonSerializable(typeof(MetricHistoryResponse))]
[JsonSerializable(typeof(MetricsWithRunIdResponse))]
[JsonSerializable(typeof(IReadOnlyList<ProjectDto>))]
[JsonSerializable(typeof(ProjectDto))]
[JsonSerializable(typeof(IReadOnlyList<UserDto>))]
[JsonSerializable(typeof(UserDto))]
[JsonSerializable(typeof(IReadOnlyList<UserSummaryDto>))]
[JsonSerializable(typeof(ProjectDetailsDto))]
[JsonSerializable(typeof(IReadOnlyList<MemberDto>))]
[JsonSerializable(typeof(MemberDto))]
[JsonSerializable(typeof(IReadOnlyList<TokenDto>))]
[JsonSerializable(typeof(TokenDto))]
[JsonSerializable(typeof(CreateProjectRequest))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(AddMemberRequest))]
[JsonSerializable(typeof(UpdateMemberRequest))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(ListArtifactsResponse))]
[JsonSerializable(typeof(CreateMultipartRequest))]
[JsonSerializable(typeof(CreateMultipartResponse))]
[JsonSerializable(typeof(CompleteMultipartRequest))]
[JsonSerializable(typeof(AbortMultipartRequest))]
[JsonSerializable(typeof(LoggedModel))]
[JsonSerializable(typeof(LoggedModelResponse))]
[JsonSerializable(typeof(CreateLoggedModelRequest))]
[JsonSerializable(typeof(FinalizeLoggedModelRequest))]
[JsonSerializable(typeof(SetLoggedModelTagsRequest))]
[JsonSerializable(typeof(LogLoggedModelParamsRequest))]
[JsonSerializable(typeof(SearchLoggedModelsRequest))]
[JsonSerializable(typeof(SearchLoggedModelsResponse))]
[JsonSerializable(typeof(LogOutputsRequest))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(UpdateWebhookRequest))]
[JsonSerializable(typeof(TestWebhookRequest))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(ListWebhooksResponse))]
[JsonSerializable(typeof(TestWebhookResponse))]
[JsonSerializable(typeof(WebhookDelivery))]
[JsonSerializable(typeof(WebhookDeliveryResponse))]
[JsonSerializable(typeof(ListWebhookDeliveriesResponse))]
[JsonSerializable(typeof(AuditEventDto))]
[JsonSerializable(typeof(IReadOnlyList<AuditEventDto>))]
internal sealed partial class MlflowJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The options every MLflow body is written with. Relaxed escaping: these are JSON bodies for API clients, never
    /// embedded in HTML, and <c>\u0027</c> for every apostrophe makes error messages hard to read.
    /// </summary>
    public static MlflowJsonContext Wire { get; } = new(ConfigureWire(new JsonSerializerOptions()));

    public static JsonSerializerOptions ConfigureWire(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        // Metric values travel as "NaN", "Infinity", "-Infinity"; int64 may arrive as strings (protobuf's JSON mapping).
        options.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString;
        return options;
    }
}
