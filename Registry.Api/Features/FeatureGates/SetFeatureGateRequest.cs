using System.Globalization;
using System.Text.Json;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.FeatureGates;

/// <summary>
/// <c>value</c> (true or false) and optionally <c>project</c> (a project id), from the query string, a form or a JSON
/// body, as GitLab's API takes them (<c>curl --data "value=true"</c> sends a form).
/// </summary>
internal sealed record SetFeatureGateRequest(bool Enabled, long? ProjectId)
{
    public static async ValueTask<SetFeatureGateRequest?> BindAsync(HttpContext context)
    {
        var fields = await FieldsAsync(context.Request, context.RequestAborted);
        var enabled = fields.GetValueOrDefault("value") switch
        {
            null or "" => throw Invalid("Missing value for required parameter 'value'."),
            var v when v.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
            var v when v.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
            var v => throw Invalid($"'value' must be true or false (got '{Shown(v)}'); percentage gates are not supported."),
        };
        var project = fields.GetValueOrDefault("project") switch
        {
            null or "" => (long?)null,
            var p when long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 => id,
            var p => throw Invalid($"'project' must be a project id (got '{Shown(p)}')."),
        };
        return new SetFeatureGateRequest(enabled, project);
    }

    private static async Task<Dictionary<string, string?>> FieldsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var fields = request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString(), StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await request.ReadFormAsync(cancellationToken))
            {
                fields[key] = value.ToString();
            }
        }
        else if (request.ContentLength is null or > 0 && request.HasJsonContentType())
        {
            try
            {
                using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
                if (body.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid("The request body must be a JSON object.");
                }
                foreach (var property in body.RootElement.EnumerateObject())
                {
                    fields[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                }
            }
            catch (JsonException)
            {
                throw Invalid("The request body is not valid JSON.");
            }
        }
        else if (request.ContentLength > 0)
        {
            throw Invalid($"Content-Type must be 'application/json' or a form (got '{request.ContentType}').");
        }
        return fields;
    }

    private static string Shown(string value) => value.Length > 40 ? value[..40] + "..." : value;

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));
}
