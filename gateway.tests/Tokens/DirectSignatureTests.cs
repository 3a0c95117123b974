using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gateway.Testing;
using Gateway.Testing.Attacks;
using Gateway.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Tokens;

public sealed class DirectSignatureTests
{
    private static readonly TestKey Es256Key = TestKey.Es256("es");
    private static readonly TestKey Es384Key = TestKey.Es384("es384");
    private static readonly TestKey Rs256Key = TestKey.Rs256("rs");
    private static readonly TestKey Ps256Key = TestKey.Ps256("ps");

    public static TheoryData<string> Kids => ["es", "es384", "rs", "ps"];

    // ES384 signatures (96 bytes) fill their last character: no unused bits to set.
    public static TheoryData<string> KidsWithUnusedBits => ["es", "rs", "ps"];

    [Theory]
    [MemberData(nameof(Kids))]
    public void Verify_ItsOwnSignature_True_AndEveryTamperedPart_False(string kid)
    {
        var key = KeyOf(kid);
        var direct = DirectOf(key);
        var token = Signed(key, """{"sub":"alice"}""");
        var parts = token.Split('.');

        Assert.True(direct.Verify(key.Alg, token));
        Assert.False(direct.Verify(key.Alg, parts[0] + "." + Jose.B64("""{"sub":"mallory"}""") + "." + parts[2]));
        Assert.False(direct.Verify(key.Alg, Jose.B64($$"""{"alg":"{{key.Alg}}","kid":"x"}""") + "." + parts[1] + "." + parts[2]));
        Assert.False(direct.Verify(key.Alg, parts[0] + "." + parts[1] + "." + Jose.B64(Flip(Base64Url.DecodeFromChars(parts[2])))));
        Assert.False(direct.Verify(key.Alg, parts[0] + "." + parts[1] + "."));
    }

    [Theory]
    [MemberData(nameof(KidsWithUnusedBits))]
    public void Verify_SignatureWithNonCanonicalTrailingBits_False(string kid)
    {
        var key = KeyOf(kid);
        var token = Signed(key, """{"sub":"alice"}""");
        var parts = token.Split('.');

        Assert.False(DirectOf(key).Verify(key.Alg, parts[0] + "." + parts[1] + "." + AttackCatalog.FlipTrailingBits(parts[2])));
    }

    [Fact]
    public void Verify_AlgorithmOfAnotherFamily_False()
    {
        var token = Signed(Es256Key, """{"sub":"alice"}""");

        Assert.False(DirectOf(Es256Key).Verify("RS256", token));
        Assert.False(DirectOf(Es256Key).Verify("ES999", token));
        Assert.False(DirectOf(Rs256Key).Verify("ES256", Signed(Rs256Key, """{"sub":"alice"}""")));
    }

    [Fact]
    public void Verify_Rs256SignatureUnderPs256_False()
    {
        var rsToken = Signed(Rs256Key, """{"sub":"alice"}""");

        Assert.False(DirectOf(Rs256Key).Verify("PS256", rsToken));
    }

    [Fact]
    public void Verify_PsychicEcdsaSignature_False()
    {
        var token = Jose.WithSignature("""{"alg":"ES256","kid":"es"}""", """{"sub":"alice"}""", new byte[64]);

        Assert.False(DirectOf(Es256Key).Verify("ES256", token));
    }

    [Fact]
    public void Verify_SignatureLongerThanAnyKeyMakes_False()
    {
        var token = Jose.WithSignature("""{"alg":"RS256","kid":"rs"}""", """{"sub":"alice"}""", RandomNumberGenerator.GetBytes(2048));

        Assert.False(DirectOf(Rs256Key).Verify("RS256", token));
    }

    [Theory]
    [InlineData("es")]
    [InlineData("es384")]
    public void Verify_EcdsaWithoutLibCrypto_SameAnswers(string kid)
    {
        // Where libcrypto 3 is missing the platform's ECDsa verifies: the same tokens pass and fail.
        var key = KeyOf(kid);
        var platform = DirectSignature.For(KeySet.Parse(JwksDocument.Of(key), DateTimeOffset.UtcNow).Find(key.Kid, key.Alg)!.Key, useLibCrypto: false)!;
        var token = Signed(key, """{"sub":"alice"}""");
        var parts = token.Split('.');

        Assert.True(platform.Verify(key.Alg, token));
        Assert.True(DirectOf(key).Verify(key.Alg, token));
        Assert.False(platform.Verify(key.Alg, parts[0] + "." + Jose.B64("""{"sub":"mallory"}""") + "." + parts[2]));
        Assert.False(platform.Verify(key.Alg, parts[0] + "." + parts[1] + "." + Jose.B64(Flip(Base64Url.DecodeFromChars(parts[2])))));
    }

    [Fact]
    public void Verify_Es256_BuildsTheKeyTableInTheBackground_ThenTakesIt()
    {
        // The first check queues the table's build and is answered by EVP_PKEY_verify; later ones take the table.
        var direct = DirectOf(Es256Key);
        var token = Signed(Es256Key, """{"sub":"alice"}""");
        Assert.False(direct.UsesKeyTable);

        Assert.True(direct.Verify("ES256", token));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!direct.UsesKeyTable && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Assert.True(direct.UsesKeyTable);
        Assert.True(direct.Verify("ES256", token));
        Assert.False(direct.Verify("ES256", Tampered(token)));
    }

    [Fact]
    public void Verify_Es384_NeverBuildsAKeyTable()
    {
        // Tables are for P-256 only; other curves stay on EVP_PKEY_verify.
        var direct = DirectOf(Es384Key);
        direct.BuildKeyTable();
        var token = Signed(Es384Key, """{"sub":"alice"}""");

        Assert.True(direct.Verify("ES384", token));
        Assert.False(direct.UsesKeyTable);
    }

    [Fact]
    public void Verify_Es256_KeyTableAndEvpAndPlatform_SameAnswers()
    {
        var key = Es256Key;
        var platform = DirectSignature.For(KeySet.Parse(JwksDocument.Of(key), DateTimeOffset.UtcNow).Find(key.Kid, key.Alg)!.Key, useLibCrypto: false)!;
        var evp = DirectOf(key);
        var table = DirectOf(key);
        table.BuildKeyTable();
        Assert.True(table.UsesKeyTable);

        for (var i = 0; i < 50; i++)
        {
            var token = Signed(key, $$"""{"sub":"user-{{i}}"}""");
            foreach (var candidate in new[] { token, Tampered(token), token[..^2] + "AA" })
            {
                var expected = platform.Verify(key.Alg, candidate);
                Assert.Equal(expected, table.Verify(key.Alg, candidate));
                Assert.Equal(expected, evp.Verify(key.Alg, candidate));
            }
        }
    }

    [Theory]
    [InlineData("es")]
    [InlineData("es384")]
    public void Verify_Ecdsa_AllocatesNothingPerCall(string kid)
    {
        // A never-seen token pays this on every request: the platform's ECDsa wrote each signature out as DER with a new
        // AsnWriter (about 1,200 bytes of garbage per check); the direct path writes it on the stack.
        var key = KeyOf(kid);
        var direct = DirectOf(key);
        direct.BuildKeyTable();
        var token = Signed(key, """{"sub":"alice"}""");
        for (var i = 0; i < 50; i++)
        {
            Assert.True(direct.Verify(key.Alg, token));
        }

        var perCall = Allocations.PerCall(() => direct.Verify(key.Alg, token));

        Assert.True(perCall < 1, $"{perCall:N2} bytes allocated per call");
    }

    [Fact]
    public void For_HmacAndSmallRsaKeys_Null_TheLibraryKeepsThem()
    {
        using var small = RSA.Create(1024);

        Assert.Null(DirectSignature.For(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32))));
        Assert.Null(DirectSignature.For(new RsaSecurityKey(small.ExportParameters(false))));
        Assert.Null(DirectSignature.For(new RsaSecurityKey(small)));
    }

    private static TestKey KeyOf(string kid) => kid switch
    {
        "es" => Es256Key,
        "es384" => Es384Key,
        "rs" => Rs256Key,
        _ => Ps256Key,
    };

    // The key as the gateway holds it: parsed from a JWKS document.
    private static DirectSignature DirectOf(TestKey key) =>
        KeySet.Parse(JwksDocument.Of(key), DateTimeOffset.UtcNow).Find(key.Kid, key.Alg)!.Direct ?? throw new InvalidOperationException("no direct path");

    private static string Signed(TestKey key, string payload)
    {
        var input = Jose.B64($$"""{"alg":"{{key.Alg}}","kid":"{{key.Kid}}"}""") + "." + Jose.B64(payload);
        return input + "." + Jose.B64(key.Sign(Encoding.ASCII.GetBytes(input)));
    }

    // The token with one bit of its signature flipped.
    private static string Tampered(string token)
    {
        var parts = token.Split('.');
        return parts[0] + "." + parts[1] + "." + Jose.B64(Flip(Base64Url.DecodeFromChars(parts[2])));
    }

    private static byte[] Flip(byte[] bytes)
    {
        bytes[bytes.Length / 2] ^= 0x01;
        return bytes;
    }
}
