using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Api.Mlflow.Sql;
using Registry.Data.Entities;

namespace Registry.Api.Auth;

public sealed record TokenOwner(long TokenId, long UserId, string Username, bool IsAdmin, string[] Scopes, DateTime ExpiresAt, bool Revoked);

/// <summary>What a project membership lookup found: whether the project exists, and the caller's level in it.</summary>
public readonly record struct ProjectAccess(bool ProjectExists, AccessLevel? Level);

/// <summary>
/// Token and membership lookups, cached so that steady-state requests never wait on the database for auth. The cache is
/// trusted for <see cref="AuthOptions.CacheSeconds"/> only while <see cref="AuthChangeListener"/> hears the database's
/// change notifications, which evict what changed within milliseconds; without them, entries live half a second.
/// Unknown tokens are cached briefly too, so repeating one bad token costs the database nothing.
/// </summary>
public sealed class AccessLookup(NpgsqlDataSource dataSource, IOptions<AuthOptions> options) : IAuthCacheInvalidation, IDisposable
{
    private static readonly TimeSpan UnknownTokenLifetime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan UnheardLifetime = TimeSpan.FromMilliseconds(500);

    private static readonly SqlColumns OwnerColumns = new();
    private static readonly int OwnerTokenId = OwnerColumns.Add("t.id");
    private static readonly int OwnerUserId = OwnerColumns.Add("t.user_id");
    private static readonly int OwnerUsername = OwnerColumns.Add("u.username");
    private static readonly int OwnerIsAdmin = OwnerColumns.Add("u.is_admin");
    private static readonly int OwnerScopes = OwnerColumns.Add("t.scopes");
    private static readonly int OwnerExpiresAt = OwnerColumns.Add("t.expires_at");
    private static readonly int OwnerRevoked = OwnerColumns.Add("t.revoked");

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 500_000 });

    /// <summary>Token lookups in flight, by hex digest, until their result is in the cache.</summary>
    private readonly ConcurrentDictionary<string, Task<TokenOwner?>> _tokenLookups = new();

    /// <summary>Counts evictions: a lookup that overlapped one may have read what was just changed, so it is not kept.</summary>
    private long _evictions;

    private volatile bool _hearingChanges;

    public bool TryGetCachedTokenOwner(byte[] digest, out TokenOwner? owner) => _cache.TryGetValue(new TokenKey(Convert.ToHexStringLower(digest)), out owner);

    /// <summary>The database lookup of this token already under way for another request, if there is one, for this one to share.</summary>
    public Task<TokenOwner?>? TokenLookupUnderWay(byte[] digest) =>
        _tokenLookups.TryGetValue(Convert.ToHexStringLower(digest), out var lookup) ? lookup : null;

    /// <summary>
    /// Looks the token up in the database, or joins the lookup another request already started: when many requests
    /// with one token miss the cache together (its entry lapsing under a training fleet), PostgreSQL is asked once.
    /// </summary>
    public Task<TokenOwner?> FindTokenOwnerAsync(byte[] digest, CancellationToken cancellationToken)
    {
        var hex = Convert.ToHexStringLower(digest);
        if (_cache.TryGetValue(new TokenKey(hex), out TokenOwner? cached))
        {
            return Task.FromResult(cached);
        }

        var started = new TaskCompletionSource<TokenOwner?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lookup = _tokenLookups.GetOrAdd(hex, started.Task);
        if (lookup == started.Task)
        {
            _ = CompleteTokenLookupAsync(hex, digest, started);
        }
        // The shared lookup runs to its end whoever stops waiting for it.
        return lookup.WaitAsync(cancellationToken);
    }

    private async Task CompleteTokenLookupAsync(string hex, byte[] digest, TaskCompletionSource<TokenOwner?> lookup)
    {
        try
        {
            lookup.SetResult(await ReadTokenOwnerAsync(hex, digest));
        }
        catch (Exception e)
        {
            lookup.SetException(e);
        }
        finally
        {
            _tokenLookups.TryRemove(KeyValuePair.Create(hex, lookup.Task));
        }
    }

    private async Task<TokenOwner?> ReadTokenOwnerAsync(string hex, byte[] digest)
    {
        var evictions = Interlocked.Read(ref _evictions);
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"""
            SELECT {OwnerColumns.Sql}
            FROM personal_access_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_digest = {sql.Add(digest)}
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var owner = await reader.ReadAsync()
            ? new TokenOwner(
                reader.GetInt64(OwnerTokenId), reader.GetInt64(OwnerUserId), reader.GetString(OwnerUsername), reader.GetBoolean(OwnerIsAdmin),
                reader.GetFieldValue<string[]>(OwnerScopes), reader.GetDateTime(OwnerExpiresAt), reader.GetBoolean(OwnerRevoked))
            : null;
        Keep(new TokenKey(hex), owner, owner is null ? UnknownTokenLifetime : Lifetime, evictions);
        return owner;
    }

    public async ValueTask<ProjectAccess> FindProjectAccessAsync(long userId, long projectId, CancellationToken cancellationToken)
    {
        var key = new MembershipKey(userId, projectId);
        if (_cache.TryGetValue(key, out ProjectAccess cached))
        {
            return cached;
        }

        var evictions = Interlocked.Read(ref _evictions);
        var sql = new SqlParameters();
        var (project, user) = (sql.Add(projectId), sql.Add(userId));
        await using var command = sql.Command(dataSource,
            $"""
            SELECT m.access_level
            FROM projects p LEFT JOIN project_members m ON m.project_id = p.id AND m.user_id = {user}
            WHERE p.id = {project}
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var access = await reader.ReadAsync(cancellationToken)
            ? new ProjectAccess(true, reader.IsDBNull(0) ? null : (AccessLevel)reader.GetInt32(0))
            : new ProjectAccess(false, null);
        Keep(key, access, Lifetime, evictions);
        return access;
    }

    /// <summary>The caller's level in a project (administrators count as Owners); null when they may not see it or it does not exist.</summary>
    public async ValueTask<AccessLevel?> EffectiveLevelAsync(ClaimsPrincipal user, long projectId, CancellationToken cancellationToken)
    {
        var access = await FindProjectAccessAsync(user.UserId(), projectId, cancellationToken);
        return !access.ProjectExists ? null : user.IsAdmin() ? AccessLevel.Owner : access.Level;
    }

    /// <summary>Makes this process look the token up again (at once after a change here; the notification follows).</summary>
    public void ForgetToken(byte[] digest) => ForgetToken(Convert.ToHexStringLower(digest));

    public void ForgetToken(string hexDigest)
    {
        var hex = hexDigest.ToLowerInvariant();
        Forget(new TokenKey(hex));
        // A request after the change must not share a lookup that may have read the token before it.
        _tokenLookups.TryRemove(hex, out _);
    }

    public void ForgetMembership(long userId, long projectId) => Forget(new MembershipKey(userId, projectId));

    /// <summary>For changes that touch entries it cannot name (a user's tokens, a project's memberships) or notifications that may have been missed.</summary>
    public void ForgetEverything()
    {
        Interlocked.Increment(ref _evictions);
        _cache.Clear();
        _tokenLookups.Clear();
    }

    /// <summary>Change notifications flow (again): entries may live their full lifetime. What was cached before may have missed some.</summary>
    public void StartHearingChanges()
    {
        _hearingChanges = true;
        ForgetEverything();
    }

    /// <summary>Change notifications stopped: keep nothing that a missed notification could have made stale.</summary>
    public void StopHearingChanges()
    {
        _hearingChanges = false;
        ForgetEverything();
    }

    public void Dispose() => _cache.Dispose();

    private TimeSpan Lifetime => _hearingChanges ? TimeSpan.FromSeconds(options.Value.CacheSeconds) : UnheardLifetime;

    private void Forget(object key)
    {
        Interlocked.Increment(ref _evictions);
        _cache.Remove(key);
    }

    private void Keep<T>(object key, T value, TimeSpan lifetime, long evictionsBeforeReading)
    {
        if (Interlocked.Read(ref _evictions) != evictionsBeforeReading)
        {
            return;
        }
        _cache.Set(key, value, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Min(lifetime, Lifetime), Size = 1 });
        // An eviction between the check and the Set found nothing to remove; take the entry back out.
        if (Interlocked.Read(ref _evictions) != evictionsBeforeReading)
        {
            _cache.Remove(key);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private readonly record struct TokenKey(string Digest);

    private readonly record struct MembershipKey(long UserId, long ProjectId);
}
