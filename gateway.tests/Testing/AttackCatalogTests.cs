using System.Formats.Asn1;
using Gateway.Testing.Attacks;

namespace Gateway.Tests.Testing;

/// <summary>The attack catalogue's own helpers: a random signature must never make the catalogue throw.</summary>
public sealed class AttackCatalogTests
{
    [Fact]
    public void ToDer_IntegersWithLeadingZeroBytes_MinimalDer()
    {
        // About one random ES256 signature in 256 has an R or S whose first byte is 0 and second below 0x80; the
        // catalogue threw on those (AsnWriter refuses redundant leading bytes), failing the attack tests at random.
        var p1363 = new byte[64];
        p1363[1] = 0x01;
        p1363[31] = 0x7F;
        p1363[40] = 0x80;
        p1363[63] = 0x05;

        var reader = new AsnReader(AttackCatalog.ToDer(p1363), AsnEncodingRules.DER).ReadSequence();

        Assert.Equal(p1363.AsSpan(1, 31).ToArray(), reader.ReadIntegerBytes().ToArray());
        Assert.Equal([0x00, .. p1363.AsSpan(40, 24).ToArray()], reader.ReadIntegerBytes().ToArray());
        Assert.False(reader.HasData);
    }
}
