using System.Text.Json.Serialization;

namespace Gateway.Sessions;

[JsonSerializable(typeof(RevocationEvent))]
internal sealed partial class RevocationEventJson : JsonSerializerContext;
