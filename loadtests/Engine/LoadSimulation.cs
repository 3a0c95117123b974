using System.Globalization;

namespace LoadTests.Engine;

/// <summary>
/// One phase of load, as NBomber models it. Closed model: a number of copies, each looping as fast as the system
/// lets it. Open model: an arrival rate, each arrival running once whatever the system's speed.
/// </summary>
internal abstract record LoadSimulation(TimeSpan During)
{
    public abstract bool IsOpen { get; }

    public abstract string Describe();

    protected static string Span(TimeSpan span) => span.TotalSeconds < 60
        ? $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
        : span.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
}

/// <summary>Closed model: move linearly from the previous number of copies to <see cref="Copies"/>.</summary>
internal sealed record RampingConstant(int Copies, TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => false;

    public override string Describe() => $"RampingConstant(copies: {Copies}, during: {Span(During)})";
}

/// <summary>Closed model: hold <see cref="Copies"/> copies.</summary>
internal sealed record KeepConstant(int Copies, TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => false;

    public override string Describe() => $"KeepConstant(copies: {Copies}, during: {Span(During)})";
}

/// <summary>Open model: start <see cref="Rate"/> iterations every <see cref="Interval"/>.</summary>
internal sealed record Inject(int Rate, TimeSpan Interval, TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => true;

    public double PerSecond => Rate / Interval.TotalSeconds;

    public override string Describe() => $"Inject(rate: {Rate}, interval: {Span(Interval)}, during: {Span(During)})";
}

/// <summary>Open model: move linearly from the previous rate to <see cref="Rate"/> per <see cref="Interval"/>.</summary>
internal sealed record RampingInject(int Rate, TimeSpan Interval, TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => true;

    public double PerSecond => Rate / Interval.TotalSeconds;

    public override string Describe() => $"RampingInject(rate: {Rate}, interval: {Span(Interval)}, during: {Span(During)})";
}

/// <summary>Open model: each interval starts a random number of iterations between the two rates.</summary>
internal sealed record InjectRandom(int MinRate, int MaxRate, TimeSpan Interval, TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => true;

    public override string Describe() => $"InjectRandom(minRate: {MinRate}, maxRate: {MaxRate}, interval: {Span(Interval)}, during: {Span(During)})";
}

/// <summary>No load for a while (either model).</summary>
internal sealed record Pause(TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => false;

    public override string Describe() => $"Pause(during: {Span(During)})";
}
