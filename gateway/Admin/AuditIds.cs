using System.Security.Cryptography;
using System.Text;

namespace Gateway.Admin;

/// <summary>
/// What an audit log line may say about an id: a pseudonym, the first 12 hex digits of its SHA-256, never the value
/// (log lines carry no claim value). An operator finds a user's audit lines with
/// <c>printf %s alice | sha256sum | cut -c1-12</c>; the console's in-memory audit trail, behind an admin key, shows values.
/// </summary>
internal static class AuditIds
{
    public static string Pseudonym(string? id)
    {
        if (id is null)
        {
            return "-";
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        return "h:" + Convert.ToHexStringLower(hash[..6]);
    }
}
