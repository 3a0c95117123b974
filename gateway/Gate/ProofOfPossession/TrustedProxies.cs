using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// The peers whose forwarding headers (<c>Forwarded</c>, <c>X-Forwarded-Proto</c>/<c>-Host</c>, a forwarded client
/// certificate) are believed: single addresses and CIDR networks. Empty: no peer is trusted, every such header is ignored.
/// </summary>
internal sealed class TrustedProxies
{
    public static readonly TrustedProxies None = new([]);

    private readonly IPNetwork[] _networks;

    private TrustedProxies(IPNetwork[] networks)
    {
        _networks = networks;
    }

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>Parses the configured entries; throws <see cref="FormatException"/> for one that is neither (the validator reports them first).</summary>
    public static TrustedProxies Parse(IEnumerable<string> entries)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            if (!TryParseEntry(entry, out var network))
            {
                throw new FormatException($"'{entry}' is not an IP address or CIDR network");
            }

            networks.Add(network.Value);
        }

        return new TrustedProxies([.. networks]);
    }

    /// <summary>An address (<c>10.0.0.5</c>, <c>::1</c>) or a network with no host bits set (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public static bool TryParseEntry(string? entry, [NotNullWhen(true)] out IPNetwork? network)
    {
        network = null;
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }

        var text = entry.Trim();
        if (!text.Contains('/', StringComparison.Ordinal))
        {
            if (!IPAddress.TryParse(text, out var address) || text.Contains('%', StringComparison.Ordinal))
            {
                return false;
            }

            address = Canonical(address);
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        // "10.0.0.1/8" is a typo for one address or for 10.0.0.0/8: which one is not ours to guess.
        if (!IPNetwork.TryParse(text, out var parsed) || !IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/', StringComparison.Ordinal)), out var written) ||
            !parsed.BaseAddress.Equals(written))
        {
            return false;
        }

        network = parsed;
        return true;
    }

    public bool IsTrusted(IPAddress? peer)
    {
        if (peer is null || _networks.Length == 0)
        {
            return false;
        }

        peer = Canonical(peer);
        foreach (var network in _networks)
        {
            if (network.Contains(peer))
            {
                return true;
            }
        }

        return false;
    }

    // Kestrel reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d; the configuration names them as a.b.c.d.
    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
