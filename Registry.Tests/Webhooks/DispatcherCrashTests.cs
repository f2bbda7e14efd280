using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Webhooks;

/// <summary>
/// Two API processes share the outbox: each event is delivered once while receivers answer, and an API process killed
/// between the commit and the delivery loses nothing (its claims run out and the other process delivers them).
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class DispatcherCrashTests(RegistryAppFixture app, WebhookReceiverFixture receivers) : IClassFixture<WebhookReceiverFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private WebhookReceiver Receiver => receivers.Receiver;

    private Dictionary<string, string> SecondApi => new()
    {
        ["ConnectionStrings__registrydb"] = app.ConnectionString,
        ["Registry__Artifacts__Root"] = app.ArtifactsRoot,
        ["Registry__Webhooks__AllowPrivateTargets"] = "true",
        ["Registry__Webhooks__AllowedSchemes"] = "http,https",
        // A short timeout makes a short lease: a dead process's claims run out in 6 s.
        ["Registry__Webhooks__TimeoutSeconds"] = "2",
    };

    [Fact]
    public async Task Two_API_processes_deliver_each_event_exactly_once()
    {
        await using var second = await ApiProcess.StartAsync(SecondApi);
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"]);
        var models = new RegisteredModelClient(app.Http, project, maintainer);

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => models.CreateAsync($"model-{i}")));

        var received = await Receiver.WaitForAsync(inbox, 100, Patience);
        await Task.Delay(1000);
        Assert.Equal(100, Receiver.Received(inbox).Count);
        Assert.Equal(100, received.Select(r => r.DeliveryId).Distinct().Count());
    }

    [Fact]
    public async Task An_API_process_killed_between_commit_and_delivery_loses_nothing()
    {
        await using var second = await ApiProcess.StartAsync(SecondApi);
        var (project, maintainer) = await ProjectAsync();
        var release = new TaskCompletionSource();
        var inbox = Receiver.Inbox((_, _) => new Answer(Hold: release.Task));
        var webhookId = (string)(await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"]))["webhook_id"]!;
        var models = new RegisteredModelClient(app.Http, project, maintainer);
        const int events = 40;

        // Both processes fill their delivery slots with requests the receiver holds open; the killed one dies holding some.
        await Task.WhenAll(Enumerable.Range(0, events).Select(i => models.CreateAsync($"model-{i}")));
        var claimedByTheVictim = await WaitForAsync(
            $"SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '{webhookId}' AND state = 'pending' AND claimed_by LIKE '%/{second.Id}/%'",
            n => n > 0);
        await WaitForAsync("SELECT 1", _ => Receiver.Arrived(inbox) >= claimedByTheVictim);
        second.Kill();
        release.SetResult();

        var received = await Receiver.WaitAsync(inbox, r => r.Where(x => x.Answered).Select(x => x.DeliveryId).Distinct().Count() == events, Patience);
        Assert.Equal(events, await WaitForAsync($"SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '{webhookId}' AND state = 'delivered'", n => n == events));
        var retaken = await ScalarAsync($"SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '{webhookId}' AND attempts > 1");
        Assert.True(retaken >= claimedByTheVictim, $"{claimedByTheVictim} deliveries died with the process, {retaken} were attempted again");
        Assert.Equal(events, received.Where(r => r.Answered).Select(r => r.DeliveryId).Distinct().Count());
    }

    private async Task<(long Project, TestToken Maintainer)> ProjectAsync()
    {
        var admin = new AdminHttp(app.Http, new TestToken(app.BootstrapToken));
        var project = await admin.ProjectAsync();
        return (project, (await admin.PersonAsync(project, 40)).Token);
    }

    private async Task<long> WaitForAsync(string sql, Func<long, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await ScalarAsync(sql);
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{sql} is still {value}");
            await Task.Delay(100);
        }
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
