namespace Gateway.Tokens;

/// <summary>
/// Top-level payload members whose JSON type is fixed: NumericDate-like members must be non-negative JSON integers
/// (no string, fraction, exponent or huge number), the id members JSON strings. Checked on the raw JSON because the
/// JWT library converts leniently ("123" and 1.5e9 become numbers, <c>["a","b"]</c> reads as "a").
/// </summary>
internal sealed class TypedClaims(IEnumerable<string> integers, IEnumerable<string> strings)
{
    public static readonly TypedClaims None = new([], []);

    public HashSet<string> Integers { get; } = new(integers, StringComparer.Ordinal);

    public HashSet<string> Strings { get; } = new(strings, StringComparer.Ordinal);
}
