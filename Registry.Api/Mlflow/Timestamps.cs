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

    /// <summary>A client's millisecond value as a time; values beyond what a DateTime holds compare like the ends of time.</summary>
    public static DateTime FromMillis(double millis) =>
        DateTime.UnixEpoch.AddMilliseconds(Math.Clamp(millis, MinMillis, MaxMillis));

    public const long MinMillis = -62_135_596_800_000;
    public const long MaxMillis = 253_402_300_799_999;
}
