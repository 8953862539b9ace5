using StabilityLab.Models;
using StabilityLab.Randomness;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Networks;

/// <summary>
/// Weight matrices of variance v in the law of <see cref="NetworkSpec.Weights"/> (Gaussian, or uniform on
/// [−√(3v), √(3v)], <see cref="WeightInit"/>), from a torch generator (batched samplers) or from a counter-based
/// stream (training). The variances themselves come from <see cref="WeightInit"/>.
/// </summary>
public static class WeightDraws
{
    /// <summary>T × rows × cols weights from <paramref name="gen"/>, float64.</summary>
    public static Tensor Batch(WeightLaw law, Generator gen, Device device, int trials, int rows, int cols, double variance)
    {
        var size = new long[] { trials, rows, cols };
        if (law == WeightLaw.Gaussian)
            return randn(size, float64, device, generator: gen).Times(Math.Sqrt(variance));
        double a = WeightInit.UniformHalfWidth(variance);
        return rand(size, float64, device, generator: gen).Times(2 * a).sub(TorchScalars.Of(a));
    }

    /// <summary>Fills a view in place from <paramref name="gen"/>.</summary>
    public static void Fill(WeightLaw law, Tensor view, Generator gen, double variance)
    {
        if (law == WeightLaw.Gaussian) view.normal_(0, Math.Sqrt(variance), gen);
        else view.uniform_(-WeightInit.UniformHalfWidth(variance), WeightInit.UniformHalfWidth(variance), gen);
    }

    /// <summary>rows·cols weights (row-major) from (stream, domain).</summary>
    public static double[] FromStream(WeightLaw law, RandomStream stream, ulong domain, int rows, int cols, double variance)
    {
        var w = new double[(long)rows * cols];
        if (law == WeightLaw.Gaussian)
        {
            NormalGenerator.Fill(stream, domain, w, Math.Sqrt(variance));
            return w;
        }
        // 53-bit uniforms from the Threefry bits of (k, domain).
        double a = WeightInit.UniformHalfWidth(variance);
        for (int k = 0; k < w.Length; k++)
            w[k] = a * (2 * TrainingStreams.Uniform(stream, domain, (ulong)k) - 1);
        return w;
    }
}
