using MathNet.Numerics.LinearAlgebra;
using StabilityLab.Models;
using StabilityLab.Torch.Data;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>How far a measured loss curve is from its linearized prediction: the predicted curve's rate (the same
/// <see cref="RateFit"/> over the same window) and the largest log gap max_t |ln F_meas(t) − ln F_pred(t)| over the recorded rows.</summary>
public sealed record PredictionGap(RateEstimate? Rate, double? LogGap);

/// <summary>
/// The loss curve that gradient descent would follow if the network stayed linear in its trained weights around the
/// initialization (the lazy / NTK regime; the finite-width counterpart of neural-tangents' predict.gradient_descent_mse):
/// the residuals r_t = f_t(X) − Y obey r_{t+1} = (I − η K) r_t with K = s·Θ, Θ the empirical NTK at θ_0
/// (<see cref="EmpiricalNtk"/>) and s the trainer's objective scale (1 for the sum F, 1/n for the mean F/n: the trainer
/// steps θ ← θ − η s ∇F, and ∇F = Jᵀ r), so F(t) = ½ Σ_k (1 − ηλ_k)^{2t} (u_kᵀ r_0)² for K = Σ_k λ_k u_k u_kᵀ.
/// <see cref="Eigenvalues"/> are those λ_k of K (ascending), <see cref="Projections"/> the u_kᵀ r_0.
/// </summary>
public sealed record LinearizedPrediction(double[] Eigenvalues, double[] Projections, int Count)
{
    /// <summary>The largest n·d for which <see cref="AtInitialization"/> forms the kernel: the (n·d)² matrix and its
    /// eigendecomposition stay within a second and a few MB.</summary>
    public const int MaxOutputs = 1024;

    /// <summary>λ_min of K = s·Θ.</summary>
    public double LambdaMin => Eigenvalues[0];

    /// <summary>λ_max of K = s·Θ: gradient descent on the linearized model is stable for η &lt; 2/λ_max.</summary>
    public double LambdaMax => Eigenvalues[^1];

    /// <summary>ln F(t) of the linearized dynamics at step size η (−∞ when r_0 = 0), summed in the log domain.</summary>
    public double LogLoss(int step, double stepSize)
    {
        var terms = new List<double>(Eigenvalues.Length);
        for (int k = 0; k < Eigenvalues.Length; k++)
        {
            double c2 = Projections[k] * Projections[k];
            if (!(c2 > 0)) continue;
            double factor = Math.Abs(1 - stepSize * Eigenvalues[k]);
            terms.Add(Math.Log(c2) + (step == 0 ? 0 : 2.0 * step * Math.Log(factor)));
        }
        if (terms.Count == 0) return double.NegativeInfinity;
        double max = terms.Max();
        if (double.IsInfinity(max)) return max;
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max))) - Math.Log(2);
    }

    /// <summary>The predicted curve at the steps of <paramref name="measured"/>, its rate by <see cref="RateFit.Fit"/>
    /// (the same window: the second half of the recorded steps), and the largest |ln F_meas − ln F_pred| over those rows.</summary>
    public PredictionGap Compare(IReadOnlyList<CurvePoint> measured, double stepSize)
    {
        var predicted = measured.Select(c =>
        {
            double f = Math.Exp(LogLoss(c.Step, stepSize));
            return new CurvePoint(c.Step, f, f / Count, null, null, null);
        }).ToList();
        double? gap = null;
        foreach (var c in measured)
        {
            double g = Math.Abs(Math.Log(c.Loss) - LogLoss(c.Step, stepSize));
            if (!double.IsFinite(g)) return new PredictionGap(RateFit.Fit(predicted), null);
            gap = Math.Max(gap ?? 0, g);
        }
        return new PredictionGap(RateFit.Fit(predicted), gap);
    }

    /// <summary>
    /// The prediction for the run <see cref="Trainer.Run"/> would make with these arguments, from the trainer's own
    /// initial weights (<see cref="Trainer.Initialize"/>; a float32 run's weights and inputs are rounded as in training,
    /// then the kernel is formed in float64). Null when n·d exceeds <see cref="MaxOutputs"/> or the block is post-bn.
    /// </summary>
    public static LinearizedPrediction? AtInitialization(NetworkSpec spec, TrainingData data, TrainingOptions options, ulong seed, Device? device = null)
    {
        var train = data.Train;
        // BatchNorm couples the examples: the per-example kernel of EmpiricalNtk does not describe a post-bn network.
        if ((long)train.Count * train.OutputDim > MaxOutputs || spec.Block.IsNormalized()) return null;
        var dev = device ?? TorchRuntime.DefaultDevice;
        using var scope = NewDisposeScope();
        var (model, trained) = Trainer.Initialize(spec, seed, options, dev);
        using var owned = model;
        using var wide = options.Precision == ScalarType.Float64 ? null : Trainer.Initialize(spec, seed, options with { Precision = ScalarType.Float64 }, dev).Model;
        if (wide is not null)
            using (no_grad())
                foreach (var (to, from) in wide.parameters().Zip(model.parameters()))
                    to.copy_(from);
        var net = wide ?? model;
        var weights = wide is null ? trained : wide.SetTrained(options.Trained);
        var x = tensor(train.Inputs, new long[] { train.Count, train.InputDim }, float64).to(options.Precision).to(float64, dev);
        var (theta, outputs, n, d) = EmpiricalNtk.Compute(net, weights.Cast<Tensor>().ToList(), x);
        var residual = outputs.Select((f, k) => f - Round(train.Targets[k], options.Precision)).ToArray();
        double scale = options.Reduction == LossReduction.Sum ? 1.0 : 1.0 / n;
        return FromKernel(theta, residual, scale, n);
    }

    /// <summary>The prediction from a kernel Θ (N × N row-major, symmetrized here), the initial residual r_0 (N) and the
    /// objective scale s; <paramref name="count"/> is n, the number of examples.</summary>
    public static LinearizedPrediction FromKernel(double[] theta, double[] residual, double scale, int count)
    {
        int N = residual.Length;
        if (theta.Length != N * N) throw new ArgumentException($"a kernel for {N} outputs needs {N * N} values (got {theta.Length})");
        var k = Matrix<double>.Build.Dense(N, N, (i, j) => 0.5 * scale * (theta[i * N + j] + theta[j * N + i]));
        var evd = k.Evd(Symmetricity.Symmetric);
        var lambda = evd.EigenValues.Select(c => c.Real).ToArray();
        var proj = evd.EigenVectors.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(residual)).ToArray();
        var order = Enumerable.Range(0, N).OrderBy(i => lambda[i]).ToArray();
        return new LinearizedPrediction(order.Select(i => lambda[i]).ToArray(), order.Select(i => proj[i]).ToArray(), count);
    }

    /// <summary>
    /// The step-size rule for a claim that gives none: η = c · 2/λ_max(K), K = s·Θ at the initialization (the trainer's
    /// normalization). c = 1 is the edge of stability of the linearized dynamics (|1 − ηλ_max| = 1); c = 1/2 puts the
    /// stiffest mode at 1 − ηλ_max = 0, its fastest decay, and leaves a factor 2 of room for the kernel to grow in training.
    /// </summary>
    public static double StepSizeRule(double lambdaMax, double fraction = 0.5)
    {
        if (!(lambdaMax > 0) || !double.IsFinite(lambdaMax)) throw new SpecException($"the step-size rule needs a positive finite λ_max (got {lambdaMax})");
        if (!(fraction > 0 && fraction < 1)) throw new SpecException($"the step-size rule's fraction c must be in (0, 1) (got {fraction})");
        return fraction * 2.0 / lambdaMax;
    }

    /// <summary>
    /// <see cref="StepSizeRule(double, double)"/> for a grid of networks (a claim without a step size: its depths at its
    /// τ rule, its first seed): λ_max is the largest over <paramref name="networks"/>, since λ_max grows with depth
    /// (width 256, τ = 1/√L: 4.3·10³ at L = 4, 1.1·10⁴ at L = 64), and a step set at the shallowest depth would put
    /// ηλ_max above 2 at the deepest. Throws <see cref="SpecException"/> when n·d exceeds <see cref="MaxOutputs"/>.
    /// </summary>
    public static double StepSizeRule(IEnumerable<NetworkSpec> networks, TrainingData data, TrainingOptions options, ulong seed, double fraction = 0.5, Device? device = null) =>
        StepSizeRule(LargestEigenvalue(networks, data, options, seed, device), fraction);

    /// <summary>The largest eigenvalue of the empirical NTK at the initialization over <paramref name="networks"/> (one seed).</summary>
    private static double LargestEigenvalue(IEnumerable<NetworkSpec> networks, TrainingData data, TrainingOptions options, ulong seed, Device? device)
    {
        double max = double.NegativeInfinity;
        foreach (var spec in networks)
        {
            var p = AtInitialization(spec, data, options, seed, device)
                ?? throw new SpecException(spec.Block.IsNormalized()
                    ? $"the step-size rule has no kernel for block {spec.Block.Name()} (BatchNorm couples the examples); give the step size"
                    : $"the step-size rule forms the (n·d)² kernel only for n·d ≤ {MaxOutputs} (got n = {data.Train.Count}, d = {data.OutputDim}); give the step size");
            max = Math.Max(max, p.LambdaMax);
        }
        return max;
    }

    /// <summary>
    /// <see cref="StepSizeRule(IEnumerable{NetworkSpec}, TrainingData, TrainingOptions, ulong, double, Device?)"/> over every
    /// seed of a study (each with its own weights and data): λ_max is the largest over networks and seeds, so that
    /// ηλ_max ≤ 2·fraction for every run, not only for the first seed's (at the quick scale, seed 4's λ_max at L = 64 was 2.7 times
    /// the first seed's largest, and its linearized dynamics diverged at the first seed's step).
    /// </summary>
    public static double StepSizeRule(IReadOnlyList<NetworkSpec> networks, Data.DataSource data, IEnumerable<ulong> seeds, TrainingOptions options,
        double fraction = 0.5, Device? device = null)
    {
        double max = double.NegativeInfinity;
        foreach (var seed in seeds) max = Math.Max(max, LargestEigenvalue(networks, data.Load(seed), options, seed, device));
        return StepSizeRule(max, fraction);
    }

    private static double Round(double v, ScalarType precision) => precision == ScalarType.Float32 ? (float)v : v;
}
