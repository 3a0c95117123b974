using Gateway.Testing.Attacks;
using Gateway.Gate;
using Gateway.Gate.ProofOfPossession;
using Gateway.Gate.Refusals;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Gateway.Proxy;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Security;

/// <summary>
/// 10,000 seeded mutations of valid tokens and Authorization headers through one real gateway. The oracle is the
/// gateway's own header parser and a separate <see cref="Gateway.Tokens.TokenVerifier"/> with the same keys: a request
/// is refused with 401 and the verifier's reason exactly when the oracle refuses it (so a mutation that leaves the
/// token valid, an ignored bit say, is expected to pass), never a 5xx, and the backend sees only the passing ones.
/// Set <c>GATEWAY_FUZZ_SEED</c> (and <c>GATEWAY_FUZZ_COUNT</c>) to replay or widen a run.
/// </summary>
public sealed class RandomizedAttackTests(AttackGateway gateway, VerifierFixture oracle, ITestOutputHelper output)
    : IClassFixture<AttackGateway>, IClassFixture<VerifierFixture>
{
    private const int DefaultSeed = 20_260_607;
    private const int DefaultCount = 10_000;
    private const int Concurrency = 8;

    [Fact]
    public async Task Proxy_TenThousandSeededMutations_RefusedExactlyWhenVerifierRefuses()
    {
        var seed = ReadSetting("GATEWAY_FUZZ_SEED", DefaultSeed);
        var count = ReadSetting("GATEWAY_FUZZ_COUNT", DefaultCount);
        output.WriteLine($"Randomized attack run: seed {seed}, {count} requests (replay with GATEWAY_FUZZ_SEED={seed})");

        var cases = new FuzzCorpus(seed).Generate(count).ToList();
        var expected = new (int Status, string? Reason)[cases.Count];
        for (var i = 0; i < cases.Count; i++)
        {
            expected[i] = await ExpectAsync(cases[i].Authorization);
        }

        var failures = new ConcurrentQueue<string>();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (fuzz, ct) =>
        {
            var (status, reason) = expected[fuzz.Index];
            try
            {
                using var response = await gateway.Gateway.SendAsync(gateway.Request(PathOf(fuzz), fuzz.Authorization));
                var actual = (int)response.StatusCode;
                var challenge = response.Headers.WwwAuthenticate.ToString();
                var expectedChallenge = reason switch
                {
                    null => "",
                    "token_missing" => "Bearer",
                    _ when Reasons.Find(reason)?.Shape == RefusalShape.InvalidDpopProof =>
                        $"DPoP error=\"invalid_dpop_proof\", error_description=\"{reason}\", algs=\"{string.Join(' ', DpopOptions.DefaultAlgorithms)}\"",
                    _ => $"Bearer error=\"invalid_token\", error_description=\"{reason}\"",
                };
                if (actual != status || challenge != expectedChallenge)
                {
                    failures.Enqueue(Describe(fuzz, $"expected {status} {reason}, got {actual} [{challenge}]"));
                }
            }
            catch (HttpRequestException ex)
            {
                failures.Enqueue(Describe(fuzz, "request failed: " + ex.Message));
            }
        });
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);

        var passing = Enumerable.Range(0, cases.Count).Where(i => expected[i].Status == 200).Select(i => PathOf(cases[i])).ToHashSet(StringComparer.Ordinal);
        var forwarded = gateway.Backend.RequestsTo("/api/fuzz/").Select(r => r.PathAndQuery).ToList();
        output.WriteLine($"Sent in {elapsed.TotalSeconds:F1} s; {cases.Count - passing.Count} refused, {passing.Count} left valid by their mutation, {forwarded.Count} forwarded");
        foreach (var group in cases.GroupBy(c => c.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {group.Key}: {group.Count()} ({group.Count(c => expected[c.Index].Status == 200)} valid)");
        }

        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} mismatches, first ones:\n" + string.Join("\n", failures.Take(20)));
        Assert.Equal(passing.Count, forwarded.Count);
        Assert.All(forwarded, path => Assert.Contains(path, passing));
        // The corpus must be mostly hostile for the run to mean anything.
        Assert.True(cases.Count - passing.Count >= cases.Count * 9 / 10, $"seed {seed}: only {cases.Count - passing.Count} of {cases.Count} were refused");
    }

    private async Task<(int Status, string? Reason)> ExpectAsync(string[] authorization)
    {
        // HttpClient sends several values of one header as one line, joined with ", " (RFC 9110 5.3).
        var headers = new HeaderDictionary();
        if (authorization.Length > 0)
        {
            headers["Authorization"] = string.Join(", ", authorization);
        }

        var token = AuthorizationHeader.Read(headers, out var scheme, out var present);
        if (token is null)
        {
            return (401, present ? Reasons.Malformed.Code : Reasons.Missing.Code);
        }

        var result = await oracle.Verifier.VerifyAsync(token.Value.ToString(), CancellationToken.None);

        // The DPoP scheme with a verified token bound to no key: no proof can match it (judged before the session).
        // The fuzzed users have version 0 in the store: a valid token that claims a later version is ahead of it.
        return result.Token is { } verified
            ? scheme == AuthorizationScheme.Dpop ? (401, Reasons.DpopKeyMismatch.Code)
            : verified.Version > 0 ? (401, Reasons.UserVersionAhead.Code) : (200, null)
            : (401, result.Reason);
    }

    private static string PathOf(FuzzCase fuzz) => "/api/fuzz/" + fuzz.Index.ToString(CultureInfo.InvariantCulture);

    private static string Describe(FuzzCase fuzz, string problem)
    {
        var values = string.Join(" | ", fuzz.Authorization.Select(v => v.Length > 400 ? v[..400] + $"...({v.Length} chars)" : v));
        return $"#{fuzz.Index} {fuzz.Kind}: {problem}; Authorization: {values}";
    }

    private static int ReadSetting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
