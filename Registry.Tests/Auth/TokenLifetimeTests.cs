using System.Globalization;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Auth;

/// <summary>
/// Every token expires: 30 days by default, never more than 365 days out, and rotation never moves the expiry later
/// (so a leaked short-lived token cannot be turned into a permanent one).
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class TokenLifetimeTests(RegistryAppFixture app)
{
    private readonly AdminHttp _api = new(app.Http, new TestToken(app.BootstrapToken));

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void AssertDaysFromToday(int days, JsonNode? expiresAt)
    {
        // Either side of a midnight the request may have crossed.
        Assert.Contains(DateOnly.Parse((string)expiresAt!, CultureInfo.InvariantCulture), new[] { Today.AddDays(days - 1), Today.AddDays(days) });
    }

    private async Task<JsonObject> CreateAsync(long userId, DateOnly? expiresAt) =>
        await _api.OkAsync(HttpMethod.Post, $"users/{userId}/personal_access_tokens", _api.Admin,
            new { name = "t", scopes = new[] { "api" }, expires_at = expiresAt is { } date ? Date(date) : null });

    [Fact]
    public async Task Rotating_without_expires_at_keeps_the_old_expiry()
    {
        var person = await _api.PersonAsync();
        var token = await CreateAsync(person.Id, Today.AddDays(3));

        var rotated = await _api.OkAsync(HttpMethod.Post, $"personal_access_tokens/{(long)token["id"]!}/rotate", new TestToken((string)token["token"]!));

        Assert.Equal(Date(Today.AddDays(3)), (string)rotated["expires_at"]!);
    }

    [Fact]
    public async Task Rotating_may_shorten_a_token_but_never_extend_it()
    {
        var person = await _api.PersonAsync();
        var token = await CreateAsync(person.Id, Today.AddDays(3));
        var tokenId = (long)token["id"]!;

        var forever = await _api.SendAsync(HttpMethod.Post, $"personal_access_tokens/{tokenId}/rotate?expires_at=9999-12-31", _api.Admin);
        var later = await _api.SendAsync(HttpMethod.Post, $"personal_access_tokens/{tokenId}/rotate?expires_at={Date(Today.AddDays(10))}", _api.Admin);
        var shorter = await _api.OkAsync(HttpMethod.Post, $"personal_access_tokens/{tokenId}/rotate?expires_at={Date(Today.AddDays(1))}", _api.Admin);

        await forever.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        var message = await later.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Contains(Date(Today.AddDays(3)), message);
        Assert.Equal(Date(Today.AddDays(1)), (string)shorter["expires_at"]!);
    }

    [Fact]
    public async Task A_token_created_without_expires_at_gets_the_default_lifetime_of_30_days()
    {
        var person = await _api.PersonAsync();

        var byAdmin = await CreateAsync(person.Id, null);
        var bySelf = await _api.OkAsync(HttpMethod.Post, "user/personal_access_tokens", person.Token, new { name = "mine", scopes = new[] { "api" } });

        AssertDaysFromToday(30, byAdmin["expires_at"]);
        AssertDaysFromToday(30, bySelf["expires_at"]);
    }

    [Fact]
    public async Task A_token_may_not_outlive_the_maximum_lifetime_of_365_days()
    {
        var person = await _api.PersonAsync();

        var byAdmin = await _api.SendAsync(HttpMethod.Post, $"users/{person.Id}/personal_access_tokens", _api.Admin,
            new { name = "t", scopes = new[] { "api" }, expires_at = Date(Today.AddDays(366)) });
        var bySelf = await _api.SendAsync(HttpMethod.Post, "user/personal_access_tokens", person.Token,
            new { name = "t", scopes = new[] { "api" }, expires_at = "9999-12-31" });
        var longest = await CreateAsync(person.Id, Today.AddDays(365));

        Assert.Contains("365", await byAdmin.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Contains("365", await bySelf.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Equal(Date(Today.AddDays(365)), (string)longest["expires_at"]!);
    }

    [Fact]
    public async Task The_CLI_gives_tokens_the_default_lifetime_and_refuses_longer_than_the_maximum()
    {
        var person = await _api.PersonAsync();
        var environment = new Dictionary<string, string> { ["ConnectionStrings__registrydb"] = app.ConnectionString };

        var created = await Repository.RunAsync("Registry.Api", ["admin", "create-token", person.Username], environment);
        var tooLong = await Repository.RunAsync("Registry.Api", ["admin", "create-token", person.Username, "--expires-at", Date(Today.AddDays(400))], environment);

        Assert.True(created.ExitCode == 0, created.StdErr);
        var self = await _api.OkAsync(HttpMethod.Get, "personal_access_tokens/self", new TestToken(created.StdOut.Trim()));
        AssertDaysFromToday(30, self["expires_at"]);
        Assert.Equal(1, tooLong.ExitCode);
        Assert.Contains("365", tooLong.StdErr);
    }

    [Fact]
    public async Task The_bootstrap_token_expires_too()
    {
        var self = await _api.OkAsync(HttpMethod.Get, "personal_access_tokens/self", _api.Admin);

        AssertDaysFromToday(30, self["expires_at"]);
    }
}
