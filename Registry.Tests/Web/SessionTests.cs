using Microsoft.Playwright;
using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Web;

[Collection(RegistryCollection.Name)]
public sealed class SessionTests(RegistryAppFixture app, WebBrowser browser) : WebTest(app, browser)
{
    private AdminHttp Admin => new(App.Http, new TestToken(App.BootstrapToken));

    [Fact]
    public async Task Signing_in_opens_an_HttpOnly_SameSite_Lax_session_kept_with_PostgreSQL_keys_and_signing_out_ends_it()
    {
        await SignInAsync(App.Tenants.Developer);

        var session = (await Context.CookiesAsync()).Single(c => c.Name == "registry_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, session.SameSite);
        Assert.DoesNotContain(App.Tenants.Developer.Value, session.Value);
        Assert.Null(await Page.EvaluateAsync<string?>("() => document.cookie.includes('registry_session') ? document.cookie : null"));
        await using (var db = NpgsqlDataSource.Create(App.ConnectionString))
        {
            Assert.True((long)(await db.CreateCommand("SELECT count(*) FROM data_protection_keys").ExecuteScalarAsync())! >= 1);
        }

        await Page.Locator("header form fluent-button").ClickAsync();
        await Page.WaitForURLAsync(url => url.Contains("/sign-in", StringComparison.Ordinal));
        Assert.DoesNotContain(await Context.CookiesAsync(), c => c.Name == "registry_session");
        await GotoAsync("/projects");
        Assert.Contains("/sign-in?returnUrl=%2Fprojects", Page.Url);
    }

    [Fact]
    public async Task A_token_the_API_refuses_keeps_you_on_the_sign_in_page_with_a_message()
    {
        await GotoAsync("/sign-in");
        await Page.FillAsync("input[name=token]", "glpat-not-a-real-token");
        await Page.Locator("form fluent-button[type=submit]").ClickAsync();

        await Assertions.Expect(Page.Locator("#sign-in-error")).ToContainTextAsync("not valid");
        Assert.Contains("/sign-in", Page.Url);
        Assert.DoesNotContain(await Context.CookiesAsync(), c => c.Name == "registry_session");
    }

    [Fact]
    public async Task A_revoked_token_ends_the_session_at_the_next_request()
    {
        var person = await Admin.PersonAsync(App.Tenants.ProjectId, 30);
        await SignInAsync(person.Token);
        await OpenAsync(ProjectPath("/models"));
        await Assertions.Expect(Page.Locator("h1")).ToHaveTextAsync("Registered models");

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.SendAsync(HttpMethod.Delete, "personal_access_tokens/self", person.Token)).StatusCode);
        await GotoAsync(ProjectPath("/models"));

        Assert.Contains("/sign-in", Page.Url);
        Assert.DoesNotContain(await Context.CookiesAsync(), c => c.Name == "registry_session");
    }

    [Fact]
    public async Task Signing_in_and_reaching_the_models_works_with_the_keyboard_alone()
    {
        await GotoAsync("/sign-in");
        await Page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to main content", await Page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await TabToAsync("document.activeElement.name === 'token'", "the token field");
        await Page.Keyboard.TypeAsync(App.Tenants.Developer.Value);
        await Page.Keyboard.PressAsync("Tab");
        Assert.Equal("FLUENT-BUTTON", await Page.EvaluateAsync<string>("() => document.activeElement.tagName"));
        await Page.Keyboard.PressAsync("Enter");
        await Page.WaitForURLAsync(url => url.EndsWith("/projects", StringComparison.Ordinal));

        await TabToAsync($"(document.activeElement.getAttribute('href') || '').endsWith('/projects/{App.Tenants.ProjectId}/models')", "the project's models link");
        await Page.Keyboard.PressAsync("Enter");
        await Page.WaitForURLAsync(url => url.EndsWith("/models", StringComparison.Ordinal));
    }

    /// <summary>Tabs forward until the focused element matches (at most 30 stops).</summary>
    private async Task TabToAsync(string condition, string what)
    {
        for (var i = 0; i < 30; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            if (await Page.EvaluateAsync<bool>($"() => {condition}"))
            {
                return;
            }
        }
        Assert.Fail($"Tab never reached {what}.");
    }
}
