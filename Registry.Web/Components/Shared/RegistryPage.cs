using Microsoft.AspNetCore.Components;
using Registry.Web.Api;
using Registry.Web.Session;

namespace Registry.Web.Components.Shared;

/// <summary>A section's data or the API's refusal of it: a failing section shows its error, the rest of the page renders.</summary>
public sealed record Section<T>(T? Value, ApiException? Error)
{
    public bool Ok => Error is null && Value is not null;
}

/// <summary>
/// What every signed-in page shares: the API client, the request, one way to load a section and one way to handle a
/// form (call the API; on success redirect back so a reload does not post again; on refusal show the API's message).
/// </summary>
public abstract class RegistryPage : ComponentBase
{
    [Inject] protected RegistryApi Api { get; set; } = null!;
    [Inject] protected NavigationManager Nav { get; set; } = null!;
    [CascadingParameter] public HttpContext HttpContext { get; set; } = null!;

    protected Dictionary<string, ApiException> FormErrors { get; } = [];

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    protected static async Task<Section<T>> LoadAsync<T>(Task<T> call)
    {
        try
        {
            return new(await call, null);
        }
        catch (ApiException e)
        {
            return new(default, e);
        }
    }

    protected async Task SubmitAsync(string form, Func<Task> action, string? then = null)
    {
        try
        {
            await action();
        }
        catch (ApiException e)
        {
            FormErrors[form] = e;
            return;
        }
        Nav.NavigateTo(then ?? Nav.Uri);
    }

    protected ApiException? ErrorOf(string form) => FormErrors.GetValueOrDefault(form);
}

/// <summary>A page inside a project: the project (name and the caller's access level) is one API call, made by ProjectAccess.</summary>
public abstract class ProjectPage : RegistryPage
{
    [Parameter] public long Id { get; set; }

    protected Project? Project { get; private set; }

    protected bool CanWrite => Project?.AccessLevel >= Rendering.AccessLevels.Developer;

    protected bool CanManage => Project?.AccessLevel >= Rendering.AccessLevels.Maintainer;

    protected sealed override Task OnInitializedAsync()
    {
        // Looked up (and a project the caller may not see answered with 404) before the page renders: see ProjectAccess.
        Project = HttpContext.Project() ?? throw new InvalidOperationException($"No project {Id} was looked up for this request.");
        return LoadSectionsAsync();
    }

    /// <summary>Starts every section's API call at once; each call is one request to the API.</summary>
    protected abstract Task LoadSectionsAsync();
}
