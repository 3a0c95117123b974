using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Tokens;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// RFC 8705 §3.1 <c>x5t#S256</c>: base64url(SHA-256(DER certificate)), of a TLS client certificate or of one a
/// trusted proxy forwarded in a header. Header formats: RFC 9440 <c>Client-Cert</c> (<c>:base64 DER:</c>), URL-encoded
/// or plain PEM (nginx <c>$ssl_client_escaped_cert</c>, <c>X-SSL-Client-Cert</c>), Envoy <c>X-Forwarded-Client-Cert</c>
/// (<c>Cert="…"</c>, else <c>Hash=</c> hex; exactly one element), bare base64 DER. Bounded; never throws.
/// </summary>
internal static class ClientCertificateThumbprint
{
    /// <summary>Longer header values are ignored (a certificate chain of a few certificates fits easily).</summary>
    public const int MaxHeaderLength = 16 * 1024;

    public static string Compute(X509Certificate2 certificate) => FromDer(certificate.RawDataMemory.Span);

    /// <summary>The thumbprint of DER bytes (the caller has checked they are one certificate).</summary>
    public static string FromDer(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        LibCryptoSha256.Hash(der, hash);
        return Base64Url.EncodeToString(hash);
    }

    /// <summary>The <c>x5t#S256</c> of the certificate a forwarded header carries; false for anything else.</summary>
    public static bool TryFromHeader(string? value, [NotNullWhen(true)] out string? thumbprint)
    {
        thumbprint = null;
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxHeaderLength)
        {
            return false;
        }

        try
        {
            var text = value.AsSpan().Trim();
            if (text.Length >= 2 && text[0] == ':' && text[^1] == ':')
            {
                return TryFromBase64(text[1..^1], out thumbprint);
            }

            if (text.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                return TryFromPem(Unescape(text), out thumbprint);
            }

            if (IsEnvoyElement(text))
            {
                return TryFromEnvoy(text, out thumbprint);
            }

            return TryFromBase64(text, out thumbprint);
        }
        catch (Exception)
        {
            // A header is attacker-shaped input until proven otherwise: nothing in it may turn into a 500.
            thumbprint = null;
            return false;
        }
    }

    /// <summary>True when <paramref name="der"/> is exactly one DER SEQUENCE (a certificate's outer shape), nothing after it.</summary>
    public static bool IsSingleSequence(ReadOnlySpan<byte> der)
    {
        try
        {
            return AsnDecoder.TryReadEncodedValue(der, AsnEncodingRules.DER, out var tag, out _, out _, out var consumed) &&
                   tag == Asn1Tag.Sequence && consumed == der.Length;
        }
        catch (Exception ex) when (ex is AsnContentException or ArgumentException)
        {
            return false;
        }
    }

    // XFCC starts with one of its keys: By=, Hash=, Cert=, Chain=, Subject=, URI=, DNS=. Base64 or PEM never does.
    private static bool IsEnvoyElement(ReadOnlySpan<char> text)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0)
        {
            return false;
        }

        var key = text[..equals];
        foreach (var known in (ReadOnlySpan<string>)["By", "Hash", "Cert", "Chain", "Subject", "URI", "DNS"])
        {
            if (key.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(ReadOnlySpan<char> text)
    {
        // Uri.UnescapeDataString leaves '+' alone: base64 uses it, and PEM escapers do not write spaces as '+'.
        var raw = text.ToString();
        return raw.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(raw) : raw;
    }

    private static bool TryFromPem(ReadOnlySpan<char> pem, [NotNullWhen(true)] out string? thumbprint)
    {
        thumbprint = null;
        // The first CERTIFICATE block is the client's own; any after it are its chain.
        while (PemEncoding.TryFind(pem, out var fields))
        {
            if (pem[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                return TryFromBase64(pem[fields.Base64Data], out thumbprint);
            }

            pem = pem[fields.Location.End..];
        }

        return false;
    }

    private static bool TryFromBase64(ReadOnlySpan<char> base64, [NotNullWhen(true)] out string? thumbprint)
    {
        thumbprint = null;
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, base64.Length * 3 / 4 + 3));
        try
        {
            if (!Convert.TryFromBase64Chars(base64, rented, out var written) || !IsSingleSequence(rented.AsSpan(0, written)))
            {
                return false;
            }

            thumbprint = FromDer(rented.AsSpan(0, written));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool TryFromEnvoy(ReadOnlySpan<char> value, [NotNullWhen(true)] out string? thumbprint)
    {
        thumbprint = null;
        var elements = new List<Range>();
        // Several elements mean several hops each adding a certificate: which one is the client's is not ours to guess.
        if (!HeaderParameters.TrySplit(value, ',', elements) || elements.Count != 1)
        {
            return false;
        }

        if (HeaderParameters.TryGet(value, "Cert", out var cert))
        {
            return TryFromPem(Unescape(cert), out thumbprint);
        }

        // Hash is the hex SHA-256 of the DER certificate: the same digest, another spelling.
        if (HeaderParameters.TryGet(value, "Hash", out var hex) && hex.Length == 2 * SHA256.HashSizeInBytes)
        {
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            if (Convert.FromHexString(hex, digest, out _, out var written) == OperationStatus.Done && written == digest.Length)
            {
                thumbprint = Base64Url.EncodeToString(digest);
                return true;
            }
        }

        return false;
    }
}
