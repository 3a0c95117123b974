namespace Gateway.Gate;

/// <summary>The scheme of an <c>Authorization</c> header the gate reads.</summary>
internal enum AuthorizationScheme
{
    /// <summary>No header, or a scheme that carries no access token here (Basic, ...).</summary>
    None,

    /// <summary><c>Bearer</c> (RFC 6750).</summary>
    Bearer,

    /// <summary><c>DPoP</c> (RFC 9449 §7.1): the token must come with a <c>DPoP</c> proof header.</summary>
    Dpop,
}
