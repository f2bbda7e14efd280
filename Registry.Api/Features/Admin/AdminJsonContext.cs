using System.Text.Json.Serialization;

namespace Registry.Api.Features.Admin;

/// <summary>Source-generated JSON for the admin API's GitLab shapes, named in snake_case as GitLab does (<c>RegistryApi</c> chains every feature's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<ProjectDto>))]
[JsonSerializable(typeof(ProjectDto))]
[JsonSerializable(typeof(IReadOnlyList<UserDto>))]
[JsonSerializable(typeof(UserDto))]
[JsonSerializable(typeof(IReadOnlyList<UserSummaryDto>))]
[JsonSerializable(typeof(ProjectDetailsDto))]
[JsonSerializable(typeof(IReadOnlyList<MemberDto>))]
[JsonSerializable(typeof(MemberDto))]
[JsonSerializable(typeof(IReadOnlyList<TokenDto>))]
[JsonSerializable(typeof(TokenDto))]
[JsonSerializable(typeof(CreateProjectRequest))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(AddMemberRequest))]
[JsonSerializable(typeof(UpdateMemberRequest))]
[JsonSerializable(typeof(CreateTokenRequest))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
