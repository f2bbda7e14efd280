using Microsoft.EntityFrameworkCore;
using Registry.Data;

namespace Registry.MigrationService;

/// <summary>
/// A newcomer's first tenant: project 1 "default", its owner "root" (an administrator), and a token they chose. The token
/// expires like any token created without an expiry (<c>Registry:Auth:DefaultTokenLifetimeDays</c>, 30 days) after the
/// latest run, so a development machine that keeps running the AppHost keeps its token; a revoked one stays revoked.
/// </summary>
internal static class Bootstrap
{
    public static async Task EnsureDefaultTenantAsync(RegistryDbContext db, string token, int lifetimeDays, CancellationToken cancellationToken)
    {
        var digest = TokenDigest.Of(token);
        var expiresAt = DateTime.UtcNow.Date.AddDays(lifetimeDays);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO users (username, is_admin) VALUES ('root', true) ON CONFLICT (username) DO NOTHING;
            INSERT INTO projects (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'default') ON CONFLICT (id) DO NOTHING;
            SELECT setval(pg_get_serial_sequence('projects', 'id'), GREATEST((SELECT max(id) FROM projects), 1));
            INSERT INTO project_members (project_id, user_id, access_level)
            SELECT 1, id, 50 FROM users WHERE username = 'root'
            ON CONFLICT (project_id, user_id) DO UPDATE SET access_level = 50;
            INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at)
            SELECT id, 'bootstrap', {digest}, ARRAY['api'], {expiresAt} FROM users WHERE username = 'root'
            ON CONFLICT (token_digest) DO UPDATE SET expires_at = EXCLUDED.expires_at;
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
