// Coverage and bias of the percentile-bootstrap interval of log mean exp (CellStatistics.BootstrapLogMeanExp)
// for n = 500 Gaussian log ratios of standard deviation sigma, whose true log mean is sigma²/2 (docs/science.md §6).
// How to run: docs/checks/README.md.
using StabilityLab.Statistics; using MathNet.Numerics.Distributions;
var rng = new Random(12345);
int n = 500, R = 200;
foreach (var sigma in new[]{0.5, 2.0, 3.7, 7.0}) {
  int cover = 0; double bias = 0;
  double truth = sigma*sigma/2;
  for (int r = 0; r < R; r++) {
    var x = new double[n]; Normal.Samples(rng, x, 0, sigma);
    var (lo, hi) = CellStatistics.BootstrapLogMeanExp(x, 1000, (ulong)r);
    double est = LogSumExp.LogMeanExp(x);
    if (lo <= truth && truth <= hi) cover++;
    bias += est - truth;
  }
  Console.WriteLine($"sigma={sigma}: coverage {(double)cover/R:F3} (R={R}), mean(estimate - truth) {bias/R:F3}, truth {truth:F3}");
}
