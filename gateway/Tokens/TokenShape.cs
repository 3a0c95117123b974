using System.Buffers;
using System.Buffers.Text;
using System.Text.Unicode;
using System.Text.Json;

namespace Gateway.Tokens;

/// <summary>
/// Structural checks the JWT library does not make: exactly three segments of strict base64url (no padding,
/// whitespace or base64 alphabet: a lenient decoder would let one token travel under many spellings), header and
/// payload JSON objects of bounded depth with no duplicate member names (a duplicate lets two parsers see two
/// different tokens), and the JSON types of the claims the gateway reads.
/// </summary>
internal static class TokenShape
{
    /// <summary>The largest NumericDate accepted (9999-12-31T23:59:59Z).</summary>
    public const long MaxNumericDate = 253_402_300_799;

    private const int MaxDepth = 8;

    // Names up to this length are looked up among the known names without allocating.
    private const int MaxInternedName = 64;

    [ThreadStatic]
    private static NameScopes? t_scratch;

    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    public static bool IsWellFormed(string token) => Check(token, TypedClaims.None) == TokenShapeVerdict.WellFormed;

    public static TokenShapeVerdict Check(string token, TypedClaims typed) => Parse(token.AsMemory(), typed, out _);

    /// <summary>
    /// <see cref="Check"/>, keeping what it decoded and walked: when well-formed, <paramref name="document"/> holds the
    /// header and payload JSON with the place of every top-level member, for the verifier to read claims from.
    /// </summary>
    public static TokenShapeVerdict Parse(ReadOnlyMemory<char> token, TypedClaims typed, out JwtDocument? document)
    {
        document = null;
        var text = token.Span;
        if (text.IndexOfAnyExcept(TokenChars) >= 0)
        {
            return TokenShapeVerdict.Malformed;
        }

        var first = text.IndexOf('.');
        if (first <= 0)
        {
            return TokenShapeVerdict.Malformed;
        }

        var second = text[(first + 1)..].IndexOf('.') is var dot and >= 0 ? first + 1 + dot : -1;
        if (second < 0 || text[(second + 1)..].Contains('.'))
        {
            return TokenShapeVerdict.Malformed;
        }

        var header = text[..first];
        var payload = text[(first + 1)..second];
        var json = new byte[Math.Max(1, Base64Url.GetMaxDecodedLength(header.Length) + Base64Url.GetMaxDecodedLength(payload.Length))];
        // Every string the JSON holds must be valid UTF-8, read or not (the reader checks only what it decodes).
        if (!TryDecode(header, json, out var headerLength) || !TryDecode(payload, json.AsSpan(headerLength), out var payloadLength) ||
            !Utf8.IsValid(json.AsSpan(0, headerLength + payloadLength)))
        {
            return TokenShapeVerdict.Malformed;
        }

        // The member-name sets and the member list are reused on this thread (the walk is synchronous): a never-seen
        // token would otherwise pay a stack, sets and a list of allocations on every request.
        var scratch = t_scratch ??= new NameScopes();
        scratch.Members.Clear();
        if (InspectJson(json.AsSpan(0, headerLength), 0, TypedClaims.None, scratch) != TokenShapeVerdict.WellFormed)
        {
            return TokenShapeVerdict.Malformed;
        }

        var headerCount = scratch.Members.Count;
        var verdict = InspectJson(json.AsSpan(headerLength, payloadLength), headerLength, typed, scratch);
        if (verdict == TokenShapeVerdict.WellFormed)
        {
            document = new JwtDocument(json, [.. scratch.Members], headerCount);
        }

        return verdict;
    }

    private static bool TryDecode(ReadOnlySpan<char> part, Span<byte> destination, out int written) =>
        Base64Url.DecodeFromChars(part, destination, out var consumed, out written) == OperationStatus.Done && consumed == part.Length;

    internal static bool HasUniqueMembers(ReadOnlySpan<byte> json)
    {
        var scratch = t_scratch ??= new NameScopes();
        scratch.Members.Clear();
        return InspectJson(json, 0, TypedClaims.None, scratch) == TokenShapeVerdict.WellFormed;
    }

    // Walks one JSON object: unique names in every object, bounded depth, nothing after it, the typed claims' JSON types;
    // records each top-level member (name, type, and where its value's text lies, offset by `offset`) in scratch.Members.
    private static TokenShapeVerdict InspectJson(ReadOnlySpan<byte> json, int offset, TypedClaims typed, NameScopes scratch)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        Span<char> nameBuffer = stackalloc char[MaxInternedName];
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return TokenShapeVerdict.Malformed;
            }

            // One set of names per open object; only objects can repeat a name.
            var scopes = scratch.Begin();
            scopes.Push(scratch.Rent());
            var invalidClaim = false;
            var open = -1;
            var openStart = 0L;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var topLevel = scopes.Count == 1;
                        var name = topLevel ? Name(ref reader, typed.Known, nameBuffer) : reader.GetString()!;
                        if (!scopes.Peek()!.Add(name))
                        {
                            return TokenShapeVerdict.Malformed;
                        }

                        if (topLevel)
                        {
                            // Read the value here, record where it lies; a container value is then tracked like any other.
                            reader.Read();
                            ValidateEscapes(ref reader);
                            var start = reader.TokenStartIndex;
                            if (typed.Integers.Contains(name))
                            {
                                invalidClaim |= !IsNumericDate(ref reader);
                            }
                            else if (typed.Strings.Contains(name))
                            {
                                invalidClaim |= reader.TokenType != JsonTokenType.String;
                            }

                            scratch.Members.Add(new JwtMember(name, reader.TokenType, offset + (int)start, (int)(reader.BytesConsumed - start)));
                            if (reader.TokenType == JsonTokenType.StartObject)
                            {
                                scopes.Push(scratch.Rent());
                            }
                            else if (reader.TokenType == JsonTokenType.StartArray)
                            {
                                scopes.Push(null);
                            }

                            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                            {
                                // Its length is known when it closes.
                                open = scratch.Members.Count - 1;
                                openStart = start;
                            }
                        }

                        break;
                    case JsonTokenType.String:
                        ValidateEscapes(ref reader);
                        break;
                    case JsonTokenType.StartObject:
                        scopes.Push(scratch.Rent());
                        break;
                    case JsonTokenType.StartArray:
                        scopes.Push(null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        scratch.Return(scopes.Pop());
                        if (scopes.Count == 1 && open >= 0)
                        {
                            scratch.Members[open] = scratch.Members[open] with { Length = (int)(reader.BytesConsumed - openStart) };
                            open = -1;
                        }
                        else if (scopes.Count == 0)
                        {
                            if (reader.Read())
                            {
                                return TokenShapeVerdict.Malformed;
                            }

                            return invalidClaim ? TokenShapeVerdict.InvalidClaim : TokenShapeVerdict.WellFormed;
                        }

                        break;
                }
            }

            return TokenShapeVerdict.Malformed;
        }
        catch (JsonException)
        {
            return TokenShapeVerdict.Malformed;
        }
        catch (InvalidOperationException)
        {
            return TokenShapeVerdict.Malformed;
        }
    }

    // An escaped string must unescape to valid UTF-16 ("\ud800" alone does not): reading it throws, which is Malformed.
    private static void ValidateEscapes(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped)
        {
            _ = reader.GetString();
        }
    }

    // A known name comes back as the one shared string (no allocation per token); any other is read as a new string.
    private static string Name(ref Utf8JsonReader reader, HashSet<string>.AlternateLookup<ReadOnlySpan<char>> known, scoped Span<char> buffer)
    {
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= buffer.Length &&
            Utf8.ToUtf16(reader.ValueSpan, buffer, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done &&
            known.TryGetValue(buffer[..written], out var shared))
        {
            return shared;
        }

        return reader.GetString()!;
    }

    // A JSON integer in [0, MaxNumericDate], written without fraction or exponent.
    internal static bool IsNumericDate(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number &&
        !reader.HasValueSequence &&
        reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 &&
        reader.TryGetInt64(out var value) && value is >= 0 and <= MaxNumericDate;

    /// <summary>The per-thread stack of member-name sets <see cref="InspectJson"/> walks with (synchronous: no await in between).</summary>
    private sealed class NameScopes
    {
        // A set that grew past this (a hostile object with many members) is not kept for the next token.
        private const int MaxKeptNames = 64;

        private readonly Stack<HashSet<string>?> _scopes = new();
        private readonly Stack<HashSet<string>> _free = new();

        /// <summary>The top-level members of the object being walked (header, then payload), copied into the document.</summary>
        public List<JwtMember> Members { get; } = [];

        /// <summary>The empty stack of scopes, sets left by an earlier walk (one that returned early) put back.</summary>
        public Stack<HashSet<string>?> Begin()
        {
            while (_scopes.TryPop(out var set))
            {
                Return(set);
            }

            return _scopes;
        }

        public HashSet<string> Rent() => _free.TryPop(out var set) ? set : new HashSet<string>(StringComparer.Ordinal);

        public void Return(HashSet<string>? set)
        {
            if (set is null || set.Count > MaxKeptNames || _free.Count >= MaxDepth)
            {
                return;
            }

            set.Clear();
            _free.Push(set);
        }
    }
}
