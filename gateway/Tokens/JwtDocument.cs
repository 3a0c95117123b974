using System.Text.Json;

namespace Gateway.Tokens;

/// <summary>
/// A compact JWS after <see cref="TokenShape.Parse"/>: its header and payload decoded once, with the place of every
/// top-level member, so the verifier reads the claims it needs without a second decode or parse (a never-seen token
/// paid both, plus the JWT library's claim dictionaries, on every request). Values are read on demand, with
/// <see cref="Utf8JsonReader"/> over the member's own JSON text; names were checked unique and the typed claims'
/// JSON types checked by the parse. Only lives for one verification.
/// </summary>
internal sealed class JwtDocument
{
    private readonly byte[] _json;
    private readonly JwtMember[] _members;
    private readonly int _headerCount;

    internal JwtDocument(byte[] json, JwtMember[] members, int headerCount)
    {
        _json = json;
        _members = members;
        _headerCount = headerCount;
    }

    /// <summary>The header's <c>alg</c> when it is a string, else null.</summary>
    public string? Alg => HeaderString("alg");

    /// <summary>The header's <c>kid</c> when it is a string, else null.</summary>
    public string? Kid => HeaderString("kid");

    /// <summary>The header's <c>typ</c> when it is a string, else null.</summary>
    public string? Typ => HeaderString("typ");

    public bool HasHeader(string name) => Find(name, header: true) >= 0;

    /// <summary>
    /// Whether a header member that must be a string (RFC 7515 §4.1: <c>alg</c>, <c>kid</c>, <c>typ</c>, <c>cty</c>) is a
    /// number, boolean, array or object; null reads as absent.
    /// </summary>
    public bool HasMistypedHeader(string name) =>
        Find(name, header: true) is var i and >= 0 && _members[i].Kind is not (JsonTokenType.String or JsonTokenType.Null);

    public bool Has(string name) => Find(name, header: false) >= 0;

    /// <summary>A payload member's string value; null when absent or of another JSON type.</summary>
    public string? String(string name) => Value(Find(name, header: false));

    /// <summary>
    /// A payload member that must be a NumericDate-like integer when present: true with null when absent, true with the
    /// value when a JSON integer in [0, <see cref="TokenShape.MaxNumericDate"/>] written without fraction or exponent,
    /// false otherwise.
    /// </summary>
    public bool TryReadInteger(string name, out long? value)
    {
        value = null;
        var i = Find(name, header: false);
        if (i < 0)
        {
            return true;
        }

        var reader = Reader(i);
        if (!TokenShape.IsNumericDate(ref reader))
        {
            return false;
        }

        value = reader.GetInt64();
        return true;
    }

    /// <summary>Whether a payload member is present and not a JSON string.</summary>
    public bool IsMistyped(string name) => Find(name, header: false) is var i and >= 0 && _members[i].Kind != JsonTokenType.String;

    /// <summary>
    /// <c>aud</c>: one string or an array of strings (RFC 7519 §4.1.3); empty when absent, null when of any other shape.
    /// </summary>
    public List<string>? Audiences()
    {
        var list = new List<string>(1);
        var i = Find("aud", header: false);
        if (i < 0)
        {
            return list;
        }

        var reader = Reader(i);
        if (reader.TokenType == JsonTokenType.String)
        {
            list.Add(reader.GetString()!);
            return list;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return null;
            }

            list.Add(reader.GetString()!);
        }

        return list;
    }

    /// <summary>A payload member as a <see cref="JsonElement"/> (for the rare structured claims: <c>scp</c>, <c>cnf</c>, <c>events</c>).</summary>
    public bool TryGetElement(string name, out JsonElement element)
    {
        element = default;
        var i = Find(name, header: false);
        if (i < 0)
        {
            return false;
        }

        var member = _members[i];
        using var document = JsonDocument.Parse(_json.AsMemory(member.Start, member.Length));
        element = document.RootElement.Clone();
        return true;
    }

    private string? HeaderString(string name) => Value(Find(name, header: true));

    private string? Value(int i)
    {
        if (i < 0 || _members[i].Kind != JsonTokenType.String)
        {
            return null;
        }

        var reader = Reader(i);
        return reader.GetString();
    }

    private Utf8JsonReader Reader(int i)
    {
        var member = _members[i];
        var reader = new Utf8JsonReader(_json.AsSpan(member.Start, member.Length));
        reader.Read();
        return reader;
    }

    // A linear scan: tokens carry a dozen or two members, and names were interned or compared once at parse time.
    private int Find(string name, bool header)
    {
        var (from, to) = header ? (0, _headerCount) : (_headerCount, _members.Length);
        for (var i = from; i < to; i++)
        {
            if (string.Equals(_members[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
