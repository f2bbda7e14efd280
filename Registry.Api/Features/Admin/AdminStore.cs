using Npgsql;
using Registry.Api.Auth;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;
using Registry.Data.Entities;
using static Registry.Api.Features.Admin.AdminSql;

namespace Registry.Api.Features.Admin;

/// <summary>
/// Tenants: projects, users and memberships. Used by the admin API and the CLI. Each write records its audit event in its
/// own statement.
/// </summary>
internal sealed class AdminStore(NpgsqlDataSource dataSource, IAuthCacheInvalidation access)
{
    private static readonly SqlColumns ProjectSelect = new();
    private static readonly int ProjectId = ProjectSelect.Add("id");
    private static readonly int ProjectName = ProjectSelect.Add("name");
    private static readonly int ProjectCreatedAt = ProjectSelect.Add("created_at");

    private static readonly SqlColumns UserSelect = new();
    private static readonly int UserId = UserSelect.Add("id");
    private static readonly int Username = UserSelect.Add("username");
    private static readonly int UserIsAdmin = UserSelect.Add("is_admin");
    private static readonly int UserCreatedAt = UserSelect.Add("created_at");

    private static readonly SqlColumns MemberSelect = new();
    private static readonly int MemberUserId = MemberSelect.Add("u.id");
    private static readonly int MemberUsername = MemberSelect.Add("u.username");
    private static readonly int MemberLevel = MemberSelect.Add("m.access_level");

    private static readonly SqlColumns RemovalSelect = new();
    private static readonly int MemberRemoved = RemovalSelect.Add("EXISTS (SELECT 1 FROM removed)");
    private static readonly int MemberExisted = RemovalSelect.Add("EXISTS (SELECT 1 FROM member)");

    public async Task<ProjectDto> CreateProjectAsync(string name, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH p AS (
                INSERT INTO projects (name) VALUES ({sql.Add(name)}) RETURNING {ProjectSelect.Sql}
            ), audit AS (
                {AuditSql.Insert("p", "project_created", AuditEntity.Project, "p.id", "Project", "p.id", "p.name",
                    AuditSql.Changes(("name", "NULL", "p.name")), entityPath: "p.name")}
            )
            SELECT {ProjectSelect.Sql} FROM p
            """,
            sql);
        return (await ReadAsync(batch, ReadProject, cancellationToken)).Single();
    }

    /// <param name="memberOf">Only the projects this user is a member of; null for every project.</param>
    public async Task<IReadOnlyList<ProjectDto>> ProjectsAsync(long? memberOf, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var member = sql.Add(memberOf);
        await using var command = sql.Command(dataSource,
            $"SELECT {ProjectSelect.Sql} FROM projects p WHERE {member}::bigint IS NULL OR EXISTS " +
            $"(SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.user_id = {member}) ORDER BY p.id");
        return await ReadAsync(command, ReadProject, cancellationToken);
    }

    public async Task<Outcome<ProjectDto>> ProjectAsync(long projectId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource, $"SELECT {ProjectSelect.Sql} FROM projects WHERE id = {sql.Add(projectId)}");
        return (await ReadAsync(command, ReadProject, cancellationToken)).SingleOrDefault() is { } project ? project : AdminValidation.NotFound("Project");
    }

    public async Task<Outcome<Done>> DeleteProjectAsync(long projectId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH p AS (
                DELETE FROM projects WHERE id = {sql.Add(projectId)} RETURNING id, name
            ), audit AS (
                {AuditSql.Insert("p", "project_deleted", AuditEntity.Project, "p.id", "Project", "p.id", "p.name",
                    AuditSql.Changes(("name", "p.name", "NULL")), entityPath: "p.name")}
            )
            SELECT count(*) FROM p
            """,
            sql);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0 ? new Done() : AdminValidation.NotFound("Project");
    }

    public async Task<Outcome<UserDto>> CreateUserAsync(string username, bool admin, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH u AS (
                INSERT INTO users (username, is_admin) VALUES ({sql.Add(username)}, {sql.Add(admin)}) ON CONFLICT (username) DO NOTHING RETURNING {UserSelect.Sql}
            ), audit AS (
                {AuditSql.Insert("u", "user_created", AuditEntity.User, "u.id", "User", "u.id", "u.username",
                    AuditSql.Changes(("username", "NULL", "u.username"), ("is_admin", "NULL", "u.is_admin")), entityPath: "u.username")}
            )
            SELECT {UserSelect.Sql} FROM u
            """,
            sql);
        return (await ReadAsync(batch, ReadUser, cancellationToken)).SingleOrDefault() is { } user
            ? user
            : MlflowError.ResourceAlreadyExists($"Username '{username}' is already taken.");
    }

    /// <param name="username">Only the user with exactly this name; null for every user.</param>
    public async Task<IReadOnlyList<UserDto>> UsersAsync(string? username, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var name = sql.Add(username);
        await using var command = sql.Command(dataSource,
            $"SELECT {UserSelect.Sql} FROM users WHERE {name}::text IS NULL OR username = {name} ORDER BY id");
        return await ReadAsync(command, ReadUser, cancellationToken);
    }

    public async Task<Outcome<UserDto>> UserAsync(long userId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource, $"SELECT {UserSelect.Sql} FROM users WHERE id = {sql.Add(userId)}");
        return (await ReadAsync(command, ReadUser, cancellationToken)).SingleOrDefault() is { } user ? user : AdminValidation.NotFound("User");
    }

    /// <summary>A sign-in to the web UI: the user, read in the same statement that records the audit event on them.</summary>
    public async Task<Outcome<UserDto>> SignInAsync(long userId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH u AS (
                SELECT {UserSelect.Sql} FROM users WHERE id = {sql.Add(userId)}
            ), audit AS (
                {AuditSql.Insert("u", "user_signed_in", AuditEntity.User, "u.id", "User", "u.id", "u.username", entityPath: "u.username")}
            )
            SELECT {UserSelect.Sql} FROM u
            """,
            sql);
        return (await ReadAsync(batch, ReadUser, cancellationToken)).SingleOrDefault() is { } user ? user : AdminValidation.NotFound("User");
    }

    public async Task<Outcome<Done>> DeleteUserAsync(long userId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var user = sql.Add(userId);
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH u AS (
                DELETE FROM users WHERE id = {user}
                RETURNING id, username, is_admin, (SELECT array_agg(token_digest) FROM personal_access_tokens WHERE user_id = {user}) AS digests
            ), audit AS (
                {AuditSql.Insert("u", "user_deleted", AuditEntity.User, "u.id", "User", "u.id", "u.username",
                    AuditSql.Changes(("username", "u.username", "NULL"), ("is_admin", "u.is_admin", "NULL")), entityPath: "u.username")}
            )
            SELECT digests FROM u
            """,
            sql);
        var found = false;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found = true;
            foreach (var digest in reader.IsDBNull(0) ? [] : reader.GetFieldValue<byte[][]>(0))
            {
                access.ForgetToken(digest);
            }
        }
        return found ? new Done() : AdminValidation.NotFound("User");
    }

    public async Task<IReadOnlyList<MemberDto>> MembersAsync(long projectId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"SELECT {MemberSelect.Sql} FROM project_members m JOIN users u ON u.id = m.user_id WHERE m.project_id = {sql.Add(projectId)} ORDER BY u.id");
        return await ReadAsync(command, r => new MemberDto(r.GetInt64(MemberUserId), r.GetString(MemberUsername), r.GetInt32(MemberLevel)), cancellationToken);
    }

    /// <summary>
    /// Adds or changes a membership on behalf of someone at <paramref name="actingLevel"/>: a member above that level
    /// is left alone (checked on the locked row, so a concurrent promotion cannot slip under it). This process sees the
    /// change at once.
    /// </summary>
    public async Task<Outcome<MemberDto>> SetMemberAsync(
        long projectId, long userId, AccessLevel level, AccessLevel actingLevel, CancellationToken cancellationToken)
    {
        // The old level comes from the statement's snapshot, taken before the upsert; the upsert's row lock orders
        // concurrent changes, so each audit row's "from" is what the one before it set.
        var sql = new SqlParameters();
        var (project, user) = (sql.Add(projectId), sql.Add(userId));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH old AS (
                SELECT access_level FROM project_members WHERE project_id = {project} AND user_id = {user}
            ), changed AS (
                INSERT INTO project_members (project_id, user_id, access_level)
                SELECT p.id, u.id, {sql.Add((int)level)} FROM projects p, users u WHERE p.id = {project} AND u.id = {user}
                ON CONFLICT (project_id, user_id) DO UPDATE SET access_level = EXCLUDED.access_level
                WHERE project_members.access_level <= {sql.Add((int)actingLevel)}
                RETURNING user_id, access_level
            ), audit AS (
                {AuditSql.Insert("changed LEFT JOIN old ON true", "member_access_level_set", AuditEntity.Project, project, "User", "changed.user_id",
                    "(SELECT username FROM users WHERE id = changed.user_id)", AuditSql.Changes(("access_level", "old.access_level", "changed.access_level")))}
            )
            SELECT {MemberSelect.Sql}
            FROM users u LEFT JOIN changed m ON m.user_id = u.id
            WHERE u.id = {user} AND EXISTS (SELECT 1 FROM projects WHERE id = {project})
            """,
            sql);
        var rows = await ReadAsync(batch, r => (Id: r.GetInt64(MemberUserId), Username: r.GetString(MemberUsername), Level: r.IsDBNull(MemberLevel) ? (int?)null : r.GetInt32(MemberLevel)), cancellationToken);
        access.ForgetMembership(userId, projectId);
        return rows switch
        {
            [] => AdminValidation.NotFound("Project or user"),
            [{ Level: { } changed } row] => new MemberDto(row.Id, row.Username, changed),
            _ => AboveActingLevel(actingLevel),
        };
    }

    /// <summary>Removes a membership on behalf of someone at <paramref name="actingLevel"/>; a member above it stays.</summary>
    public async Task<Outcome<Done>> RemoveMemberAsync(long projectId, long userId, AccessLevel actingLevel, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, user) = (sql.Add(projectId), sql.Add(userId));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH removed AS (
                DELETE FROM project_members WHERE project_id = {project} AND user_id = {user} AND access_level <= {sql.Add((int)actingLevel)} RETURNING user_id, access_level
            ), audit AS (
                {AuditSql.Insert("removed", "member_removed", AuditEntity.Project, project, "User", "removed.user_id",
                    "(SELECT username FROM users WHERE id = removed.user_id)", AuditSql.Changes(("access_level", "removed.access_level", "NULL")))}
            ), member AS (
                SELECT 1 FROM project_members WHERE project_id = {project} AND user_id = {user}
            )
            SELECT {RemovalSelect.Sql}
            """,
            sql);
        var (removed, existed) = (await ReadAsync(batch, r => (r.GetBoolean(MemberRemoved), r.GetBoolean(MemberExisted)), cancellationToken)).Single();
        access.ForgetMembership(userId, projectId);
        return removed ? new Done() : existed ? AboveActingLevel(actingLevel) : AdminValidation.NotFound("Member");
    }

    private static MlflowError AboveActingLevel(AccessLevel acting) =>
        MlflowError.PermissionDenied($"That member's role is above yours ({acting}); you cannot change or remove it.");

    private static ProjectDto ReadProject(NpgsqlDataReader r) => new(r.GetInt64(ProjectId), r.GetString(ProjectName), r.GetDateTime(ProjectCreatedAt));

    private static UserDto ReadUser(NpgsqlDataReader r) => new(r.GetInt64(UserId), r.GetString(Username), r.GetBoolean(UserIsAdmin), r.GetDateTime(UserCreatedAt));
}
