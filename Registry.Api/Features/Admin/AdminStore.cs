using System.Security.Cryptography;
using Npgsql;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Data;
using Registry.Data.Entities;

namespace Registry.Api.Features.Admin;

/// <summary>Tenants and credentials: projects, users, memberships, personal access tokens. Used by the admin API and the CLI.</summary>
internal sealed class AdminStore(NpgsqlDataSource dataSource, AccessLookup access)
{
    private const string TokenColumns = "id, name, user_id, scopes, revoked, created_at, expires_at";

    public async Task<ProjectDto> CreateProjectAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO projects (name) VALUES ($1) RETURNING id, name, created_at");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return (await ReadAsync(command, ReadProject, cancellationToken)).Single();
    }

    /// <param name="memberOf">Only the projects this user is a member of; null for every project.</param>
    public async Task<IReadOnlyList<ProjectDto>> ProjectsAsync(long? memberOf, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT p.id, p.name, p.created_at FROM projects p WHERE $1::bigint IS NULL OR EXISTS " +
            "(SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.user_id = $1) ORDER BY p.id");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)memberOf ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        return await ReadAsync(command, ReadProject, cancellationToken);
    }

    public async Task<bool> DeleteProjectAsync(long projectId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM projects WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <returns>The user, or null when the username is taken.</returns>
    public async Task<UserDto?> CreateUserAsync(string username, bool admin, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO users (username, is_admin) VALUES ($1, $2) ON CONFLICT (username) DO NOTHING RETURNING id, username, is_admin, created_at");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = username });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = admin });
        return (await ReadAsync(command, ReadUser, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<UserDto>> UsersAsync(string? username, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, username, is_admin, created_at FROM users WHERE $1::text IS NULL OR username = $1 ORDER BY id");
        command.Parameters.Add(Sql.NullableText(username));
        return await ReadAsync(command, ReadUser, cancellationToken);
    }

    public async Task<bool> DeleteUserAsync(long userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM users WHERE id = $1 RETURNING (SELECT array_agg(token_digest) FROM personal_access_tokens WHERE user_id = $1)");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
        var found = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found = true;
            foreach (var digest in reader.IsDBNull(0) ? [] : reader.GetFieldValue<byte[][]>(0))
            {
                access.ForgetToken(digest);
            }
        }
        return found;
    }

    public async Task<IReadOnlyList<MemberDto>> MembersAsync(long projectId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT u.id, u.username, m.access_level FROM project_members m JOIN users u ON u.id = m.user_id WHERE m.project_id = $1 ORDER BY u.id");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        return await ReadAsync(command, r => new MemberDto(r.GetInt64(0), r.GetString(1), r.GetInt32(2)), cancellationToken);
    }

    /// <summary>Adds or changes a membership; the change is seen by this API process at once.</summary>
    public async Task<MemberDto?> SetMemberAsync(long projectId, long userId, AccessLevel level, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO project_members (project_id, user_id, access_level)
            SELECT p.id, u.id, $3 FROM projects p, users u WHERE p.id = $1 AND u.id = $2
            ON CONFLICT (project_id, user_id) DO UPDATE SET access_level = EXCLUDED.access_level
            RETURNING user_id, (SELECT username FROM users WHERE id = $2), access_level
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)level });
        var member = (await ReadAsync(command, r => new MemberDto(r.GetInt64(0), r.GetString(1), r.GetInt32(2)), cancellationToken)).SingleOrDefault();
        access.ForgetMembership(userId, projectId);
        return member;
    }

    public async Task<bool> RemoveMemberAsync(long projectId, long userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM project_members WHERE project_id = $1 AND user_id = $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
        var removed = await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        access.ForgetMembership(userId, projectId);
        return removed;
    }

    /// <returns>The new token with its plaintext (shown once), or null when the user does not exist.</returns>
    public async Task<TokenDto?> CreateTokenAsync(long userId, string name, IReadOnlyList<string> scopes, DateOnly? expiresAt, CancellationToken cancellationToken)
    {
        var plaintext = NewTokenText();
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at)
            SELECT id, $2, $3, $4, $5 FROM users WHERE id = $1
            RETURNING {TokenColumns}
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = TokenDigest.Of(plaintext) });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. scopes] });
        command.Parameters.Add(ExpiryParameter(expiresAt));
        var token = (await ReadAsync(command, ReadToken, cancellationToken)).SingleOrDefault();
        return token is null ? null : WithPlaintext(token, plaintext);
    }

    /// <param name="userId">Only this user's tokens; null for every token.</param>
    public async Task<IReadOnlyList<TokenDto>> TokensAsync(long? userId, long? tokenId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {TokenColumns} FROM personal_access_tokens WHERE ($1::bigint IS NULL OR user_id = $1) AND ($2::bigint IS NULL OR id = $2) ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)userId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)tokenId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        return await ReadAsync(command, ReadToken, cancellationToken);
    }

    /// <summary>Revokes a token; this API process refuses it at once, other replicas within the auth cache lifetime.</summary>
    public async Task<bool> RevokeTokenAsync(long tokenId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE personal_access_tokens SET revoked = true WHERE id = $1 RETURNING token_digest");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = tokenId });
        if (await command.ExecuteScalarAsync(cancellationToken) is not byte[] digest)
        {
            return false;
        }
        access.ForgetToken(digest);
        return true;
    }

    /// <summary>GitLab's rotate: revokes the token and issues a new one with the same name, scopes and owner, in one transaction.</summary>
    public async Task<TokenDto?> RotateTokenAsync(long tokenId, DateOnly? expiresAt, CancellationToken cancellationToken)
    {
        var plaintext = NewTokenText();
        await using var command = dataSource.CreateCommand(
            $"""
            WITH old AS (
                UPDATE personal_access_tokens SET revoked = true WHERE id = $1 AND NOT revoked RETURNING user_id, name, scopes, token_digest
            )
            INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at)
            SELECT user_id, name, $2, scopes, $3 FROM old
            RETURNING {TokenColumns}, (SELECT token_digest FROM old)
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = tokenId });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = TokenDigest.Of(plaintext) });
        command.Parameters.Add(ExpiryParameter(expiresAt));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        access.ForgetToken(reader.GetFieldValue<byte[]>(7));
        return WithPlaintext(ReadToken(reader), plaintext);
    }

    /// <summary>GitLab's format: a recognisable prefix (secret scanners look for it) and 192 random bits.</summary>
    private static string NewTokenText() => "glpat-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private static NpgsqlParameter ExpiryParameter(DateOnly? expiresAt) => new()
    {
        Value = expiresAt is { } date ? date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) : DBNull.Value,
        NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz,
    };

    private static TokenDto WithPlaintext(TokenDto token, string plaintext) => token with { Token = plaintext };

    private static ProjectDto ReadProject(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetDateTime(2));

    private static UserDto ReadUser(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetBoolean(2), r.GetDateTime(3));

    private static TokenDto ReadToken(NpgsqlDataReader r)
    {
        DateOnly? expires = r.IsDBNull(6) ? null : DateOnly.FromDateTime(r.GetDateTime(6));
        var revoked = r.GetBoolean(4);
        var active = !revoked && (expires is null || expires > DateOnly.FromDateTime(DateTime.UtcNow));
        return new TokenDto(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetFieldValue<string[]>(3), revoked, active, r.GetDateTime(5), expires);
    }

    private static async Task<List<T>> ReadAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
