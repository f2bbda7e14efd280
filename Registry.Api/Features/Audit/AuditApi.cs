using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.Audit;

/// <summary>
/// GitLab's audit events API (<c>doc/api/audit_events.md</c>): a project's events for its Maintainers and above, every
/// event for administrators. Newest first, keyset-paged as GitLab does it (<c>per_page</c>, and a <c>Link: rel="next"</c>
/// header carrying the <c>cursor</c>).
/// </summary>
internal static class AuditApi
{
    private const int DefaultPerPage = 20;
    private const int MaxPerPage = 100;

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v4").RequireAuthorization(AccessPolicies.Token).WithTags("Audit events").ProducesMlflowErrors(401, 403);

        var project = api.MapGroup("projects/{projectId:long}/audit_events").RequireAuthorization(AccessPolicies.ProjectMaintainers);
        project.MapGet("", (long projectId, HttpContext http, AuditStore store, CancellationToken ct) =>
            ListAsync(http, Query(http.Request, "Project", projectId), store, ct));
        project.MapGet("{auditEventId:long}", async (long projectId, long auditEventId, AuditStore store, CancellationToken ct) =>
            (await store.FindAsync(auditEventId, projectId, ct)).Respond(found => found));

        var instance = api.MapGroup("audit_events").RequireAuthorization(AccessPolicies.Administrator);
        instance.MapGet("", (HttpContext http, AuditStore store, CancellationToken ct) => ListAsync(http, Query(http.Request, null, null), store, ct));
        instance.MapGet("{auditEventId:long}", async (long auditEventId, AuditStore store, CancellationToken ct) =>
            (await store.FindAsync(auditEventId, projectId: null, ct)).Respond(found => found));
        return app;
    }

    /// <summary>A page of events; the parameters that shaped <paramref name="query"/> are refused with a 400 thrown by <see cref="Query"/>.</summary>
    private static async Task<Results<Ok<IReadOnlyList<AuditEventDto>>, MlflowError>> ListAsync(HttpContext http, AuditQuery query, AuditStore store, CancellationToken ct)
    {
        var events = await store.ListAsync(query with { PerPage = query.PerPage + 1 }, ct);
        if (events.Count > query.PerPage)
        {
            events = [.. events.Take(query.PerPage)];
            http.Response.Headers.Link = $"<{NextPage(http.Request, events[^1].Id)}>; rel=\"next\"";
        }
        http.Response.Headers["X-Per-Page"] = query.PerPage.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(events);
    }

    /// <param name="entityType">Set for a project's listing; null lets an administrator filter by <c>entity_type</c>/<c>entity_id</c>.</param>
    private static AuditQuery Query(HttpRequest request, string? entityType, long? entityId)
    {
        if (request.Long("page") is > 1)
        {
            throw Invalid("Audit events are paged by keyset only: follow the Link header's rel=\"next\" (its cursor), not page numbers.");
        }
        var perPage = request.Long("per_page") switch
        {
            null => DefaultPerPage,
            >= 1 and <= MaxPerPage and var n => (int)n,
            _ => throw Invalid($"per_page must be between 1 and {MaxPerPage}."),
        };
        if (entityType is null)
        {
            entityType = request.String("entity_type") switch
            {
                null or "" => null,
                ("Project" or "User") and var type => type,
                var other => throw Invalid($"entity_type must be Project or User (got '{other}')."),
            };
            entityId = request.Long("entity_id");
            if (entityId is not null && entityType is null)
            {
                throw Invalid("entity_id needs entity_type.");
            }
        }
        long? before = PageToken.Decode(request.String("cursor"), "audit_events", [typeof(long)]) is [long id] ? id : null;
        return new AuditQuery(entityType, entityId, request.Long("author_id"), Time(request, "created_after"), Time(request, "created_before"), before, perPage);
    }

    private static DateTime? Time(HttpRequest request, string name) => request.String(name) switch
    {
        null or "" => null,
        var text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) => time.UtcDateTime,
        var text => throw Invalid($"{name} must be an ISO 8601 time (YYYY-MM-DDTHH:MM:SSZ); got '{text}'."),
    };

    private static string NextPage(HttpRequest request, long lastId)
    {
        var query = QueryHelpers.ParseQuery(request.QueryString.Value)
            .Where(p => p.Key != "cursor")
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new KeyValuePair<string, string?>("cursor", PageToken.Encode("audit_events", [lastId])));
        return QueryHelpers.AddQueryString($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}", query);
    }

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));
}
