using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Gateway.Tokens;

/// <summary>
/// Structural checks the JWT library does not make: header and payload are JSON objects of bounded depth with no
/// duplicate member names (a duplicate lets two parsers see two different tokens).
/// </summary>
internal static class TokenShape
{
    private const int MaxDepth = 8;

    public static bool IsWellFormed(string token)
    {
        var first = token.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0)
        {
            return false;
        }

        var second = token.IndexOf('.', first + 1);
        if (second < 0 || token.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        return IsObject(token.AsSpan(0, first)) && IsObject(token.AsSpan(first + 1, second - first - 1));
    }

    private static bool IsObject(ReadOnlySpan<char> part)
    {
        var max = Base64Url.GetMaxDecodedLength(part.Length);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, max));
        try
        {
            if (Base64Url.DecodeFromChars(part, rented, out var consumed, out var written) != OperationStatus.Done || consumed != part.Length)
            {
                return false;
            }

            return HasUniqueMembers(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    internal static bool HasUniqueMembers(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            // One set of names per open object; only objects can repeat a name.
            var scopes = new Stack<HashSet<string>?>();
            scopes.Push(new HashSet<string>(StringComparer.Ordinal));
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        if (!scopes.Peek()!.Add(reader.GetString()!))
                        {
                            return false;
                        }

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
                            return !reader.Read();
                        }

                        break;
                }
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
