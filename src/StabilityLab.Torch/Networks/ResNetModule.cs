using StabilityLab.Models;
using StabilityLab.Randomness;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>
/// The network of docs/science.md §1 as a TorchSharp module, read from one <see cref="NetworkSpec"/>:
/// h_0 = φ(A x), h_l = block_l(h_{l−1}) for l = 1..L, y = B h_L; a batch holds the inputs as rows (n × p → n × d).
/// Composed of <see cref="ResidualLayer"/> modules, one per block, built from the spec's <see cref="TorchBlock"/>. Initialization: the variances of
/// <see cref="WeightInit"/> in the law of <see cref="NetworkSpec.Weights"/> (<see cref="WeightDraws.FromStream"/>),
/// drawn in float64 from <see cref="TrainingStreams.Init"/> and then
/// rounded to the requested precision, so float32 and float64 runs start from the same network.
/// </summary>
public sealed class ResNetModule : nn.Module<Tensor, Tensor>
{
    // Field names are the parameter names (RegisterComponents): A, B, layers.0.W (.V) … layers.{L−1}.W (.V).
#pragma warning disable IDE1006
    private readonly Parameter A;
    private readonly Parameter B;
    private readonly ModuleList<ResidualLayer> layers;
#pragma warning restore IDE1006
    private readonly double[] _tau;

    /// <param name="spec">The architecture; validated here.</param>
    /// <param name="seed">Master seed of the initialization stream.</param>
    /// <param name="dtype">float32 or float64.</param>
    /// <param name="device">Defaults to <see cref="TorchRuntime.DefaultDevice"/>.</param>
    public ResNetModule(NetworkSpec spec, ulong seed, ScalarType dtype = ScalarType.Float64, Device? device = null)
        : this(spec, TrainingStreams.Init(seed), dtype, device)
    {
    }

    /// <summary>A network whose weights come from an explicit stream (a teacher network uses its own).</summary>
    public ResNetModule(NetworkSpec spec, RandomStream init, ScalarType dtype = ScalarType.Float64, Device? device = null)
        : base("ResNet")
    {
        spec.Validate();
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new SpecException($"precision must be float32 or float64 (got {dtype})");
        Spec = spec;
        DType = dtype;
        Device = device ?? TorchRuntime.DefaultDevice;
        _tau = spec.TauSchedule();
        var block = TorchBlock.For(spec);
        int m = spec.Width, p = spec.InputDim, d = spec.OutputDim, L = spec.Depth;
        var s = init;
        A = Make(s, RandomStream.Domain(0, StreamIds.Training.InputLayer), m, p, spec.InputVariance());
        B = Make(s, RandomStream.Domain(0, StreamIds.Training.OutputLayer), d, m, spec.OutputVariance());
        layers = new ModuleList<ResidualLayer>();
        for (int l = 1; l <= L; l++)
        {
            var w = Make(s, RandomStream.Domain(l, StreamIds.Training.BranchW), m, m, spec.BranchVariance());
            var v = block.HasOuterWeights ? Make(s, RandomStream.Domain(l, StreamIds.Training.BranchV), m, m, spec.BranchVariance()) : null;
            // BatchNorm (post-bn) starts at γ = 1, β = 0 and draws nothing, so the weights are those of the post block. It
            // normalizes by the statistics of the batch it is given, in training and in evaluation alike (no running
            // statistics): the loss at step 0 is that of the network being trained, and a result depends on no state.
            var norm = block.IsNormalized ? nn.BatchNorm1d(m, track_running_stats: false, device: Device, dtype: DType) : null;
            layers.Add(new ResidualLayer(block, _tau[l - 1], w, v, norm));
        }
        RegisterComponents();
    }

    /// <summary>The architecture this module interprets.</summary>
    public NetworkSpec Spec { get; }

    public ScalarType DType { get; }

    public Device Device { get; }

    /// <summary>τ_1..τ_L.</summary>
    public IReadOnlyList<double> Tau => _tau;

    /// <summary>The input layer A (m × p).</summary>
    public Parameter InputWeights => A;

    /// <summary>The output layer B (d × m).</summary>
    public Parameter OutputWeights => B;

    /// <summary>W_l (m × m), l = 1..L.</summary>
    public Parameter BranchWeights(int layer) => layers[layer - 1].BranchWeights;

    /// <summary>V_l (m × m) of a res3 block, l = 1..L.</summary>
    public Parameter SecondBranchWeights(int layer) =>
        layers[layer - 1].OuterWeights ?? throw new InvalidOperationException("only res3 blocks have V_l");

    /// <summary>γ_l and β_l of the BatchNorm of block l (post-bn; empty otherwise), l = 1..L.</summary>
    public IReadOnlyList<Parameter> NormParameters(int layer) => layers[layer - 1].NormParameters;

    /// <summary>y = B h_L for every row x of <paramref name="x"/> (n × p → n × d).</summary>
    public override Tensor forward(Tensor x) => Forward(x, LinearMaps.Rows);

    /// <summary>y = B h_L with every weight (A, W_l, V_l, B) applied by <paramref name="rows"/>, a rows-layout map
    /// (an observer such as the empirical NTK records each weight's input and output there).</summary>
    public Tensor Forward(Tensor x, LinearMap rows) => rows(B, Features(x, rows));

    /// <summary>h_L for every row of <paramref name="x"/> (n × p → n × m).</summary>
    public Tensor Features(Tensor x) => Features(x, LinearMaps.Rows);

    private Tensor Features(Tensor x, LinearMap rows)
    {
        var h = TorchActivation.Apply(Spec.Activation, rows(A, x));
        foreach (var layer in layers) h = layer.Forward(h, rows);
        return h;
    }

    /// <summary>F = Σ_i ½‖y_i − y*_i‖² summed over the rows of the batch.</summary>
    public static Tensor SquaredLoss(Tensor output, Tensor target) => (output - target).square().sum().Times(0.5);

    private Parameter Make(RandomStream s, ulong domain, int rows, int cols, double variance)
    {
        var values = WeightDraws.FromStream(Spec.Weights, s, domain, rows, cols, variance);
        var t = tensor(values, new long[] { rows, cols }, ScalarType.Float64);
        if (DType != ScalarType.Float64 || Device.type != DeviceType.CPU)
        {
            var moved = t.to(DType, Device);
            t.Dispose();
            t = moved;
        }
        return new Parameter(t, requires_grad: true);
    }
}
