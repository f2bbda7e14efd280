using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.MlflowHttp;

namespace Registry.Tests.Web;

/// <summary>What users write (descriptions, tags, artifacts) can never run as script in the UI's origin.</summary>
[Collection(RegistryCollection.Name)]
public sealed class SecurityTests(RegistryAppFixture app, WebBrowser browser) : WebTest(app, browser)
{
    private const string Payload = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">";

    [Fact]
    public async Task Script_in_a_description_a_tag_value_or_an_artifact_stays_inert()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("xss"));
        var run = await Seed.RunAsync(experimentId, "hostile", points: 2);
        await Seed.UploadAsync($"{run.ArtifactRoot}/notes.txt", Payload);
        await Seed.UploadAsync($"{run.ArtifactRoot}/page.html", Payload);
        var model = await Seed.ModelAsync(UniqueName("xss"), run, versions: 1,
            description: Payload + "\n\n[click me](javascript:window.__xss=3)");
        await Seed.Versions.Models.SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name = model, key = "note", value = Payload });
        var scripts = new List<string>();
        Page.Console += (_, message) => scripts.Add(message.Text);
        await SignInAsync(App.Tenants.Developer);

        await OpenAsync(ProjectPath($"/models/{model}"));
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("<script>window.__xss = 1</script>");
        Assert.Equal(0, await Page.Locator("main script, main img[onerror], main a[href^='javascript']").CountAsync());
        await OpenAsync(ProjectPath($"/runs/{run.RunId}?file=notes.txt"));
        await Assertions.Expect(Page.Locator("[data-testid=artifact-preview]")).ToHaveTextAsync(Payload);
        await OpenAsync(ProjectPath($"/runs/{run.RunId}?file=page.html"));
        Assert.Equal(0, await Page.Locator("main script, main iframe, main img[onerror]").CountAsync());
        Assert.Null(await Page.EvaluateAsync<int?>("() => window.__xss ?? null"));

        var download = await Context.APIRequest.GetAsync($"/ui/projects/{ProjectId}/artifacts/{run.ArtifactRoot}/page.html?inline=1");
        Assert.Equal(200, download.Status);
        Assert.Equal("application/octet-stream", download.Headers["content-type"]);
        Assert.StartsWith("attachment", download.Headers["content-disposition"]);
        Assert.Equal("nosniff", download.Headers["x-content-type-options"]);
        Assert.Contains("sandbox", download.Headers["content-security-policy"]);
    }

    [Fact]
    public async Task A_form_post_without_the_antiforgery_token_is_refused()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("csrf"));
        var run = await Seed.RunAsync(experimentId, "source", points: 1);
        var model = await Seed.ModelAsync(UniqueName("csrf"), run, versions: 1, description: "original");
        await SignInAsync(App.Tenants.Developer);

        // What a cross-site page can send: the session cookie rides along (as if SameSite allowed it), the token cannot.
        var crossSite = await Context.APIRequest.PostAsync(ProjectPath($"/models/{model}"), new()
        {
            Form = Context.APIRequest.CreateFormData().Set("_handler", "description").Set("description", "defaced"),
            Headers = new Dictionary<string, string> { ["Origin"] = "https://attacker.example", ["Referer"] = "https://attacker.example/" },
        });

        Assert.Equal(400, crossSite.Status);
        Assert.Equal("original", (string?)(await Seed.Versions.Models.GetAsync(model))["description"]);
    }

    [Fact]
    public async Task A_session_of_one_user_never_shows_another_projects_data()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("private"));
        var run = await Seed.RunAsync(experimentId, "private-run", points: 5);
        await Seed.UploadAsync($"{run.ArtifactRoot}/secret.txt", "top secret");
        var model = await Seed.ModelAsync(UniqueName("private"), run, versions: 1);
        await SignInAsync(App.Tenants.Outsider);

        await Assertions.Expect(Page.Locator("main")).Not.ToContainTextAsync($"main-");
        foreach (var path in new[] { ProjectPath("/models"), ProjectPath($"/models/{model}"), ProjectPath($"/runs/{run.RunId}"), ProjectPath("/members") })
        {
            var response = await GotoAsync(path);
            Assert.Equal(404, response!.Status);
            Assert.DoesNotContain(model, await Page.ContentAsync());
            Assert.DoesNotContain("private-run", await Page.ContentAsync());
        }
        var points = await Context.APIRequest.GetAsync($"/ui/projects/{ProjectId}/metric-points?runs={run.RunId}&key=loss");
        Assert.Equal(404, points.Status);
        var file = await Context.APIRequest.GetAsync($"/ui/projects/{ProjectId}/artifacts/{run.ArtifactRoot}/secret.txt");
        Assert.Equal(404, file.Status);
        Assert.DoesNotContain("top secret", await file.TextAsync());
    }

    [Fact]
    public async Task Pages_carry_a_CSP_without_inline_scripts_nosniff_a_referrer_policy_and_forbid_framing()
    {
        foreach (var path in new[] { "/sign-in", "/projects" })
        {
            var response = await Context.APIRequest.GetAsync(path, new() { MaxRedirects = 0 });
            var csp = response.Headers["content-security-policy"];
            var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src", StringComparison.Ordinal));
            Assert.Equal("script-src 'self'", scriptSrc);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("object-src 'none'", csp);
            Assert.Equal("nosniff", response.Headers["x-content-type-options"]);
            Assert.Equal("same-origin", response.Headers["referrer-policy"]);
            Assert.Equal("DENY", response.Headers["x-frame-options"]);
        }

        var errors = new List<string>();
        Page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath("/models"));
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
