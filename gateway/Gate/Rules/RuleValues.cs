namespace Gateway.Gate.Rules;

/// <summary>How rules read the common kinds of metadata value, so every rule words its errors alike.</summary>
internal static class RuleValues
{
    /// <summary>A <c>true</c>/<c>false</c> value (any letter case).</summary>
    public static bool TryParseFlag(string value, out bool on, out string? error)
    {
        error = bool.TryParse(value, out on) ? null : $"'{value}' is not true or false";
        return error is null;
    }
}
