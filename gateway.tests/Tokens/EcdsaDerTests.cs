using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using Gateway.Tokens;

namespace Gateway.Tests.Tokens;

public sealed class EcdsaDerTests
{
    public static TheoryData<int> FieldSizes => [32, 48, 66];

    [Theory]
    [MemberData(nameof(FieldSizes))]
    public void TryFromP1363_WritesWhatAnAsnWriterWrites_ForEveryShapeOfRAndS(int field)
    {
        // Random values, then the edges: leading zero bytes, the top bit set (a 0x00 goes in front), all zeros, all ones.
        var shapes = new List<byte[]>();
        for (var i = 0; i < 200; i++)
        {
            shapes.Add(RandomNumberGenerator.GetBytes(field));
        }

        shapes.Add(new byte[field]);
        shapes.Add(Enumerable.Repeat((byte)0xFF, field).ToArray());
        shapes.Add([.. new byte[field - 1], 1]);
        shapes.Add([.. new byte[field - 1], 0x80]);
        shapes.Add([0, 0, 0x80, .. RandomNumberGenerator.GetBytes(field - 3)]);
        shapes.Add([0x7F, .. RandomNumberGenerator.GetBytes(field - 1)]);

        foreach (var r in shapes)
        {
            foreach (var s in shapes.Take(8).Concat(shapes.TakeLast(6)))
            {
                var expected = Reference(r, s);
                var destination = new byte[EcdsaDer.MaxLength(2 * field)];

                Assert.True(EcdsaDer.TryFromP1363([.. r, .. s], destination, out var written));
                Assert.Equal(expected, destination[..written]);
            }
        }
    }

    [Fact]
    public void TryFromP1363_KnownEncoding()
    {
        byte[] r = [.. new byte[31], 0x05];
        byte[] s = [0x80, .. new byte[31]];

        var destination = new byte[EcdsaDer.MaxLength(64)];
        Assert.True(EcdsaDer.TryFromP1363([.. r, .. s], destination, out var written));

        Assert.Equal<byte>([0x30, 0x26, 0x02, 0x01, 0x05, 0x02, 0x21, 0x00, 0x80, .. new byte[31]], destination[..written]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(250)]
    [InlineData(256)]
    public void TryFromP1363_EmptyOddOrOverlongSignature_False(int length)
    {
        // 250 bytes of 0xFF: two 126-byte INTEGERs, a body of 256 bytes, beyond one length byte.
        Assert.False(EcdsaDer.TryFromP1363(Enumerable.Repeat((byte)0xFF, length).ToArray(), new byte[1024], out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void TryFromP1363_LargestOneLengthByteBody_Written()
    {
        // 248 bytes of 0xFF: two INTEGERs of 2 + 125 bytes, a body of 254.
        var signature = Enumerable.Repeat((byte)0xFF, 248).ToArray();
        var destination = new byte[EcdsaDer.MaxLength(248)];

        Assert.True(EcdsaDer.TryFromP1363(signature, destination, out var written));
        Assert.Equal(Reference(signature[..124], signature[124..]), destination[..written]);
    }

    [Fact]
    public void TryFromP1363_DestinationTooShort_False()
    {
        // Two 33-byte INTEGERs (a 0x00 in front of each) in a short-form SEQUENCE: 72 bytes.
        var signature = Enumerable.Repeat((byte)0xFF, 64).ToArray();

        Assert.True(EcdsaDer.TryFromP1363(signature, new byte[72], out var written));
        Assert.Equal(72, written);
        Assert.False(EcdsaDer.TryFromP1363(signature, new byte[71], out _));
    }

    // The DER the platform writes: SEQUENCE of two unsigned INTEGERs.
    private static byte[] Reference(byte[] r, byte[] s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new BigInteger(r, isUnsigned: true, isBigEndian: true));
            writer.WriteInteger(new BigInteger(s, isUnsigned: true, isBigEndian: true));
        }

        return writer.Encode();
    }
}
