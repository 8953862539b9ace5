namespace StabilityLab.Models;

/// <summary>The syntax tree of a τ rule; immutable, evaluated against named values.</summary>
internal abstract record TauExpression
{
    public abstract double Evaluate(IReadOnlyDictionary<string, double> env);

    public abstract IEnumerable<string> Variables();

    public bool Uses(string name) => Variables().Contains(name);
}

internal sealed record NumberNode(double Value) : TauExpression
{
    public override double Evaluate(IReadOnlyDictionary<string, double> env) => Value;
    public override IEnumerable<string> Variables() => [];
}

internal sealed record VariableNode(string Name) : TauExpression
{
    public override double Evaluate(IReadOnlyDictionary<string, double> env) => env[Name];
    public override IEnumerable<string> Variables() => [Name];
}

internal sealed record UnaryNode(char Op, TauExpression Operand) : TauExpression
{
    public override double Evaluate(IReadOnlyDictionary<string, double> env) =>
        Op == '-' ? -Operand.Evaluate(env) : Operand.Evaluate(env);
    public override IEnumerable<string> Variables() => Operand.Variables();
}

internal sealed record BinaryNode(char Op, TauExpression Left, TauExpression Right) : TauExpression
{
    public override double Evaluate(IReadOnlyDictionary<string, double> env)
    {
        double a = Left.Evaluate(env), b = Right.Evaluate(env);
        return Op switch
        {
            '+' => a + b,
            '-' => a - b,
            '*' => a * b,
            '/' => a / b,
            '^' => Math.Pow(a, b),
            _ => throw new InvalidOperationException($"operator {Op}"),
        };
    }

    public override IEnumerable<string> Variables() => Left.Variables().Concat(Right.Variables());
}

internal sealed record FunctionNode(string Name, TauExpression Argument) : TauExpression
{
    public static readonly IReadOnlyDictionary<string, Func<double, double>> Functions = new Dictionary<string, Func<double, double>>
    {
        ["sqrt"] = Math.Sqrt,
        ["log"] = Math.Log,
        ["ln"] = Math.Log,
        ["log2"] = Math.Log2,
        ["log10"] = Math.Log10,
        ["exp"] = Math.Exp,
        ["abs"] = Math.Abs,
    };

    public override double Evaluate(IReadOnlyDictionary<string, double> env) => Functions[Name](Argument.Evaluate(env));
    public override IEnumerable<string> Variables() => Argument.Variables();
}
