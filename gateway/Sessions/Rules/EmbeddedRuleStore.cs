using System.Collections.Concurrent;

namespace Gateway.Sessions.Rules;

/// <summary>Rules of the embedded (single-instance) store: in memory, so a restart forgets them.</summary>
internal sealed class EmbeddedRuleStore : IRuleStore
{
    private readonly ConcurrentDictionary<string, RevocationRule> _rules = new(StringComparer.Ordinal);

    public Task AddAsync(RevocationRule rule, CancellationToken cancellationToken)
    {
        _rules[rule.Id] = rule;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RevocationRule>> LoadAsync(long now, CancellationToken cancellationToken)
    {
        foreach (var (id, rule) in _rules)
        {
            if (rule.Until < now)
            {
                _rules.TryRemove(id, out _);
            }
        }

        return Task.FromResult<IReadOnlyList<RevocationRule>>([.. _rules.Values]);
    }
}
