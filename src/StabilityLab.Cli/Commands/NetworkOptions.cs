using System.CommandLine;
using StabilityLab.Models;

namespace StabilityLab.Cli.Commands;

/// <summary>The options that describe a network spec, shared by every command that builds one.</summary>
public sealed class NetworkOptions
{
    public Option<string> Block { get; } = new("--block") { Description = "residual block: post (the paper's), res1, res3", DefaultValueFactory = _ => "post" };
    public Option<string> Activation { get; } = new("--activation") { Description = "φ: relu, tanh, identity", DefaultValueFactory = _ => "relu" };
    public Option<string> Weights { get; } = new("--weights") { Description = "weight law: gaussian, uniform (same variance)", DefaultValueFactory = _ => "gaussian" };
    public Option<int> Width { get; } = new("--width", "-m") { Description = "width m", DefaultValueFactory = _ => 512 };
    public Option<int> Depth { get; } = new("--depth", "-L") { Description = "number of residual blocks L", DefaultValueFactory = _ => 100 };
    public Option<string> Tau { get; } = new("--tau") { Description = "τ rule, e.g. 0.1, 1/L, 1/sqrt(L), 0.5*L^-0.5, L^(-1/2+0.2), 1/sqrt(l*log(l+1)^2)", DefaultValueFactory = _ => "1/sqrt(L)" };
    public Option<int> InputDim { get; } = new("--input-dim") { Description = "input dimension p", DefaultValueFactory = _ => 10 };
    public Option<int> OutputDim { get; } = new("--output-dim") { Description = "output dimension d", DefaultValueFactory = _ => 1 };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Block, Activation, Weights, Width, Depth, Tau, InputDim, OutputDim }) c.Options.Add(o);
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
