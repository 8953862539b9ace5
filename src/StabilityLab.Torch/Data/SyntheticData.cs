using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Data;

/// <summary>Where synthetic targets come from.</summary>
public enum TargetKind
{
    /// <summary>y*_i with i.i.d. N(0, 1) entries.</summary>
    Random,
    /// <summary>y*_i = f(x_i) for a random teacher network f (<see cref="SyntheticData.Teacher"/>), scaled to mean square 1.</summary>
    Teacher,
}

/// <summary>
/// The theory's data: n inputs x_i uniform on the unit sphere of R^p (normalized Gaussians), with targets that
/// are random or given by a random teacher network. Everything is a pure function of the seed (stream
/// <see cref="TrainingStreams.Data"/>; the teacher's weights come from <see cref="TrainingStreams.Teacher"/>),
/// so every depth and τ of a sweep sees the same problem for one seed.
/// </summary>
public sealed record SyntheticData : DataSource
{
    public SyntheticData(int count, int inputDim, int outputDim = 1, TargetKind targets = TargetKind.Random,
        int testCount = 0, NetworkSpec? teacher = null)
    {
        if (count < 1) throw new SpecException($"synthetic data needs at least 1 example (got {count})");
        if (inputDim < 1) throw new SpecException($"input dimension must be at least 1 (got {inputDim})");
        if (outputDim < 1) throw new SpecException($"output dimension must be at least 1 (got {outputDim})");
        if (testCount < 0) throw new SpecException($"test count must be 0 or more (got {testCount})");
        Count = count;
        Dim = inputDim;
        OutDim = outputDim;
        Targets = targets;
        TestCount = testCount;
        Teacher = teacher ?? new NetworkSpec(width: 256, depth: 2, tau: TauRule.Parse("1/sqrt(L)"), inputDim: inputDim, outputDim: outputDim);
        if (Teacher.InputDim != inputDim || Teacher.OutputDim != outputDim)
            throw new SpecException($"the teacher network maps R^{Teacher.InputDim} to R^{Teacher.OutputDim}, the data need R^{inputDim} to R^{outputDim}");
    }

    /// <summary>Number of training examples n.</summary>
    public int Count { get; }

    /// <summary>Input dimension p.</summary>
    public int Dim { get; }

    /// <summary>Output dimension d.</summary>
    public int OutDim { get; }

    public TargetKind Targets { get; }

    /// <summary>Number of extra examples drawn the same way and held out.</summary>
    public int TestCount { get; }

    /// <summary>The teacher architecture (used when <see cref="Targets"/> is <see cref="TargetKind.Teacher"/>);
    /// default: post block, ReLU, width 256, depth 2, τ = 1/√L.</summary>
    public NetworkSpec Teacher { get; }

    public override string Name => "synthetic";

    public override bool DependsOnSeed => true;

    public override int InputDim => Dim;

    public override int OutputDim => OutDim;

    public override IReadOnlyDictionary<string, string> Settings
    {
        get
        {
            var d = new SortedDictionary<string, string>
            {
                ["dataset"] = Name,
                ["count"] = Count.ToString(CultureInfo.InvariantCulture),
                ["input_dim"] = Dim.ToString(CultureInfo.InvariantCulture),
                ["output_dim"] = OutDim.ToString(CultureInfo.InvariantCulture),
                ["targets"] = Targets == TargetKind.Random ? "random" : "teacher",
                ["test_count"] = TestCount.ToString(CultureInfo.InvariantCulture),
                ["inputs"] = "normalized N(0, I_p): uniform on the unit sphere",
            };
            if (Targets == TargetKind.Teacher)
                d["teacher"] = $"{Teacher.Block.Name()} {Teacher.Activation.Name()} width {Teacher.Width} depth {Teacher.Depth} tau {Teacher.Tau}";
            return d;
        }
    }

    public override TrainingData Load(ulong seed)
    {
        int total = Count + TestCount, p = Dim, d = OutDim;
        var stream = TrainingStreams.Data(seed);
        var x = new double[(long)total * p];
        NormalGenerator.Fill(stream, RandomStream.Domain(0, 1), x);
        for (int i = 0; i < total; i++)
        {
            var row = x.AsSpan(i * p, p);
            double norm = Math.Sqrt(StabilityLab.Sampling.FixedOrderSums.SumOfSquares(row)); // the same bits on every CPU
            if (norm == 0) row[0] = norm = 1; // probability zero; keeps ‖x_i‖ = 1
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, 1 / norm, row);
        }
        double[] y;
        if (Targets == TargetKind.Random)
        {
            y = new double[(long)total * d];
            NormalGenerator.Fill(stream, RandomStream.Domain(0, 2), y);
        }
        else
        {
            y = TeacherOutputs(x, total, seed);
        }
        var train = new DataSplit(Count, p, d, x[..(Count * p)], y[..(Count * d)]);
        var test = TestCount > 0 ? new DataSplit(TestCount, p, d, x[(Count * p)..], y[(Count * d)..]) : null;
        var (delta, _, _) = PairwiseDistance.Minimum(train.Inputs, Count, p);
        string targets = Targets == TargetKind.Random ? "random N(0,1) targets" : $"targets of a random teacher ({Settings["teacher"]})";
        return new TrainingData(Name, train, test, delta,
            $"synthetic, n = {Count} unit-norm inputs in R^{p} (δ = {delta.ToString("G4", CultureInfo.InvariantCulture)}), {targets}, d = {d}");
    }

    private double[] TeacherOutputs(double[] x, int total, ulong seed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var teacher = new ResNetModule(Teacher, TrainingStreams.Teacher(seed), ScalarType.Float64, CPU);
        var X = tensor(x, new long[] { total, Dim }, ScalarType.Float64);
        var Y = teacher.forward(X);
        // Scale to mean square 1 so that the initial loss is comparable to random targets.
        double ms = Y.square().mean().Item();
        if (ms > 0 && double.IsFinite(ms))
        {
            // A Scalar held until the division is done (TorchScalars explains why a temporary one is not safe).
            using var root = Math.Sqrt(ms).ToScalar();
            Y = Y.div(root);
        }
        return Y.contiguous().data<double>().ToArray();
    }
}
