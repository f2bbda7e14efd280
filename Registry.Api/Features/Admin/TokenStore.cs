using System.Security.Cryptography;
using Npgsql;
using Registry.Api.Auth;
using Registry.Data;
using static Registry.Api.Features.Admin.AdminSql;

namespace Registry.Api.Features.Admin;

/// <summary>Personal access tokens: created, listed, revoked and rotated. Used by the admin API and the CLI.</summary>
internal sealed class TokenStore(NpgsqlDataSource dataSource, IAuthCacheInvalidation access)
{
    private const string TokenColumns = "id, name, user_id, scopes, revoked, created_at, expires_at";

    /// <returns>The new token with its plaintext (shown once), or null when the user does not exist.</returns>
    public async Task<TokenDto?> CreateAsync(long userId, string name, IReadOnlyList<string> scopes, DateOnly expiresAt, CancellationToken cancellationToken)
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
    /// <param name="tokenId">Only this token; null for every token.</param>
    public async Task<IReadOnlyList<TokenDto>> ListAsync(long? userId, long? tokenId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {TokenColumns} FROM personal_access_tokens WHERE ($1::bigint IS NULL OR user_id = $1) AND ($2::bigint IS NULL OR id = $2) ORDER BY id");
        command.Parameters.Add(NullableId(userId));
        command.Parameters.Add(NullableId(tokenId));
        return await ReadAsync(command, ReadToken, cancellationToken);
    }

    /// <summary>Revokes a token: this API process refuses it at once, the others when the database's notification reaches them.</summary>
    public async Task<bool> RevokeAsync(long tokenId, CancellationToken cancellationToken)
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

    /// <summary>
    /// GitLab's rotate: revokes the token and issues a new one with the same name, scopes and owner, in one transaction.
    /// The new token never outlives the old one, even if the old one's expiry changed since the caller read it.
    /// </summary>
    /// <returns>null when the token was already revoked.</returns>
    public async Task<TokenDto?> RotateAsync(long tokenId, DateOnly expiresAt, CancellationToken cancellationToken)
    {
        var plaintext = NewTokenText();
        await using var command = dataSource.CreateCommand(
            $"""
            WITH old AS (
                UPDATE personal_access_tokens SET revoked = true WHERE id = $1 AND NOT revoked
                RETURNING user_id, name, scopes, token_digest, expires_at
            )
            INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at)
            SELECT user_id, name, $2, scopes, LEAST($3, expires_at) FROM old
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

    /// <summary>A token expires at midnight UTC of its expiry date.</summary>
    private static NpgsqlParameter<DateTime> ExpiryParameter(DateOnly expiresAt) =>
        new() { TypedValue = expiresAt.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) };

    private static TokenDto WithPlaintext(TokenDto token, string plaintext) => token with { Token = plaintext };

    private static TokenDto ReadToken(NpgsqlDataReader r)
    {
        var expires = DateOnly.FromDateTime(r.GetDateTime(6));
        var revoked = r.GetBoolean(4);
        var active = !revoked && r.GetDateTime(6) > DateTime.UtcNow;
        return new TokenDto(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetFieldValue<string[]>(3), revoked, active, r.GetDateTime(5), expires);
    }
}
