using System.Globalization;
using System.Text;

namespace StabilityLab.Torch.Training;

/// <summary>Minimal RFC 4180 CSV: quote a field that holds a comma, quote or line break; parse such lines back.</summary>
internal static class CsvText
{
    public static string Field(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Line(IEnumerable<string> fields) => string.Join(",", fields.Select(Field));

    /// <summary>A finite number in round-trip form; null or non-finite gives the empty field (no NaN or ∞ in files).</summary>
    public static string Num(double? v) => v is double d && double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";

    public static string[] Split(string line)
    {
        var fields = new List<string>();
        var cur = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cur.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cur.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(cur.ToString()); cur.Clear(); }
            else cur.Append(c);
        }
        fields.Add(cur.ToString());
        return fields.ToArray();
    }

    public static double ParseNum(string s) =>
        s.Length == 0 ? double.NaN : double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static double? ParseOptional(string s) => s.Length == 0 ? null : ParseNum(s);
}
