using System.CommandLine;
using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Sweeps;

namespace StabilityLab.Cli.Options;

/// <summary>The options of a grid of cells: lists or ranges of widths and depths, repeatable τ rules and τ-family parameters.</summary>
public static class GridOptions
{
    public static Option<string> Widths() =>
        PositiveIntegers(new Option<string>("--width", "-m") { Description = "widths: a list (256,512) or range (64..1024x2)", DefaultValueFactory = _ => "512" }, "width");

    public static Option<string> Depths(string defaultValue, string description) =>
        PositiveIntegers(new Option<string>("--depth", "-L") { Description = description, DefaultValueFactory = _ => defaultValue }, "depth");

    /// <summary>Repeatable τ rules; with <paramref name="families"/> a rule may name a parameter that --param binds.</summary>
    public static Option<string[]> Taus(string[] defaultValue, string description, bool families = false) =>
        new Option<string[]>("--tau") { Description = description, DefaultValueFactory = _ => defaultValue, AllowMultipleArgumentsPerToken = false }
            .Parses(rules => rules.Select(families ? TauRule.Parse : (Func<string, TauRule>)ModelOptions.ParseTau).ToList());

    public static Option<string[]> Params() =>
        new Option<string[]>("--param") { Description = "values of a τ-family parameter (repeatable): beta=0:1:33 (33 even points), c=0.1,0.2,0.3" };

    /// <summary>The values of a grid option (its validator has accepted them).</summary>
    public static int[] Integers(string text, string what) => GridValues.ParseIntegers(text, what);

    /// <summary>Checks τ at every depth of the grid.</summary>
    public static void CheckTaus(Command command, Option<string[]> taus, Option<string> depths) =>
        TauChecks.AtDepths(command, taus, r => r.Value(taus), r => Integers(r.Value(depths), "depth"));

    private static Option<string> PositiveIntegers(Option<string> option, string what) =>
        option.Check(text =>
        {
            var values = Integers(text, what);
            int bad = values.FirstOrDefault(v => v < 1, 1);
            if (bad < 1) return $"values must be at least 1 (got {bad.ToString(CultureInfo.InvariantCulture)})";
            int big = values.FirstOrDefault(v => v > NetworkSpec.MaxDepth, 0);
            return big > 0 ? $"values must be at most {NetworkSpec.MaxDepth.ToString(CultureInfo.InvariantCulture)} (got {big.ToString(CultureInfo.InvariantCulture)})" : null;
        });
}
