using System.CommandLine;
using StabilityLab.Models;

namespace StabilityLab.Cli.Options;

/// <summary>The options that describe a network (docs/science.md §1), each declared once with its check.</summary>
public static class ModelOptions
{
    /// <summary>One block; <paramref name="trained"/> also accepts post-bn (BatchNorm in the branch), which only the trainer interprets.</summary>
    public static Option<string> Block(bool trained = false) =>
        new Option<string>("--block")
        {
            Description = trained ? "residual block: post (the paper's), res1, res3, post-bn (post with BatchNorm in the branch)" : "residual block: post (the paper's), res1, res3",
            DefaultValueFactory = _ => "post",
        }.Parses(v => trained ? ModelNames.ParseBlock(v) : Sampled(ModelNames.ParseBlock(v)));

    /// <summary>Several blocks, comma-separated (a sweep's grid).</summary>
    public static Option<string> Blocks() =>
        new Option<string>("--block") { Description = "blocks, comma-separated: post, res1, res3", DefaultValueFactory = _ => "post" }
            .Parses(v => SplitBlocks(v).Select(b => Sampled(ModelNames.ParseBlock(b))).ToList());

    private static BlockKind Sampled(BlockKind b)
    {
        b.RequireSampled();
        return b;
    }

    public static Option<string> Activation() =>
        new Option<string>("--activation") { Description = "φ: relu, tanh, identity", DefaultValueFactory = _ => "relu" }
            .Parses(ModelNames.ParseActivation);

    public static Option<string> Weights() =>
        new Option<string>("--weights") { Description = "weight law: gaussian, uniform (same variance)", DefaultValueFactory = _ => "gaussian" }
            .Parses(ModelNames.ParseWeightLaw);

    public static Option<int> Width(int defaultValue, string description = "width m") =>
        new Option<int>("--width", "-m") { Description = description, DefaultValueFactory = _ => defaultValue }.AtLeast(1);

    public static Option<int> Depth(int defaultValue, string description = "number of residual blocks L") =>
        new Option<int>("--depth", "-L") { Description = description, DefaultValueFactory = _ => defaultValue }.AtLeast(1);

    /// <summary>One τ rule; whether it is positive at the chosen depth is checked by <see cref="TauChecks"/>.</summary>
    public static Option<string> Tau(string defaultValue = "1/sqrt(L)",
        string description = "τ rule, e.g. 0.1, 1/L, 1/sqrt(L), 0.5*L^-0.5, L^(-1/2+0.2), 1/sqrt(l*log(l+1)^2)") =>
        new Option<string>("--tau") { Description = description, DefaultValueFactory = _ => defaultValue }.Parses(ParseTau);

    /// <summary>A τ rule in L and l only: outside a sweep there is no --param to bind a family's parameter.</summary>
    public static TauRule ParseTau(string text)
    {
        var rule = TauRule.Parse(text);
        return rule.FreeParameters.Count == 0 ? rule
            : throw new SpecException($"τ rule '{text}' uses unknown name(s) {string.Join(", ", rule.FreeParameters)} (only L and l, and numbers, are allowed here)");
    }

    public static Option<int> InputDim(int defaultValue = 10, string description = "input dimension p") =>
        new Option<int>("--input-dim") { Description = description, DefaultValueFactory = _ => defaultValue }.AtLeast(1);

    public static Option<int> OutputDim(string description = "output dimension d") =>
        new Option<int>("--output-dim") { Description = description, DefaultValueFactory = _ => 1 }.AtLeast(1);

    public static string[] SplitBlocks(string text) => text.Split(',', StringSplitOptions.TrimEntries);
}
