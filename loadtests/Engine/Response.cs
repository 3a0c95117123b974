namespace LoadTests.Engine;

/// <summary>The outcome of one iteration or step: ok or fail, with the status code and the bytes received.</summary>
internal readonly record struct Response(bool IsOk, int StatusCode, long Bytes, string? Message = null)
{
    public static Response Ok(int statusCode = 200, long bytes = 0) => new(true, statusCode, bytes);

    public static Response Fail(int statusCode = 0, long bytes = 0, string? message = null) => new(false, statusCode, bytes, message);
}
