using Microsoft.AspNetCore.Http;

namespace Gateway.Admin;

/// <summary>problem+json answers of the admin API.</summary>
internal static class Problems
{
    public static IResult BadRequest(string field, string detail) => Status(StatusCodes.Status400BadRequest, field, detail);

    public static IResult TooLarge(long max) => Status(StatusCodes.Status413PayloadTooLarge, "body", $"the body is larger than {max} bytes");

    public static IResult Status(int status, string? field, string detail) =>
        Results.Problem(detail: detail, statusCode: status, extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });
}
