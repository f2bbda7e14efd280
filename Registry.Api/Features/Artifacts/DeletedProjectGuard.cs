using System.Globalization;
using Npgsql;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Artifacts;

/// <summary>
/// Nothing lands in a deleted project: once an upload is written, the project must still exist, or the answer is 404 and
/// the project's storage is removed again. Every process forgets a deleted project within milliseconds, but an upload
/// authorized just before could otherwise place its file after the project's artifacts were removed. The whole
/// project goes, not only the file: the upload may have recreated the directories the deletion had already removed.
/// </summary>
internal sealed class DeletedProjectGuard(NpgsqlDataSource dataSource, IArtifactStore store, ILogger<DeletedProjectGuard> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var http = context.HttpContext;
        if (!long.TryParse(http.GetRouteValue("projectId") as string, NumberStyles.None, CultureInfo.InvariantCulture, out var projectId))
        {
            return result;
        }

        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource, $"SELECT EXISTS (SELECT 1 FROM projects WHERE id = {sql.Add(projectId)})");
        if (await command.ExecuteScalarAsync(CancellationToken.None) is true)
        {
            return result;
        }
        try
        {
            await store.DeleteProjectAsync(projectId, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The deletion worker finishes it: a failed attempt is recorded where it looks for work.
            logger.LogWarning("Could not remove what a late upload left in deleted project {ProjectId} ({Reason}); the deletion worker will", projectId, e.Message);
            var retry = new SqlParameters();
            await using var record = retry.Command(dataSource, $"INSERT INTO pending_artifact_deletions (project_id) VALUES ({retry.Add(projectId)})");
            await record.ExecuteNonQueryAsync(CancellationToken.None);
        }
        return MlflowError.ResourceDoesNotExist(ProjectMemberHandler.ProjectNotFound);
    }
}
