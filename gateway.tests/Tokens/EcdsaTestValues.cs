using System.Security.Cryptography;

namespace Gateway.Tests.Tokens;

/// <summary>Curves, orders and signature edits the ECDSA tests compare the gateway's checks with the platform's on.</summary>
internal static class EcdsaTestValues
{
    public static ECCurve CurveOf(string curve) => curve switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };

    public static HashAlgorithmName HashOf(string curve) => curve switch
    {
        "P-256" => HashAlgorithmName.SHA256,
        "P-384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    // The group order n: r or s equal to it is out of range and must be refused.
    public static byte[] OrderOf(string curve) => Convert.FromHexString(curve switch
    {
        "P-256" => "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        "P-384" => "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        _ => "01" + new string('F', 64) + "FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
    });

    public static byte[] Join(byte[] r, byte[] s) => [.. r, .. s];

    public static byte[] Fixed(byte[] value, int width) => [.. new byte[width - value.Length], .. value];

    public static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at % copy.Length] ^= 0x01;
        return copy;
    }
}
