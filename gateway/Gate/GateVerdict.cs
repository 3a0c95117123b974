using Gateway.Gate.Refusals;
using Gateway.Tokens;

namespace Gateway.Gate;

/// <summary>What the gate decided for one request: forward with this token, or answer this refusal.</summary>
internal readonly record struct GateVerdict(VerifiedToken? Token, Refusal? Refusal)
{
    public static GateVerdict Pass(VerifiedToken token) => new(token, null);

    public static GateVerdict Refuse(Refusal refusal) => new(null, refusal);

    public static GateVerdict Refuse(RefusalReason reason) => new(null, Refusal.Of(reason));
}
