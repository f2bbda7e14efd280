using System.Globalization;
using Npgsql;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.Artifacts;

/// <summary>
/// Nothing lands in a deleted project: once an upload is written, the project must still exist, or the file is removed
/// again and the answer is 404. Every process forgets a deleted project within milliseconds, but an upload authorized
/// just before could otherwise place its file after the project's artifacts were removed.
/// </summary>
internal sealed class DeletedProjectGuard(NpgsqlDataSource dataSource, IArtifactStore store) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var http = context.HttpContext;
        if (!long.TryParse(http.GetRouteValue("projectId") as string, NumberStyles.None, CultureInfo.InvariantCulture, out var projectId)
            || http.GetRouteValue("path") is not string path)
        {
            return result;
        }

        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource, $"SELECT EXISTS (SELECT 1 FROM projects WHERE id = {sql.Add(projectId)})");
        if (await command.ExecuteScalarAsync(CancellationToken.None) is true)
        {
            return result;
        }
        await store.DeleteAsync(projectId, ArtifactPath.Normalize(path, allowEmpty: false), CancellationToken.None);
        return MlflowError.ResourceDoesNotExist(ProjectMemberHandler.ProjectNotFound);
    }
}
