using System.Text.Json.Serialization;

namespace Gateway.Sessions.Rules;

[JsonSerializable(typeof(RevocationRule))]
internal sealed partial class RevocationRuleJson : JsonSerializerContext;
