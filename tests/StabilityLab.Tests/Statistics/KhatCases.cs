namespace StabilityLab.Tests.Statistics;

/// <summary>
/// The log-ratio samples on which k̂ is checked against R's loo: each a pure function of its name,
/// drawn from the counter-based normals (<see cref="Coverage.Normals"/>), so the test regenerates them
/// and <see cref="KhatReferenceTests.WriteInputsForR"/> writes them for R.
/// </summary>
public static class KhatCases
{
    /// <summary>σ z: Gaussian log ratios (a log-normal ratio).</summary>
    public static double[] Gaussian(double sigma, int n)
    {
        var z = Coverage.Normals(0x4B48_0001, (int)(sigma * 10), n);
        for (int i = 0; i < n; i++) z[i] *= sigma;
        return z;
    }

    /// <summary>s·t₃: Student-t log ratios, t = z/√(χ²₃/3); E[exp(x)] is infinite.</summary>
    public static double[] StudentT3(double scale, int n, int replication = 0)
    {
        var z = Coverage.Normals(0x4B48_0002, 2 * replication, n);
        var c = Coverage.Normals(0x4B48_0002, 2 * replication + 1, 3 * n);
        for (int i = 0; i < n; i++)
            z[i] = scale * z[i] / Math.Sqrt((c[3 * i] * c[3 * i] + c[3 * i + 1] * c[3 * i + 1] + c[3 * i + 2] * c[3 * i + 2]) / 3);
        return z;
    }

    /// <summary>ξ·E with E ~ Exp(1) = (z₁² + z₂²)/2: exp(x) is Pareto with tail index 1/ξ, so k = ξ.</summary>
    public static double[] ParetoTail(double xi, int n)
    {
        var c = Coverage.Normals(0x4B48_0003, (int)(xi * 10), 2 * n);
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = xi * (c[2 * i] * c[2 * i] + c[2 * i + 1] * c[2 * i + 1]) / 2;
        return x;
    }

    public static IEnumerable<(string Name, double[] LogRatios)> All()
    {
        foreach (int n in new[] { 100, 500, 4000 })
            foreach (double sigma in new[] { 0.5, 1, 2, 3, 7 })
                yield return ($"gauss_sd{sigma}_n{n}", Gaussian(sigma, n));
        yield return ("t3_scale1_n500", StudentT3(1, 500));
        yield return ("t3_scale1_n4000", StudentT3(1, 4000));
        yield return ("pareto_xi0.5_n1000", ParetoTail(0.5, 1000));
        yield return ("pareto_xi1.2_n1000", ParetoTail(1.2, 1000));
    }
}
