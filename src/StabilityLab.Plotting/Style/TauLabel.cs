using System.Globalization;
using System.Text;
using StabilityLab.Models;

namespace StabilityLab.Plotting.Style;

/// <summary>
/// A τ rule typeset for OxyPlot: the rule with its parameter values substituted (<c>τ = L^{−0.25}</c>,
/// <c>τ = 1/√L</c>), or the family formula with its parameters as symbols (<c>τ = L^{−β}</c>).
/// </summary>
public static class TauLabel
{
    /// <summary>τ = the rule with parameter values substituted, as OxyPlot math text.</summary>
    public static string Of(TauRule rule) => "τ = " + Typeset(rule.Text, rule.Parameters.ToDictionary(p => p.Key, p => p.Value));

    /// <summary>τ = the family formula with its parameters as symbols (β, c, ...).</summary>
    public static string Family(TauRule rule) => "τ = " + Typeset(rule.Text, new Dictionary<string, double>());

    /// <summary>The typeset name of a parameter (beta → β).</summary>
    public static string Symbol(string name) => Greek.TryGetValue(name, out var g) ? g : name;

    private static readonly Dictionary<string, string> Greek = new(StringComparer.Ordinal)
    {
        ["alpha"] = "α", ["beta"] = "β", ["gamma"] = "γ", ["delta"] = "δ", ["epsilon"] = "ε", ["eta"] = "η",
        ["kappa"] = "κ", ["lambda"] = "λ", ["mu"] = "μ", ["nu"] = "ν", ["rho"] = "ρ", ["sigma"] = "σ", ["tau"] = "τ",
        ["theta"] = "θ", ["phi"] = "φ", ["psi"] = "ψ", ["omega"] = "ω",
    };

    /// <summary>Typesets a τ formula: sqrt(x) → √x, a^(b) → a^{b}, - → −, * → ·, Greek names → letters.</summary>
    public static string Typeset(string formula, IReadOnlyDictionary<string, double> values)
    {
        var tokens = Tokenize(formula, values);
        return Render(tokens, 0, tokens.Count);
    }

    private static List<string> Tokenize(string s, IReadOnlyDictionary<string, double> values)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            int start = i;
            if (char.IsDigit(c) || c == '.')
            {
                while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
                if (i < s.Length && (s[i] == 'e' || s[i] == 'E') && i + 1 < s.Length && (char.IsDigit(s[i + 1]) || s[i + 1] is '-' or '+'))
                {
                    i += 2;
                    while (i < s.Length && char.IsDigit(s[i])) i++;
                }
                tokens.Add(s[start..i]);
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                var name = s[start..i];
                if (values.TryGetValue(name, out double v))
                {
                    var num = v.ToString("G4", CultureInfo.InvariantCulture);
                    if (v < 0) tokens.AddRange(["(", "-", num[1..], ")"]);
                    else tokens.Add(num);
                }
                else tokens.Add(name);
            }
            else
            {
                tokens.Add(c.ToString());
                i++;
            }
        }
        return tokens;
    }

    private static int Matching(List<string> t, int open, int end)
    {
        int depth = 0;
        for (int i = open; i < end; i++)
        {
            if (t[i] == "(") depth++;
            else if (t[i] == ")" && --depth == 0) return i;
        }
        return end - 1;
    }

    // One operand after ^ or sqrt: a group, or an optionally signed atom; returns its typeset text and the next index.
    private static (string Text, int Next, bool Simple) Operand(List<string> t, int i, int end)
    {
        if (i >= end) return ("", i, true);
        if (t[i] == "(")
        {
            int close = Matching(t, i, end);
            int inner = close - i - 1;
            return (Render(t, i + 1, close), close + 1, inner == 1);
        }
        if (t[i] == "-" && i + 1 < end)
        {
            var (rest, next, _) = Operand(t, i + 1, end);
            return ("−" + rest, next, false);
        }
        if (t[i] == "sqrt" && i + 1 < end && t[i + 1] == "(")
        {
            var (arg, next, simple) = Operand(t, i + 1, end);
            return (simple ? "√" + arg : "√(" + arg + ")", next, false);
        }
        if (i + 1 < end && t[i + 1] == "(" && char.IsLetter(t[i][0]))
        {
            int close = Matching(t, i + 1, end);
            return (t[i] + "(" + Render(t, i + 2, close) + ")", close + 1, false);
        }
        return (Atom(t[i]), i + 1, true);
    }

    private static string Atom(string tok) => tok switch
    {
        "-" => "−",
        "*" => "·",
        _ => Greek.TryGetValue(tok, out var g) ? g : tok,
    };

    private static string Render(List<string> t, int start, int end)
    {
        var sb = new StringBuilder();
        int i = start;
        while (i < end)
        {
            if (t[i] == "^")
            {
                var (exp, next, _) = Operand(t, i + 1, end);
                sb.Append("^{").Append(exp).Append('}');
                i = next;
            }
            else if (t[i] == "sqrt" && i + 1 < end && t[i + 1] == "(")
            {
                var (arg, next, _) = Operand(t, i, end);
                sb.Append(arg);
                i = next;
            }
            else if (t[i] == "(")
            {
                int close = Matching(t, i, end);
                sb.Append('(').Append(Render(t, i + 1, close)).Append(')');
                i = close + 1;
            }
            else
            {
                sb.Append(Atom(t[i]));
                i++;
            }
        }
        return sb.ToString();
    }
}
