using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.Auth;

/// <summary>
/// Unknown tokens cannot drive the database: a flood of distinct made-up tokens from one address costs PostgreSQL at
/// most the address's budget of lookups (README: <c>Registry:RateLimit:Unauthenticated</c>, 10/s, bursts of 100),
/// counted as transactions in <c>pg_stat_database</c>, while a good token keeps working.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class BadTokenFloodTests(RegistryAppFixture app, ITestOutputHelper output)
{
    private const int DefaultPermitsPerSecond = 10;
    private const int DefaultBurst = 100;
    private const int Flooders = 8;
    private static readonly TimeSpan FloodFor = TimeSpan.FromSeconds(4);

    /// <summary>Backends publish their statistics at most every 10 s when idle (PostgreSQL's PGSTAT_IDLE_INTERVAL).</summary>
    private static readonly TimeSpan StatisticsSettle = TimeSpan.FromSeconds(11);

    /// <summary>Slack for the variation in what else touches the database (health checks, listeners' probes, sweeps).</summary>
    private const int Background = 30;

    /// <param name="Transactions">Committed or rolled back while the flood ran, less those of an equally long quiet spell.</param>
    private sealed record Flood(long Transactions, int Unauthenticated, int Limited, IReadOnlyList<TimeSpan> Good, int GoodFailures)
    {
        public double PerSecond => Transactions / FloodFor.TotalSeconds;

        public TimeSpan GoodMedian => Good.Order().ElementAt(Good.Count / 2);

        public override string ToString() =>
            $"{Transactions} transactions in {FloodFor.TotalSeconds} s ({PerSecond:F0}/s); {Unauthenticated} answered 401, {Limited} answered 429; " +
            $"good token median {GoodMedian.TotalMilliseconds:F1} ms over {Good.Count} requests, {GoodFailures} failed";
    }

    [Fact]
    public async Task A_flood_of_distinct_bad_tokens_costs_a_bounded_number_of_transactions_and_good_tokens_keep_working()
    {
        await using var unlimitedApi = Api(("Registry:RateLimit:Unauthenticated:PermitsPerSecond", "0"));
        await using var limitedApi = Api();
        using var unlimited = unlimitedApi.CreateClient();
        using var limited = limitedApi.CreateClient();
        foreach (var http in new[] { unlimited, limited })
        {
            await (await GoodAsync(http)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        }
        await Task.Delay(StatisticsSettle);
        var quietStart = await TransactionsAsync();
        await Task.Delay(FloodFor + StatisticsSettle);
        var quiet = await TransactionsAsync() - quietStart;

        var without = await FloodAsync(unlimited, quiet);
        var with = await FloodAsync(limited, quiet);

        output.WriteLine($"quiet: {quiet} transactions in {(FloodFor + StatisticsSettle).TotalSeconds} s");
        output.WriteLine($"without the limiter: {without}");
        output.WriteLine($"with the limiter: {with}");
        // The address's budget of lookups, plus one query for each of the good token's own requests.
        var bound = DefaultBurst + (DefaultPermitsPerSecond * (FloodFor.TotalSeconds + 1)) + with.Good.Count + Background;
        Assert.True(with.Transactions <= bound, $"the flood cost {with.Transactions} transactions; at most {bound} expected");
        Assert.True(without.Transactions > 5 * bound, $"without the limiter the flood cost only {without.Transactions} transactions: the measure cannot tell");
        Assert.True(with.Limited > 0, "no request was limited");
        Assert.Equal(0, with.GoodFailures);
        Assert.True(with.GoodMedian < TimeSpan.FromMilliseconds(250), $"good token median {with.GoodMedian.TotalMilliseconds} ms under the flood");
    }

    [Fact]
    public async Task Hundreds_of_requests_missing_the_cache_together_with_one_valid_token_pay_for_one_lookup_and_none_is_refused()
    {
        await using var api = Api(
            ("Registry:RateLimit:Unauthenticated:PermitsPerSecond", "1"), ("Registry:RateLimit:Unauthenticated:Burst", "3"));
        using var http = api.CreateClient();
        await (await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=x", app.Tenants.Maintainer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        // Let the process start hearing change notifications, which forgets what it cached before.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => GoodAsync(http))))
            .WaitAsync(TimeSpan.FromSeconds(60));

        var statuses = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<HttpStatusCode, int> { [HttpStatusCode.NotFound] = 200 }, statuses);
    }

    private InProcessApi Api(params (string Key, string Value)[] settings)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = app.ConnectionString,
            ["OTEL_SDK_DISABLED"] = "true",
        };
        foreach (var (key, value) in settings) configuration[key] = value;
        return new InProcessApi(configuration);
    }

    private Task<HttpResponseMessage> GoodAsync(HttpClient http) => http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=x", app.Tenants.Developer);

    /// <summary>Floods for <see cref="FloodFor"/>, then waits for the statistics to settle: a spell as long as the quiet one.</summary>
    private async Task<Flood> FloodAsync(HttpClient http, long quiet)
    {
        var before = await TransactionsAsync();
        var clock = Stopwatch.StartNew();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var flooders = Enumerable.Range(0, Flooders).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < FloodFor)
            {
                var bad = new TestToken("glpat-" + Guid.NewGuid().ToString("N"));
                statuses.Add((await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=x", bad)).StatusCode);
            }
        })).ToList();
        var latencies = new List<TimeSpan>();
        var goodFailures = 0;
        while (clock.Elapsed < FloodFor)
        {
            var sent = Stopwatch.StartNew();
            var response = await GoodAsync(http);
            latencies.Add(sent.Elapsed);
            goodFailures += response.StatusCode == HttpStatusCode.NotFound ? 0 : 1;
            await Task.Delay(20);
        }
        await Task.WhenAll(flooders);
        var settle = FloodFor + StatisticsSettle - clock.Elapsed;
        await Task.Delay(settle > TimeSpan.Zero ? settle : TimeSpan.Zero);
        var after = await TransactionsAsync();

        return new Flood(after - before - quiet, statuses.Count(s => s == HttpStatusCode.Unauthorized),
            statuses.Count(s => s == HttpStatusCode.TooManyRequests), latencies, goodFailures);
    }

    private async Task<long> TransactionsAsync()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
