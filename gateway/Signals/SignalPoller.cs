using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Signals;

/// <summary>
/// RFC 8936 poll delivery: for every transmitter with a <c>PollEndpoint</c>, POSTs
/// <c>{"maxEvents":N,"returnImmediately":true,"ack":[...],"setErrs":{...}}</c> and processes the returned
/// <c>sets</c>. Accepted SETs are acknowledged in the next poll, refused ones reported in <c>setErrs</c>; a SET that
/// could not be applied because the session store is unreachable is neither, so the transmitter delivers it again.
/// Polls again at once while <c>moreAvailable</c> or acknowledgements are pending, else after <c>PollInterval</c>.
/// </summary>
internal sealed partial class SignalPoller : BackgroundService
{
    public const string HttpClientName = "Gateway.Signals";

    private readonly SetVerifier _verifier;
    private readonly SignalProcessor _processor;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly ILogger<SignalPoller> _logger;

    public SignalPoller(SetVerifier verifier, SignalProcessor processor, IHttpClientFactory http, TimeProvider time, ILogger<SignalPoller> logger)
    {
        _verifier = verifier;
        _processor = processor;
        _http = http;
        _time = time;
        _logger = logger;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_verifier.Transmitters.Where(t => t.Options.PollEndpoint is not null).Select(t => PollLoopAsync(t, stoppingToken)));

    private async Task PollLoopAsync(Transmitter transmitter, CancellationToken stoppingToken)
    {
        var acks = new List<string>();
        var errors = new Dictionary<string, (string Err, string Description)>(StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            var again = false;
            try
            {
                var (sets, more) = await PollAsync(transmitter, acks, errors, stoppingToken);
                acks.Clear();
                errors.Clear();
                var retry = false;
                foreach (var (jti, set) in sets)
                {
                    var outcome = await _processor.ProcessAsync(set, "poll", stoppingToken);
                    switch (outcome.Status)
                    {
                        case SignalStatus.Accepted:
                            acks.Add(jti);
                            break;
                        case SignalStatus.Refused:
                            errors[jti] = (outcome.Error!, outcome.Description!);
                            break;
                        default:
                            retry = true;
                            break;
                    }
                }

                // While the store is down, wait the interval: unacknowledged SETs come back with a later poll.
                again = !retry && (more || acks.Count > 0 || errors.Count > 0);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException or InvalidOperationException or FormatException)
            {
                // The acknowledgements are kept and sent with the next successful poll.
                Log.PollFailed(_logger, transmitter.Issuer, ex.GetType().Name);
            }

            if (!again)
            {
                try
                {
                    await Task.Delay(transmitter.Options.PollInterval, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<(List<(string Jti, string Set)> Sets, bool More)> PollAsync(Transmitter transmitter, List<string> acks,
        Dictionary<string, (string Err, string Description)> errors, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["maxEvents"] = transmitter.Options.MaxEvents,
            ["returnImmediately"] = true,
            ["ack"] = new JsonArray([.. acks.Select(a => (JsonNode?)JsonValue.Create(a))]),
        };
        if (errors.Count > 0)
        {
            var setErrs = new JsonObject();
            foreach (var (jti, (err, description)) in errors)
            {
                setErrs[jti] = new JsonObject { ["err"] = err, ["description"] = description };
            }

            body["setErrs"] = setErrs;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, transmitter.Options.PollEndpoint) { Content = JsonContent.Create(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (transmitter.Options.PollAuthorization is { Length: > 0 } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await _http.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), default, cancellationToken);
        var root = document.RootElement;
        var sets = new List<(string, string)>();
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("sets", out var setsElement) && setsElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in setsElement.EnumerateObject())
            {
                if (member.Value.ValueKind == JsonValueKind.String)
                {
                    sets.Add((member.Name, member.Value.GetString()!));
                }
            }
        }

        var more = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("moreAvailable", out var m) && m.ValueKind == JsonValueKind.True;
        return (sets, more);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SignalPollFailed, Level = LogLevel.Warning, Message = "Shared Signals poll of {Issuer} failed ({ErrorType}); retrying after the poll interval")]
        public static partial void PollFailed(ILogger logger, string issuer, string errorType);
    }
}
