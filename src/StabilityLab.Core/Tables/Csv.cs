using System.Globalization;

namespace StabilityLab.Tables;

/// <summary>
/// The one CSV field writer of the tool (RFC 4180, docs/file-formats.md): a text field is quoted when it holds a
/// comma, quote or line break, with quotes doubled; numbers in round-trip form. <see cref="CsvTable"/> reads
/// what this writes.
/// </summary>
public static class Csv
{
    public static string Field(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Fields already formatted, quoted as needed and joined by commas (no line break).</summary>
    public static string Line(IEnumerable<string> fields) => string.Join(",", fields.Select(Field));

    /// <summary>A finite number in round-trip form; NaN or ±∞ reaching a file is a bug and throws.</summary>
    public static string Number(double v) => double.IsFinite(v)
        ? v.ToString("R", CultureInfo.InvariantCulture)
        : throw new InvalidOperationException($"non-finite value ({v}) would reach an output file");

    /// <summary>A number that may be missing: null or non-finite gives the empty field (no NaN or ∞ in files).</summary>
    public static string Optional(double? v) => v is double d && double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";

    public static string Integer(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>One value as a field: null → empty, text quoted as needed, doubles by <see cref="Number"/>, other numbers invariant.</summary>
    public static string Value(object? v) => v switch
    {
        null => "",
        string s => Field(s),
        double d => Number(d),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Field(v.ToString() ?? ""),
    };

    /// <summary>A whole file: header line, then one line per row, each ending in \n.</summary>
    public static string File(IEnumerable<string> header, IEnumerable<string> rows) =>
        string.Join(",", header) + "\n" + string.Concat(rows.Select(r => r + "\n"));
}
