namespace Registry.Api.Features.Admin;

// GitLab's REST shapes (projects, users, members, personal access tokens); times are ISO 8601 as GitLab sends them.

public sealed record ProjectDto(long Id, string Name, DateTime CreatedAt);

/// <summary>GitLab's single-project answer: the project and the caller's own access to it.</summary>
public sealed record ProjectDetailsDto(long Id, string Name, DateTime CreatedAt, ProjectPermissions Permissions);

public sealed record ProjectPermissions(ProjectAccessDto ProjectAccess);

public sealed record ProjectAccessDto(int AccessLevel);

public sealed record UserDto(long Id, string Username, bool IsAdmin, DateTime CreatedAt);

/// <summary>What any user may learn about another: enough to add them as a member.</summary>
public sealed record UserSummaryDto(long Id, string Username);

public sealed record MemberDto(long Id, string Username, int AccessLevel);

/// <param name="Token">The plaintext: only in the answer to a create or rotate, never again.</param>
public sealed record TokenDto(
    long Id, string Name, long UserId, IReadOnlyList<string> Scopes, bool Revoked, bool Active, DateTime CreatedAt, DateOnly ExpiresAt,
    string? Token = null);

public sealed record CreateProjectRequest(string? Name);

public sealed record CreateUserRequest(string? Username, bool? Admin);

public sealed record AddMemberRequest(long? UserId, int? AccessLevel);

public sealed record UpdateMemberRequest(int? AccessLevel);

public sealed record CreateTokenRequest(string? Name, List<string>? Scopes, DateOnly? ExpiresAt);
