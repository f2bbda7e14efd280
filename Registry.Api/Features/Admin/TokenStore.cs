using System.Security.Cryptography;
using Npgsql;
using Registry.Api.Auth;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;
using Registry.Data;
using static Registry.Api.Features.Admin.AdminSql;

namespace Registry.Api.Features.Admin;

/// <summary>
/// Personal access tokens: created, listed, revoked and rotated. Used by the admin API and the CLI. Each write records its
/// audit event (on the token's owner; never the token or its digest) in its own statement.
/// </summary>
internal sealed class TokenStore(NpgsqlDataSource dataSource, IAuthCacheInvalidation access)
{
    private static readonly SqlColumns TokenSelect = new();
    private static readonly int Id = TokenSelect.Add("id");
    private static readonly int Name = TokenSelect.Add("name");
    private static readonly int UserId = TokenSelect.Add("user_id");
    private static readonly int Scopes = TokenSelect.Add("scopes");
    private static readonly int Revoked = TokenSelect.Add("revoked");
    private static readonly int CreatedAt = TokenSelect.Add("created_at");
    private static readonly int ExpiresAt = TokenSelect.Add("expires_at");

    /// <returns>The new token with its plaintext (shown once).</returns>
    public async Task<Outcome<TokenDto>> CreateAsync(long userId, string name, IReadOnlyList<string> scopes, DateOnly expiresAt, CancellationToken cancellationToken)
    {
        var plaintext = NewTokenText();
        var sql = new SqlParameters();
        var user = sql.Add(userId);
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH t AS (
                INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at)
                SELECT id, {sql.Add(name)}, {sql.Add(TokenDigest.Of(plaintext))}, {sql.Add<string[]>([.. scopes])}, {sql.Add(Expiry(expiresAt))} FROM users WHERE id = {user}
                RETURNING {TokenSelect.Sql}
            ), audit AS (
                {AuditSql.Insert("t", "personal_access_token_created", AuditEntity.User, "t.user_id", "PersonalAccessToken", "t.id", "t.name",
                    AuditSql.Changes(("name", "NULL", "t.name"), ("scopes", "NULL", "t.scopes"), ("expires_at", "NULL", "t.expires_at")))}
            )
            SELECT {TokenSelect.Sql} FROM t
            """,
            sql);
        return (await ReadAsync(batch, ReadToken, cancellationToken)).SingleOrDefault() is { } token
            ? WithPlaintext(token, plaintext)
            : AdminValidation.NotFound("User");
    }

    /// <param name="userId">Only this user's tokens; null for every token.</param>
    /// <param name="tokenId">Only this token; null for every token.</param>
    public async Task<IReadOnlyList<TokenDto>> ListAsync(long? userId, long? tokenId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (user, token) = (sql.Add(userId), sql.Add(tokenId));
        await using var command = sql.Command(dataSource,
            $"SELECT {TokenSelect.Sql} FROM personal_access_tokens WHERE ({user}::bigint IS NULL OR user_id = {user}) AND ({token}::bigint IS NULL OR id = {token}) ORDER BY id");
        return await ReadAsync(command, ReadToken, cancellationToken);
    }

    /// <summary>Revokes a token: this API process refuses it at once, the others when the database's notification reaches them.</summary>
    public async Task<Outcome<Done>> RevokeAsync(long tokenId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH old AS (
                SELECT id, revoked FROM personal_access_tokens WHERE id = {sql.Add(tokenId)} FOR UPDATE
            ), t AS (
                UPDATE personal_access_tokens p SET revoked = true FROM old WHERE p.id = old.id RETURNING p.id, p.user_id, p.name, p.token_digest
            ), audit AS (
                {AuditSql.Insert("(SELECT t.* FROM t JOIN old ON old.id = t.id WHERE NOT old.revoked) t", "personal_access_token_revoked",
                    AuditEntity.User, "t.user_id", "PersonalAccessToken", "t.id", "t.name", AuditSql.Changes(("revoked", "false", "true")))}
            )
            SELECT token_digest FROM t
            """,
            sql);
        if (await batch.ExecuteScalarAsync(cancellationToken) is not byte[] digest)
        {
            return AdminValidation.NotFound("Token");
        }
        access.ForgetToken(digest);
        return new Done();
    }

    /// <summary>
    /// GitLab's rotate: revokes the token and issues a new one with the same name, scopes and owner, in one transaction.
    /// The new token never outlives the old one, even if the old one's expiry changed since the caller read it.
    /// </summary>
    public async Task<Outcome<TokenDto>> RotateAsync(long tokenId, DateOnly expiresAt, CancellationToken cancellationToken)
    {
        var plaintext = NewTokenText();
        var sql = new SqlParameters();
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH old AS (
                UPDATE personal_access_tokens SET revoked = true WHERE id = {sql.Add(tokenId)} AND NOT revoked
                RETURNING id, user_id, name, scopes, token_digest, expires_at
            ), t AS (
                INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at)
                SELECT user_id, name, {sql.Add(TokenDigest.Of(plaintext))}, scopes, LEAST({sql.Add(Expiry(expiresAt))}, expires_at) FROM old
                RETURNING {TokenSelect.Sql}
            ), audit AS (
                {AuditSql.Insert("old, t", "personal_access_token_rotated", AuditEntity.User, "t.user_id", "PersonalAccessToken", "t.id", "t.name",
                    AuditSql.Changes(("id", "old.id", "t.id"), ("expires_at", "old.expires_at", "t.expires_at")))}
            )
            SELECT t.*, old.token_digest FROM t, old
            """,
            sql);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return AlreadyRevoked;
        }
        access.ForgetToken(reader.GetFieldValue<byte[]>(TokenSelect.Count));
        return WithPlaintext(ReadToken(reader), plaintext);
    }

    public static MlflowError AlreadyRevoked => MlflowError.InvalidParameterValue("The token is already revoked.");

    /// <summary>GitLab's format: a recognisable prefix (secret scanners look for it) and 192 random bits.</summary>
    private static string NewTokenText() => "glpat-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>A token expires at midnight UTC of its expiry date.</summary>
    private static DateTime Expiry(DateOnly expiresAt) => expiresAt.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static TokenDto WithPlaintext(TokenDto token, string plaintext) => token with { Token = plaintext };

    private static TokenDto ReadToken(NpgsqlDataReader r)
    {
        var expires = DateOnly.FromDateTime(r.GetDateTime(ExpiresAt));
        var revoked = r.GetBoolean(Revoked);
        var active = !revoked && r.GetDateTime(ExpiresAt) > DateTime.UtcNow;
        return new TokenDto(r.GetInt64(Id), r.GetString(Name), r.GetInt64(UserId), r.GetFieldValue<string[]>(Scopes), revoked, active, r.GetDateTime(CreatedAt), expires);
    }
}
