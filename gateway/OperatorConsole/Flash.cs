namespace Gateway.OperatorConsole;

/// <summary>A one-line message at the top of a console page.</summary>
internal sealed record Flash(string Message, bool Error = false);
