using System.Security.Cryptography;
using System.Text;

namespace Registry.Data;

/// <summary>Tokens are stored and looked up only as their SHA-256 digest.</summary>
public static class TokenDigest
{
    public static byte[] Of(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
