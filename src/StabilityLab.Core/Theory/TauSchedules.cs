namespace StabilityLab.Theory;

/// <summary>Argument checks shared by the theory functions: a τ schedule is τ_1..τ_L, each finite and ≥ 0.</summary>
internal static class TauSchedules
{
    public static void Check(IReadOnlyList<double> tau, string name = "tau")
    {
        ArgumentNullException.ThrowIfNull(tau, name);
        if (tau.Count == 0) throw new ArgumentException("a τ schedule needs at least one layer", name);
        for (int l = 0; l < tau.Count; l++)
            if (!double.IsFinite(tau[l]) || tau[l] < 0)
                throw new ArgumentException($"τ at layer {l + 1} must be finite and ≥ 0 (got {tau[l]})", name);
    }
}
