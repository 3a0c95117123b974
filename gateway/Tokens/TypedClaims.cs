namespace Gateway.Tokens;

/// <summary>
/// Top-level payload members whose JSON type is fixed: NumericDate-like members must be non-negative JSON integers
/// (no string, fraction, exponent or huge number), the id members JSON strings. Checked on the raw JSON because the
/// JWT library converts leniently ("123" and 1.5e9 become numbers, <c>["a","b"]</c> reads as "a"). Also the names the
/// gateway reads, which the parse returns as shared strings instead of allocating them for every token.
/// </summary>
internal sealed class TypedClaims
{
    /// <summary>No typed claims; the JOSE header's names are known (the header is walked with these).</summary>
    public static readonly TypedClaims None = new([], [], ["alg", "kid", "typ", "cty", "crit", "b64", "jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256", "zip"]);

    public TypedClaims(IEnumerable<string> integers, IEnumerable<string> strings, IEnumerable<string>? otherNames = null)
    {
        Integers = new HashSet<string>(integers, StringComparer.Ordinal);
        Strings = new HashSet<string>(strings, StringComparer.Ordinal);
        var names = new HashSet<string>(Integers.Concat(Strings).Concat(otherNames ?? []), StringComparer.Ordinal);
        Known = names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public HashSet<string> Integers { get; }

    public HashSet<string> Strings { get; }

    /// <summary>Every name above, looked up by its characters.</summary>
    public HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Known { get; }
}
