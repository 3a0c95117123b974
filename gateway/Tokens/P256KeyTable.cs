using System.Security.Cryptography;

namespace Gateway.Tokens;

/// <summary>
/// An ES256 check built from libcrypto's P-256 arithmetic with a precomputed table of the public key's multiples.
/// ECDSA verification is u1×G + u2×Q. OpenSSL has a static table for G but must multiply Q, a point it has not seen,
/// from scratch on every call, about three quarters of a verification's time. Every never-seen token of an issuer
/// uses the same Q, so this builds a group whose generator is Q, once per key, and lets libcrypto's fixed-base path
/// multiply both: the check takes about half the CPU time of <c>EVP_PKEY_verify</c>. The table costs about 150 KB
/// and 20 ms to build. Only public values take part in a verification, so its timing reveals nothing.
/// </summary>
internal sealed class P256KeyTable
{
    /// <summary>Bytes of R and of S in a JWS ES256 signature, and of the order n.</summary>
    public const int ScalarBytes = 32;

    private const string P256Oid = "1.2.840.10045.3.1.7";

    private static readonly nint Order = LibCryptoEc.IsAvailable ? LibCryptoEc.Order(LibCryptoEc.P256) : 0;
    private static readonly nint Prime = LibCryptoEc.IsAvailable ? LibCryptoEc.Field(LibCryptoEc.P256) : 0;

    // P-256 with Q as its generator and Q's multiples precomputed; only read once built, so threads share it.
    private readonly nint _group;

    private P256KeyTable(nint group) => _group = group;

    /// <summary>Frees the table once no request can reach this instance (a key left the JWKS).</summary>
    ~P256KeyTable() => LibCryptoEc.FreeGroup(_group);

    /// <summary>Whether <paramref name="ecdsa"/> is a P-256 key, the only curve this table is for.</summary>
    public static bool Fits(ECDsa ecdsa) => ecdsa.KeySize == 256;

    /// <summary>The table for a P-256 public key, or null (not P-256, not exportable, no libcrypto): the caller verifies otherwise.</summary>
    public static P256KeyTable? TryCreate(ECDsa ecdsa)
    {
        if (!LibCryptoEc.IsAvailable || EcScratch.ForThisThread() is not { } s)
        {
            return null;
        }

        ECParameters parameters;
        try
        {
            parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        }
        catch (Exception ex) when (ex is CryptographicException or ObjectDisposedException)
        {
            // This runs on the thread pool, where an escaping exception would end the process.
            return null;
        }

        if (parameters.Curve.Oid?.Value != P256Oid || parameters.Q.X is not { Length: ScalarBytes } x || parameters.Q.Y is not { Length: ScalarBytes } y)
        {
            return null;
        }

        // libcrypto refuses coordinates that are not a point of the curve.
        if (!LibCryptoEc.SetBytes(s.X, x) || !LibCryptoEc.SetBytes(s.Z, y) || !LibCryptoEc.SetAffine(s.First, s.X, s.Z, s.Context))
        {
            return null;
        }

        var group = LibCryptoEc.GroupGeneratedBy(s.First, s.Context);
        return group == 0 ? null : new P256KeyTable(group);
    }

    /// <summary>
    /// Checks a JWS ES256 signature (<paramref name="p1363"/>, R then S) over <paramref name="digest"/> as FIPS 186-4
    /// §6.4 says: true or false, or null when libcrypto could not answer (the caller asks another path).
    /// </summary>
    public bool? Verify(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> p1363)
    {
        if (p1363.Length != 2 * ScalarBytes)
        {
            return false;
        }

        // r and s must lie in [1, n - 1], checked once here on the bytes (TryInvert refuses the same s). The inverse
        // w = s⁻¹ is ours: BN_mod_inverse took about three times as long.
        var r = p1363[..ScalarBytes];
        Span<byte> inverse = stackalloc byte[ScalarBytes];
        if (!P256OrderInverse.IsScalar(r) || !P256OrderInverse.TryInvert(p1363[ScalarBytes..], inverse))
        {
            return false;
        }

        if (EcScratch.ForThisThread() is not { } s)
        {
            return null;
        }

        // e is the digest's leftmost 256 bits, the width of n.
        var ctx = s.Context;
        if (!LibCryptoEc.SetBytes(s.R, r) || !LibCryptoEc.SetBytes(s.W, inverse) ||
            !LibCryptoEc.SetBytes(s.E, digest.Length > ScalarBytes ? digest[..ScalarBytes] : digest))
        {
            return null;
        }

        // u1 = e·w, u2 = r·w (mod n); R = u1×G + u2×Q, both multiples from a table.
        var computed =
            LibCryptoEc.ModMultiply(s.U1, s.E, s.W, Order, ctx) && LibCryptoEc.ModMultiply(s.U2, s.R, s.W, Order, ctx) &&
            LibCryptoEc.MultiplyGenerator(LibCryptoEc.P256, s.First, s.U1, ctx) && LibCryptoEc.MultiplyGenerator(_group, s.Second, s.U2, ctx) &&
            LibCryptoEc.Add(s.First, s.First, s.Second, ctx);
        GC.KeepAlive(this);
        if (!computed)
        {
            return null;
        }

        if (LibCryptoEc.IsInfinity(s.First))
        {
            return false;
        }

        // Valid when R's affine x, reduced mod n, is r. R is kept as Jacobian (X, Z) with x = X / Z² mod p, so compare
        // r·Z² with X and skip the inversion an affine x would cost.
        if (!LibCryptoEc.Jacobian(s.First, s.X, s.Z, ctx) || !LibCryptoEc.ModSquare(s.Z, s.Z, Prime, ctx) ||
            !LibCryptoEc.ModMultiply(s.T, s.R, s.Z, Prime, ctx))
        {
            return null;
        }

        if (LibCryptoEc.Compare(s.T, s.X) == 0)
        {
            return true;
        }

        // p is above n, so an x in [n, p) also reduces to r: it is then r + n.
        if (!LibCryptoEc.Sum(s.T, s.R, Order))
        {
            return null;
        }

        if (LibCryptoEc.Compare(s.T, Prime) >= 0)
        {
            return false;
        }

        return LibCryptoEc.ModMultiply(s.T, s.T, s.Z, Prime, ctx) ? LibCryptoEc.Compare(s.T, s.X) == 0 : null;
    }
}
