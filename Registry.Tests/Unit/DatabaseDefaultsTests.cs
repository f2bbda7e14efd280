using Npgsql;
using Registry.Api;

namespace Registry.Tests.Unit;

public sealed class DatabaseDefaultsTests
{
    [Fact]
    public void A_plain_connection_string_gets_prepared_statements_a_small_pool_no_reset_and_no_jit()
    {
        var builder = new NpgsqlDataSourceBuilder("Host=db;Database=registrydb");

        DatabaseDefaults.Apply(builder);

        var settings = builder.ConnectionStringBuilder;
        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.Equal(Math.Max(16, Environment.ProcessorCount * 4), settings.MaxPoolSize);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal("-c jit=off", settings.Options);
    }

    [Theory]
    [InlineData("No Reset On Close=false")]
    [InlineData("NoResetOnClose=false")]
    public void Settings_in_the_connection_string_win(string resetSetting)
    {
        var builder = new NpgsqlDataSourceBuilder($"Host=db;Max Auto Prepare=5;Maximum Pool Size=40;Options=-c jit=on;{resetSetting}");

        DatabaseDefaults.Apply(builder);

        var settings = builder.ConnectionStringBuilder;
        Assert.Equal(5, settings.MaxAutoPrepare);
        Assert.Equal(40, settings.MaxPoolSize);
        Assert.False(settings.NoResetOnClose);
        Assert.Equal("-c jit=on", settings.Options);
    }
}
