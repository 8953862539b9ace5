using StabilityLab.Models;
using StabilityLab.Randomness;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>
/// The network of docs/science.md §1 as a TorchSharp module, read from one <see cref="NetworkSpec"/>:
/// h_0 = φ(A x), h_l = block_l(h_{l−1}) for l = 1..L, y = B h_L; a batch holds the inputs as rows (n × p → n × d).
/// Blocks: post h_l = φ(h + τ_l W_l h), res1 h_l = h + τ_l W_l φ(h), res3 h_l = h + τ_l V_l φ(W_l h).
/// Initialization: A, W_l, V_l entries of variance 2/m, B entries of variance 1/d (Gaussian or uniform
/// per <see cref="NetworkSpec.Weights"/>), drawn in float64 from <see cref="TrainingStreams.Init"/> and then
/// rounded to the requested precision, so float32 and float64 runs start from the same network.
/// </summary>
public sealed class ResNetModule : nn.Module<Tensor, Tensor>
{
    // Field names are the parameter names (RegisterComponents): A, W.0 … W.{L−1}, V.0 …, B.
#pragma warning disable IDE1006
    private readonly Parameter A;
    private readonly ParameterList W;
    private readonly ParameterList V;
    private readonly Parameter B;
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
        int m = spec.Width, p = spec.InputDim, d = spec.OutputDim, L = spec.Depth;
        var s = init;
        A = Make(s, RandomStream.Domain(0, StreamIds.Training.InputLayer), m, p, 2.0 / m);
        B = Make(s, RandomStream.Domain(0, StreamIds.Training.OutputLayer), d, m, 1.0 / d);
        W = new ParameterList();
        V = new ParameterList();
        for (int l = 1; l <= L; l++)
        {
            W.Add(Make(s, RandomStream.Domain(l, StreamIds.Training.BranchW), m, m, 2.0 / m));
            if (spec.Block == BlockKind.Res3)
                V.Add(Make(s, RandomStream.Domain(l, StreamIds.Training.BranchV), m, m, 2.0 / m));
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
    public Parameter BranchWeights(int layer) => W[layer - 1];

    /// <summary>V_l (m × m) of a res3 block, l = 1..L.</summary>
    public Parameter SecondBranchWeights(int layer) =>
        Spec.Block == BlockKind.Res3 ? V[layer - 1] : throw new InvalidOperationException("only res3 blocks have V_l");

    /// <summary>y = B h_L for every row x of <paramref name="x"/> (n × p → n × d).</summary>
    public override Tensor forward(Tensor x) => Features(x).matmul(B.t());

    /// <summary>h_L for every row of <paramref name="x"/> (n × p → n × m).</summary>
    public Tensor Features(Tensor x)
    {
        var h = Act(x.matmul(A.t()));
        for (int l = 0; l < _tau.Length; l++) h = Block(l, h);
        return h;
    }

    private Tensor Block(int l, Tensor h) => Spec.Block switch
    {
        BlockKind.Post => Act(h + h.matmul(W[l].t()).mul(_tau[l])),
        BlockKind.Res1 => h + Act(h).matmul(W[l].t()).mul(_tau[l]),
        BlockKind.Res3 => h + Act(h.matmul(W[l].t())).matmul(V[l].t()).mul(_tau[l]),
        _ => throw new InvalidOperationException($"block {Spec.Block} has no TorchSharp interpreter"),
    };

    private Tensor Act(Tensor u) => Spec.Activation switch
    {
        Activation.Relu => nn.functional.relu(u),
        Activation.Tanh => u.tanh(),
        Activation.Identity => u,
        _ => throw new InvalidOperationException($"activation {Spec.Activation} has no TorchSharp interpreter"),
    };

    /// <summary>Marks the chosen weights as trainable (requires_grad) and the others as fixed; returns the trainable ones.</summary>
    public IReadOnlyList<Parameter> SetTrained(TrainedParameters which)
    {
        bool all = which == TrainedParameters.All;
        A.requires_grad = all;
        B.requires_grad = all;
        foreach (var w in W) w.requires_grad = true;
        foreach (var v in V) v.requires_grad = true;
        return Trained(which);
    }

    /// <summary>The parameters of <paramref name="which"/>, in the order A, W_1, V_1, …, W_L, V_L, B.</summary>
    public IReadOnlyList<Parameter> Trained(TrainedParameters which)
    {
        var list = new List<Parameter>();
        if (which == TrainedParameters.All) list.Add(A);
        for (int l = 0; l < W.Count; l++)
        {
            list.Add(W[l]);
            if (V.Count > 0) list.Add(V[l]);
        }
        if (which == TrainedParameters.All) list.Add(B);
        return list;
    }

    /// <summary>F = Σ_i ½‖y_i − y*_i‖² summed over the rows of the batch.</summary>
    public static Tensor SquaredLoss(Tensor output, Tensor target) => (output - target).square().sum().mul(0.5);

    private Parameter Make(RandomStream s, ulong domain, int rows, int cols, double variance)
    {
        var values = TrainingStreams.Weights(s, domain, rows, cols, variance, Spec.Weights);
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
