using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using LoadTests.Engine;
using LoadTests.Http;
using LoadTests.Tokens;

namespace LoadTests.Scenarios;

/// <summary>The load scenarios of issue 4 and 6. Each builds an engine <see cref="Scenario"/> for one target.</summary>
internal static class ScenarioCatalog
{
    public const string ReusedTokens = "reused-tokens";
    public const string UniqueTokens = "unique-tokens";
    public const string InvalidFlood = "invalid-flood";
    public const string RevocationStorm = "revocation-storm";
    public const string RevocationLag = "revocation-lag";
    public const string Memory = "memory";
    public const string DpopTokens = "dpop-tokens";

    /// <summary>The metric a pooled scenario's round gets: how many pool entries it sent a second time.</summary>
    public const string SentAgainMetric = "pool entries sent again";

    public static readonly string[] RevokedReasons = ["token_revoked", "session_revoked", "user_version_stale"];

    /// <summary>Each copy keeps its own token (the normal case: a verified token is reused).</summary>
    public static Scenario Reused(LoadTarget target, ILoadClient client, string[] authorizations, ScenarioSettings settings, string name = ReusedTokens)
    {
        var uri = new Uri(target.Url, settings.Path);
        return new Scenario(name, ctx => client.GetAsync(uri, authorizations[ctx.CopyId % authorizations.Length], null, ctx.CancellationToken))
        {
            Target = target.Name,
            WarmUp = settings.WarmUp,
            Simulations = settings.Simulations,
            Monitor = target.Monitor,
            MeasureAllocations = settings.MeasureAllocations,
            ExternalCounters = target.Counters,
        };
    }

    /// <summary>
    /// Reused DPoP-bound tokens, each request with a fresh proof from <paramref name="pool"/> (pre-made, so signing
    /// does not load the generator while measuring): the gateway verifies one proof signature and makes one replay
    /// check per request.
    /// </summary>
    public static Scenario Dpop(LoadTarget target, ILoadClient client, DpopPool pool, ScenarioSettings settings, string name = DpopTokens)
    {
        var uri = new Uri(target.Url, settings.Path);
        return Pooled(name, target, settings, pool.Size, () => pool.Reused, "dpop pool size",
            "the pre-made DPoP pool ran dry: {0:N0} proofs were sent a second time (refused as replays); raise --dpop-pool",
            ctx =>
            {
                var (authorization, proof) = pool.Next();
                return client.GetAsync(uri, authorization, proof, ctx.CancellationToken);
            });
    }

    /// <summary>A new token on every request, pre-minted so minting does not load the generator while measuring.</summary>
    public static Scenario Unique(LoadTarget target, ILoadClient client, TokenPool pool, ScenarioSettings settings, string name = UniqueTokens)
    {
        var uri = new Uri(target.Url, settings.Path);
        return Pooled(name, target, settings, pool.Size, () => pool.Reused, "token pool size",
            "the pre-minted pool ran dry: {0:N0} tokens were sent a second time (cache hits); raise --unique-pool (--peer-pool for the peers check)",
            ctx => client.GetAsync(uri, pool.Next(), null, ctx.CancellationToken));
    }

    // A scenario drawing every request from a pre-made pool, noting in the report when the pool ran dry during the run.
    private static Scenario Pooled(string name, LoadTarget target, ScenarioSettings settings, int size, Func<long> reused, string sizeMetric, string dryNote,
        Func<ScenarioContext, ValueTask<Response>> body)
    {
        var reusedBefore = reused();
        return new Scenario(name, body)
        {
            Target = target.Name,
            WarmUp = settings.WarmUp,
            Simulations = settings.Simulations,
            Monitor = target.Monitor,
            ExternalCounters = target.Counters,
            Clean = (result, _) =>
            {
                result.Metrics[sizeMetric] = size;
                // Only the gateway's rounds count: bare YARP verifies nothing, so a token sent again costs it the same.
                var sentAgain = target.ChecksTokens ? reused() - reusedBefore : 0;
                result.Metrics[SentAgainMetric] = sentAgain;
                if (sentAgain > 0)
                {
                    result.Notes.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, dryNote, sentAgain));
                }

                return Task.CompletedTask;
            },
        };
    }

    /// <summary>
    /// Garbage, bad signatures (right kid, wrong key), unknown kids, alg none and expired tokens. Against the gateway a
    /// 401 is the expected (ok) answer; against the bare baseline everything is forwarded, so 2xx is ok there.
    /// </summary>
    public static Scenario Invalid(LoadTarget target, HttpClient client, string[] badAuthorizations, ScenarioSettings settings)
    {
        var uri = new Uri(target.Url, settings.Path);
        Func<HttpResponseMessage, bool> isOk = target.ChecksTokens
            ? r => r.StatusCode == HttpStatusCode.Unauthorized
            : r => r.IsSuccessStatusCode;
        return new Scenario(InvalidFlood, ctx =>
        {
            // One step per kind of bad token, so the report shows which kinds are expensive to refuse.
            var i = ctx.Random.Next(badAuthorizations.Length);
            return ctx.StepAsync(BadKinds[i % BadKinds.Length], () => LoadClient.GetAsync(client, uri, badAuthorizations[i], ctx.CancellationToken, isOk));
        })
        {
            Target = target.Name,
            WarmUp = settings.WarmUp,
            Simulations = settings.Simulations,
            Monitor = target.Monitor,
            ExternalCounters = target.Counters,
        };
    }

    /// <summary>The kinds of bad token, in the order <see cref="BadAuthorizations"/> interleaves them.</summary>
    public static readonly string[] BadKinds = ["garbage", "bad signature", "unknown kid", "alg none", "expired (signed)"];

    /// <summary>The bad tokens of <see cref="Invalid"/>: a fifth each of garbage, bad signature, unknown kid, alg none, expired.</summary>
    public static string[] BadAuthorizations(SigningKey key, string issuer, string audience, int count)
    {
        var wrongKey = SigningKey.Generate(key.Kid);
        using var forged = new TokenMinter(wrongKey, issuer, audience);
        using var unknownKid = new TokenMinter(SigningKey.Generate("unknown-kid"), issuer, audience);
        using var genuine = new TokenMinter(key, issuer, audience);
        var now = TokenMinter.Now;
        var result = new string[count];
        Parallel.For(0, count, i =>
        {
            var claims = new TokenClaims($"flood-{i}", $"fs-{i}", $"fj-{i}", now, now + 3600);
            result[i] = "Bearer " + (i % 5) switch
            {
                0 => Garbage(i),
                1 => forged.Mint(claims),
                2 => unknownKid.Mint(claims),
                3 => "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + genuine.Mint(claims).Split('.')[1] + ".",
                _ => genuine.Mint(claims with { IssuedAt = now - 7200, Expires = now - 3600 }),
            };
        });
        return result;
    }

    private static string Garbage(int i) => (i % 3) switch
    {
        0 => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)).Replace('/', '_').Replace('+', '-'),
        1 => $"{Convert.ToHexString(RandomNumberGenerator.GetBytes(12))}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(24))}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(16))}",
        _ => "eyJhbGciOiJFUzI1NiJ9.e30." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)).TrimEnd('=').Replace('/', '_').Replace('+', '-'),
    };

    /// <summary>
    /// Load with a pool of users while revocations go through the admin API. A request sent after its token's
    /// revocation call returned must be refused; one that gets through is a violation. Returns the load scenario and
    /// the revoker, to run together.
    /// </summary>
    public static (Scenario Load, Scenario Revoker, StormState State) Storm(LoadTarget target, HttpClient client, TokenMinter minter, int users,
        int revocationsPerSecond, ScenarioSettings settings, string runId)
    {
        var admin = target.Admin ?? throw new InvalidOperationException("revocation-storm needs the gateway's admin API (--admin and --api-key)");
        var state = StormState.Create(minter, users, runId);
        var uri = new Uri(target.Url, settings.Path);
        var load = new Scenario(RevocationStorm, async ctx =>
        {
            var i = ctx.Random.Next(state.Users.Length);
            var revokedBefore = Volatile.Read(ref state.RevokedAt[i]) != 0;
            return await ctx.StepAsync(revokedBefore ? "revoked token" : "live token", async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.TryAddWithoutValidation("Authorization", state.Authorizations[i]);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.CancellationToken);
                var bytes = await LoadClient.DrainAsync(response, ctx.CancellationToken);
                var status = (int)response.StatusCode;
                if (revokedBefore)
                {
                    if (response.IsSuccessStatusCode)
                    {
                        ctx.Counters.Increment("violations (revoked token let through)");
                        return Response.Fail(status, bytes, "revoked token let through");
                    }

                    var refused = status == 401 && RevokedReasons.Contains(LoadClient.ChallengeReason(response));
                    return refused ? Response.Ok(status, bytes) : Response.Fail(status, bytes);
                }

                if (response.IsSuccessStatusCode)
                {
                    return Response.Ok(status, bytes);
                }

                // Refused while its revocation was in flight: fine. Refused while live: a false refusal.
                if (status == 401 && Volatile.Read(ref state.RevokedAt[i]) != 0)
                {
                    return Response.Ok(status, bytes);
                }

                ctx.Counters.Increment(status == 503 ? "session store unavailable (503)" : "live tokens refused");
                return Response.Fail(status, bytes);
            });
        })
        {
            Target = target.Name,
            WarmUp = settings.WarmUp,
            Simulations = settings.Simulations,
            Monitor = target.Monitor,
            ExternalCounters = target.Counters,
        };

        var during = settings.Simulations.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.During);
        var revoker = new Scenario(RevocationStorm + ".admin", async ctx =>
        {
            var k = Interlocked.Increment(ref state.NextToRevoke) - 1;
            if (k >= state.Order.Length)
            {
                return Response.Ok(0);
            }

            var i = state.Order[k];
            var claims = state.Users[i];
            var kind = (RevocationKind)(k % 3);
            var status = await admin.RevokeAsync(kind, claims.Sub, claims.Sid!, claims.Jti, claims.Expires, ctx.CancellationToken);
            if (status is >= 200 and < 300)
            {
                Volatile.Write(ref state.RevokedAt[i], Stopwatch.GetTimestamp());
                ctx.Counters.Increment("revocations published (warm-up included)");
                return Response.Ok(status);
            }

            return Response.Fail(status);
        })
        {
            Target = target.Name,
            WarmUp = settings.WarmUp,
            Simulations = [new Inject(revocationsPerSecond, TimeSpan.FromSeconds(1), during)],
        };
        return (load, revoker, state);
    }

    /// <summary>
    /// Two instances on one Redis: warm a user's token on instance 2, revoke it through instance 1's admin API, then
    /// poll instance 2 until it refuses. The "until instance 2 refuses" step's latency is the lag (from the admin
    /// call's return; it includes one request's round trip).
    /// </summary>
    public static Scenario Lag(LoadTarget first, LoadTarget second, HttpClient client, TokenMinter minter, ScenarioSettings settings, string runId,
        TimeSpan timeout)
    {
        var admin = first.Admin ?? throw new InvalidOperationException("revocation-lag needs instance 1's admin API");
        var uri = new Uri(second.Url, settings.Path);
        return new Scenario(RevocationLag, async ctx =>
        {
            var k = ctx.InvocationNumber;
            var now = TokenMinter.Now;
            var claims = new TokenClaims($"lag-{runId}-{k}", $"ls-{k}", $"lj-{k}", now - 1, now + 3600);
            var authorization = "Bearer " + minter.Mint(claims);
            var warm = await ctx.StepAsync("warm on instance 2", async () =>
            {
                var r = await LoadClient.GetAsync(client, uri, authorization, ctx.CancellationToken);
                return r.IsOk ? await LoadClient.GetAsync(client, uri, authorization, ctx.CancellationToken) : r;
            });
            if (!warm.IsOk)
            {
                return warm;
            }

            var kind = (RevocationKind)(k % 3);
            var revoked = await ctx.StepAsync("revoke on instance 1", async () =>
            {
                var status = await admin.RevokeAsync(kind, claims.Sub, claims.Sid!, claims.Jti, claims.Expires, ctx.CancellationToken);
                return status is >= 200 and < 300 ? Response.Ok(status) : Response.Fail(status);
            });
            if (!revoked.IsOk)
            {
                return revoked;
            }

            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            return await ctx.StepAsync("until instance 2 refuses", async () =>
            {
                var polls = 0;
                while (true)
                {
                    polls++;
                    var r = await LoadClient.GetAsync(client, uri, authorization, ctx.CancellationToken, m => m.StatusCode == HttpStatusCode.Unauthorized);
                    if (r.IsOk)
                    {
                        if (polls == 1)
                        {
                            ctx.Counters.Increment("refused on the first poll");
                        }

                        return r;
                    }

                    if (Stopwatch.GetTimestamp() > deadline)
                    {
                        ctx.Counters.Increment("never refused within the timeout");
                        return Response.Fail(r.StatusCode, r.Bytes, "not refused in time");
                    }
                }
            });
        })
        {
            Target = second.Name,
            WarmUp = settings.WarmUp,
            Simulations = settings.Simulations,
            Monitor = [.. first.Monitor, .. second.Monitor],
            ExternalCounters = first.Counters,
        };
    }

    /// <summary>Distinct valid tokens (distinct users too) minted on the fly until <paramref name="count"/> were sent.</summary>
    public static Scenario DistinctTokens(LoadTarget target, HttpClient client, TokenMinter minter, long count, int copies, string runId, string path)
    {
        var uri = new Uri(target.Url, path);
        long sent = 0;
        var now = TokenMinter.Now;
        return new Scenario(Memory, async ctx =>
        {
            var k = Interlocked.Increment(ref sent);
            if (k > count)
            {
                ctx.StopScenario();
                return Response.Ok(0);
            }

            var token = minter.Mint(new TokenClaims(DenylistSeed.Subject(runId, k), $"ms-{k}", $"mj-{k}", now, now + 3600));
            return await LoadClient.GetAsync(client, uri, "Bearer " + token, ctx.CancellationToken);
        })
        {
            Target = target.Name,
            WarmUp = TimeSpan.Zero,
            Simulations = [new KeepConstant(copies, TimeSpan.FromHours(2))],
            Monitor = target.Monitor,
            ExternalCounters = target.Counters,
            Clean = (result, _) =>
            {
                result.Metrics["distinct tokens sent"] = Math.Min(count, Interlocked.Read(ref sent));
                return Task.CompletedTask;
            },
        };
    }

    public static string NewRunId() => DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
}

/// <summary>The users of a revocation storm and when each one's revocation was published (Stopwatch ticks; 0: live).</summary>
internal sealed class StormState
{
    public required TokenClaims[] Users { get; init; }

    public required string[] Authorizations { get; init; }

    public required int[] Order { get; init; }

    public required long[] RevokedAt { get; init; }

    public int NextToRevoke;

    public static StormState Create(TokenMinter minter, int users, string runId)
    {
        var now = TokenMinter.Now;
        var claims = Enumerable.Range(0, users).Select(i => new TokenClaims($"storm-{runId}-{i}", $"ss-{i}", $"sj-{i}", now - 5, now + 3600)).ToArray();
        var order = Enumerable.Range(0, users).ToArray();
        Random.Shared.Shuffle(order);
        return new StormState
        {
            Users = claims,
            Authorizations = minter.MintMany(users, i => claims[i], "Bearer "),
            Order = order,
            RevokedAt = new long[users],
        };
    }
}
