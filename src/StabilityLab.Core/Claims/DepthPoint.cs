namespace StabilityLab.Claims;

/// <summary>
/// A claim's statistic measured in one cell: its value and standard error, or, where it cannot be estimated
/// (log E not estimable from n trials, fewer than 2 live trials), the reason in <see cref="Excluded"/>.
/// </summary>
public sealed record DepthPoint(int Depth, double Tau, double Value, double Se, string? Excluded = null)
{
    public bool Usable => Excluded is null;
}
