using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Artifacts;

/// <summary>
/// The audit events of artifact uploads and deletes through the proxy (target <c>Artifact</c>, its path in the project's
/// storage, and its size). The bytes live outside PostgreSQL, so no transaction spans both: the row is written once the
/// store has placed the bytes (renamed into place, or the object stored) or removed them, and the request answers 200
/// only after the row has committed. So every row names a change that happened; a failed upload or delete records nothing;
/// only a crash or a lost database between the two can leave a change without its row (the request then fails).
/// </summary>
internal sealed class ArtifactAudit(NpgsqlDataSource dataSource)
{
    private const string Target = "Artifact";

    public Task UploadedAsync(long projectId, string path, long bytes) =>
        RecordAsync(projectId, path, bytes, "artifact_uploaded", size => AuditSql.Changes(("size", "NULL", $"{size}::bigint")));

    public Task DeletedAsync(long projectId, string path, long bytes) =>
        RecordAsync(projectId, path, bytes, "artifact_deleted", size => AuditSql.Changes(("size", $"{size}::bigint", "NULL")));

    /// <summary>Not cancellable: the change has happened, so its row is written even if the client has gone.</summary>
    /// <param name="changes">The audit changes, given the placeholder of the size.</param>
    private async Task RecordAsync(long projectId, string path, long bytes, string eventName, Func<string, string> changes)
    {
        var sql = new SqlParameters();
        var (project, artifact, size) = (sql.Add(projectId), sql.Add(path), sql.Add(bytes));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            AuditSql.Insert("(SELECT 1) AS artifact", eventName, AuditEntity.Project, project, Target, artifact, artifact, changes(size)), sql);
        await batch.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
