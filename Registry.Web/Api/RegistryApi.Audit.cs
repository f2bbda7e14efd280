namespace Registry.Web.Api;

/// <summary>A project's audit events: GitLab's API, Maintainers and above, newest first, keyset-paged by the Link header.</summary>
public sealed partial class RegistryApi
{
    /// <param name="cursor">The Link header's cursor from the previous page; null for the newest events.</param>
    public async Task<AuditEventsPage> AuditEventsAsync(
        long projectId, DateTime? createdAfter, DateTime? createdBefore, string? cursor, int perPage, CancellationToken ct)
    {
        var uri = $"api/v4/projects/{projectId}/audit_events?" + Query(
            ("created_after", createdAfter?.ToString("o", System.Globalization.CultureInfo.InvariantCulture)),
            ("created_before", createdBefore?.ToString("o", System.Globalization.CultureInfo.InvariantCulture)),
            ("cursor", cursor), ("per_page", perPage.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var response = await http.GetAsync(uri, ct);
        var events = await ReadAsync<List<AuditEvent>>(response, ct);
        return new(events, NextCursor(response));
    }

    private static string? NextCursor(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }
        var next = links.SelectMany(l => l.Split(',')).FirstOrDefault(l => l.Contains("rel=\"next\"", StringComparison.Ordinal));
        var start = next?.IndexOf('<', StringComparison.Ordinal) ?? -1;
        var end = start < 0 ? -1 : next!.IndexOf('>', start);
        if (end < 0)
        {
            return null;
        }
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(next![(start + 1)..end]).Query);
        return query.TryGetValue("cursor", out var cursor) ? cursor.ToString() : null;
    }
}
