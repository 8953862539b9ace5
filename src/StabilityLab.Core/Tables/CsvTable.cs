using System.Globalization;
using System.Text;
using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>
/// A CSV file as a header and rows of text fields (RFC 4180: fields may be quoted, quotes doubled
/// inside, commas and newlines allowed inside quotes). Columns are looked up by name, so extra
/// columns and any column order are tolerated. Problems throw <see cref="SpecException"/>.
/// </summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _index;
    private readonly IReadOnlyList<int> _lines;

    private CsvTable(string source, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, IReadOnlyList<int> lines)
    {
        Source = source;
        Header = header;
        Rows = rows;
        _lines = lines;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Count; i++) _index.TryAdd(header[i], i);
    }

    /// <summary>Where the table came from (a path, or a name given to <see cref="Parse"/>), for messages.</summary>
    public string Source { get; }

    public IReadOnlyList<string> Header { get; }

    /// <summary>Data rows; every row has exactly <see cref="Header"/>.Count fields.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    public bool Has(string column) => _index.ContainsKey(column);

    /// <summary>The position of a column; a missing column throws <see cref="SpecException"/>.</summary>
    public int Column(string name) => _index.TryGetValue(name, out int i)
        ? i
        : throw new SpecException($"{Source} has no column '{name}'");

    public static CsvTable Read(string path)
    {
        if (!File.Exists(path)) throw new SpecException($"file not found: {path}");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException($"cannot read {path}: {e.Message}");
        }
        return Parse(text, path);
    }

    public static CsvTable Parse(string text, string source = "csv")
    {
        var records = Split(text, source);
        if (records.Count == 0 || records[0].Fields.Length == 0 || records[0].Fields.All(string.IsNullOrWhiteSpace))
            throw new SpecException($"{source} is empty (no header line)");
        var header = records[0].Fields.Select(h => h.Trim()).ToArray();
        var dup = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new SpecException($"{source} line 1: column {dup.Key} appears twice");
        var rows = new List<string[]>(records.Count - 1);
        var lines = new List<int>(records.Count - 1);
        for (int r = 1; r < records.Count; r++)
        {
            var (fields, line) = records[r];
            if (fields.Length == 1 && fields[0].Length == 0) continue; // blank line
            if (fields.Length != header.Length)
                throw new SpecException($"{source} line {line}: {fields.Length} fields, the header has {header.Length}");
            rows.Add(fields);
            lines.Add(line);
        }
        return new CsvTable(source, header, rows, lines);
    }

    /// <summary>The fields of one CSV line (text without a line break outside quotes); an unclosed quote throws <see cref="SpecException"/>.</summary>
    public static string[] Fields(string line, string source = "csv")
    {
        var records = Split(line, source);
        return records.Count == 0 ? [""] : records[0].Fields;
    }

    /// <summary>
    /// A number in a field, leniently: empty, unparsable, NaN and ±∞ all read as NaN (callers skip and flag those).
    /// For loose figure data only; the typed readers of the tool's own files check with <see cref="Real"/>.
    /// </summary>
    public static double Number(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : double.NaN;

    /// <summary>The line of the file (1-based, the header is line 1) where data row <paramref name="row"/> starts.</summary>
    public int Line(int row) => _lines[row];

    /// <summary>"FILE line N: column C" for messages about one field.</summary>
    public string Where(int column, int row) => $"{Source} line {Line(row)}: column {Header[column]}";

    /// <summary>An integer field; anything else throws <see cref="SpecException"/> naming the file, line and column.</summary>
    public int Integer(string[] row, int column, int line) =>
        int.TryParse(row[column], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new SpecException($"{Where(column, line)} is not an integer ('{row[column]}')");

    /// <summary>An integer field at least <paramref name="min"/>; else <see cref="SpecException"/>.</summary>
    public int Integer(string[] row, int column, int line, int min)
    {
        int v = Integer(row, column, line);
        return v >= min ? v : throw new SpecException($"{Where(column, line)} is {v}, below {min}");
    }

    /// <summary>
    /// A finite number in [<paramref name="min"/>, <paramref name="max"/>]: empty, unparsable, NaN, ±∞ or out of range
    /// throws <see cref="SpecException"/> naming the file, line and column (data are checked where they are read).
    /// </summary>
    public double Real(string[] row, int column, int line, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        string f = row[column].Trim();
        if (f.Length == 0) throw new SpecException($"{Where(column, line)} is empty");
        if (!double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new SpecException($"{Where(column, line)} is not a number ('{f}')");
        if (double.IsNaN(v)) throw new SpecException($"{Where(column, line)} is NaN");
        if (double.IsInfinity(v)) throw new SpecException($"{Where(column, line)} is {(v > 0 ? "+" : "-")}infinite");
        if (v < min || v > max)
            throw new SpecException(string.Create(CultureInfo.InvariantCulture, $"{Where(column, line)} is {v}, outside [{min}, {max}]"));
        return v;
    }

    /// <summary>As <see cref="Real"/>, but an empty field (not measured, docs/file-formats.md) reads as NaN.</summary>
    public double Optional(string[] row, int column, int line, double min = double.NegativeInfinity, double max = double.PositiveInfinity) =>
        row[column].Trim().Length == 0 ? double.NaN : Real(row, column, line, min, max);

    /// <summary>A 0/1 flag.</summary>
    public bool Flag(string[] row, int column, int line) => Integer(row, column, line) switch
    {
        0 => false,
        1 => true,
        var v => throw new SpecException($"{Where(column, line)} is {v}, not 0 or 1"),
    };

    /// <summary>A block name (post, res1, res3); anything else throws <see cref="SpecException"/> naming the row.</summary>
    public BlockKind Block(string[] row, int column, int line) => Typed(row, column, line, ModelNames.ParseBlock);

    public Activation Activation(string[] row, int column, int line) => Typed(row, column, line, ModelNames.ParseActivation);

    public WeightLaw WeightLaw(string[] row, int column, int line) => Typed(row, column, line, ModelNames.ParseWeightLaw);

    /// <summary>A τ rule as files write it, parameters bound (<see cref="TauRule.ParseBound"/>).</summary>
    public TauRule Rule(string[] row, int column, int line) => Typed(row, column, line, TauRule.ParseBound);

    private T Typed<T>(string[] row, int column, int line, Func<string, T> parse)
    {
        try
        {
            return parse(row[column]);
        }
        catch (SpecException e)
        {
            throw new SpecException($"{Where(column, line)}: {e.Message}");
        }
    }

    private static List<(string[] Fields, int Line)> Split(string text, string source)
    {
        var records = new List<(string[] Fields, int Line)>();
        int lineNo = 1, recordLine = 1;
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, fieldWasQuoted = false;
        int i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF') i = 1;
        for (; i < text.Length; i++)
        {
            char ch = text[i];
            if (quoted)
            {
                if (ch == '\n') lineNo++;
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else field.Append(ch);
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0 && !fieldWasQuoted:
                    quoted = fieldWasQuoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldWasQuoted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldWasQuoted = false;
                    records.Add((fields.ToArray(), recordLine));
                    fields.Clear();
                    recordLine = ++lineNo;
                    break;
                default:
                    field.Append(ch);
                    break;
            }
        }
        if (quoted) throw new SpecException($"{source}: a quoted field is not closed");
        if (field.Length > 0 || fields.Count > 0 || fieldWasQuoted)
        {
            fields.Add(field.ToString());
            records.Add((fields.ToArray(), recordLine));
        }
        return records;
    }
}
