using Gateway.Tokens;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Admin;

/// <summary>A parsed admin request body, with field-level errors as 400 problem+json naming the field.</summary>
internal sealed class AdminBody : IDisposable
{
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

    /// <summary>An optional string of at most <paramref name="maxLength"/> characters (e.g. <c>iss</c>).</summary>
    public bool TryGetString(string field, int maxLength, out string? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!Root.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String || element.GetString() is not { Length: > 0 } text || text.Length > maxLength)
        {
            error = Problems.BadRequest(field, $"'{field}' must be a non-empty JSON string of at most {maxLength} characters");
            return false;
        }

        value = text;
        return true;
    }

    public bool Has(string field) => Root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>A required (or optional) id under the verifier's own rule (<see cref="ClaimIds"/>): an id no token can carry is refused, not silently stored.</summary>
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
        if (!ClaimIds.IsValid(text))
        {
            error = Problems.BadRequest(field, $"'{field}' must be {ClaimIds.Rule}: no token can carry another value, so revoking it would do nothing");
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

    /// <summary>An optional non-negative JSON number of Unix seconds (e.g. a rule's <c>before</c>).</summary>
    public bool TryGetSeconds(string field, out long? value, out IResult? error)
    {
        value = null;
        error = null;
        if (!Root.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var seconds) || seconds < 0)
        {
            error = Problems.BadRequest(field, $"'{field}' must be a JSON number of Unix seconds");
            return false;
        }

        value = seconds;
        return true;
    }

    public void Dispose() => _document.Dispose();
}
