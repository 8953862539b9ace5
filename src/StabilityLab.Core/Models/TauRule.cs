using System.Globalization;

namespace StabilityLab.Models;

/// <summary>
/// A residual scale rule τ(L, l): a formula in the depth <c>L</c>, the layer index <c>l</c> (1..L)
/// and optional named parameters (for families such as <c>L^-beta</c>).
/// Examples: <c>0.1</c>, <c>1/L</c>, <c>1/sqrt(L)</c>, <c>0.5*L^-0.5</c>, <c>L^(-1/2+0.2)</c>,
/// and Stable ResNet's per-layer <c>1/sqrt(l*log(l+1)^2)</c>.
/// </summary>
public sealed record TauRule
{
    private readonly TauExpression _expr;
    private readonly IReadOnlyDictionary<string, double> _bindings;

    private TauRule(string text, TauExpression expr, IReadOnlyDictionary<string, double> bindings)
    {
        Text = text;
        _expr = expr;
        _bindings = bindings;
    }

    /// <summary>The rule as the user wrote it (with bound parameters substituted in <see cref="ToString"/>).</summary>
    public string Text { get; }

    /// <summary>True when τ depends on the layer index l.</summary>
    public bool IsPerLayer => _expr.Uses("l");

    /// <summary>Names other than L and l that must be bound before evaluation.</summary>
    public IReadOnlySet<string> FreeParameters =>
        _expr.Variables().Where(v => v != "L" && v != "l" && !_bindings.ContainsKey(v)).ToHashSet();

    /// <summary>Parses a rule; a bad rule throws <see cref="SpecException"/> with a one-line message.</summary>
    public static TauRule Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new SpecException("empty τ rule");
        var expr = TauExpressionParser.Parse(text);
        return new TauRule(text.Trim(), expr, new Dictionary<string, double>());
    }

    /// <summary>
    /// Reads a rule as files write it (<see cref="ToString"/>): the formula, then for a family member its bound
    /// parameters, e.g. <c>L^-beta [beta=0.25]</c>. A bad rule throws <see cref="SpecException"/>.
    /// </summary>
    public static TauRule ParseBound(string text)
    {
        var t = (text ?? "").Trim();
        int open = t.LastIndexOf(" [", StringComparison.Ordinal);
        if (open < 0 || !t.EndsWith(']')) return Parse(t);
        var rule = Parse(t[..open]);
        foreach (var part in t[(open + 2)..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0 || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw new SpecException($"bad τ rule '{t}': parameter '{part}' is not name=value");
            rule = rule.Bind(part[..eq].Trim(), v);
        }
        return rule;
    }

    /// <summary>The bound parameters (name, value), ordered by name; empty for a rule that is not a family member.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Parameters => _bindings.OrderBy(k => k.Key, StringComparer.Ordinal).ToArray();

    /// <summary>True when the rule is one member of a family (a formula with bound parameters, e.g. L^-beta [beta=0.25]).</summary>
    public bool IsFamilyMember => _bindings.Count > 0;

    /// <summary>The family a member belongs to: the formula with its parameters free (the rule itself when it has none).</summary>
    public TauRule Family => new(Text, _expr, new Dictionary<string, double>());

    /// <summary>
    /// The meaning of a rule of the form τ = a·L^e (the same at every layer): evaluated at several depths, so
    /// <c>1/sqrt(L)</c>, <c>L^-0.5</c> and <c>L^-beta [beta=0.5]</c> all give a = 1, e = −1/2. False for a
    /// per-layer rule, a rule with free parameters, or one that is not a power law of L to ~1e-12.
    /// </summary>
    public bool TryPowerLaw(out double constant, out double exponent)
    {
        constant = exponent = double.NaN;
        if (IsPerLayer || FreeParameters.Count > 0) return false;
        int[] depths = [1, 7, 64, 1000];
        double[] logTau = new double[depths.Length];
        for (int i = 0; i < depths.Length; i++)
        {
            double v = Value(depths[i]);
            if (!(v > 0) || !double.IsFinite(v)) return false;
            logTau[i] = Math.Log(v);
        }
        double e = (logTau[^1] - logTau[0]) / Math.Log(depths[^1]);
        for (int i = 1; i < depths.Length - 1; i++)
            if (Math.Abs(logTau[0] + e * Math.Log(depths[i]) - logTau[i]) > 1e-12 * Math.Max(1, Math.Abs(logTau[i]))) return false;
        // Snap to the nearest multiple of 1e-12 so that 1/sqrt(L) and L^-0.5 compare equal.
        exponent = Math.Round(e, 12);
        constant = Math.Exp(logTau[0]);
        return true;
    }

    /// <summary>True when the rule is τ = constant·L^exponent (to 1e-9), whatever its text.</summary>
    public bool IsPowerLaw(double constant, double exponent) =>
        TryPowerLaw(out double a, out double e) && Math.Abs(e - exponent) <= 1e-9 && Math.Abs(a - constant) <= 1e-9 * Math.Max(1, Math.Abs(constant));

    /// <summary>
    /// True when the rule is the member at parameter value c of a one-parameter family τ = a·L^(baseExponent + c):
    /// e.g. <c>L^(-1/2+c) [c=0.1]</c> with baseExponent −1/2 gives c = 0.1, whatever the family is called.
    /// </summary>
    public bool TryExponentFamily(double baseExponent, out double c)
    {
        c = double.NaN;
        if (_bindings.Count != 1 || !TryPowerLaw(out _, out double e)) return false;
        var (name, value) = _bindings.First();
        const double Probe = 0.25;
        TauRule other;
        try
        {
            other = Family.Bind(name, value + Probe);
        }
        catch (SpecException)
        {
            return false;
        }
        if (!other.TryPowerLaw(out _, out double e2)) return false;
        if (Math.Abs(e - (baseExponent + value)) > 1e-9 || Math.Abs(e2 - (baseExponent + value + Probe)) > 1e-9) return false;
        c = value;
        return true;
    }

    /// <summary>A constant rule τ = value.</summary>
    public static TauRule Constant(double value) => Parse(value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Binds a named parameter, e.g. <c>Parse("L^-beta").Bind("beta", 0.5)</c>.</summary>
    public TauRule Bind(string name, double value)
    {
        if (!_expr.Uses(name)) throw new SpecException($"τ rule '{Text}' has no parameter '{name}'");
        if (!double.IsFinite(value)) throw new SpecException($"parameter {name} of τ rule '{Text}' is not finite");
        var b = new Dictionary<string, double>(_bindings) { [name] = value };
        return new TauRule(Text, _expr, b);
    }

    /// <summary>τ at depth L for layer l (1-based). Throws when the value is not positive and finite.</summary>
    public double Evaluate(int depth, int layer)
    {
        var free = FreeParameters;
        if (free.Count > 0) throw new SpecException($"τ rule '{Text}' has unbound parameter(s): {string.Join(", ", free)}");
        var env = new Dictionary<string, double>(_bindings) { ["L"] = depth, ["l"] = layer };
        double v = _expr.Evaluate(env);
        if (!double.IsFinite(v) || v <= 0)
            throw new SpecException($"τ rule '{this}' gives τ = {Fmt(v)} at L={depth}, l={layer}; τ must be positive and finite");
        // The branch variance is τ²·2/m: beyond 1e150 it overflows double precision, and every trial would die of it.
        if (v > MaxTau)
            throw new SpecException($"τ rule '{this}' gives τ = {Fmt(v)} at L={depth}, l={layer}; τ² overflows double precision above τ = {Fmt(MaxTau)}");
        return v;
    }

    // τ(L) of a rule that is the same at every layer, NaN where it is not defined.
    private double Value(int depth)
    {
        var env = new Dictionary<string, double>(_bindings) { ["L"] = depth, ["l"] = 1 };
        return _expr.Evaluate(env);
    }

    /// <summary>τ_1..τ_L for a network of depth L (index 0 holds layer 1).</summary>
    /// <summary>Throws <see cref="SpecException"/> where τ is not positive and finite at some layer of a depth-L network, without building the schedule.</summary>
    public void Check(int depth)
    {
        if (depth < 1) throw new SpecException($"depth must be at least 1 (got {depth})");
        if (!IsPerLayer) { Evaluate(depth, 1); return; }
        for (int l = 1; l <= depth; l++) Evaluate(depth, l);
    }

    /// <summary>The largest τ accepted: τ² (times the weight variance) stays far from double's overflow at 1.8e308.</summary>
    public const double MaxTau = 1e150;

    public double[] Schedule(int depth)
    {
        if (depth < 1) throw new SpecException($"depth must be at least 1 (got {depth})");
        var s = new double[depth];
        if (!IsPerLayer)
        {
            Array.Fill(s, Evaluate(depth, 1));
            return s;
        }
        for (int l = 1; l <= depth; l++) s[l - 1] = Evaluate(depth, l);
        return s;
    }

    public override string ToString()
    {
        if (_bindings.Count == 0) return Text;
        return Text + " [" + string.Join(", ", _bindings.OrderBy(k => k.Key).Select(k => $"{k.Key}={Fmt(k.Value)}")) + "]";
    }

    public bool Equals(TauRule? other) => other is not null && ToString() == other.ToString();

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private static string Fmt(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
