using System.Globalization;
using System.Text;
using StabilityLab.Statistics;

namespace StabilityLab.Tests.Statistics;

/// <summary>
/// Prints the coverage table of docs/statistics.md (explicit: it runs the old bootstrap too, ~1 min):
/// dotnet test -c Release --no-build --filter "FullyQualifiedName~CoverageTableTests" --logger "console;verbosity=detailed"
/// </summary>
[Explicit("prints the table of docs/statistics.md")]
public class CoverageTableTests
{
    private const int N = 500, Replications = 400;
    private static readonly bool Bootstrap = Environment.GetEnvironmentVariable("COVERAGE_NO_BOOTSTRAP") is null;

    [Test]
    public void PrintCoverageTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"n = {N}, {Replications} replications, 95% intervals; coverage = covered / reported");
        sb.AppendLine("| log ratios | true log E | median k̂ | log-normal / sample-mean / not-estimable | estimator coverage (flagged) | log-normal interval alone | sample-mean interval alone | sample-mean where k̂ < threshold (reported) | sample-mean where k̂ < 0.5 (reported) | old percentile bootstrap |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (double sigma in new[] { 0.1, 1, 1.5, 2, 4, 7 })
            Row(sb, $"N(1, {sigma}²)", r => Coverage.Gaussian(1, sigma, r, N), 1 + sigma * sigma / 2);
        foreach (var (name, sample, truth) in Mixtures.Cases(N))
            Row(sb, name, sample, truth);
        Row(sb, "t₃ (E[r] = ∞)", r => KhatCases.StudentT3(1, N, r), double.PositiveInfinity);
        TestContext.Out.WriteLine(sb.ToString());
    }

    private static void Row(StringBuilder sb, string name, Func<int, double[]> sample, double truth)
    {
        var methods = new Dictionary<string, int> { [MeanRatio.LogNormal] = 0, [MeanRatio.SampleMean] = 0, [MeanRatio.NotEstimable] = 0 };
        var khats = new List<double>();
        for (int r = 0; r < Replications; r++)
        {
            var e = MeanRatio.Estimate(sample(r));
            methods[e.Method]++;
            khats.Add(e.Khat ?? double.PositiveInfinity);
        }
        khats.Sort();
        var est = Coverage.Count(Replications, sample, Coverage.Reported, truth);
        var ln = Coverage.Count(Replications, sample, x => Pair(MeanRatio.LogNormalInterval(x)), truth);
        var sm = Coverage.Count(Replications, sample, x => Pair(MeanRatio.SampleMeanInterval(x)), truth);
        var gated = Coverage.Count(Replications, sample, x => ParetoKhat.Estimate(x) < ParetoKhat.Threshold(x.Length) ? Pair(MeanRatio.SampleMeanInterval(x)) : null, truth);
        var gated5 = Coverage.Count(Replications, sample, x => ParetoKhat.Estimate(x) < 0.5 ? Pair(MeanRatio.SampleMeanInterval(x)) : null, truth);
        var boot = !Bootstrap ? gated : Coverage.Count(Replications, sample, x => CellStatistics.BootstrapLogMeanExp(x, CellStatistics.DefaultBootstrap, 0), truth);
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {truth:F3} | {khats[khats.Count / 2]:F2} | {methods[MeanRatio.LogNormal]} / {methods[MeanRatio.SampleMean]} / {methods[MeanRatio.NotEstimable]} | {Rate(est)} ({est.Flagged}) | {Rate(ln)} | {Rate(sm)} | {Rate(gated)} ({gated.Reported}) | {Rate(gated5)} ({gated5.Reported}) | {Rate(boot)} |"));
    }

    private static string Rate(Coverage.Tally t) => t.Reported == 0 ? "–" : t.Rate.ToString("P1", CultureInfo.InvariantCulture);

    private static (double, double)? Pair((double Estimate, double Lo, double Hi) ci) => (ci.Lo, ci.Hi);
}
