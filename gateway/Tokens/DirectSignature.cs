using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tokens;

/// <summary>
/// The JWS signature check (RFC 7515 §5.2) straight on the platform's ECDSA and RSA, for keys it can take:
/// <c>JsonWebTokenHandler</c> costs about 9 µs per ES256 token above the verification itself (provider cache,
/// validation result, claims identity), which a never-seen token pays on every request. Built once per JWK; the
/// ECDsa/RSA instance is only read (OpenSSL verification keeps no per-call state in it), so it is shared by every
/// request. HMAC keys and small RSA keys stay on the library path, with its key-size rules. EC keys go one step
/// further, to libcrypto itself when it is there (<see cref="OpenSslEcdsaKey"/>): the platform's ECDsa adds about
/// 1,200 bytes of garbage and a new verify context to every check.
/// </summary>
internal sealed class DirectSignature
{
    // The library's floor for verifying with RSA (RSA keys below it are refused there); smaller keys stay there.
    private const int MinimumRsaBits = 2048;

    // RSA-4096's 512 bytes are the largest signature a supported key makes; anything longer cannot verify.
    private const int MaxSignatureBytes = 1024;

    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;
    private readonly OpenSslEcdsaKey? _native;

    // P-256 keys with libcrypto: the key's table (P256KeyTable), built on the thread pool when the key first verifies
    // (it costs about 20 ms, which no request should wait for and no unused key should pay); until then, _native.
    private readonly bool _tableFits;
    private P256KeyTable? _table;
    private int _tableRequested;

    private DirectSignature(ECDsa? ecdsa, RSA? rsa, OpenSslEcdsaKey? native = null)
    {
        _ecdsa = ecdsa;
        _rsa = rsa;
        _native = native;
        _tableFits = native is not null && ecdsa is not null && P256KeyTable.Fits(ecdsa);
    }

    /// <summary>Whether ES256 checks take the key's precomputed table (<see cref="P256KeyTable"/>) yet.</summary>
    internal bool UsesKeyTable => Volatile.Read(ref _table) is not null;

    /// <summary>The direct check for <paramref name="key"/>, or null when the library must verify it.</summary>
    public static DirectSignature? For(SecurityKey key) => For(key, useLibCrypto: true);

    /// <summary>
    /// <see cref="For(SecurityKey)"/>; without <paramref name="useLibCrypto"/>, EC keys verify through the platform's
    /// ECDsa, as they do where libcrypto 3 is missing (tests cover that path with it).
    /// </summary>
    internal static DirectSignature? For(SecurityKey key, bool useLibCrypto)
    {
        try
        {
            switch (key)
            {
                case ECDsaSecurityKey { ECDsa: { } ecdsa }:
                    return new DirectSignature(ecdsa, null, useLibCrypto ? OpenSslEcdsaKey.TryCreate(ecdsa) : null);
                case RsaSecurityKey { Rsa: { } rsa } when rsa.KeySize >= MinimumRsaBits:
                    return new DirectSignature(null, rsa);
                case RsaSecurityKey { Rsa: null } parameters when parameters.Parameters.Modulus is { } modulus && modulus.Length * 8 >= MinimumRsaBits:
                    return new DirectSignature(null, RSA.Create(parameters.Parameters));
                default:
                    return null;
            }
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when the token's third segment is a valid <paramref name="alg"/> signature over its first two. The
    /// algorithm and the key's family were matched before (<see cref="Algorithms.KeyFits"/>).
    /// </summary>
    public bool Verify(string alg, string token) => Verify(alg, token.AsSpan());

    /// <inheritdoc cref="Verify(string, string)"/>
    public bool Verify(string alg, ReadOnlySpan<char> token)
    {
        var end = token.LastIndexOf('.');
        if (end <= 0 || Algorithms.HashOf(alg) is not { } hash)
        {
            return false;
        }

        var encoded = token[(end + 1)..];
        Span<byte> signature = stackalloc byte[MaxSignatureBytes];
        if (Base64UrlStrict.DecodedLength(encoded.Length) > MaxSignatureBytes || !Base64UrlStrict.TryDecode(encoded, signature, out var length))
        {
            return false;
        }

        var input = ArrayPool<byte>.Shared.Rent(end);
        try
        {
            // TokenShape allowed only base64url characters and dots: the signing input is ASCII.
            var written = Encoding.ASCII.GetBytes(token[..end], input);
            var data = input.AsSpan(0, written);
            var sig = signature[..length];
            if (_ecdsa is not null)
            {
                return alg[0] == 'E' && VerifyEcdsa(_ecdsa, data, sig, hash);
            }

            return alg[0] switch
            {
                'R' => _rsa!.VerifyData(data, sig, hash, RSASignaturePadding.Pkcs1),
                'P' => _rsa!.VerifyData(data, sig, hash, RSASignaturePadding.Pss),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private bool VerifyEcdsa(ECDsa ecdsa, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, HashAlgorithmName hash)
    {
        if (_native is not null)
        {
            Span<byte> digest = stackalloc byte[64];
            var length = hash == HashAlgorithmName.SHA256 ? LibCryptoSha256.Hash(data, digest) : CryptographicOperations.HashData(hash, data, digest);
            if (Volatile.Read(ref _table) is { } table)
            {
                if (table.Verify(digest[..length], signature) is { } fast)
                {
                    return fast;
                }
            }
            else if (_tableFits && Interlocked.Exchange(ref _tableRequested, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static self => self.BuildKeyTable(), this, preferLocal: false);
            }

            if (_native.Verify(digest[..length], signature) is { } verdict)
            {
                return verdict;
            }
        }

        return ecdsa.VerifyData(data, signature, hash);
    }

    /// <summary>Builds the key's table now (the first check queues this); tests call it to take that path at once.</summary>
    internal void BuildKeyTable()
    {
        if (_tableFits && Volatile.Read(ref _table) is null)
        {
            Interlocked.Exchange(ref _tableRequested, 1);
            Volatile.Write(ref _table, P256KeyTable.TryCreate(_ecdsa!));
        }
    }
}
