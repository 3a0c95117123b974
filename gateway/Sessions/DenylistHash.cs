namespace Gateway.Sessions;

/// <summary>
/// The 64-bit name of one denylist entry (a revoked <c>sid</c> or <c>jti</c> of one user), the same on every
/// instance, so the Redis index and every instance's <see cref="DenylistReplica"/> agree. Not secret: a collision
/// (accidental or crafted) only makes an instance confirm in the store, never lets a revoked id pass.
/// </summary>
public static class DenylistHash
{
    public static ulong Session(UserKey user, string sid) => Of('s', user, sid);

    public static ulong Token(UserKey user, string jti) => Of('t', user, jti);

    /// <summary>The member written to the Redis index: 16 lower-case hex digits.</summary>
    public static string Member(ulong hash) => hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    private static ulong Of(char kind, UserKey user, string id)
    {
        // FNV-1a over kind, issuer, subject and id with separators no id can contain, then a splitmix64 avalanche.
        var hash = 14695981039346656037UL;
        hash = Mix(hash, kind);
        hash = Mix(Mix(hash, user.Issuer), '\n');
        hash = Mix(Mix(hash, user.Subject), '\n');
        hash = Mix(hash, id);
        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9UL;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebUL;
        return hash ^ (hash >> 31);
    }

    private static ulong Mix(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = Mix(hash, c);
        }

        return hash;
    }

    private static ulong Mix(ulong hash, char c) => (hash ^ c) * 1099511628211UL;
}
