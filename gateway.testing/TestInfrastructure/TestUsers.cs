using Gateway.Sessions;

namespace Gateway.Testing;

/// <summary>Users of the store and cache tests: state is per (issuer, subject).</summary>
public static class TestUsers
{
    public const string Issuer = "https://issuer.test";

    public static UserKey U(string sub) => new(Issuer, sub);
}
