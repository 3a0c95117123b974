using System.Collections.Frozen;
using Gateway.Tokens;

namespace Gateway.Sessions.Rules;

/// <summary>
/// Every revocation rule, held in memory on every instance (rules are few) and evaluated with no store round trip:
/// an immutable snapshot indexed by (issuer, claim name) and value, so judging a token costs at most four dictionary
/// lookups (<c>iss</c>, <c>client_id</c>, <c>kid</c>, the tenant claim) and nothing at all while there are no rules.
/// Kept fresh by <see cref="RuleSync"/>; a rule past its <see cref="RevocationRule.Until"/> no longer matches.
/// </summary>
internal sealed class RevocationRules
{
    private readonly FrozenDictionary<string, string> _tenantClaims;
    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;

    public RevocationRules(JwtVerifier verifier)
    {
        _tenantClaims = verifier.Issuers.Where(i => i.TenantClaim is not null).ToFrozenDictionary(i => i.Issuer, i => i.TenantClaim!, StringComparer.Ordinal);
    }

    /// <summary>The rules this instance enforces, newest first.</summary>
    public IReadOnlyList<RevocationRule> All => _snapshot.Rules;

    public int Count => _snapshot.Rules.Count;

    /// <summary>The tenant claim name of a configured issuer, or null.</summary>
    public string? TenantClaimOf(string issuer) => _tenantClaims.GetValueOrDefault(issuer);

    /// <summary>
    /// Merges the store's rules (a load or reconcile) into those in hand, dropping those over at <paramref name="now"/>.
    /// A merge, not a replacement: rules are never withdrawn early, so a load that raced a rule created on this
    /// instance cannot drop it, and a store that lost its data does not lift rules still in force here.
    /// </summary>
    public void Merge(IEnumerable<RevocationRule> rules, long now)
    {
        lock (_gate)
        {
            _snapshot = Snapshot.Of(_snapshot.Rules.Concat(rules).Where(r => r.Until >= now));
        }
    }

    /// <summary>Adds (or replaces, by id) one rule at once, before the store's announcement comes back.</summary>
    public void Add(RevocationRule rule, long now)
    {
        lock (_gate)
        {
            _snapshot = Snapshot.Of(_snapshot.Rules.Where(r => r.Id != rule.Id && r.Until >= now).Append(rule));
        }
    }

    /// <summary>Drops the rules that are over.</summary>
    public void DropExpired(long now)
    {
        var current = _snapshot;
        if (current.Rules.Any(r => r.Until < now))
        {
            lock (_gate)
            {
                _snapshot = Snapshot.Of(_snapshot.Rules.Where(r => r.Until >= now));
            }
        }
    }

    /// <summary>The first rule that refuses this token now, or null.</summary>
    public RevocationRule? Match(VerifiedToken token, long now)
    {
        var snapshot = _snapshot;
        if (snapshot.Rules.Count == 0)
        {
            return null;
        }

        return Find(snapshot, token.Issuer, RevocationRule.IssuerClaim, token.Issuer, token.IssuedAt, now)
            ?? Find(snapshot, token.Issuer, RevocationRule.ClientIdClaim, token.ClientId, token.IssuedAt, now)
            ?? Find(snapshot, token.Issuer, RevocationRule.KeyIdClaim, token.KeyId, token.IssuedAt, now)
            ?? (_tenantClaims.TryGetValue(token.Issuer, out var tenantClaim) ? Find(snapshot, token.Issuer, tenantClaim, token.Tenant, token.IssuedAt, now) : null);
    }

    private static RevocationRule? Find(Snapshot snapshot, string issuer, string claim, string? value, long issuedAt, long now)
    {
        if (value is null || !snapshot.Index.TryGetValue((issuer, claim), out var byValue) || !byValue.TryGetValue(value, out var rules))
        {
            return null;
        }

        foreach (var rule in rules)
        {
            if (rule.Covers(issuedAt, now))
            {
                return rule;
            }
        }

        return null;
    }

    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([], new Dictionary<(string, string), Dictionary<string, RevocationRule[]>>());

        private Snapshot(IReadOnlyList<RevocationRule> rules, Dictionary<(string, string), Dictionary<string, RevocationRule[]>> index)
        {
            Rules = rules;
            Index = index;
        }

        public IReadOnlyList<RevocationRule> Rules { get; }

        public Dictionary<(string Issuer, string Claim), Dictionary<string, RevocationRule[]>> Index { get; }

        public static Snapshot Of(IEnumerable<RevocationRule> rules)
        {
            var list = rules.GroupBy(r => r.Id, StringComparer.Ordinal).Select(g => g.MaxBy(r => r.Until)!).OrderByDescending(r => r.Created).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
            var index = list
                .GroupBy(r => (r.Issuer, r.Claim))
                .ToDictionary(g => g.Key, g => g.GroupBy(r => r.Value, StringComparer.Ordinal)
                    .ToDictionary(v => v.Key, v => v.OrderByDescending(r => r.Before).ToArray(), StringComparer.Ordinal));
            return new Snapshot(list, index);
        }
    }
}
