using Microsoft.AspNetCore.Components;
using Registry.Web.Api;

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

/// <summary>A page inside a project: the project (name and the caller's access level) is one API call; a project the caller may not see is 404.</summary>
public abstract class ProjectPage : RegistryPage
{
    [Parameter] public long Id { get; set; }

    protected Project? Project { get; private set; }

    protected bool CanWrite => Project?.AccessLevel >= Rendering.AccessLevels.Developer;

    protected bool CanManage => Project?.AccessLevel >= Rendering.AccessLevels.Maintainer;

    protected sealed override async Task OnInitializedAsync()
    {
        var project = LoadAsync(Api.ProjectAsync(Id, Aborted));
        var sections = LoadSectionsAsync();
        var loaded = await project;
        await sections;
        if (loaded.Error is { IsNotFound: true })
        {
            Nav.NotFound();
            return;
        }
        if (loaded.Error is not null)
        {
            throw loaded.Error;
        }
        Project = loaded.Value;
    }

    /// <summary>Starts every section's API call at once; each call is one request to the API.</summary>
    protected abstract Task LoadSectionsAsync();
}
