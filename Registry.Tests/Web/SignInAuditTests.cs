using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Web;

/// <summary>
/// Sign-ins to the web UI are audit events on the user: who, which token, the browser's address and the request id.
/// The API takes the browser's address only when the web vouches for it with its own key ring, for that very token;
/// anyone calling the API directly gets their connection's address recorded, whatever they claim.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class SignInAuditTests(RegistryAppFixture app, WebBrowser browser) : WebTest(app, browser)
{
    private const string ForwardedHeader = "X-Registry-Client-Address";

    private AdminHttp Admin => new(App.Http, new TestToken(App.BootstrapToken));

    [Fact]
    public async Task A_web_sign_in_records_exactly_one_event_naming_the_user_the_token_and_the_browsers_address()
    {
        var person = await Admin.PersonAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await SignInAsync(person.Token);
        await OpenAsync("/-/tokens");
        await OpenAsync("/projects");

        var signIn = Assert.Single(await SignInsAsync(person));
        Assert.Equal(person.Id, (long)signIn["author_id"]!);
        Assert.Equal(person.Id, (long)signIn["entity_id"]!);
        Assert.Equal("User", (string)signIn["entity_type"]!);
        var details = signIn["details"]!;
        Assert.Equal(person.Username, (string)details["author_name"]!);
        Assert.Equal(person.TokenId, (long)details["token_id"]!);
        Assert.Equal("web", (string)details["via"]!);
        // The browser reaches the web through Aspire's proxy on loopback; "web" above says the API took the web's word for it.
        Assert.True(IPAddress.TryParse((string?)details["ip_address"], out var address) && IPAddress.IsLoopback(address), $"{details["ip_address"]}");
        Assert.False(string.IsNullOrEmpty((string?)details["request_id"]));
        Assert.InRange(DateTimeOffset.Parse((string)signIn["created_at"]!, System.Globalization.CultureInfo.InvariantCulture), before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task A_failed_sign_in_records_nothing()
    {
        var person = await Admin.PersonAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.SendAsync(HttpMethod.Delete, $"personal_access_tokens/{person.TokenId}", Admin.Admin)).StatusCode);
        await GotoAsync("/sign-in");
        await Page.FillAsync("input[name=token]", person.Token.Value);
        await Page.Locator("form fluent-button[type=submit]").ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(Page.Locator("#sign-in-error")).ToContainTextAsync("not valid");
        Assert.Empty(await SignInsAsync(person));
    }

    [Fact]
    public async Task The_API_takes_a_forwarded_address_only_when_the_webs_key_ring_vouches_for_it_and_for_that_token()
    {
        var (person, other, reader) = (await Admin.PersonAsync(), await Admin.PersonAsync(), await Admin.PersonAsync(scope: "read_api"));
        var vouched = await VouchAsync("198.51.100.7", person.Token);

        var answer = await SignInDirectlyAsync(person.Token, vouched);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(person.Username, (string)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["username"]!);
        var trusted = Assert.Single(await SignInsAsync(person))["details"]!;
        Assert.Equal(("198.51.100.7", "web"), ((string)trusted["ip_address"]!, (string)trusted["via"]!));

        // A made-up header, and the web's word for another token: neither is believed.
        Assert.Equal(HttpStatusCode.OK, (await SignInDirectlyAsync(other.Token, "203.0.113.9")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SignInDirectlyAsync(other.Token, vouched)).StatusCode);
        foreach (var forged in await SignInsAsync(other))
        {
            Assert.Equal("api", (string)forged["details"]!["via"]!);
            Assert.True(IPAddress.IsLoopback(IPAddress.Parse((string)forged["details"]!["ip_address"]!)));
        }
        Assert.Equal(2, (await SignInsAsync(other)).Count);

        // Any scope may sign in (a read_api token signs in to look); no token may not.
        Assert.Equal(HttpStatusCode.OK, (await SignInDirectlyAsync(reader.Token, null)).StatusCode);
        Assert.Single(await SignInsAsync(reader));
        Assert.Equal(HttpStatusCode.Unauthorized, (await App.Http.PostAsync("/api/v4/user/sign_ins", null)).StatusCode);
    }

    private async Task<HttpResponseMessage> SignInDirectlyAsync(TestToken token, string? forwarded)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v4/user/sign_ins");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        if (forwarded is not null)
        {
            request.Headers.Add(ForwardedHeader, forwarded);
        }
        return await App.Http.SendAsync(request);
    }

    private async Task<IReadOnlyList<JsonObject>> SignInsAsync(Person person) =>
        [.. (await Admin.ListAsync($"audit_events?entity_type=User&entity_id={person.Id}&per_page=100", Admin.Admin))
            .Select(e => e!.AsObject()).Where(e => (string?)e["event_name"] == "user_signed_in")];

    /// <summary>What the web sends: the address and the token's digest, protected with the web's key ring (read from the database).</summary>
    private async Task<string> VouchAsync(string address, TestToken token)
    {
        var keys = new List<XElement>();
        await using (var connection = new NpgsqlConnection(App.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT xml FROM data_protection_keys ORDER BY id", connection);
            await using var rows = await command.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                keys.Add(XElement.Parse(rows.GetString(0)));
            }
        }
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("Registry.Web").DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(options => options.XmlRepository = new FixedKeys(keys));
        using var provider = services.BuildServiceProvider();
        var digest = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token.Value)));
        return provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("Registry.SignIns.ClientAddress.v1")
            .ToTimeLimitedDataProtector().Protect($"{address}\n{digest}", TimeSpan.FromMinutes(1));
    }

    private sealed class FixedKeys(IReadOnlyCollection<XElement> keys) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => keys;

        public void StoreElement(XElement element, string friendlyName) => throw new InvalidOperationException("Read-only.");
    }
}
