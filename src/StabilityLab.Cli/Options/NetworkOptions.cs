using System.CommandLine;
using StabilityLab.Models;

namespace StabilityLab.Cli.Options;

/// <summary>The options of one network spec in single-value form (one block, width, depth and τ rule).</summary>
public sealed class NetworkOptions(int width = 512, int depth = 100)
{
    public Option<string> Block { get; } = ModelOptions.Block();
    public Option<string> Activation { get; } = ModelOptions.Activation();
    public Option<string> Weights { get; } = ModelOptions.Weights();
    public Option<int> Width { get; } = ModelOptions.Width(width);
    public Option<int> Depth { get; } = ModelOptions.Depth(depth);
    public Option<string> Tau { get; } = ModelOptions.Tau();
    public Option<int> InputDim { get; } = ModelOptions.InputDim();
    public Option<int> OutputDim { get; } = ModelOptions.OutputDim();

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Block, Activation, Weights, Width, Depth, Tau, InputDim, OutputDim }) c.Options.Add(o);
        TauChecks.AtDepths(c, Tau, r => [r.Value(Tau)], r => [r.Value(Depth)]);
    }

    public NetworkSpec Read(ParseResult r) => new(
        width: r.GetValue(Width),
        depth: r.GetValue(Depth),
        tau: TauRule.Parse(r.GetValue(Tau)!),
        block: ModelNames.ParseBlock(r.GetValue(Block)!),
        activation: ModelNames.ParseActivation(r.GetValue(Activation)!),
        weights: ModelNames.ParseWeightLaw(r.GetValue(Weights)!),
        inputDim: r.GetValue(InputDim),
        outputDim: r.GetValue(OutputDim));
}
