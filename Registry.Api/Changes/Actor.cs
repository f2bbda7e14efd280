using System.Buffers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Registry.Api.Auth;

namespace Registry.Api.Changes;

/// <summary>
/// Who is making a change, for its audit row: a request's user, token, client address and request id; the CLI; or the
/// registry itself (work it does on its own, such as disabling a failing webhook). Set once per unit of work
/// (<see cref="ActorMiddleware"/>, the CLI, a background service) and read by <see cref="Recording"/>.
/// </summary>
internal sealed record Actor(long? AuthorId, string? AuthorName, long? TokenId, string? IpAddress, string? RequestId, string Via)
{
    private static readonly AsyncLocal<Actor?> Ambient = new();

    /// <summary>The actor of the work running on this async flow; null where nobody said (the audit row then names nobody).</summary>
    public static Actor? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }

    public static Actor Registry { get; } = new(null, "Registry", null, null, null, "registry");

    public static Actor Cli() => new(null, $"cli ({Environment.UserName})", null, null, null, "cli");

    public static Actor FromRequest(HttpContext http)
    {
        var user = http.User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        return new Actor(
            authenticated ? user.UserId() : null,
            authenticated ? user.FindFirstValue(ClaimTypes.Name) : null,
            authenticated && long.TryParse(user.FindFirstValue(RegistryClaims.TokenIdType), out var tokenId) ? tokenId : null,
            http.Connection.RemoteIpAddress is { } address ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString() : null,
            http.TraceIdentifier,
            "api");
    }

    /// <summary>The JSON <c>registry_act_as</c> takes.</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (AuthorId is { } authorId) json.WriteNumber("author_id", authorId);
            if (AuthorName is not null) json.WriteString("author_name", AuthorName);
            if (TokenId is { } tokenId) json.WriteNumber("token_id", tokenId);
            if (IpAddress is not null) json.WriteString("ip_address", IpAddress);
            if (RequestId is not null) json.WriteString("request_id", RequestId);
            json.WriteString("via", Via);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>Makes every request's writes name their actor, and tells the client the request id its audit rows carry.</summary>
internal sealed class ActorMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        Actor.Current = Actor.FromRequest(context);
        context.Response.Headers["X-Request-Id"] = context.TraceIdentifier;
        return next(context);
    }
}
