using System.Globalization;
using OxyPlot;

namespace StabilityLab.Plotting.Figures;

/// <summary>
/// Counts values a figure could not draw (NaN, ±∞, or ≤ 0 on a log axis), so nothing non-finite reaches a
/// plot or a file and the figure says how many were left out (in its subtitle).
/// </summary>
public sealed class SkipCounter
{
    public int NonFinite { get; private set; }
    public int NonPositive { get; private set; }

    public bool Ok(params double[] values)
    {
        foreach (var v in values)
            if (!double.IsFinite(v)) { NonFinite++; return false; }
        return true;
    }

    /// <summary>True when every value is finite and positive (for log axes).</summary>
    public bool OkPositive(params double[] values)
    {
        if (!Ok(values)) return false;
        foreach (var v in values)
            if (v <= 0) { NonPositive++; return false; }
        return true;
    }

    public string? Note()
    {
        var parts = new List<string>();
        if (NonFinite > 0) parts.Add($"{NonFinite.ToString(CultureInfo.InvariantCulture)} non-finite value(s) skipped");
        if (NonPositive > 0) parts.Add($"{NonPositive.ToString(CultureInfo.InvariantCulture)} value(s) ≤ 0 skipped on a log axis");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>Appends the note (if any) to the model's subtitle.</summary>
    public void Flag(PlotModel model)
    {
        var note = Note();
        if (note is null) return;
        model.Subtitle = string.IsNullOrEmpty(model.Subtitle) ? note : model.Subtitle + " — " + note;
    }
}
