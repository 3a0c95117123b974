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
}
