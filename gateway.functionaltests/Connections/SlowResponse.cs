namespace Gateway.FunctionalTests.Connections;

/// <summary>A response still being received, and a reader on its body.</summary>
internal sealed record SlowResponse(HttpResponseMessage Response, StreamReader Reader) : IDisposable
{
    public void Dispose()
    {
        Reader.Dispose();
        Response.Dispose();
    }
}
