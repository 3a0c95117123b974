namespace Gateway.Gate.Refusals;

/// <summary>One row of the refusal table (<see cref="Reasons"/>).</summary>
/// <param name="Code">The reason code: <c>error_description</c>, problem <c>reason</c>, metric tag and log value.</param>
/// <param name="Shape">The HTTP answer it gets.</param>
/// <param name="TokenDecides">
/// The token's own bytes decide it, whatever the time or the store says: the refused-token cache may remember it.
/// </param>
/// <param name="Title">The problem+json title.</param>
public sealed record RefusalReason(string Code, RefusalShape Shape, bool TokenDecides, string Title)
{
    /// <summary>The <c>outcome</c> metric tag: <c>unavailable</c> for a 503, else <c>denied</c>.</summary>
    public string Outcome => Shape == RefusalShape.Unavailable ? "unavailable" : "denied";

    public override string ToString() => Code;
}
