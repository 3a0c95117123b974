using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Gateway.Tokens;

/// <summary>What <see cref="TokenShape.Check"/> found.</summary>
internal enum TokenShapeResult
{
    WellFormed,
    Malformed,

    /// <summary>Well-formed, but a NumericDate-like claim is not a JSON integer (a string, a fraction, an exponent).</summary>
    NonIntegerClaim,
}

/// <summary>
/// Structural checks the JWT library does not make: header and payload are JSON objects of bounded depth with no
/// duplicate member names (a duplicate lets two parsers see two different tokens), and the payload's time and
/// version claims are JSON integers (the library reads <c>"exp":"1700000000"</c> and <c>1700000000.5</c> as numbers).
/// </summary>
internal static class TokenShape
{
    private const int MaxDepth = 8;

    public static bool IsWellFormed(string token) => Check(token, null) != TokenShapeResult.Malformed;

    /// <summary>Checks the shape; top-level payload members named in <paramref name="integerClaims"/> must be JSON integers.</summary>
    public static TokenShapeResult Check(string token, IReadOnlySet<string>? integerClaims)
    {
        var first = token.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0)
        {
            return TokenShapeResult.Malformed;
        }

        var second = token.IndexOf('.', first + 1);
        if (second < 0 || token.IndexOf('.', second + 1) >= 0)
        {
            return TokenShapeResult.Malformed;
        }

        var header = CheckPart(token.AsSpan(0, first), null);
        return header != TokenShapeResult.WellFormed ? TokenShapeResult.Malformed : CheckPart(token.AsSpan(first + 1, second - first - 1), integerClaims);
    }

    private static TokenShapeResult CheckPart(ReadOnlySpan<char> part, IReadOnlySet<string>? integerClaims)
    {
        var max = Base64Url.GetMaxDecodedLength(part.Length);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, max));
        try
        {
            if (Base64Url.DecodeFromChars(part, rented, out var consumed, out var written) != OperationStatus.Done || consumed != part.Length)
            {
                return TokenShapeResult.Malformed;
            }

            return CheckObject(rented.AsSpan(0, written), integerClaims);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    internal static bool HasUniqueMembers(ReadOnlySpan<byte> json) => CheckObject(json, null) != TokenShapeResult.Malformed;

    private static TokenShapeResult CheckObject(ReadOnlySpan<byte> json, IReadOnlySet<string>? integerClaims)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var nonInteger = false;
        var expectInteger = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return TokenShapeResult.Malformed;
            }

            // One set of names per open object; only objects can repeat a name.
            var scopes = new Stack<HashSet<string>?>();
            scopes.Push(new HashSet<string>(StringComparer.Ordinal));
            while (reader.Read())
            {
                if (expectInteger)
                {
                    expectInteger = false;
                    if (reader.TokenType != JsonTokenType.Number || reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
                    {
                        nonInteger = true;
                    }
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        if (!scopes.Peek()!.Add(name))
                        {
                            return TokenShapeResult.Malformed;
                        }

                        expectInteger = scopes.Count == 1 && integerClaims?.Contains(name) == true;
                        break;
                    case JsonTokenType.StartObject:
                        scopes.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        scopes.Push(null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        scopes.Pop();
                        if (scopes.Count == 0)
                        {
                            if (reader.Read())
                            {
                                return TokenShapeResult.Malformed;
                            }

                            return nonInteger ? TokenShapeResult.NonIntegerClaim : TokenShapeResult.WellFormed;
                        }

                        break;
                }
            }

            return TokenShapeResult.Malformed;
        }
        catch (JsonException)
        {
            return TokenShapeResult.Malformed;
        }
        catch (InvalidOperationException)
        {
            return TokenShapeResult.Malformed;
        }
    }
}
