using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Tokens;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// RFC 7638 JWK thumbprint with SHA-256, base64url: the hash of the required public members only, in lexicographic
/// order, without whitespace. This is the <c>cnf.jkt</c> of a DPoP-bound token (RFC 9449 §6.1).
/// </summary>
internal static class JwkThumbprint
{
    /// <summary>The thumbprint of a parsed public key.</summary>
    public static string Compute(PublicJwk key)
    {
        // Members are base64url or fixed curve names: nothing to escape. Largest input: an 8192-bit RSA modulus.
        var length = 64 + (key.N?.Length ?? 0) + (key.E?.Length ?? 0) + (key.X?.Length ?? 0) + (key.Y?.Length ?? 0) + (key.Crv?.Length ?? 0);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = key.Kty switch
            {
                "EC" => Write(rented, "{\"crv\":\"", key.Crv!, "\",\"kty\":\"EC\",\"x\":\"", key.X!, "\",\"y\":\"", key.Y!, "\"}"),
                "RSA" => Write(rented, "{\"e\":\"", key.E!, "\",\"kty\":\"RSA\",\"n\":\"", key.N!, "\"}", string.Empty, string.Empty),
                _ => Write(rented, "{\"crv\":\"", key.Crv!, "\",\"kty\":\"OKP\",\"x\":\"", key.X!, "\"}", string.Empty, string.Empty),
            };
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            LibCryptoSha256.Hash(rented.AsSpan(0, written), hash);
            return Base64Url.EncodeToString(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The thumbprint of a public JWK; false for a private, symmetric, unknown or malformed key.</summary>
    public static bool TryCompute(JsonElement jwk, [NotNullWhen(true)] out string? thumbprint)
    {
        thumbprint = null;
        if (PublicJwk.TryParse(jwk, out var key) != PublicJwkStatus.Valid || key is null)
        {
            return false;
        }

        thumbprint = Compute(key);
        return true;
    }

    /// <summary>The thumbprint of a public JWK given as JSON text (duplicate members refused); never throws.</summary>
    public static bool TryCompute(string jwkJson, [NotNullWhen(true)] out string? thumbprint)
    {
        thumbprint = null;
        try
        {
            using var document = JsonDocument.Parse(jwkJson, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 8 });
            return TryCompute(document.RootElement, out thumbprint);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static int Write(byte[] buffer, string a, string b, string c, string d, string e, string f, string g)
    {
        var span = buffer.AsSpan();
        var total = 0;
        foreach (var part in (ReadOnlySpan<string>)[a, b, c, d, e, f, g])
        {
            total += Encoding.ASCII.GetBytes(part, span[total..]);
        }

        return total;
    }
}
