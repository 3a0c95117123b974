namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// Reads the <c>element, element</c> / <c>key=value;key="quoted"</c> shape shared by RFC 7239 <c>Forwarded</c> and
/// Envoy's <c>X-Forwarded-Client-Cert</c>: separators inside quoted strings do not count, <c>\</c> escapes one character.
/// </summary>
internal static class HeaderParameters
{
    /// <summary>Splits on <paramref name="separator"/> outside quotes; false for an unterminated quote.</summary>
    public static bool TrySplit(ReadOnlySpan<char> value, char separator, List<Range> parts)
    {
        parts.Clear();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quoted && c == '\\')
            {
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == separator)
            {
                parts.Add(new Range(start, i));
                start = i + 1;
            }
        }

        if (quoted)
        {
            return false;
        }

        parts.Add(new Range(start, value.Length));
        return true;
    }

    /// <summary>The value of parameter <paramref name="name"/> (case-insensitive) in one element, unquoted; false when absent or malformed.</summary>
    public static bool TryGet(ReadOnlySpan<char> element, string name, out string value)
    {
        value = string.Empty;
        var pairs = new List<Range>();
        if (!TrySplit(element, ';', pairs))
        {
            return false;
        }

        foreach (var range in pairs)
        {
            var pair = element[range].Trim();
            var equals = pair.IndexOf('=');
            if (equals <= 0 || !pair[..equals].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            return TryUnquote(pair[(equals + 1)..].Trim(), out value);
        }

        return false;
    }

    private static bool TryUnquote(ReadOnlySpan<char> raw, out string value)
    {
        value = string.Empty;
        if (raw.Length == 0 || raw[0] != '"')
        {
            if (raw.IndexOfAny('"', '\\') >= 0)
            {
                return false;
            }

            value = raw.ToString();
            return true;
        }

        if (raw.Length < 2 || raw[^1] != '"')
        {
            return false;
        }

        var inner = raw[1..^1];
        if (inner.IndexOf('\\') < 0)
        {
            value = inner.ToString();
            return true;
        }

        var builder = new System.Text.StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\')
            {
                if (++i >= inner.Length)
                {
                    return false;
                }
            }

            builder.Append(inner[i]);
        }

        value = builder.ToString();
        return true;
    }
}
