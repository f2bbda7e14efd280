using System.Globalization;
using System.Text;

namespace Registry.Api.Features.Webhooks;

/// <summary>Python's <c>repr</c> of a string, which MLflow's webhook messages quote values with.</summary>
internal static class Py
{
    public static string Repr(string value)
    {
        var quote = value.Contains('\'') && !value.Contains('"') ? '"' : '\'';
        var text = new StringBuilder(value.Length + 2).Append(quote);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '\n' => text.Append(@"\n"),
                '\r' => text.Append(@"\r"),
                '\t' => text.Append(@"\t"),
                _ when c == quote => text.Append('\\').Append(c),
                _ when c < ' ' || c == '\x7f' => text.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => text.Append(c),
            };
        }
        return text.Append(quote).ToString();
    }
}
