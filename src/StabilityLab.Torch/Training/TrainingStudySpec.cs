using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Torch.Data;

namespace StabilityLab.Torch.Training;

/// <summary>
/// A training study: depths × τ rules × seeds × step sizes of one network template and one data source.
/// The template's depth and τ rule are replaced by each grid point (<see cref="SpecFor"/>); its input and output
/// dimensions must match the data. The options' step size is replaced by each entry of <see cref="StepSizes"/>.
/// </summary>
public sealed record TrainingStudySpec(
    NetworkSpec Network,
    IReadOnlyList<int> Depths,
    IReadOnlyList<TauRule> TauRules,
    IReadOnlyList<ulong> Seeds,
    IReadOnlyList<double> StepSizes,
    DataSource Data,
    TrainingOptions Options)
{
    /// <summary>
    /// One step size per depth, aligned with <see cref="Depths"/> ("lr": "largest-stable", <see cref="LargestStableStep"/>),
    /// replacing the grid over <see cref="StepSizes"/>; null: every depth trains at every entry of StepSizes.
    /// </summary>
    public IReadOnlyList<double>? DepthStepSizes { get; init; }

    /// <summary>Throws <see cref="SpecException"/> with a one-line message naming the first bad input.</summary>
    public void Validate()
    {
        if (Depths.Count == 0) throw new SpecException("give at least one depth");
        if (TauRules.Count == 0) throw new SpecException("give at least one τ rule");
        if (Seeds.Count == 0) throw new SpecException("give at least one seed");
        if (StepSizes.Count == 0) throw new SpecException("give at least one step size");
        if (DepthStepSizes is not null && DepthStepSizes.Count != Depths.Count)
            throw new SpecException($"give one step size per depth ({Depths.Count}; got {DepthStepSizes.Count})");
        foreach (var lr in StepSizes.Concat(DepthStepSizes ?? []))
            if (!(lr > 0) || !double.IsFinite(lr))
                throw new SpecException($"step size must be positive and finite (got {lr.ToString("G6", CultureInfo.InvariantCulture)})");
        Options.Validate();
        if (Network.InputDim != Data.InputDim)
            throw new SpecException($"the network's input dimension {Network.InputDim} does not match the data's {Data.InputDim}");
        if (Network.OutputDim != Data.OutputDim)
            throw new SpecException($"the network's output dimension {Network.OutputDim} does not match the data's {Data.OutputDim}");
        foreach (var L in Depths)
            foreach (var tau in TauRules)
                SpecFor(L, tau);
    }

    /// <summary>The network of one grid point (validated).</summary>
    public NetworkSpec SpecFor(int depth, TauRule tau)
    {
        var spec = Network with { Depth = depth, Tau = tau };
        spec.Validate();
        return spec;
    }

    /// <summary>The grid in run order: seeds, then step sizes, then τ rules, then depths (ascending as given); with
    /// <see cref="DepthStepSizes"/>, seeds, then τ rules, then depths, each at its own step size.</summary>
    public IEnumerable<(int Depth, TauRule Tau, ulong Seed, double StepSize)> Grid()
    {
        if (DepthStepSizes is { } byDepth)
        {
            foreach (var seed in Seeds.Distinct())
                foreach (var tau in TauRules.Distinct())
                    foreach (var (L, lr) in Depths.Zip(byDepth).DistinctBy(x => x.First))
                        yield return (L, tau, seed, lr);
            yield break;
        }
        foreach (var seed in Seeds.Distinct())
            foreach (var lr in StepSizes.Distinct())
                foreach (var tau in TauRules.Distinct())
                    foreach (var L in Depths.Distinct())
                        yield return (L, tau, seed, lr);
    }

    /// <summary>Everything but the grid that determines a run's result, as text (compared on --resume).</summary>
    public IReadOnlyDictionary<string, string> Settings()
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var o = Options;
        var d = new SortedDictionary<string, string>
        {
            ["generator"] = Randomness.RandomGenerators.Name(TrainingStreams.Generator),
            ["block"] = Network.Block.Name(),
            ["activation"] = Network.Activation.Name(),
            ["weights"] = Network.Weights.Name(),
            ["width"] = Network.Width.ToString(CultureInfo.InvariantCulture),
            ["input_dim"] = Network.InputDim.ToString(CultureInfo.InvariantCulture),
            ["output_dim"] = Network.OutputDim.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = o.Optimizer.Name(),
            ["backward"] = o.BackwardFor(Network).Name(),
            ["momentum"] = o.Optimizer == OptimizerKind.Sgd ? F(o.Momentum) : "",
            ["batch_size"] = o.Optimizer == OptimizerKind.Sgd ? o.BatchSize.ToString(CultureInfo.InvariantCulture) : "",
            ["steps"] = o.Steps.ToString(CultureInfo.InvariantCulture),
            ["precision"] = OptionNames.PrecisionName(o.Precision),
            ["trained"] = o.Trained.Name(),
            ["reduction"] = o.Reduction.Name(),
            ["eval_every"] = o.EvalEvery.ToString(CultureInfo.InvariantCulture),
            ["test_at_start"] = o.TestAtStart ? "true" : "false",
            ["divergence_factor"] = F(o.DivergenceFactor),
            ["stop_loss_ratio"] = F(o.StopLossRatio),
        };
        foreach (var (k, v) in Data.Settings) d["data." + k] = v;
        if (DepthStepSizes is { } byDepth) d["depth_step_sizes"] = string.Join(",", byDepth.Select(F));
        return d;
    }
}
