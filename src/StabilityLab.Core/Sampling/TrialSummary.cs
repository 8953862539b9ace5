namespace StabilityLab.Sampling;

/// <summary>
/// The per-trial scalars a cell's statistics need (log domain): log(‖h_L‖²/‖h_0‖²),
/// max_l log(‖h_l‖²/‖h_0‖²), log(‖∂F/∂h_0‖²/‖∂F/∂h_L‖²), and whether the trial died.
/// </summary>
public readonly record struct TrialSummary(double Forward, double ForwardMax, double Backward, bool Dead)
{
    public static TrialSummary Of(TrialMeasurement m) =>
        m.Dead ? new TrialSummary(0, 0, 0, true) : new TrialSummary(m.ForwardFinal, m.ForwardMax, m.BackwardFinal, false);
}
