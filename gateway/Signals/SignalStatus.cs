namespace Gateway.Signals;

/// <summary>See <see cref="SignalOutcome"/>.</summary>
internal enum SignalStatus
{
    /// <summary>Verified and handled (its events applied, or acknowledged as unknown or unmappable): 202, and acknowledged when polled.</summary>
    Accepted,

    /// <summary>Not a SET this receiver accepts: 400 with the RFC 8935 error, reported in <c>setErrs</c> when polled.</summary>
    Refused,

    /// <summary>The session store is unreachable: 503 with Retry-After, not acknowledged when polled (delivered again).</summary>
    Unavailable,
}
