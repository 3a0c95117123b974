namespace Gateway.Gate.Connections;

/// <summary>What a guarded request is, which decides how it is closed.</summary>
internal enum ConnectionKind
{
    /// <summary>A WebSocket (HTTP/1.1 upgrade or HTTP/2 extended CONNECT): closed with a close frame, then dropped.</summary>
    WebSocket,

    /// <summary>A server-sent-events stream (<c>Accept: text/event-stream</c>): aborted.</summary>
    EventStream,

    /// <summary>Any other request on a route with <c>CloseOnRevocation=true</c>: aborted.</summary>
    Request,
}
