namespace StabilityLab.Cli.Commands;
public static class BenchCommand
{
    public static System.CommandLine.Command Build(CliIo io) => new("bench", "Benchmarks (ratios measured in one run).");
}
