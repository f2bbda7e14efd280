using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Data.Entities;

namespace Registry.Api.Auth;

public sealed record TokenOwner(long TokenId, long UserId, string Username, bool IsAdmin, string[] Scopes, DateTime? ExpiresAt, bool Revoked);

/// <summary>What a project membership lookup found: whether the project exists, and the caller's level in it.</summary>
public readonly record struct ProjectAccess(bool ProjectExists, AccessLevel? Level);

public sealed class AuthOptions
{
    /// <summary>How long a token or membership lookup is trusted; a revocation takes effect within this time.</summary>
    public int CacheSeconds { get; set; } = 30;
}

/// <summary>
/// Token and membership lookups, cached so that steady-state requests never wait on the database for auth.
/// Unknown tokens are cached too (briefly), so a flood of bad tokens cannot flood PostgreSQL.
/// </summary>
public sealed class AccessLookup(NpgsqlDataSource dataSource, IMemoryCache cache, IOptions<AuthOptions> options)
{
    private static readonly TimeSpan UnknownTokenLifetime = TimeSpan.FromSeconds(5);

    public async ValueTask<TokenOwner?> FindTokenOwnerAsync(byte[] digest, CancellationToken cancellationToken)
    {
        var key = new TokenKey(Convert.ToHexString(digest));
        if (cache.TryGetValue(key, out TokenOwner? cached))
        {
            return cached;
        }

        await using var command = dataSource.CreateCommand(
            """
            SELECT t.id, t.user_id, u.username, u.is_admin, t.scopes, t.expires_at, t.revoked
            FROM personal_access_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_digest = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = digest });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var owner = await reader.ReadAsync(cancellationToken)
            ? new TokenOwner(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetBoolean(3), reader.GetFieldValue<string[]>(4),
                reader.IsDBNull(5) ? null : reader.GetDateTime(5), reader.GetBoolean(6))
            : null;
        cache.Set(key, owner, owner is null ? UnknownTokenLifetime : Lifetime);
        return owner;
    }

    public async ValueTask<ProjectAccess> FindProjectAccessAsync(long userId, long projectId, CancellationToken cancellationToken)
    {
        var key = new MembershipKey(userId, projectId);
        if (cache.TryGetValue(key, out ProjectAccess cached))
        {
            return cached;
        }

        await using var command = dataSource.CreateCommand(
            """
            SELECT m.access_level
            FROM projects p LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = $2
            WHERE p.id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = projectId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var access = await reader.ReadAsync(cancellationToken)
            ? new ProjectAccess(true, reader.IsDBNull(0) ? null : (AccessLevel)reader.GetInt32(0))
            : new ProjectAccess(false, null);
        cache.Set(key, access, Lifetime);
        return access;
    }

    /// <summary>The caller's level in a project (administrators count as Owners); null when they may not see it or it does not exist.</summary>
    public async ValueTask<AccessLevel?> EffectiveLevelAsync(ClaimsPrincipal user, long projectId, CancellationToken cancellationToken)
    {
        var access = await FindProjectAccessAsync(user.UserId(), projectId, cancellationToken);
        return !access.ProjectExists ? null : user.IsAdmin() ? AccessLevel.Owner : access.Level;
    }

    /// <summary>Makes this process look the token up again (after a revocation or rotation here).</summary>
    public void ForgetToken(byte[] digest) => cache.Remove(new TokenKey(Convert.ToHexString(digest)));

    /// <summary>Makes this process look the membership up again (after a change here).</summary>
    public void ForgetMembership(long userId, long projectId) => cache.Remove(new MembershipKey(userId, projectId));

    private TimeSpan Lifetime => TimeSpan.FromSeconds(options.Value.CacheSeconds);

    private readonly record struct TokenKey(string Digest);

    private readonly record struct MembershipKey(long UserId, long ProjectId);
}
