namespace Registry.Data.Entities;

/// <summary>An MLflow 3 logged model: a model's files and metadata, logged from a run before (or without) registering it.</summary>
public sealed class LoggedModel
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public long ExperimentId { get; set; }

    /// <summary>"m-" and 32 hex characters, MLflow's model id.</summary>
    public required string ModelId { get; set; }

    public required string Name { get; set; }
    public string? ModelType { get; set; }
    public string? SourceRunId { get; set; }

    /// <summary>LOGGED_MODEL_PENDING, LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED.</summary>
    public required string Status { get; set; }

    public string? StatusMessage { get; set; }
    public long? UserId { get; set; }
    public DateTime? DeletedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A logged model's param: written once, like a run's.</summary>
public sealed class LoggedModelParam
{
    public long Id { get; set; }
    public long LoggedModelId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
}

/// <summary>A logged model's tag: mutable.</summary>
public sealed class LoggedModelTag
{
    public long Id { get; set; }
    public long LoggedModelId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
}

/// <summary>A run's output: a logged model it produced, at a step (runs/outputs).</summary>
public sealed class CandidateOutput
{
    public long CandidateId { get; set; }
    public long LoggedModelId { get; set; }
    public long Step { get; set; }
}

/// <summary>
/// A metric point of a logged model (MLflow 3): logged by a run with the model's id, optionally on a dataset.
/// Identified like a run's point, by (model, run, key, step, timestamp, value).
/// </summary>
public sealed class LoggedModelMetric
{
    public long Id { get; set; }
    public long LoggedModelId { get; set; }
    public long CandidateId { get; set; }
    public required string Name { get; set; }
    public double Value { get; set; }
    public long Timestamp { get; set; }
    public long Step { get; set; }
    public string? DatasetName { get; set; }
    public string? DatasetDigest { get; set; }
}

/// <summary>A run's input: a logged model it used (runs/log-inputs' models, shown in runs/get as inputs.model_inputs).</summary>
public sealed class CandidateModelInput
{
    public long CandidateId { get; set; }
    public long LoggedModelId { get; set; }
}
