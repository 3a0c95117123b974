namespace Gateway.Tokens;

/// <summary>
/// The few libcrypto (OpenSSL 3) calls <see cref="OpenSslEcdsaKey"/> makes, bound once from
/// <see cref="LibCryptoLibrary"/>. <see cref="IsAvailable"/> is false elsewhere (or when a symbol is missing), and the
/// gateway then verifies through the platform's ECDsa as before. Every call here is thread-safe except on one verify
/// context, which <see cref="OpenSslEcdsaKey"/> hands to one thread at a time.
/// </summary>
internal static unsafe class LibCrypto
{
    private static readonly delegate* unmanaged<nint, byte**, nint, nint> D2iPubKey;
    private static readonly delegate* unmanaged<nint, void> PKeyFree;
    private static readonly delegate* unmanaged<nint, nint, nint> CtxNew;
    private static readonly delegate* unmanaged<nint, void> CtxFree;
    private static readonly delegate* unmanaged<nint, int> VerifyInit;
    private static readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int> VerifyCall;
    private static readonly delegate* unmanaged<void> ErrClear;

#pragma warning disable CA1810 // The exports are looked up together, and only when the library loads: one static constructor says so best.
    static LibCrypto()
#pragma warning restore CA1810
    {
        if (LibCryptoLibrary.ExportAll(
                "d2i_PUBKEY", "EVP_PKEY_free", "EVP_PKEY_CTX_new", "EVP_PKEY_CTX_free", "EVP_PKEY_verify_init", "EVP_PKEY_verify",
                "ERR_clear_error") is not { } exports)
        {
            return;
        }

        D2iPubKey = (delegate* unmanaged<nint, byte**, nint, nint>)exports[0];
        PKeyFree = (delegate* unmanaged<nint, void>)exports[1];
        CtxNew = (delegate* unmanaged<nint, nint, nint>)exports[2];
        CtxFree = (delegate* unmanaged<nint, void>)exports[3];
        VerifyInit = (delegate* unmanaged<nint, int>)exports[4];
        VerifyCall = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int>)exports[5];
        ErrClear = (delegate* unmanaged<void>)exports[6];
        IsAvailable = true;
    }

    /// <summary>Whether libcrypto 3 was found with every function used here.</summary>
    public static bool IsAvailable { get; }

    /// <summary>An <c>EVP_PKEY</c> read from a DER SubjectPublicKeyInfo, or 0.</summary>
    public static nint PublicKey(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        fixed (byte* start = subjectPublicKeyInfo)
        {
            var cursor = start;
            var key = D2iPubKey(0, &cursor, subjectPublicKeyInfo.Length);
            if (key == 0)
            {
                ErrClear();
            }

            return key;
        }
    }

    public static void FreePublicKey(nint key) => PKeyFree(key);

    /// <summary>A context initialised to verify with <paramref name="key"/> (it holds its own reference to the key), or 0.</summary>
    public static nint NewVerifyContext(nint key)
    {
        var context = CtxNew(key, 0);
        if (context != 0 && VerifyInit(context) == 1)
        {
            return context;
        }

        if (context != 0)
        {
            CtxFree(context);
        }

        ErrClear();
        return 0;
    }

    public static void FreeContext(nint context) => CtxFree(context);

    /// <summary>
    /// <c>EVP_PKEY_verify</c>: 1 for a valid signature over <paramref name="digest"/>, 0 for an invalid one, below 0 for an
    /// error. The thread's OpenSSL error queue is left empty, as the platform's own calls expect to find it.
    /// </summary>
    public static int Verify(nint context, ReadOnlySpan<byte> derSignature, ReadOnlySpan<byte> digest)
    {
        int result;
        fixed (byte* signature = derSignature)
        fixed (byte* data = digest)
        {
            result = VerifyCall(context, signature, (nuint)derSignature.Length, data, (nuint)digest.Length);
        }

        if (result != 1)
        {
            ErrClear();
        }

        return result;
    }
}
