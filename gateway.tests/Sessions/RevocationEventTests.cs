using Gateway.Sessions;

namespace Gateway.Tests.Sessions;

/// <summary>The <c>gw:revocations</c> message (README, Redis key schema and pub/sub contract).</summary>
public sealed class RevocationEventTests
{
    [Fact]
    public void SeenEvent_CarriesTheTokensIat()
    {
        var json = (RevocationEvent.For(RevocationEvent.SeenKind, new UserKey("https://idp", "alice"), "s1", 1_795_459_347_123) with { IssuedAt = 1_795_459_300 }).ToJson();

        Assert.Equal("""{"kind":"seen","iss":"https://idp","sub":"alice","id":"s1","ts":1795459347123,"iat":1795459300}""", json);
        Assert.Equal(1_795_459_300, RevocationEvent.TryParse(json)!.IssuedAt);
    }

    [Fact]
    public void OtherEvents_HaveNoIat_AndAnEventWithoutItParses()
    {
        var json = RevocationEvent.For(RevocationEvent.SessionKind, new UserKey("https://idp", "alice"), "s1", 1).ToJson();

        Assert.DoesNotContain("iat", json, StringComparison.Ordinal);
        var parsed = RevocationEvent.TryParse("""{"kind":"seen","iss":"https://idp","sub":"alice","id":"s1","ts":1}""");
        Assert.NotNull(parsed);
        Assert.Null(parsed.IssuedAt);
        Assert.True(parsed.RevokesNothing);
    }
}
