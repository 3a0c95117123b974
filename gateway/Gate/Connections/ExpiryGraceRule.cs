using System.Globalization;
using Gateway.Gate.Rules;

namespace Gateway.Gate.Connections;

/// <summary>
/// <c>ExpiryGrace</c> (time span, default 00:00:30, at most one day): with <c>CloseOnExpiry</c>, how long after its
/// token's <c>exp</c> a connection is closed (time for the client to move to a refreshed token).
/// </summary>
internal sealed class ExpiryGraceRule : IRouteRule
{
    public const string Key = "ExpiryGrace";

    public string MetadataKey => Key;

    public IRouteCheck? Compile(string value, out string? error)
    {
        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var grace) && grace >= TimeSpan.Zero && grace <= TimeSpan.FromDays(1))
        {
            error = null;
            return new ConnectionSetting(p => p with { ExpiryGrace = grace });
        }

        error = $"'{value}' is not a time span from 00:00:00 to 1.00:00:00, such as 00:00:30";
        return null;
    }
}
