using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Features.Admin;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.SignIns;

/// <summary>A sign-in: the user, read in the same statement that records the audit event on them.</summary>
internal sealed class SignInStore(NpgsqlDataSource dataSource)
{
    /// <returns>null when the user no longer exists (nothing is recorded then).</returns>
    public async Task<UserDto?> SignInAsync(long userId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH u AS (
                SELECT id, username, is_admin, created_at FROM users WHERE id = {sql.Add(userId)}
            ), audit AS (
                {AuditSql.Insert("u", "user_signed_in", AuditEntity.User, "u.id", "User", "u.id", "u.username", entityPath: "u.username")}
            )
            SELECT id, username, is_admin, created_at FROM u
            """,
            sql);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UserDto(reader.GetInt64(0), reader.GetString(1), reader.GetBoolean(2), reader.GetDateTime(3))
            : null;
    }
}
