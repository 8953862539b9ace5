namespace StabilityLab.Reports;

/// <summary>
/// Shows the progress of one stage of a reproduction: runs <paramref name="work"/>, which reports the work done
/// (in <paramref name="unit"/>, out of <paramref name="total"/>) through the callback it is given (thread-safe).
/// </summary>
public delegate void StageProgress(string label, string unit, long total, Action<Action<long>> work);
