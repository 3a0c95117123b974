using System.Diagnostics.Metrics;
using Gateway.Sessions;
using Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Testing.TestUsers;

namespace Gateway.Tests.Telemetry;

/// <summary>Gauges read from the gateway's state when the metrics pipeline collects.</summary>
public sealed class GatewayMetricsTests
{
    [Fact]
    public void DenylistReplicaGauge_ReportsItsEntries_AndWhetherItIsComplete()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new GatewayMetrics(factory);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var replica = new DenylistReplica(time, 10);
        var until = time.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds();
        replica.Add(DenylistHash.Token(U("a"), "j1"), until);
        replica.Add(DenylistHash.Token(U("a"), "j2"), until);

        Assert.Empty(Collect(factory));

        metrics.ObserveDenylistReplica(replica);
        Assert.Equal([(2L, "false")], Collect(factory));

        Assert.True(replica.CompleteLoad(replica.BeginLoad(), []));
        Assert.Equal([(2L, "true")], Collect(factory));
    }

    // Only this test's meter (its factory is the meter's scope): other tests make GatewayMetrics of their own meanwhile.
    private static List<(long Value, string? Complete)> Collect(IMeterFactory factory)
    {
        var seen = new List<(long, string?)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "gateway.denylist.replica.entries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? complete = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "complete")
                {
                    complete = tag.Value as string;
                }
            }

            seen.Add((value, complete));
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
