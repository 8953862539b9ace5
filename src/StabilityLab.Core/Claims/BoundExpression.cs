using StabilityLab.Models;

namespace StabilityLab.Claims;

/// <summary>
/// A bound written in the τ-rule grammar over the variables L (depth), tau (τ) and m (width), e.g.
/// <c>L*log(1+2*tau^2)</c>; any other name is refused when the claims file is read.
/// </summary>
public sealed class BoundExpression
{
    private static readonly string[] Allowed = ["L", "tau", "m"];
    private readonly TauExpression _expr;

    public string Text { get; }

    private BoundExpression(string text, TauExpression expr) => (Text, _expr) = (text, expr);

    public static BoundExpression Parse(string text, string where)
    {
        TauExpression e;
        try { e = TauExpressionParser.Parse(text); }
        catch (SpecException ex) { throw new SpecException($"{where}: bound '{text}': {ex.Message}"); }
        var unknown = e.Variables().Where(v => !Allowed.Contains(v)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new SpecException($"{where}: bound '{text}' uses {string.Join(", ", unknown.Select(u => $"'{u}'"))}; a bound may use L, tau and m");
        return new BoundExpression(text, e);
    }

    public double Evaluate(int depth, double tau, int width) =>
        _expr.Evaluate(new Dictionary<string, double> { ["L"] = depth, ["tau"] = tau, ["m"] = width });

    public override string ToString() => Text;
}
