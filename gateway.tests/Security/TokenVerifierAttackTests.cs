using System.Buffers.Text;
using System.Text;
using Gateway.Testing.Attacks;
using Gateway.Gate.Refusals;
using Gateway.Tokens;

namespace Gateway.Tests.Security;

/// <summary>Every catalogued attack token, straight into the verifier: refused with the expected reason, never a throw.</summary>
public sealed class TokenVerifierAttackTests(VerifierFixture fixture) : IClassFixture<VerifierFixture>
{
    [Theory]
    [MemberData(nameof(AttackCatalog.TokenAttackNames), MemberType = typeof(AttackCatalog))]
    public async Task VerifyAsync_AttackToken_RefusedWithReason(string name)
    {
        var attack = AttackCatalog.TokenAttack(name);

        var result = await fixture.Verifier.VerifyAsync(attack.Token!, CancellationToken.None);

        Assert.False(result.IsValid, $"{name} was accepted");
        Assert.Equal(attack.Reason, result.Reason);
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.TokenAttackNames), MemberType = typeof(AttackCatalog))]
    public async Task VerifyFreshAsync_AttackToken_RefusedWithReason(string name)
    {
        var attack = AttackCatalog.TokenAttack(name);

        var result = await fixture.Verifier.VerifyFreshAsync(attack.Token!, CancellationToken.None);

        Assert.False(result.IsValid, $"{name} was accepted");
        Assert.Equal(attack.Reason, result.Reason);
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.AcceptedNames), MemberType = typeof(AttackCatalog))]
    public async Task VerifyAsync_PositiveControl_Accepted(string name)
    {
        var token = AttackCatalog.AcceptedCase(name).Authorization[0].Split(' ', 2)[1].TrimStart(' ');

        var result = await fixture.Verifier.VerifyAsync(token, CancellationToken.None);

        Assert.True(result.IsValid, $"{name} was refused: {result.Reason}");
    }

    [Fact]
    public async Task VerifyAsync_OneMegabyteToken_TooLarge()
    {
        var result = await fixture.Verifier.VerifyAsync(new string('e', 1 << 20), CancellationToken.None);

        Assert.Equal(Reasons.TooLarge.Code, result.Reason);
    }

    [Fact]
    public async Task VerifyAsync_CopyOfAVerifiedTokenWithAnotherPayload_Refused()
    {
        // Cache confusion: a verified token is remembered, and a forgery that keeps its length and its signature (so the
        // recent-token slot it maps to) but changes one payload character must still have its signature checked.
        var claims = Jose.Claims();
        claims["sub"] = "alice";
        var valid = Jose.Sign(Jose.Header(), claims, Jose.Legit);
        Assert.True((await fixture.Verifier.VerifyAsync(valid, CancellationToken.None)).IsValid);
        Assert.True((await fixture.Verifier.VerifyAsync(valid, CancellationToken.None)).IsValid);

        var parts = valid.Split('.');
        var forged = string.Join('.', parts[0], Jose.B64(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"alice\"", "\"alicf\"", StringComparison.Ordinal)), parts[2]);
        Assert.Equal(valid.Length, forged.Length);
        Assert.NotEqual(valid, forged);

        var result = await fixture.Verifier.VerifyAsync(forged, CancellationToken.None);

        Assert.False(result.IsValid);
        Assert.Equal(Reasons.InvalidSignature.Code, result.Reason);
    }
}
