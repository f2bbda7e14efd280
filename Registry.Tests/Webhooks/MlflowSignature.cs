using System.Security.Cryptography;
using System.Text;

namespace Registry.Tests.Webhooks;

/// <summary>
/// How a receiver written for MLflow's webhooks checks a delivery, as MLflow's own test receiver does it: the signature
/// header starts with <c>v1,</c> and the rest is base64(HMAC-SHA256(secret, "delivery_id.timestamp.body")) over the raw
/// body, compared in constant time. (Python runs the same check on real deliveries in test_webhooks.py.)
/// </summary>
public static class MlflowSignature
{
    public static bool Verify(string body, string? signature, string deliveryId, string timestamp, string secret)
    {
        if (signature is null || !signature.StartsWith("v1,", StringComparison.Ordinal))
        {
            return false;
        }
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{deliveryId}.{timestamp}.{body}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(signature["v1,".Length..]));
    }

    public static bool Verify(ReceivedRequest request, string secret) =>
        Verify(request.Body, request.Signature, request.DeliveryId, request.Timestamp, secret);
}
