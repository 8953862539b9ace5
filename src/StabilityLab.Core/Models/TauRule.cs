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
        return v;
    }

    /// <summary>τ_1..τ_L for a network of depth L (index 0 holds layer 1).</summary>
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
