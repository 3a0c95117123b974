using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Admin;

/// <summary>A parsed admin request body, with field-level errors as 400 problem+json naming the field.</summary>
internal sealed class AdminBody : IDisposable
{
    private const int MaxIdLength = 256;
    private readonly JsonDocument _document;

    private AdminBody(JsonDocument document) => _document = document;

    private JsonElement Root => _document.RootElement;

    public static async Task<(AdminBody? Body, IResult? Error)> ReadAsync(HttpContext context, long maxBodySize)
    {
        var request = context.Request;
        if (request.ContentLength > maxBodySize)
        {
            return (null, Problems.TooLarge(maxBodySize));
        }

        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problems.Status(StatusCodes.Status415UnsupportedMediaType, "body", "the body must be application/json"));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBodySize;
        }

        try
        {
            var document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 8 }, context.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, Problems.BadRequest("body", "the body must be a JSON object"));
            }

            return (new AdminBody(document), null);
        }
        catch (JsonException)
        {
            return (null, Problems.BadRequest("body", "the body is not valid JSON"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.TooLarge(maxBodySize));
        }
    }

    public bool Has(string field) => Root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>A required (or optional) id: a non-empty string of at most 256 characters without control characters.</summary>
    public bool TryGetId(string field, bool required, out string? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!Root.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = Problems.BadRequest(field, $"'{field}' is required");
                return false;
            }

            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = Problems.BadRequest(field, $"'{field}' must be a JSON string");
            return false;
        }

        var text = element.GetString()!;
        if (text.Length == 0 || text.Length > MaxIdLength || text.Any(char.IsControl))
        {
            error = Problems.BadRequest(field, $"'{field}' must be 1 to {MaxIdLength} characters without control characters");
            return false;
        }

        value = text;
        return true;
    }

    /// <summary>A token string (bounded by the token size limit).</summary>
    public bool TryGetToken(int maxSize, out string? token, out IResult? error)
    {
        token = null;
        error = null;
        if (!Root.TryGetProperty("token", out var element) || element.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(element.GetString()))
        {
            error = Problems.BadRequest("token", "'token' must be a non-empty JSON string");
            return false;
        }

        token = element.GetString()!;
        if (token.Length > maxSize)
        {
            error = Problems.BadRequest("token", $"'token' is longer than {maxSize} characters");
            return false;
        }

        return true;
    }

    /// <summary><c>exp</c> as a JSON number of Unix seconds, within ten years from now.</summary>
    public bool TryGetExp(bool required, long now, out long? exp, out IResult? error)
    {
        exp = null;
        error = null;
        if (!Root.TryGetProperty("exp", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = Problems.BadRequest("exp", "'exp' is required (a JSON number of Unix seconds)");
                return false;
            }

            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var value) || value < 0)
        {
            error = Problems.BadRequest("exp", "'exp' must be a JSON number of Unix seconds");
            return false;
        }

        if (value > now + (long)TimeSpan.FromDays(3653).TotalSeconds)
        {
            error = Problems.BadRequest("exp", "'exp' is more than ten years in the future");
            return false;
        }

        exp = value;
        return true;
    }

    public void Dispose() => _document.Dispose();
}

/// <summary>problem+json answers of the admin API.</summary>
internal static class Problems
{
    public static IResult BadRequest(string field, string detail) => Status(StatusCodes.Status400BadRequest, field, detail);

    public static IResult TooLarge(long max) => Status(StatusCodes.Status413PayloadTooLarge, "body", $"the body is larger than {max} bytes");

    public static IResult Status(int status, string? field, string detail) =>
        Results.Problem(detail: detail, statusCode: status, extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });
}
