namespace StabilityLab.Sampling;

/// <summary>
/// What one random network (one trial, one τ schedule) measured, all in the log domain
/// (natural logs of squared norms), so no overflow at any depth:
/// Forward[l] = log(‖h_l‖²/‖h_0‖²), Backward[l] = log(‖∂F/∂h_l‖²/‖∂F/∂h_L‖²) for l = 0..L;
/// WeightGrad[l−1] = log‖∂F/∂W_l‖²_F (all weights of block l) for l = 1..L.
/// LogH0 = log‖h_0‖² (absolute), so absolute norms log‖h_l‖² = LogH0 + Forward[l] can be recovered.
/// Dead marks the rare trial in which a whole layer or gradient is exactly zero (a ReLU network
/// of small width can die); its log ratios are undefined and every statistic skips it.
/// </summary>
public sealed record TrialMeasurement(double[] Forward, double[] Backward, double[] WeightGrad, double LogH0, bool Dead)
{
    public int Depth => Forward.Length - 1;

    /// <summary>log(‖h_L‖²/‖h_0‖²).</summary>
    public double ForwardFinal => Forward[^1];

    /// <summary>max over l of log(‖h_l‖²/‖h_0‖²).</summary>
    public double ForwardMax => Dead ? 0.0 : Forward.Max();

    /// <summary>log(‖∂F/∂h_0‖²/‖∂F/∂h_L‖²).</summary>
    public double BackwardFinal => Backward[0];

    /// <summary>A measurement for a trial that died: arrays of zeros, flagged.</summary>
    public static TrialMeasurement DeadTrial(int depth) => new(new double[depth + 1], new double[depth + 1], new double[depth], 0.0, true);
}
