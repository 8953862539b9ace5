using System.Globalization;
using StabilityLab.Models;

namespace StabilityLab.Sweeps;

/// <summary>
/// Parses the value lists of a grid: <c>4,16,64</c>; a geometric range <c>4..4096x2</c>;
/// an arithmetic range <c>10..100+10</c>; an even grid of n points <c>0:1:33</c> (ends included).
/// </summary>
public static class GridValues
{
    /// <summary>The most values one list may expand to (a range that would build more is refused before it is built).</summary>
    public const int MaxValues = 1_000_000;

    public static int[] ParseIntegers(string text, string what)
    {
        var values = ParseNumbers(text, what);
        var ints = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (v != Math.Round(v) || v > int.MaxValue || v < int.MinValue)
                throw new SpecException($"{what} must be whole numbers (got {Fmt(v)})");
            ints[i] = (int)v;
        }
        return ints;
    }

    public static double[] ParseNumbers(string text, string what)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new SpecException($"empty {what} list");
        var result = new List<double>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0) throw new SpecException($"empty item in {what} list '{text}'");
            if (raw.Contains(".."))
                result.AddRange(Range(raw, what));
            else if (raw.Contains(':'))
                result.AddRange(Even(raw, what));
            else
                result.Add(Number(raw, what));
        }
        return result.ToArray();
    }

    private static IEnumerable<double> Range(string raw, string what)
    {
        var parts = raw.Split("..");
        if (parts.Length != 2) throw new SpecException($"bad {what} range '{raw}' (expected a..bxF or a..b+S)");
        double a = Number(parts[0], what);
        string rest = parts[1];
        int xi = rest.IndexOfAny(['x', '*']);
        int pi = rest.IndexOf('+');
        if (xi > 0)
        {
            double b = Number(rest[..xi], what), f = Number(rest[(xi + 1)..], what);
            if (!(f > 1)) throw new SpecException($"{what} range '{raw}': factor must be above 1");
            if (!(a > 0) || b < a) throw new SpecException($"{what} range '{raw}': need 0 < start ≤ end");
            var values = new List<double>();
            for (double v = a; v <= b * (1 + 1e-12); v *= f)
            {
                values.Add(Math.Round(v, 12));
                if (values.Count > MaxValues) throw new SpecException($"{what} range '{raw}' has more than {MaxValues} values");
            }
            return values;
        }
        if (pi > 0)
        {
            double b = Number(rest[..pi], what), s = Number(rest[(pi + 1)..], what);
            if (!(s > 0)) throw new SpecException($"{what} range '{raw}': step must be positive");
            if (b < a) throw new SpecException($"{what} range '{raw}': end is below start");
            double count = Math.Floor((b - a) / s + 1e-9) + 1;
            if (count > MaxValues) throw new SpecException($"{what} range '{raw}' has {count:G3} values; at most {MaxValues}");
            int n = (int)count;
            return Enumerable.Range(0, n).Select(i => a + i * s);
        }
        throw new SpecException($"bad {what} range '{raw}' (expected a..bxF for ×F steps or a..b+S for +S steps)");
    }

    private static IEnumerable<double> Even(string raw, string what)
    {
        var parts = raw.Split(':');
        if (parts.Length != 3) throw new SpecException($"bad {what} grid '{raw}' (expected start:end:count)");
        double a = Number(parts[0], what), b = Number(parts[1], what), n = Number(parts[2], what);
        if (n < 1 || n != Math.Round(n)) throw new SpecException($"{what} grid '{raw}': count must be a whole number ≥ 1");
        if (n > MaxValues) throw new SpecException($"{what} grid '{raw}' has {n:G3} values; at most {MaxValues}");
        if (n == 1) return [a];
        return Enumerable.Range(0, (int)n).Select(i => i == n - 1 ? b : a + (b - a) * i / (n - 1));
    }

    private static double Number(string s, string what)
    {
        if (!double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new SpecException($"bad number '{s.Trim()}' in {what}");
        return v;
    }

    private static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
