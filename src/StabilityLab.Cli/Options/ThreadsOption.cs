using System.CommandLine;

namespace StabilityLab.Cli.Options;

/// <summary>--threads: one declaration and one check for every command that takes a thread count.</summary>
public static class ThreadsOption
{
    /// <summary>The most threads accepted: far above any machine this runs on, low enough to catch a typo before thousands of threads start.</summary>
    public const int MaxThreads = 4096;

    public static Option<int> Create(string description = "worker threads (0 = all cores)") =>
        new Option<int>("--threads") { Description = description, DefaultValueFactory = _ => 0 }
            .Check(v => v is >= 0 and <= MaxThreads ? null : $"must be 0 (all cores) or a count up to {MaxThreads} (got {v})");

    /// <summary>The thread count to use: 0 means every core.</summary>
    public static int Resolve(int threads) => threads == 0 ? Environment.ProcessorCount : threads;
}
