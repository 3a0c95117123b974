using System.Security.Cryptography;

namespace Gateway.Tokens;

/// <summary>
/// An EC public key held in libcrypto for JWS signature checks, with a few verify contexts kept initialised between
/// calls. The platform's ECDsa makes a new context and a DER copy of the signature (an AsnWriter) on every call: about
/// 1,200 bytes of garbage and a context set-up per never-seen token. Here the DER is written on the stack and a context
/// is taken from the pool; the check itself is the same OpenSSL call. One instance per JWK, shared by every request.
/// </summary>
internal sealed class OpenSslEcdsaKey
{
    private readonly nint _key;

    // Idle verify contexts; 0 is an empty slot. A request takes one with an exchange and puts it back with a
    // compare-exchange; beyond the slots (more threads verifying at once than slots) a context is made and freed.
    private readonly nint[] _idle = new nint[Math.Max(4, 2 * Environment.ProcessorCount)];

    private OpenSslEcdsaKey(nint key, int signatureBytes)
    {
        _key = key;
        SignatureBytes = signatureBytes;
    }

    /// <summary>Frees the idle contexts and the key once no request can reach this instance (a key left the JWKS).</summary>
    ~OpenSslEcdsaKey()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (_idle[i] != 0)
            {
                LibCrypto.FreeContext(_idle[i]);
            }
        }

        LibCrypto.FreePublicKey(_key);
    }

    /// <summary>The length of a JWS signature for this key: R and S, each as wide as the curve's field.</summary>
    public int SignatureBytes { get; }

    /// <summary>The key in libcrypto, or null when libcrypto is not there or cannot take it (the platform verifies then).</summary>
    public static OpenSslEcdsaKey? TryCreate(ECDsa ecdsa)
    {
        if (!LibCrypto.IsAvailable)
        {
            return null;
        }

        byte[] spki;
        int keySize;
        try
        {
            spki = ecdsa.ExportSubjectPublicKeyInfo();
            keySize = ecdsa.KeySize;
        }
        catch (CryptographicException)
        {
            return null;
        }

        var key = LibCrypto.PublicKey(spki);
        if (key == 0)
        {
            return null;
        }

        // The platform's rule for a P1363 signature's length: twice the field size in bytes.
        var created = new OpenSslEcdsaKey(key, 2 * ((keySize + 7) / 8));
        var context = created.Rent();
        if (context == 0)
        {
            return null;
        }

        created.Return(context);
        return created;
    }

    /// <summary>
    /// Checks a JWS ECDSA signature (<paramref name="p1363"/>, R then S) over <paramref name="digest"/>: true or false,
    /// or null when libcrypto could not answer (the caller asks the platform instead).
    /// </summary>
    public bool? Verify(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> p1363)
    {
        if (p1363.Length != SignatureBytes)
        {
            return false;
        }

        Span<byte> der = stackalloc byte[EcdsaDer.MaxLength(SignatureBytes)];
        if (!EcdsaDer.TryFromP1363(p1363, der, out var length))
        {
            return false;
        }

        var context = Rent();
        if (context == 0)
        {
            return null;
        }

        var result = LibCrypto.Verify(context, der[..length], digest);
        Return(context);
        GC.KeepAlive(this);
        return result switch
        {
            1 => true,
            0 => false,
            _ => null,
        };
    }

    private nint Rent()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Volatile.Read(ref _idle[i]) != 0 && Interlocked.Exchange(ref _idle[i], 0) is var context and not 0)
            {
                return context;
            }
        }

        return LibCrypto.NewVerifyContext(_key);
    }

    private void Return(nint context)
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _idle[i], context, 0) == 0)
            {
                return;
            }
        }

        LibCrypto.FreeContext(context);
    }
}
