using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Registry.Api.Features.Webhooks;
using Registry.Api.Mlflow;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Webhooks;

/// <summary>
/// Webhooks cannot be aimed at the registry's own network: refused when saved, and refused again when a delivery connects
/// (so a name that later resolves elsewhere cannot redirect it); no redirects, a capped answer, a timeout, TLS validated.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class WebhookSafetyTests(RegistryAppFixture app, WebhookReceiverFixture receivers) : IClassFixture<WebhookReceiverFixture>
{
    private WebhookReceiver Receiver => receivers.Receiver;

    private static WebhookSender Sender(bool allowPrivate, int timeoutSeconds = 10)
    {
        var options = Options.Create(new WebhookOptions { AllowPrivateTargets = allowPrivate, AllowedSchemes = "http,https", TimeoutSeconds = timeoutSeconds });
        return new WebhookSender(new SafeTargets(options), options, TimeProvider.System);
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00:ec2::254", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("ff02::1", false)]
    public void Only_public_addresses_are_webhook_targets(string address, bool isPublic) =>
        Assert.Equal(isPublic, SafeTargets.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://127.0.0.1/hook", "Webhook URL must not resolve to a non-public IP address. '127.0.0.1' resolves to 127.0.0.1.")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "Webhook URL must not resolve to a non-public IP address. '169.254.169.254' resolves to 169.254.169.254.")]
    [InlineData("https://[::1]:8443/hook", "Webhook URL must not resolve to a non-public IP address. '::1' resolves to ::1.")]
    [InlineData("https://localhost/hook", "Webhook URL must not resolve to a non-public IP address. 'localhost' resolves to ")]
    [InlineData("https://10.0.0.7/hook", "Webhook URL must not resolve to a non-public IP address. '10.0.0.7' resolves to 10.0.0.7.")]
    [InlineData("http://8.8.8.8/hook", "Invalid webhook URL scheme: 'http'. Allowed schemes are: https.")]
    public async Task By_default_a_webhook_to_a_private_address_or_over_plain_http_is_refused_when_saved(string url, string message)
    {
        await using var api = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = app.ConnectionString,
            ["OTEL_SDK_DISABLED"] = "true",
            ["Registry:Webhooks:AllowPrivateTargets"] = "false",
        });
        using var http = api.CreateClient();
        var tenants = app.Tenants;

        var response = await http.PostJsonAsync(tenants.ProjectId, "webhooks",
            new JsonObject { ["name"] = "internal", ["url"] = url, ["events"] = WebhookCalls.Events("registered_model.created") }, tenants.Maintainer);

        Assert.StartsWith(message, await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
    }

    [Fact]
    public async Task A_delivery_whose_host_name_resolves_to_loopback_is_refused_when_it_connects()
    {
        var inbox = Receiver.Inbox();
        using var sender = Sender(allowPrivate: false);
        var url = Receiver.Url(inbox).Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        var result = await sender.SendAsync(url, null, Guid.NewGuid(), "{}", CancellationToken.None);

        Assert.Null(result.Status);
        Assert.False(result.Retryable);
        Assert.Contains("not a public address", result.Error);
        Assert.Empty(Receiver.Received(inbox));
        using var allowing = Sender(allowPrivate: true);
        Assert.True((await allowing.SendAsync(url, null, Guid.NewGuid(), "{}", CancellationToken.None)).Delivered);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        var elsewhere = Receiver.Inbox();
        var inbox = Receiver.Inbox((_, _) => new Answer(307, "moved", Location: Receiver.Url(elsewhere)));
        using var sender = Sender(allowPrivate: true);

        var result = await sender.SendAsync(Receiver.Url(inbox), null, Guid.NewGuid(), "{}", CancellationToken.None);

        Assert.Equal(307, result.Status);
        Assert.False(result.Delivered);
        Assert.False(result.Retryable);
        Assert.Empty(Receiver.Received(elsewhere));
    }

    [Fact]
    public async Task Only_the_first_4_KiB_of_an_answer_is_read()
    {
        var inbox = Receiver.Inbox((_, _) => new Answer(200, new string('x', 1_000_000)));
        using var sender = Sender(allowPrivate: true);

        var result = await sender.SendAsync(Receiver.Url(inbox), null, Guid.NewGuid(), "{}", CancellationToken.None);

        Assert.True(result.Delivered);
        Assert.Equal(WebhookSender.ResponseBodyCap, result.ResponseBody!.Length);
    }

    [Fact]
    public async Task An_attempt_without_an_answer_ends_at_the_timeout_and_is_retried_later()
    {
        var never = new TaskCompletionSource();
        var inbox = Receiver.Inbox((_, _) => new Answer(Hold: never.Task));
        using var sender = Sender(allowPrivate: true, timeoutSeconds: 1);

        var result = await sender.SendAsync(Receiver.Url(inbox), null, Guid.NewGuid(), "{}", CancellationToken.None);
        never.SetResult();

        Assert.Null(result.Status);
        Assert.True(result.Retryable);
        Assert.Equal("No answer within 1 s.", result.Error);
        Assert.InRange(result.Duration, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_receiver_whose_certificate_does_not_validate_gets_nothing()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null))));
        await using var https = builder.Build();
        var reached = false;
        https.MapPost("/hook", () => { reached = true; return "ok"; });
        await https.StartAsync();
        var port = new Uri(https.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First()).Port;
        using var sender = Sender(allowPrivate: true);

        var result = await sender.SendAsync($"https://localhost:{port}/hook", null, Guid.NewGuid(), "{}", CancellationToken.None);

        Assert.Null(result.Status);
        Assert.Contains("SSL", result.Error);
        Assert.False(reached);
        await https.StopAsync();
    }

    [Fact]
    public async Task Saving_a_webhook_checks_its_address_with_MLflows_messages()
    {
        var options = Options.Create(new WebhookOptions());
        var error = await Assert.ThrowsAsync<MlflowException>(() => new SafeTargets(options).ValidateAsync("https://no-such-host.invalid/hook", CancellationToken.None));

        Assert.StartsWith("Cannot resolve webhook URL hostname 'no-such-host.invalid': ", error.Error.Message);
    }
}
