using Gateway.Tokens;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// How long a denylist entry lives: until the token it denies can no longer pass, which is its <c>exp</c> plus the
/// clock skew the verifier allows, plus one second because <c>exp</c> is checked with whole seconds. Every store
/// and counter takes its expiry from here.
/// </summary>
public sealed class DenylistLifetime
{
    private readonly TimeProvider _time;

    public DenylistLifetime(TimeProvider time, IOptions<TokenOptions> tokens)
    {
        _time = time;
        SkewSeconds = (long)tokens.Value.ClockSkew.TotalSeconds;
    }

    public long SkewSeconds { get; }

    public long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The Unix second at which an entry for a token expiring at <paramref name="exp"/> may go.</summary>
    public long Until(long exp) => exp + SkewSeconds + 1;

    /// <summary>True when a token expiring at <paramref name="exp"/> can no longer pass: denying it needs no entry.</summary>
    public bool IsOver(long exp) => Until(exp) <= Now;

    /// <summary>Time left until <see cref="Until"/>; at least one second, so an entry is never written already expired.</summary>
    public TimeSpan Remaining(long exp) => TimeSpan.FromSeconds(Math.Max(1, Until(exp) - Now));
}
