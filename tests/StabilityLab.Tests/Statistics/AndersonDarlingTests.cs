using StabilityLab.Statistics;

namespace StabilityLab.Tests.Statistics;

public class AndersonDarlingTests
{
    /// <summary>
    /// R's nortest 1.0-4 (Debian 12: apt-get install r-cran-nortest) on the samples of <see cref="KhatCases"/>:
    /// Rscript -e 'library(nortest); for (f in c("gauss_sd1_n100", "gauss_sd2_n500", "t3_scale1_n500", "pareto_xi0.5_n1000")) {
    ///   r &lt;- ad.test(scan(paste0("/tmp/khat-inputs/", f, ".txt"), quiet = TRUE)); cat(sprintf("%s %.10f %.10g\n", f, r$statistic, r$p.value)) }'
    /// </summary>
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(KhatCases.Gaussian(1, 100), 0.4893216855, 0.2170064582).SetArgDisplayNames("gauss_sd1_n100");
        yield return new TestCaseData(KhatCases.Gaussian(2, 500), 0.3376299401, 0.503510251).SetArgDisplayNames("gauss_sd2_n500");
        yield return new TestCaseData(KhatCases.StudentT3(1, 500), 5.1962079178, 7.546757764e-13).SetArgDisplayNames("t3_scale1_n500");
        yield return new TestCaseData(KhatCases.ParetoTail(0.5, 1000), 44.8976200422, 3.7e-24).SetArgDisplayNames("pareto_xi0.5_n1000");
    }

    [TestCaseSource(nameof(Cases))]
    public void NormalityTest_MatchesNortest(double[] x, double statistic, double pValue)
    {
        var (a2, p) = AndersonDarling.NormalityTest(x);
        Assert.That(a2, Is.EqualTo(statistic).Within(1e-8));
        Assert.That(p, Is.EqualTo(pValue).Within(1e-9 * pValue));
    }

    [Test]
    public void NormalityTest_RejectsGaussianSamplesAtItsLevel()
    {
        // Under the null the p-value is (close to) uniform: P(p < 0.05) = 0.05 within 4 binomial SE.
        const int replications = 1000;
        int rejected = Enumerable.Range(0, replications)
            .Count(r => AndersonDarling.NormalityTest(Coverage.Normals(0xAD00, r, 200)).PValue < 0.05);
        Assert.That(rejected / (double)replications, Is.EqualTo(0.05).Within(4 * Math.Sqrt(0.05 * 0.95 / replications)));
    }

    [Test]
    public void NormalityTest_ZeroSpreadIsNotGaussian() =>
        Assert.That(AndersonDarling.NormalityTest(Enumerable.Repeat(1.0, 10).ToArray()).PValue, Is.Zero);
}
