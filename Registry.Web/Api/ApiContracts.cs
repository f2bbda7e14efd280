namespace Registry.Web.Api;

// What the UI reads from the API: MLflow's wire shapes (snake_case, int64 ms timestamps) and GitLab's account shapes.
// Lists MLflow leaves out when empty are nullable; pages read them through Of().

public sealed record Tag(string Key, string Value);

public sealed record ModelAlias(string Alias, string Version);

public sealed record RegisteredModel(
    string Name, long CreationTimestamp, long LastUpdatedTimestamp, string? Description, string? UserId,
    List<Tag>? Tags, List<ModelVersion>? LatestVersions, List<ModelAlias>? Aliases);

public sealed record ModelVersion(
    string Name, string Version, long CreationTimestamp, long LastUpdatedTimestamp, string? UserId, string CurrentStage,
    string? Description, string? Source, string? RunId, string Status, string? StatusMessage, List<Tag>? Tags,
    string? RunLink, List<string>? Aliases, string? ModelId);

public sealed record RegisteredModelResponse(RegisteredModel RegisteredModel);

public sealed record RegisteredModelsPage(List<RegisteredModel>? RegisteredModels, string? NextPageToken);

public sealed record ModelVersionResponse(ModelVersion ModelVersion);

public sealed record ModelVersionsPage(List<ModelVersion>? ModelVersions, string? NextPageToken);

public sealed record DownloadUri(string ArtifactUri);

public sealed record Experiment(
    string ExperimentId, string Name, string ArtifactLocation, string LifecycleStage, long LastUpdateTime, long CreationTime, List<Tag>? Tags);

public sealed record ExperimentResponse(Experiment Experiment);

public sealed record ExperimentList(List<Experiment>? Experiments, string? NextPageToken);

public sealed record RunInfo(
    string RunId, string? RunName, string ExperimentId, string? UserId, string Status, long StartTime, long? EndTime,
    string ArtifactUri, string LifecycleStage);

public sealed record Metric(string Key, double Value, long Timestamp, long Step);

public sealed record RunData(List<Metric>? Metrics, List<Tag>? Params, List<Tag>? Tags);

public sealed record ModelOutput(string? ModelId, long? Step);

public sealed record RunOutputs(List<ModelOutput>? ModelOutputs);

public sealed record Run(RunInfo Info, RunData? Data, RunOutputs? Outputs);

public sealed record RunResponse(Run Run);

public sealed record RunsPage(List<Run>? Runs, string? NextPageToken);

public sealed record MetricPoint(string Key, double Value, long Timestamp, long Step, string RunId);

public sealed record MetricPoints(List<MetricPoint>? Metrics);

public sealed record FileInfo(string Path, bool IsDir, long? FileSize);

public sealed record FileList(string? RootUri, List<FileInfo>? Files);

public sealed record LoggedModelRegistration(string Name, string Version);

public sealed record LoggedModelInfo(
    string ModelId, string ExperimentId, string Name, long CreationTimestampMs, long LastUpdatedTimestampMs, string ArtifactUri,
    string Status, string? ModelType, string? SourceRunId, List<Tag>? Tags, List<LoggedModelRegistration>? Registrations);

public sealed record LoggedModelData(List<Tag>? Params, List<Metric>? Metrics);

public sealed record LoggedModel(LoggedModelInfo Info, LoggedModelData? Data);

public sealed record LoggedModelResponse(LoggedModel Model);

public sealed record LoggedModelsPage(List<LoggedModel>? Models, string? NextPageToken);

// GitLab's shapes (/api/v4): ISO 8601 times.

public sealed record User(long Id, string Username, bool IsAdmin, DateTime CreatedAt);

public sealed record ProjectAccess(int AccessLevel);

public sealed record ProjectPermissions(ProjectAccess? ProjectAccess);

public sealed record Project(long Id, string Name, DateTime CreatedAt, ProjectPermissions? Permissions)
{
    public int AccessLevel => Permissions?.ProjectAccess?.AccessLevel ?? 0;
}

public sealed record Member(long Id, string Username, int AccessLevel);

public sealed record AccessToken(
    long Id, string Name, long UserId, List<string> Scopes, bool Revoked, bool Active, DateTime CreatedAt, DateOnly? ExpiresAt, string? Token);

public static class Lists
{
    public static IReadOnlyList<T> Of<T>(List<T>? list) => list ?? [];
}

// MLflow 3.11's webhooks (webhooks.proto), and ours: status_reason and deliveries. The secret is write-only: no answer has it.

public sealed record WebhookEvent(string Entity, string Action)
{
    public override string ToString() => $"{Entity.ToLowerInvariant()}.{Action.ToLowerInvariant()}";
}

public sealed record Webhook(
    string WebhookId, string Name, string? Description, string Url, List<WebhookEvent>? Events, string Status,
    long CreationTimestamp, long LastUpdatedTimestamp, string? StatusReason);

public sealed record WebhookResponse(Webhook Webhook);

public sealed record WebhookList(List<Webhook>? Webhooks, string? NextPageToken);

/// <param name="AttemptHistory">Every attempt to deliver it, oldest first.</param>
public sealed record WebhookDelivery(
    string DeliveryId, string Event, string State, int Attempts, long CreationTimestamp, long? NextAttemptTimestamp,
    long? DeliveredTimestamp, int? LastResponseStatus, string? LastError, List<WebhookDeliveryAttempt>? AttemptHistory);

/// <param name="ResponseBody">The start of the receiver's answer (the API keeps at most 4 KiB).</param>
public sealed record WebhookDeliveryAttempt(long Timestamp, int DurationMs, int? ResponseStatus, string? ResponseBody, string? Error);

public sealed record WebhookDeliveryResponse(WebhookDelivery Delivery);

/// <summary>A webhook update: null leaves a field as it is (MLflow's update keeps what is absent or empty).</summary>
public sealed record WebhookChanges(
    string? Name, string? Description, string? Url, IReadOnlyList<string>? Events, string? Status, string? Secret)
{
    public bool Any => Name is not null || Description is not null || Url is not null || Events is not null || Status is not null || Secret is not null;
}

public sealed record WebhookDeliveryList(List<WebhookDelivery>? Deliveries, string? NextPageToken);

public sealed record WebhookTestResult(bool Success, int? ResponseStatus, string? ResponseBody, string? ErrorMessage);

public sealed record WebhookTestResponse(WebhookTestResult Result);

// GitLab's audit events: newest first, keyset-paged through the Link header's cursor.

/// <param name="Changes">Every changed field: <c>{"field": {"from": ..., "to": ...}}</c> (secrets as "[FILTERED]").</param>
public sealed record AuditEventDetails(
    string? CustomMessage, string? AuthorName, string? TargetId, string? TargetType, string? TargetDetails, string? IpAddress, string? Via,
    System.Text.Json.JsonElement? Changes);

public sealed record AuditEvent(long Id, long? AuthorId, string EventName, AuditEventDetails Details, DateTime CreatedAt);

/// <param name="NextCursor">The cursor of the Link header's rel="next", or null on the last page.</param>
public sealed record AuditEventsPage(List<AuditEvent> Events, string? NextCursor);
