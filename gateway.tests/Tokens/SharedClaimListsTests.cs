using Gateway.Testing.Attacks;
using Gateway.Tokens;

namespace Gateway.Tests.Tokens;

/// <summary>Equal aud and scope lists of one issuer's tokens are one array, so a million cached tokens do not hold a million copies.</summary>
public sealed class SharedClaimListsTests(VerifierFixture fixture) : IClassFixture<VerifierFixture>
{
    [Fact]
    public void EqualLists_AreOneArray_OthersStayTheirOwn()
    {
        var lists = new SharedClaimLists();
        var first = lists.Share(["api", "billing"]);
        Assert.Same(first, lists.Share(["api", "billing"]));
        Assert.NotSame(first, lists.Share(["billing", "api"]));
        Assert.Equal(["billing", "api"], lists.Share(["billing", "api"]));
        Assert.Empty(lists.Share([]));
    }

    [Fact]
    public void PastTheBound_AListIsKeptAsGiven()
    {
        var lists = new SharedClaimLists();
        for (var i = 0; i < SharedClaimLists.MaxLists; i++)
        {
            lists.Share(["aud-" + i]);
        }

        string[] extra = ["one-too-many"];
        Assert.Same(extra, lists.Share(extra));
        Assert.NotSame(lists.Share(["one-too-many"]), lists.Share(["one-too-many"]));
        Assert.Equal(["one-too-many"], lists.Share(["one-too-many"]));
    }

    [Fact]
    public void ShareWithText_ASharedListsText_IsOneStringMadeOnce_PastTheBoundJoinedAnew()
    {
        var lists = new SharedClaimLists();
        var shared = lists.Share(["read", "write"], out var first);
        Assert.Same(shared, lists.Share(["read", "write"], out var again));
        Assert.Equal("read write", first);
        Assert.Same(first, again);
        Assert.Same(shared, lists.Share(["read", "write"]));

        for (var i = 1; i < SharedClaimLists.MaxLists; i++)
        {
            lists.Share(["scope-" + i]);
        }

        // Past the bound a list is kept as given and joined, correctly, as a new string each time.
        lists.Share(["one", "too", "many"], out var extra);
        lists.Share(["one", "too", "many"], out var extraAgain);
        Assert.Equal("one too many", extra);
        Assert.NotSame(extra, extraAgain);
        Assert.Empty(lists.Share([], out var none));
        Assert.Equal("", none);
    }

    [Fact]
    public async Task TwoTokensOfAnIssuer_WithEqualAudAndScope_ShareTheirArrays()
    {
        var a = await Verify("read write");
        var b = await Verify("read write");
        Assert.NotSame(a, b);
        Assert.Same(a.Audiences, b.Audiences);
        Assert.Same(a.Scopes, b.Scopes);
        Assert.Equal(["read", "write"], b.Scopes);
        Assert.Equal([AttackKeys.Audience], b.Audiences);
    }

    private async Task<VerifiedToken> Verify(string scope)
    {
        var claims = Jose.Claims();
        claims["scope"] = scope;
        var result = await fixture.Verifier.VerifyFreshAsync(Jose.Sign(Jose.Header(), claims, Jose.Legit), CancellationToken.None);
        Assert.True(result.IsValid, result.Reason);
        return result.Token!;
    }
}
