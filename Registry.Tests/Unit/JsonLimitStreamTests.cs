using System.Text;
using Registry.Api.Mlflow;

namespace Registry.Tests.Unit;

/// <summary>The limits a JSON body is checked against as it is read, whatever size the reads come in.</summary>
public sealed class JsonLimitStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task A_log_batch_passes_through_unchanged(int readSize)
    {
        var metrics = Enumerable.Range(1, 1000).Select(i => $$"""{"key":"loss","value":{{1.0 / i}},"timestamp":1700000000000,"step":{{i}}}""");
        var body = $$"""{"run_id":"r","metrics":[{{string.Join(",", metrics)}}]}""";

        Assert.Equal(body, await ReadAsync(body, readSize));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task A_number_run_longer_than_64_KB_is_refused_even_when_split_across_reads(int readSize)
    {
        var body = "{\"value\":" + new string('1', 64 * 1024 + 1) + "}";

        var refused = await Assert.ThrowsAsync<MlflowException>(() => ReadAsync(body, readSize));
        Assert.Contains("number, literal or whitespace run longer than", refused.Message);
    }

    [Fact]
    public async Task A_number_run_of_exactly_64_KB_is_read()
    {
        var body = "{\"value\":" + new string('1', 64 * 1024) + "}";

        Assert.Equal(body, await ReadAsync(body, 4096));
    }

    [Theory]
    [InlineData("schema", true)]
    [InlineData("model_json", true)]
    [InlineData("name", false)]
    [InlineData("schemas", false)]
    public async Task Only_large_fields_take_strings_over_256_KB(string key, bool allowed)
    {
        var body = $$"""{"{{key}}":"{{new string('x', JsonLimitStream.MaxStringBytes + 1)}}"}""";

        if (allowed)
        {
            Assert.Equal(body, await ReadAsync(body, 4096));
        }
        else
        {
            var refused = await Assert.ThrowsAsync<MlflowException>(() => ReadAsync(body, 4096));
            Assert.Contains("longer than", refused.Message);
        }
    }

    private static async Task<string> ReadAsync(string body, int readSize)
    {
        using var limited = new JsonLimitStream(new MemoryStream(Encoding.UTF8.GetBytes(body)), 4L * 1024 * 1024);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = new MemoryStream();
        var buffer = new byte[readSize];
        int count;
        while ((count = await limited.ReadAsync(buffer.AsMemory(), timeout.Token)) > 0)
        {
            read.Write(buffer, 0, count);
        }
        return Encoding.UTF8.GetString(read.ToArray());
    }
}
