using System.Net;
using Gateway.Testing;
using Gateway.Tokens;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Tokens;

public sealed class IssuerKeysTests
{
    private static readonly TestKey First = TestKey.Es256("first");
    private static readonly TestKey Second = TestKey.Es256("second");

    [Fact]
    public async Task RefreshAsync_SameDocumentAgain_KeepsTheSameSet_SoCachedTokensNeedNoKeyRecheck()
    {
        var served = new Served(JwksDocument.Of(First));
        var keys = Keys(served);
        await keys.RefreshAsync(CancellationToken.None);
        var loaded = keys.Current;

        await keys.RefreshAsync(CancellationToken.None);

        Assert.Same(loaded, keys.Current);
        Assert.Equal(2, served.Fetches);
    }

    [Fact]
    public async Task RefreshAsync_ChangedDocument_SwapsTheSet()
    {
        var served = new Served(JwksDocument.Of(First));
        var keys = Keys(served);
        await keys.RefreshAsync(CancellationToken.None);
        var loaded = keys.Current;

        served.Document = JwksDocument.Of(Second);
        await keys.RefreshAsync(CancellationToken.None);

        Assert.NotSame(loaded, keys.Current);
        Assert.NotEqual(loaded.Version, keys.Current.Version);
        Assert.NotNull(keys.Current.Find("second", "ES256"));
        Assert.Null(keys.Current.Find("first", "ES256"));
    }

    [Fact]
    public async Task RefreshAsync_SameDocumentAfterAFailedFetch_ClearsTheProblem()
    {
        var served = new Served(JwksDocument.Of(First));
        var keys = Keys(served);
        await keys.RefreshAsync(CancellationToken.None);
        served.Fail = true;
        await keys.RefreshAsync(CancellationToken.None);
        Assert.NotNull(keys.Problem);

        served.Fail = false;
        await keys.RefreshAsync(CancellationToken.None);

        Assert.Null(keys.Problem);
    }

    private static IssuerKeys Keys(Served served) =>
        new(new IssuerOptions { Issuer = "https://issuer.example", JwksUri = "https://issuer.example/jwks" }, served, TimeProvider.System, NullLogger.Instance);

    private sealed class Served(string document) : HttpMessageHandler, IHttpClientFactory
    {
        public string Document { get; set; } = document;

        public bool Fail { get; set; }

        public int Fetches { get; private set; }

        public HttpClient CreateClient(string name) => new(this, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Fetches++;
            return Task.FromResult(Fail
                ? new HttpResponseMessage(HttpStatusCode.InternalServerError)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Document) });
        }
    }
}
