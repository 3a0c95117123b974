using Gateway.Development;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Tokens;

/// <summary>The key sources of every accepted issuer, built once from validated options.</summary>
internal sealed class IssuerRegistry
{
    public IssuerRegistry(IOptions<TokenOptions> options, DevelopmentIssuer development, IHttpClientFactory httpClientFactory, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger<IssuerKeys>();
        var all = new List<IssuerKeys>();
        foreach (var issuer in options.Value.Issuers)
        {
            all.Add(new IssuerKeys(issuer, httpClientFactory, time, logger));
        }

        if (development.IsActive)
        {
            all.Add(new IssuerKeys(development.CreateIssuerOptions(), httpClientFactory, time, logger));
        }

        All = all;
    }

    public IReadOnlyList<IssuerKeys> All { get; }

    /// <summary>True when every issuer has a key set in hand (readiness).</summary>
    public bool AllLoaded => All.All(i => i.IsLoaded);
}
