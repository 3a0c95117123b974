namespace LoadTests.Commands;

internal static class Usage
{
    public static int Print(string command)
    {
        if (command != "help")
        {
            Console.Error.WriteLine($"unknown command '{command}'");
        }

        Console.WriteLine("""
            loadtests: the gateway's load-test tool (NBomber's model: scenarios, load simulations, HdrHistogram reports)

              dotnet run --project loadtests -c Release -- <command> [options]

              compare [--quick] [--duration 20s] [--warmup 5s] [--rounds 2] [--copies 32] [--open 50,70,90]
                      [--memory-tokens 1000000] [--memory-denylist N] [--peer-rounds 3] [--peer-denylist 10000] [--peer-pool 1500000] [--dpop-pool 600000]
                      [--only a,b] [--skip a,b] [--gateway-dll PATH] [--calibrate] [--steal-limit 10] [--threshold EXPR]... [--reports DIR]
                  Starts a backend, redis-server, the gateway (Release) and bare YARP on loopback, alternates baseline and
                  gateway runs, prints ratios, writes reports to loadtests/reports/<timestamp>/. Checks: dpop-tokens, open,
                  unique-tokens, peers (HAProxy jwt_verify and YARP + JwtBearer + Redis beside them, when installed),
                  invalid-flood, revocation-storm, revocation-lag, memory (reused-tokens always runs). --calibrate: a second
                  bare YARP in the gateway's place (reused-tokens and open only), to see the machine's noise alone.
                  Verdicts are medians over baseline/gateway pairs, with a 95 % interval from 6 pairs on; a pair in which the
                  host took more than --steal-limit % of the CPU is left out.
              run --target URL (--key JWK [--issuer ISS] [--audience AUD] | --tokens FILE) [--scenario NAME]...
                  [--copies 32 | --rate R] [--ramp-up 10s] [--duration 30s] [--warmup 5s] [--path /api/items]
                  [--admin URL --api-key KEY] [--target2 URL] [--pid N] [--count N] [--bare] [--threshold EXPR]...
                  Scenarios: reused-tokens, unique-tokens, invalid-flood, revocation-storm, revocation-lag, memory.
              soak [--duration 10m] [--copies 16] [--users 20000] [--revocations 5] [--redis-outage 5s]
              mint --new-key FILE | mint --key FILE [--jwks] [--count N] [--sub PREFIX] [--ttl 1h] [--issuer ISS] [--audience AUD] [--out FILE]
              backend [--urls http://127.0.0.1:5000]                       a fast echo backend
              baseline [--urls http://127.0.0.1:8090] [--backend URL]      bare YARP with the gateway's routes, no token checks
              allocs --pid N [--seconds 10] [--requests N] [--top 25]      what a running .NET process allocates, by type (EventPipe)
              selftest                                                     checks the open-model schedule, the statistics and the lean HTTP client

              Thresholds: [scenario:]metric<op>value, e.g. "p99<5" "fail%<1" "reused-tokens:rps>5000"; a broken one exits 3.
            """);
        return command == "help" ? 0 : 2;
    }
}
