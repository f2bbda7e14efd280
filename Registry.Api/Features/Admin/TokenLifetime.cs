using Microsoft.Extensions.Options;
using Registry.Api.Auth;
using static Registry.Api.Features.Admin.AdminValidation;

namespace Registry.Api.Features.Admin;

/// <summary>
/// Every token expires: without <c>expires_at</c> a new token lives <see cref="AuthOptions.DefaultTokenLifetimeDays"/>,
/// and none may be set further out than <see cref="AuthOptions.MaxTokenLifetimeDays"/>. A rotated token keeps the old
/// one's expiry unless an earlier one is asked for, so rotation can never turn a leaked token into a longer-lived one.
/// </summary>
internal sealed class TokenLifetime(IOptions<AuthOptions> options, TimeProvider clock)
{
    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public DateOnly ForNewToken(DateOnly? requested) =>
        requested is { } date ? WithinLimits(date) : Today.AddDays(options.Value.DefaultTokenLifetimeDays);

    public DateOnly ForRotation(DateOnly? requested, DateOnly current)
    {
        if (current <= Today)
        {
            throw Invalid("The token has expired; create a new one instead of rotating it.");
        }
        if (requested is not { } date)
        {
            return current;
        }
        return date > current
            ? throw Invalid($"A rotated token cannot outlive the one it replaces: expires_at must be on or before {current:yyyy-MM-dd}.")
            : WithinLimits(date);
    }

    private DateOnly WithinLimits(DateOnly date)
    {
        var max = options.Value.MaxTokenLifetimeDays;
        return date <= Today ? throw Invalid("expires_at must be in the future.")
            : date > Today.AddDays(max) ? throw Invalid(
                $"expires_at may be at most {max} days from today, {Today.AddDays(max):yyyy-MM-dd} (Registry:Auth:MaxTokenLifetimeDays).")
            : date;
    }
}
