using Gateway.Testing.Attacks;
using System.Security.Cryptography;
using Gateway.Gate.ProofOfPossession;


namespace Gateway.Tests.Gate.ProofOfPossession;

public sealed class DpopNonceServiceTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    private static readonly DateTimeOffset StepStart = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static DpopNonceService Service(byte[]? secret = null) => new(secret ?? Secret, TimeSpan.FromSeconds(30));

    [Fact]
    public void IsValid_IssuedNow_Valid()
    {
        var nonce = Service().Issue(StepStart);

        Assert.True(Service().IsValid(nonce, StepStart));
        Assert.Equal(43, nonce.Length);
    }

    [Theory]
    [InlineData(29)]
    [InlineData(30)]
    [InlineData(59)]
    public void IsValid_DuringItsStepAndTheNext_Valid(int seconds)
    {
        var nonce = Service().Issue(StepStart);

        Assert.True(Service().IsValid(nonce, StepStart.AddSeconds(seconds)));
    }

    [Theory]
    [InlineData(60)]
    [InlineData(3600)]
    [InlineData(-1)]
    public void IsValid_TwoStepsLaterOrFromTheFuture_Expired(int seconds)
    {
        var nonce = Service().Issue(StepStart);

        Assert.False(Service().IsValid(nonce, StepStart.AddSeconds(seconds)));
    }

    [Fact]
    public void IsValid_AnotherInstanceWithTheSameSecret_Valid()
    {
        var nonce = new DpopNonceService(Secret.ToArray(), TimeSpan.FromSeconds(30)).Issue(StepStart);

        Assert.True(Service().IsValid(nonce, StepStart.AddSeconds(5)));
    }

    [Fact]
    public void IsValid_IssuedWithAnotherSecret_Forged()
    {
        var nonce = Service(RandomNumberGenerator.GetBytes(32)).Issue(StepStart);

        Assert.False(Service().IsValid(nonce, StepStart));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    public void IsValid_ForgedOrMalformed_Invalid(string nonce)
    {
        Assert.False(Service().IsValid(nonce, StepStart));
    }

    [Fact]
    public void IsValid_OneCharacterChanged_Invalid()
    {
        var nonce = Service().Issue(StepStart);
        var changed = (nonce[0] == 'A' ? 'B' : 'A') + nonce[1..];

        Assert.False(Service().IsValid(changed, StepStart));
    }

    [Fact]
    public void Issue_NextStep_NewNonce()
    {
        Assert.NotEqual(Service().Issue(StepStart), Service().Issue(StepStart.AddSeconds(30)));
        Assert.Equal(Service().Issue(StepStart), Service().Issue(StepStart.AddSeconds(19)));
    }

    [Fact]
    public void FromOptions_NoSecret_NoncesOff()
    {
        Assert.Null(DpopNonceService.FromOptions(new DpopOptions()));
        Assert.NotNull(DpopNonceService.FromOptions(new DpopOptions { NonceSecret = Convert.ToBase64String(Secret) }));
    }

    [Fact]
    public void Constructor_ShortSecret_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DpopNonceService(new byte[31], TimeSpan.FromSeconds(30)));
        Assert.False(DpopNonceService.TryDecodeSecret(Convert.ToBase64String(new byte[31]), out _));
        Assert.False(DpopNonceService.TryDecodeSecret("not base64!", out _));
        Assert.True(DpopNonceService.TryDecodeSecret(Jose.B64(Secret).Length > 0 ? Convert.ToBase64String(Secret) : string.Empty, out var decoded));
        Assert.Equal(Secret, decoded);
    }
}
