namespace LoadTests.Engine;

/// <summary>
/// The intended start times of an open-model phase, in seconds from the phase's start. Latency is measured from
/// these times, not from when a request was actually sent, so a stall cannot hide (no coordinated omission).
/// </summary>
internal static class OpenSchedule
{
    /// <summary>Arrivals per second at the end of <paramref name="simulation"/>, the start rate of a following ramp.</summary>
    public static double EndRate(LoadSimulation simulation, double previous) => simulation switch
    {
        Inject inject => inject.PerSecond,
        RampingInject ramp => ramp.PerSecond,
        InjectRandom random => (random.MinRate + random.MaxRate) / 2.0 / random.Interval.TotalSeconds,
        Pause => 0,
        _ => previous,
    };

    public static IEnumerable<double> Offsets(LoadSimulation simulation, double previousRate, Random random)
    {
        var during = simulation.During.TotalSeconds;
        switch (simulation)
        {
            case Inject inject:
                return Constant(inject.PerSecond, during);
            case RampingInject ramp:
                return Ramp(previousRate, ramp.PerSecond, during);
            case InjectRandom injectRandom:
                return Random(injectRandom, random);
            default:
                return [];
        }
    }

    private static IEnumerable<double> Constant(double perSecond, double during)
    {
        if (perSecond <= 0)
        {
            yield break;
        }

        var count = (long)Math.Floor(perSecond * during);
        for (long i = 0; i < count; i++)
        {
            yield return i / perSecond;
        }
    }

    /// <summary>
    /// Rate r(t) = r0 + (r1 - r0) t / D, so arrivals so far N(t) = r0 t + (r1 - r0) t² / 2D; the i-th arrival is at
    /// the t where N(t) = i.
    /// </summary>
    private static IEnumerable<double> Ramp(double r0, double r1, double during)
    {
        var total = (long)Math.Floor(during * (r0 + r1) / 2);
        var a = (r1 - r0) / (2 * during);
        for (long i = 0; i < total; i++)
        {
            if (Math.Abs(a) < 1e-12)
            {
                yield return r0 <= 0 ? during : i / r0;
                continue;
            }

            var discriminant = Math.Max(0, (r0 * r0) + (4 * a * i));
            yield return Math.Min(during, (-r0 + Math.Sqrt(discriminant)) / (2 * a));
        }
    }

    private static IEnumerable<double> Random(InjectRandom simulation, Random random)
    {
        var interval = simulation.Interval.TotalSeconds;
        var intervals = (long)Math.Floor(simulation.During.TotalSeconds / interval);
        for (long k = 0; k < intervals; k++)
        {
            var count = random.Next(simulation.MinRate, simulation.MaxRate + 1);
            for (var j = 0; j < count; j++)
            {
                yield return (k * interval) + (j * interval / count);
            }
        }
    }
}
