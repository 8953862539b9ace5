using System.Globalization;
using System.Runtime.CompilerServices;
using StabilityLab.Statistics;

namespace StabilityLab.Tests.Statistics;

/// <summary>
/// Pareto k̂ against R's loo 2.5.1 (Debian 12: apt-get install r-cran-loo), whose psis(x, r_eff = 1) runs the
/// same algorithm: tail M = ⌈min(0.2 n, 3√n)⌉, gpdfit with wip = TRUE, 30 + ⌊√M⌋ grid points. Same algorithm,
/// so agreement to 1e-6 (R prints 10 decimals).
/// </summary>
public class KhatReferenceTests
{
    private const double Tolerance = 1e-6;

    /// <summary>
    /// loo's k̂ of the samples of <see cref="KhatCases"/>, written by <see cref="WriteInputsForR"/> and read by
    /// Rscript -e 'suppressMessages(library(loo)); for (f in list.files("/tmp/khat-inputs", full.names = TRUE))
    ///   cat(sprintf("%s %.10f\n", sub(".txt$", "", basename(f)), suppressWarnings(psis(scan(f, quiet = TRUE), r_eff = 1)$diagnostics$pareto_k)))'
    /// </summary>
    private static readonly Dictionary<string, double> Loo = new()
    {
        ["gauss_sd0.5_n100"] = 0.1968891168,
        ["gauss_sd0.5_n500"] = 0.0721775962,
        ["gauss_sd0.5_n4000"] = 0.0587270660,
        ["gauss_sd1_n100"] = 0.1373437388,
        ["gauss_sd1_n500"] = 0.1919869210,
        ["gauss_sd1_n4000"] = 0.3103452731,
        ["gauss_sd2_n100"] = 0.4069205469,
        ["gauss_sd2_n500"] = 0.5276376828,
        ["gauss_sd2_n4000"] = 0.5289076073,
        ["gauss_sd3_n100"] = 1.9497776235,
        ["gauss_sd3_n500"] = 1.3175085396,
        ["gauss_sd3_n4000"] = 0.9878011374,
        ["gauss_sd7_n100"] = 2.5071990969,
        ["gauss_sd7_n500"] = 2.5715674898,
        ["gauss_sd7_n4000"] = 2.0223523958,
        ["t3_scale1_n500"] = 0.9823895679,
        ["t3_scale1_n4000"] = 1.7960950650,
        ["pareto_xi0.5_n1000"] = 0.2722646840,
        ["pareto_xi1.2_n1000"] = 0.8828550517,
    };

    public static IEnumerable<TestCaseData> Cases() =>
        KhatCases.All().Select(c => new TestCaseData(c.LogRatios, Loo[c.Name]).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void Khat_MatchesLoo(double[] logRatios, double loo) =>
        Assert.That(ParetoKhat.Estimate(logRatios), Is.EqualTo(loo).Within(Tolerance));

    [Test]
    public void Khat_MatchesLooOnRsOwnNormals()
    {
        // Data/rnorm_seed1_sd2_n500.txt from
        // Rscript -e 'set.seed(1); x <- rnorm(500, 0, 2); write(format(x, digits = 17), "rnorm_seed1_sd2_n500.txt", ncolumns = 1);
        //   print(loo::psis(x, r_eff = 1)$diagnostics$pareto_k, digits = 10)'   → 0.7176653258
        var x = File.ReadAllLines(DataFile("rnorm_seed1_sd2_n500.txt"))
            .Select(l => double.Parse(l.Trim(), CultureInfo.InvariantCulture)).ToArray();
        Assert.That(x, Has.Length.EqualTo(500));
        Assert.That(ParetoKhat.Estimate(x), Is.EqualTo(0.7176653258).Within(Tolerance));
    }

    [Test]
    public void Khat_IsUnchangedByAShiftOfTheLogRatios()
    {
        // The fit sees exp(x − max): a shift far beyond exp's range changes nothing (up to rounding of x + c).
        var x = KhatCases.Gaussian(2, 500);
        double k = ParetoKhat.Estimate(x);
        Assert.That(ParetoKhat.Estimate(x.Select(v => v + 1e4).ToArray()), Is.EqualTo(k).Within(1e-9));
        Assert.That(ParetoKhat.Estimate(x.Select(v => v - 1e4).ToArray()), Is.EqualTo(k).Within(1e-9));
    }

    [Test]
    public void Khat_IsInfiniteWhenTheTailCannotBeFitted()
    {
        Assert.That(ParetoKhat.Estimate(new double[20]), Is.EqualTo(double.PositiveInfinity), "tail of 4 < 5 draws");
        Assert.That(ParetoKhat.Estimate(Enumerable.Repeat(3.0, 100).ToArray()), Is.EqualTo(double.PositiveInfinity), "constant tail");
    }

    [TestCase(100, 20, 0.5)]
    [TestCase(500, 68, 0.6295)]
    [TestCase(4000, 190, 0.7)]
    public void TailLengthAndThreshold_FollowThePaper(int n, int tail, double threshold)
    {
        Assert.That(ParetoKhat.TailLength(n), Is.EqualTo(tail));
        Assert.That(ParetoKhat.Threshold(n), Is.EqualTo(threshold).Within(1e-4));
    }

    /// <summary>
    /// Writes every case as one value a line (17 significant digits) to $TMPDIR/khat-inputs/NAME.txt for R.
    /// </summary>
    [Test, Explicit("writes the inputs of the R reference values")]
    public void WriteInputsForR()
    {
        string dir = Path.Combine(Path.GetTempPath(), "khat-inputs");
        Directory.CreateDirectory(dir);
        foreach (var (name, x) in KhatCases.All())
            File.WriteAllLines(Path.Combine(dir, name + ".txt"), x.Select(v => v.ToString("G17", CultureInfo.InvariantCulture)));
        TestContext.Out.WriteLine(dir);
    }

    private static string DataFile(string name, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Data", name);
}
