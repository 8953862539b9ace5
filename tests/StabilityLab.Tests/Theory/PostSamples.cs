using StabilityLab.Models;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// Exact-sampler draws of log‖h_L‖² for the post block, drawn once per test run and shared by the
/// Theory tests that need them (each costs 0.3–4 s).
/// </summary>
internal static class PostSamples
{
    private static readonly Dictionary<(int, int, string, int), Lazy<LogNormSample>> Cache = new();

    public static (NetworkSpec Spec, LogNormSample Sample) Get(int width, int depth, string tauRule, int trials)
    {
        Lazy<LogNormSample> lazy;
        var spec = new NetworkSpec(width, depth, TauRule.Parse(tauRule));
        lock (Cache)
        {
            var key = (width, depth, tauRule, trials);
            if (!Cache.TryGetValue(key, out lazy!))
                Cache[key] = lazy = new Lazy<LogNormSample>(() => LogNormSample.Draw(spec, trials, seed: 17));
        }
        return (spec, lazy.Value);
    }
}
