using Gateway.Gate.Refusals;

namespace Gateway.Gate.Rules;

/// <summary>One rule compiled for one route: judges a request whose token is already verified.</summary>
internal interface IRouteCheck
{
    /// <summary>When it runs: on the token alone, or once the session state has been read.</summary>
    RuleStage Stage { get; }

    /// <summary>
    /// It writes to or counts in the store, so it cannot be judged on last-known state: the route fails closed
    /// whatever its <c>FailureMode</c>.
    /// </summary>
    bool NeedsLiveStore { get; }

    /// <summary>Null when the request passes this rule; else the refusal to answer.</summary>
    ValueTask<Refusal?> JudgeAsync(RuleContext context);
}
