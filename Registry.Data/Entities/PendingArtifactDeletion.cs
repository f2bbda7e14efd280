namespace Registry.Data.Entities;

/// <summary>
/// A deleted project whose artifacts are still to be removed from storage. Written by a trigger in the transaction that
/// deletes the project (so no deletion is ever forgotten, however it was done) and worked off by the API in the background.
/// </summary>
public sealed class PendingArtifactDeletion
{
    public long Id { get; set; }

    /// <summary>No foreign key: the project is gone by the time this row exists.</summary>
    public long ProjectId { get; set; }

    public DateTime RequestedAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>Not to be claimed before this: a worker's lease (it runs out if the worker dies) or a retry's back-off. Null: now.</summary>
    public DateTime? NextAttemptAt { get; set; }

    public string? LastError { get; set; }
}
