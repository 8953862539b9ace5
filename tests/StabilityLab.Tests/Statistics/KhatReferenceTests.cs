using System.Globalization;
using StabilityLab.Statistics;

namespace StabilityLab.Tests.Statistics;

/// <summary>Pareto k̂ against R's loo 2.5.1 (Debian 12 r-cran-loo) on the samples of <see cref="KhatCases"/>.</summary>
public class KhatReferenceTests
{
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
}
