using Gateway.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Tokens;

/// <summary>The recent-token slots in front of the verified-token cache: exact, bounded, expiring with the token.</summary>
public sealed class RecentTokensTests
{
    private const string Token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWFsaWNlcy10b2tlbi0xMjM0NTY3ODkw";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private VerifiedToken Verified(string subject = "alice", TimeSpan? lifetime = null) =>
        new("iss", subject, "s", "j", _time.GetUtcNow().ToUnixTimeSeconds(),
            _time.GetUtcNow().Add(lifetime ?? TimeSpan.FromMinutes(5)).ToUnixTimeSeconds(), null, null);

    // A header value as Kestrel hands it over: the token is a slice of it.
    private static ReadOnlyMemory<char> SliceOf(string header) => header.AsMemory("Bearer ".Length);

    [Fact]
    public void TryGet_TheSameHeaderString_Hits()
    {
        var recent = new RecentTokens(100, _time);
        var header = "Bearer " + Token;
        var verified = Verified();
        recent.Remember(SliceOf(header), verified);

        Assert.True(recent.TryGet(SliceOf(header), 30, out var found));
        Assert.Same(verified, found);
    }

    [Fact]
    public void TryGet_AnotherStringWithTheSameCharacters_Hits()
    {
        // A new connection's header is a new string: the characters decide, not the instance.
        var recent = new RecentTokens(100, _time);
        var verified = Verified();
        recent.Remember(SliceOf("Bearer " + Token), verified);

        Assert.True(recent.TryGet(new string(Token.ToCharArray()).AsMemory(), 30, out var found));
        Assert.Same(verified, found);
    }

    [Theory]
    [InlineData(0)] // the first character
    [InlineData(20)] // in the payload
    [InlineData(50)] // in the signature, before the characters the slot is chosen by
    public void TryGet_OneCharacterDifferent_Misses(int position)
    {
        var recent = new RecentTokens(100, _time);
        recent.Remember(Token.AsMemory(), Verified());
        var chars = Token.ToCharArray();
        chars[position] = chars[position] == 'A' ? 'B' : 'A';

        Assert.False(recent.TryGet(new string(chars).AsMemory(), 30, out _));
    }

    [Fact]
    public void TryGet_APrefixOrALongerToken_Misses()
    {
        var recent = new RecentTokens(100, _time);
        var header = "Bearer " + Token + "x";
        recent.Remember(header.AsMemory(7, Token.Length), Verified());

        Assert.True(recent.TryGet(header.AsMemory(7, Token.Length), 30, out _));
        Assert.False(recent.TryGet(header.AsMemory(7, Token.Length - 1), 30, out _));
        Assert.False(recent.TryGet(header.AsMemory(7), 30, out _));
        Assert.False(recent.TryGet(header.AsMemory(8, Token.Length), 30, out _));
    }

    [Fact]
    public void TryGet_ExpiresWithTheTokenPlusSkew()
    {
        var recent = new RecentTokens(100, _time);
        recent.Remember(Token.AsMemory(), Verified(lifetime: TimeSpan.FromMinutes(1)));

        _time.Advance(TimeSpan.FromSeconds(60 + 29));
        Assert.True(recent.TryGet(Token.AsMemory(), 30, out _));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(recent.TryGet(Token.AsMemory(), 30, out _));
    }

    [Fact]
    public void Remember_ABufferThatIsNotAString_IsNotKept()
    {
        // A char buffer can change after the call (a pooled one, say); only immutable strings are kept.
        var recent = new RecentTokens(100, _time);
        var buffer = Token.ToCharArray();
        recent.Remember(buffer.AsMemory(), Verified());

        Assert.False(recent.TryGet(Token.AsMemory(), 30, out _));
        Assert.False(recent.TryGet(buffer.AsMemory(), 30, out _));
    }

    [Fact]
    public void Remember_AHeaderLongerThanTheBound_IsNotKept()
    {
        // The slots hold on to whole header strings: a padded one would make a small token cost a large string.
        var recent = new RecentTokens(100, _time);
        var padded = "Bearer " + Token + new string(' ', RecentTokens.MaxHeaderLength);
        recent.Remember(padded.AsMemory(7, Token.Length), Verified());

        Assert.False(recent.TryGet(padded.AsMemory(7, Token.Length), 30, out _));
    }

    [Fact]
    public void Capacity_Zero_KeepsNothing()
    {
        // VerifiedTokenCacheSize 0 turns off every reuse of a verification.
        var recent = new RecentTokens(0, _time);
        recent.Remember(Token.AsMemory(), Verified());

        Assert.False(recent.TryGet(Token.AsMemory(), 30, out _));
        Assert.Equal(0, recent.Slots);
    }

    [Fact]
    public void Slots_AreBounded_AndEveryHitIsExact()
    {
        var recent = new RecentTokens(1_000_000, _time);
        Assert.Equal(RecentTokens.MaxSlots, recent.Slots);

        // Far more tokens than slots: whatever is still held answers for its own token only.
        var tokens = Enumerable.Range(0, 20_000).Select(i => $"{Token}.{i}").ToArray();
        foreach (var token in tokens)
        {
            recent.Remember(token.AsMemory(), Verified(subject: token));
        }

        var hits = 0;
        foreach (var token in tokens)
        {
            if (recent.TryGet(new string(token.ToCharArray()).AsMemory(), 30, out var found))
            {
                Assert.Equal(token, found.Subject);
                hits++;
            }
        }

        Assert.InRange(hits, 1, RecentTokens.MaxSlots);
    }

    [Fact]
    public void FixedTimeEquals_ComparesEveryCharacter()
    {
        var longer = string.Concat(Enumerable.Repeat(Token, 5));
        Assert.True(RecentTokens.FixedTimeEquals(longer, new string(longer.ToCharArray())));
        for (var i = 0; i < longer.Length; i += 7)
        {
            var chars = longer.ToCharArray();
            chars[i] ^= (char)0x100; // a difference in the high byte of a UTF-16 unit only
            Assert.False(RecentTokens.FixedTimeEquals(longer, new string(chars)));
        }

        Assert.False(RecentTokens.FixedTimeEquals(longer, longer.AsSpan(0, longer.Length - 1)));
        Assert.True(RecentTokens.FixedTimeEquals("", ""));
    }
}
