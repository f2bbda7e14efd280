namespace Registry.Api.Mlflow;

internal static class Text
{
    /// <summary>
    /// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate (legal in JSON escapes) cannot be encoded as UTF-8:
    /// both would fail deep in the database driver, so they are refused up front as bad input.
    /// </summary>
    public static string Storable(string value, string field)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                throw new MlflowException(MlflowError.InvalidParameterValue($"Parameter '{field}' contains a NUL character."));
            }
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }
                throw new MlflowException(MlflowError.InvalidParameterValue($"Parameter '{field}' contains an unpaired UTF-16 surrogate."));
            }
        }
        return value;
    }
}
