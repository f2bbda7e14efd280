namespace Registry.Api.Mlflow;

/// <summary>MLflow's wire time is int64 milliseconds since the epoch; stored times are cut to milliseconds so a read returns what a write answered.</summary>
internal static class Timestamps
{
    public static DateTime Now()
    {
        var ticks = DateTime.UtcNow.Ticks;
        return new DateTime(ticks - ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    public static long ToMillis(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
