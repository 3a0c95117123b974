using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Hosting;

/// <summary>
/// A request body read into memory and never beyond its bound: the declared length is checked first, Kestrel's limit
/// is lowered to the bound, and reading stops one byte past it. Nothing is spooled to disk.
/// </summary>
internal static class BoundedBody
{
    /// <summary>The body's bytes (<c>Buffer[..Length]</c>), or null when it is larger than <paramref name="maxSize"/>.</summary>
    public static async Task<(byte[] Buffer, int Length)?> ReadAsync(HttpContext context, int maxSize)
    {
        var request = context.Request;
        if (request.ContentLength > maxSize)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxSize;
        }

        var buffer = new byte[maxSize + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
            }
        }
        catch (BadHttpRequestException)
        {
            return null;
        }

        return length > maxSize ? null : (buffer, length);
    }
}
