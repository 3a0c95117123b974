using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Testing.Attacks;

/// <summary>One generated request: its Authorization header values and the mutation that made it.</summary>
public sealed record FuzzCase(int Index, string Kind, string[] Authorization);

/// <summary>
/// Malformed tokens and Authorization headers derived from valid tokens by a seeded <see cref="Random"/>: the same
/// seed gives the same sequence of mutations (ECDSA signatures themselves are randomised, so a failing case is also
/// printed verbatim). Every value is printable ASCII so it reaches the gateway's code rather than Kestrel's 400.
/// </summary>
public sealed class FuzzCorpus(int seed)
{
    private const string Base64UrlChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private const string NastyChars = "=+/.,; \t\"'\\%~!{}[]:*";
    private static readonly string[] FuzzedClaims = ["exp", "nbf", "iat", "sub", "sid", "jti", "iss", "aud", "ver", "auth_time", "x"];
    private static readonly string[] Algs = ["ES256", "RS256", "HS256", "none", "None", "ES384", "es256", "PS256", "", "ES256 "];
    private static readonly string[] Kids = [AttackKeys.Ec1, AttackKeys.Ec2, AttackKeys.Rsa1, AttackKeys.Hs1, "", "../../dev/null", "' OR 1=1--", "ec1 "];
    private static readonly string[] Types = ["at+jwt", "JWT", "logout+jwt", "AT+JWT", ""];
    private static readonly string[] ExtraHeaders = ["crit", "b64", "jku", "x5u", "x5c", "jwk", "zip", "cty", "x"];
    private static readonly string[] Schemes = ["Bearer", "bearer", "BEARER", "Basic", "Token", "DPoP", "Bearer:", "Bearer,", ""];
    private static readonly string[] Separators = [" ", "  ", "\t", "", " \t"];
    private static readonly string[] Suffixes = ["", ",", " ", " x", "\t", ";", "="];

    private readonly Random _rng = new(seed);
    private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public IEnumerable<FuzzCase> Generate(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (kind, values) = Next();
            yield return new FuzzCase(i, kind, values);
        }
    }

    private (string Kind, string[] Values) Next()
    {
        var valid = ValidToken();
        return _rng.Next(13) switch
        {
            0 => ("char-replace", Bearer(ReplaceChar(valid))),
            1 => ("bit-flip", Bearer(FlipBit(valid))),
            2 => ("truncate", Bearer(valid[.._rng.Next(valid.Length)])),
            3 => ("segments", Bearer(ShuffleSegments(valid))),
            4 => ("random-base64url", Bearer(RandomBase64UrlToken())),
            5 => ("random-printable", Bearer(RandomString(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~", _rng.Next(0, 400)))),
            6 => ("insert-char", Bearer(InsertChar(valid))),
            7 => ("claims-fuzz", Bearer(ClaimsFuzz())),
            8 => ("header-fuzz", Bearer(HeaderFuzz())),
            9 => ("json-text-fuzz", Bearer(JsonTextFuzz())),
            10 => ("signature-fuzz", Bearer(SignatureFuzz(valid))),
            11 => ("authorization-fuzz", AuthorizationFuzz(valid)),
            _ => ("multi-mutation", Bearer(FlipBit(ReplaceChar(InsertChar(valid))))),
        };
    }

    private static string[] Bearer(string token) => ["Bearer " + token];

    private JsonObject Claims()
    {
        var claims = Jose.Claims(_now);
        claims["jti"] = "fz-" + _rng.Next().ToString("x8", CultureInfo.InvariantCulture);
        claims["sub"] = "fuzz-" + _rng.Next(1000).ToString(CultureInfo.InvariantCulture);
        return claims;
    }

    private string ValidToken() => Jose.Sign(Jose.Header(), Claims(), Jose.Legit);

    private string ReplaceChar(string token)
    {
        var i = _rng.Next(token.Length);
        var pool = _rng.Next(4) == 0 ? NastyChars : Base64UrlChars;
        return token[..i] + pool[_rng.Next(pool.Length)] + token[(i + 1)..];
    }

    private string InsertChar(string token)
    {
        var i = _rng.Next(token.Length + 1);
        var pool = _rng.Next(2) == 0 ? NastyChars : Base64UrlChars;
        return token[..i] + pool[_rng.Next(pool.Length)] + token[i..];
    }

    // Flips one bit of one segment's decoded bytes and re-encodes: the token stays strict base64url.
    private string FlipBit(string token)
    {
        var parts = token.Split('.');
        var s = _rng.Next(parts.Length);
        byte[] bytes;
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(parts[s]);
        }
        catch (FormatException)
        {
            return token;
        }

        if (bytes.Length == 0)
        {
            return token;
        }

        bytes[_rng.Next(bytes.Length)] ^= (byte)(1 << _rng.Next(8));
        parts[s] = Jose.B64(bytes);
        return string.Join('.', parts);
    }

    private string ShuffleSegments(string token)
    {
        var parts = token.Split('.').ToList();
        switch (_rng.Next(4))
        {
            case 0:
                _rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(parts));
                break;
            case 1:
                parts.Insert(_rng.Next(parts.Count + 1), parts[_rng.Next(parts.Count)]);
                break;
            case 2:
                parts.RemoveAt(_rng.Next(parts.Count));
                break;
            default:
                parts[_rng.Next(parts.Count)] = "";
                break;
        }

        var dots = new string('.', 1 + (_rng.Next(5) == 0 ? _rng.Next(1, 3) : 0));
        return string.Join(dots, parts);
    }

    private string RandomBase64UrlToken()
    {
        var segments = _rng.Next(0, 7);
        var parts = new string[segments];
        for (var i = 0; i < segments; i++)
        {
            parts[i] = _rng.Next(3) == 0
                ? Jose.B64(RandomBytes(_rng.Next(0, 300)))
                : RandomString(Base64UrlChars, _rng.Next(0, _rng.Next(10) == 0 ? 9000 : 200));
        }

        return string.Join('.', parts);
    }

    private string ClaimsFuzz()
    {
        // Members as raw JSON text, so duplicates and any value can be written.
        var members = Claims().Select(m => (Name: m.Key, Raw: m.Value!.ToJsonString())).ToList();
        var mutations = _rng.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            var name = FuzzedClaims[_rng.Next(FuzzedClaims.Length)];
            switch (_rng.Next(4))
            {
                case 0:
                    members.RemoveAll(x => x.Name == name);
                    break;
                case 1:
                    // Duplicate: the old member stays.
                    members.Add((name, RandomValue(0)));
                    break;
                default:
                    members.RemoveAll(x => x.Name == name);
                    members.Add((name, RandomValue(0)));
                    break;
            }
        }

        if (_rng.Next(8) == 0)
        {
            members.Add(("pad", "\"" + new string('p', _rng.Next(5500, 6500)) + "\""));
        }

        var json = "{" + string.Join(',', members.Select(x => JsonValue.Create(x.Name).ToJsonString() + ":" + x.Raw)) + "}";
        return Jose.Sign(Jose.Header().ToJsonString(), json, Jose.Legit);
    }

    private string HeaderFuzz()
    {
        var alg = _rng.Next(3) == 0 ? Algs[_rng.Next(Algs.Length)] : "ES256";
        var kid = _rng.Next(3) == 0 ? Kids[_rng.Next(Kids.Length)] : AttackKeys.Ec1;
        var typ = _rng.Next(3) == 0 ? Types[_rng.Next(Types.Length)] : AttackKeys.AccessTokenType;
        var header = new StringBuilder("{\"alg\":").Append(JsonValue.Create(alg).ToJsonString());
        if (_rng.Next(6) != 0)
        {
            header.Append(",\"kid\":").Append(JsonValue.Create(kid).ToJsonString());
        }

        if (_rng.Next(6) != 0)
        {
            header.Append(",\"typ\":").Append(JsonValue.Create(typ).ToJsonString());
        }

        for (var extra = _rng.Next(3) == 0 ? _rng.Next(1, 3) : 0; extra > 0; extra--)
        {
            var name = _rng.Next(4) == 0 ? "alg" : ExtraHeaders[_rng.Next(ExtraHeaders.Length)];
            header.Append(",\"").Append(name).Append("\":").Append(RandomValue(0));
        }

        header.Append('}');
        return Jose.Sign(header.ToString(), Claims().ToJsonString(), SignerFor(alg, kid));
    }

    // The signer a legitimate issuer would use for this alg and kid, so header fuzz produces some valid tokens too.
    private static Func<byte[], byte[]> SignerFor(string alg, string kid) => alg switch
    {
        "RS256" => Jose.Rs256(AttackKeys.RsaKey),
        "HS256" => Jose.Hs256(AttackKeys.HmacKey),
        _ when kid == AttackKeys.Ec2 => Jose.Es256(AttackKeys.EcKey2),
        _ => Jose.Legit,
    };

    private string JsonTextFuzz()
    {
        var header = Jose.Header().ToJsonString();
        var payload = Claims().ToJsonString();
        var inHeader = _rng.Next(2) == 0;
        var text = inHeader ? header : payload;
        const string pool = "{}[]\":,\\ 0e-.tnu\u00e9";
        var edits = _rng.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var i = _rng.Next(text.Length);
            text = _rng.Next(3) switch
            {
                0 => text.Remove(i, 1),
                1 => text.Insert(i, pool[_rng.Next(pool.Length)].ToString()),
                _ => text[..i] + pool[_rng.Next(pool.Length)] + text[(i + 1)..],
            };
        }

        return inHeader ? Jose.Sign(text, payload, Jose.Legit) : Jose.Sign(header, text, Jose.Legit);
    }

    private string SignatureFuzz(string token)
    {
        var parts = token.Split('.');
        var realSig = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        byte[] sig = _rng.Next(6) switch
        {
            0 => new byte[64],
            1 => [.. new byte[32], .. realSig[32..]],
            2 => [.. realSig[..32], .. new byte[32]],
            3 => RandomBytes(64),
            4 => RandomBytes(new[] { 0, 1, 32, 63, 65, 72, 128, 256 }[_rng.Next(8)]),
            _ => [.. realSig.Reverse()],
        };
        return parts[0] + "." + parts[1] + "." + Jose.B64(sig);
    }

    private string[] AuthorizationFuzz(string valid)
    {
        var token = _rng.Next(3) == 0 ? ReplaceChar(valid) : valid;
        var value = Schemes[_rng.Next(Schemes.Length)] + Separators[_rng.Next(Separators.Length)] + token + Suffixes[_rng.Next(Suffixes.Length)];
        return _rng.Next(4) switch
        {
            0 => [value, "Bearer " + valid],
            1 => ["Bearer " + valid, value],
            _ => [value],
        };
    }

    private string RandomValue(int depth)
    {
        var choice = _rng.Next(depth > 3 ? 14 : 17);
        return choice switch
        {
            0 => "null",
            1 => _rng.Next(2) == 0 ? "true" : "false",
            2 => _rng.Next().ToString(CultureInfo.InvariantCulture),
            3 => (-_rng.Next()).ToString(CultureInfo.InvariantCulture),
            4 => (_rng.NextDouble() * 1e10).ToString("R", CultureInfo.InvariantCulture),
            5 => new[] { "1e400", "-1e400", "18446744073709551616", "9223372036854775807", "-0", "1.0", "1E3", "0.0000001", "253402300800" }[_rng.Next(9)],
            6 => (_now + _rng.Next(-4000, 4000)).ToString(CultureInfo.InvariantCulture),
            7 => "\"" + (_now + _rng.Next(-4000, 4000)).ToString(CultureInfo.InvariantCulture) + "\"",
            8 => JsonValue.Create(RandomString(" abcXYZ09-_./:\"\\\u00e9", _rng.Next(0, 20))).ToJsonString(),
            9 => JsonValue.Create(AttackKeys.Issuer).ToJsonString(),
            10 => JsonValue.Create(AttackKeys.Audience).ToJsonString(),
            11 => "\"\\u0000\"",
            12 => new string('[', 20) + new string(']', 20),
            13 => "\"" + new string('v', _rng.Next(200, 400)) + "\"",
            14 => "[" + string.Join(',', Enumerable.Range(0, _rng.Next(0, 4)).Select(_ => RandomValue(depth + 1))) + "]",
            15 => "{\"a\":" + RandomValue(depth + 1) + "}",
            _ => "[" + JsonValue.Create(AttackKeys.Audience).ToJsonString() + "," + RandomValue(depth + 1) + "]",
        };
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _rng.NextBytes(bytes);
        return bytes;
    }

    private string RandomString(string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[_rng.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
