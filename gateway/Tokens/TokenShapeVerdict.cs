namespace Gateway.Tokens;

/// <summary>What the structural pass found.</summary>
internal enum TokenShapeVerdict
{
    WellFormed,
    Malformed,
    InvalidClaim,
}
