using System.Globalization;

namespace Registry.Web.Rendering;

/// <summary>How the UI writes times, durations, sizes and numbers: one place, invariant culture, UTC.</summary>
public static class Format
{
    public static string Time(long? epochMillis) => epochMillis is { } ms and > 0
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
        : "—";

    public static string Time(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Duration(long start, long? end)
    {
        if (end is not { } finish || finish < start)
        {
            return "—";
        }
        var span = TimeSpan.FromMilliseconds(finish - start);
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes}m"
            : span.TotalMinutes >= 1 ? $"{span.Minutes}m {span.Seconds}s"
            : $"{span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s";
    }

    public static string Size(long? bytes) => bytes switch
    {
        null => "",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{(bytes / 1024.0).Value.ToString("0.#", CultureInfo.InvariantCulture)} KiB",
        _ => $"{(bytes / (1024.0 * 1024)).Value.ToString("0.#", CultureInfo.InvariantCulture)} MiB",
    };

    public static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    public static string AccessLevel(int level) => level switch
    {
        10 => "Guest",
        20 => "Reporter",
        30 => "Developer",
        40 => "Maintainer",
        50 => "Owner",
        _ => "None",
    };
}
