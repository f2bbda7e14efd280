namespace Registry.Data;

/// <summary>
/// Triggers on <c>personal_access_tokens</c>, <c>project_members</c>, <c>users</c> and <c>projects</c> (migration
/// ImmediateRevocationAndTokenExpiry) and on <c>feature_gates</c> (migration RuntimeFeatureGates) tell every API process,
/// in the transaction that makes a change, what its caches must forget: <c>pg_notify</c> is delivered on commit (never on rollback), whoever wrote — the API on any replica, the
/// CLI or plain SQL. Deleting a project also records its artifacts for deletion in the same transaction.
/// </summary>
public static class AuthChangeNotifications
{
    public const string Channel = "registry_auth";

    /// <summary>Payload prefixes: <c>token:&lt;hex digest&gt;</c>, <c>member:&lt;user id&gt;:&lt;project id&gt;</c>, <c>user:&lt;id&gt;</c>, <c>project:&lt;id&gt;</c>, <c>feature:&lt;name&gt;</c>; <c>all</c> after a TRUNCATE.</summary>
    public const string Token = "token:";
    public const string Member = "member:";
    public const string User = "user:";
    public const string Project = "project:";
    public const string Feature = "feature:";
    public const string All = "all";
}
