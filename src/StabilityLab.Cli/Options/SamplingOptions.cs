using System.CommandLine;
using StabilityLab.Statistics;

namespace StabilityLab.Cli.Options;

/// <summary>How many random networks a cell samples and how its statistics are summarized (cells.csv).</summary>
public static class SamplingOptions
{
    public static Option<int> Trials(int defaultValue, string description = "random networks per cell") =>
        new Option<int>("--trials", "-n") { Description = description, DefaultValueFactory = _ => defaultValue }.AtLeast(1);

    /// <summary>K, the blow-up level, checked by the statistics that use it.</summary>
    public static Option<double> BlowupLevel(string description = "K: a trial blows up when ‖h_L‖/‖h_0‖ > K", double defaultValue = CellStatistics.DefaultBlowupLevel) =>
        new Option<double>("--blowup-level") { Description = description, DefaultValueFactory = _ => defaultValue }.Parses(CellStatistics.CheckBlowupLevel);

    public static Option<int> Bootstrap() =>
        new Option<int>("--bootstrap") { Description = "bootstrap resamples; recorded in the manifest and accepted for older specs, but no cells.csv statistic uses it any more (the interval of log E ratio comes from the log-normal or sample-mean estimator, docs/statistics.md)", DefaultValueFactory = _ => CellStatistics.DefaultBootstrap }
            .Parses(CellStatistics.CheckBootstrap);
}
