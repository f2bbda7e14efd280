namespace Registry.Tests.Webhooks;

/// <summary>One receiver for a test class; each test takes inboxes of its own.</summary>
public sealed class WebhookReceiverFixture : IAsyncLifetime
{
    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync() => Receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await Receiver.DisposeAsync();
}
