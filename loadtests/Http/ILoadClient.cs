using LoadTests.Engine;

namespace LoadTests.Http;

/// <summary>
/// The GET the throughput scenarios send (reused, never-seen and DPoP-bound tokens): an optional Authorization value
/// and DPoP proof; ok for a 2xx. <see cref="LoadClient.ForScenarios"/> picks the implementation.
/// </summary>
internal interface ILoadClient : IDisposable
{
    ValueTask<Response> GetAsync(Uri uri, string? authorization, string? dpopProof, CancellationToken cancellationToken);
}
