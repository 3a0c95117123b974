using System.Buffers;
using System.Buffers.Text;
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

    [ThreadStatic]
    private static NameScopes? t_scratch;

    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    public static bool IsWellFormed(string token) => Check(token, TypedClaims.None) == TokenShapeVerdict.WellFormed;

    public static TokenShapeVerdict Check(string token, TypedClaims typed)
    {
        if (token.AsSpan().IndexOfAnyExcept(TokenChars) >= 0)
        {
            return TokenShapeVerdict.Malformed;
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0)
        {
            return TokenShapeVerdict.Malformed;
        }

        var second = token.IndexOf('.', first + 1);
        if (second < 0 || token.IndexOf('.', second + 1) >= 0)
        {
            return TokenShapeVerdict.Malformed;
        }

        if (Inspect(token.AsSpan(0, first), TypedClaims.None) != TokenShapeVerdict.WellFormed)
        {
            return TokenShapeVerdict.Malformed;
        }

        return Inspect(token.AsSpan(first + 1, second - first - 1), typed);
    }

    private static TokenShapeVerdict Inspect(ReadOnlySpan<char> part, TypedClaims typed)
    {
        var max = Base64Url.GetMaxDecodedLength(part.Length);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, max));
        try
        {
            if (Base64Url.DecodeFromChars(part, rented, out var consumed, out var written) != OperationStatus.Done || consumed != part.Length)
            {
                return TokenShapeVerdict.Malformed;
            }

            return InspectJson(rented.AsSpan(0, written), typed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    internal static bool HasUniqueMembers(ReadOnlySpan<byte> json) => InspectJson(json, TypedClaims.None) == TokenShapeVerdict.WellFormed;

    private static TokenShapeVerdict InspectJson(ReadOnlySpan<byte> json, TypedClaims typed)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return TokenShapeVerdict.Malformed;
            }

            // One set of names per open object; only objects can repeat a name. The sets are reused on this thread:
            // a never-seen token would otherwise pay a stack and two sets of allocations on every request.
            var scratch = t_scratch ??= new NameScopes();
            var scopes = scratch.Begin();
            scopes.Push(scratch.Rent());
            var invalidClaim = false;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        if (!scopes.Peek()!.Add(name))
                        {
                            return TokenShapeVerdict.Malformed;
                        }

                        if (scopes.Count == 1 && (typed.Integers.Contains(name) || typed.Strings.Contains(name)))
                        {
                            // Read the value here; a container value is then tracked like any other.
                            reader.Read();
                            invalidClaim |= typed.Integers.Contains(name) ? !IsNumericDate(ref reader) : reader.TokenType != JsonTokenType.String;
                            if (reader.TokenType == JsonTokenType.StartObject)
                            {
                                scopes.Push(scratch.Rent());
                            }
                            else if (reader.TokenType == JsonTokenType.StartArray)
                            {
                                scopes.Push(null);
                            }
                        }

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
                        if (scopes.Count == 0)
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

    // A JSON integer in [0, MaxNumericDate], written without fraction or exponent.
    private static bool IsNumericDate(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number &&
        !reader.HasValueSequence &&
        reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 &&
        reader.TryGetInt64(out var value) && value is >= 0 and <= MaxNumericDate;

    /// <summary>
    /// A claim that must be a NumericDate-like integer when present (an issuer's version claim, whose name is only
    /// known once the issuer is): false when it is of another JSON type or out of range.
    /// </summary>
    public static bool TryReadInteger(Microsoft.IdentityModel.JsonWebTokens.JsonWebToken jwt, string name, out long? value)
    {
        value = null;
        if (!jwt.TryGetClaim(name, out var claim))
        {
            return true;
        }

        if (claim.ValueType is not (System.Security.Claims.ClaimValueTypes.Integer or System.Security.Claims.ClaimValueTypes.Integer32 or System.Security.Claims.ClaimValueTypes.Integer64))
        {
            return false;
        }

        if (!long.TryParse(claim.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ||
            parsed < 0 || parsed > MaxNumericDate)
        {
            return false;
        }

        value = parsed;
        return true;
    }

    /// <summary>The per-thread stack of member-name sets <see cref="InspectJson"/> walks with (synchronous: no await in between).</summary>
    private sealed class NameScopes
    {
        // A set that grew past this (a hostile object with many members) is not kept for the next token.
        private const int MaxKeptNames = 64;

        private readonly Stack<HashSet<string>?> _scopes = new();
        private readonly Stack<HashSet<string>> _free = new();

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
