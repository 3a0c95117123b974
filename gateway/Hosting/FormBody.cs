using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Gateway.Hosting;

/// <summary>
/// An <c>application/x-www-form-urlencoded</c> body, read into memory and never beyond its bound (a multipart body
/// is refused, not spooled to disk). Parameters given more than once are refused (RFC 6749 §3.2).
/// </summary>
internal sealed class FormBody
{
    private readonly Dictionary<string, StringValues> _values;

    private FormBody(Dictionary<string, StringValues> values) => _values = values;

    /// <summary>The form, or a description of why it could not be read (and whether because of its size).</summary>
    public static async Task<(FormBody? Form, string? Error, bool TooLarge)> ReadAsync(HttpContext context, int maxSize)
    {
        var request = context.Request;
        if (request.ContentType is not { } type || !type.Split(';')[0].Trim().Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "the request must be application/x-www-form-urlencoded", false);
        }

        if (await BoundedBody.ReadAsync(context, maxSize) is not var (buffer, length))
        {
            return (null, $"the request body is larger than {maxSize} bytes", true);
        }

        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
            return (new FormBody(QueryHelpers.ParseQuery("?" + text)), null, false);
        }
        catch (Exception ex) when (ex is ArgumentException or DecoderFallbackException)
        {
            return (null, "the form could not be read", false);
        }
    }

    /// <summary>A parameter given at most once: null when absent; false when repeated.</summary>
    public bool TryGetSingle(string name, out string? value)
    {
        value = null;
        if (!_values.TryGetValue(name, out var values))
        {
            return true;
        }

        if (values.Count != 1)
        {
            return false;
        }

        value = values[0];
        return true;
    }
}
