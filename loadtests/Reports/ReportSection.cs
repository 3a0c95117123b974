namespace LoadTests.Reports;

/// <summary>
/// An extra table of a report (e.g. the peers comparison), shown after the comparison in the console, Markdown and
/// HTML reports and written as its own CSV file.
/// </summary>
internal sealed record ReportSection(string Title, string CsvFileName, IReadOnlyList<string> Header)
{
    public List<string[]> Rows { get; } = [];

    public List<string> Notes { get; } = [];
}
