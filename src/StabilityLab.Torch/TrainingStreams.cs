using StabilityLab.Randomness;

namespace StabilityLab.Torch;

/// <summary>
/// The counter-based random streams of training, one per purpose, all pure functions of the seed:
/// initial weights, synthetic data, teacher network and minibatch order. A seed gives the same data
/// for every depth and τ rule, and the same A, B, W_1, W_2, … for every τ rule and every depth that
/// has those layers (common random numbers). Here, beside the runtime, because the data (teacher), the networks
/// (initial weights) and training (minibatch order) all read them. Their normals are Philox-4x32-10's with this project's
/// own log and sin/cos (<see cref="Generator"/>): the same bits on every CPU, like the sampler's.
/// </summary>
public static class TrainingStreams
{
    /// <summary>The generator of every training stream (recorded as the "generator" setting of a study).</summary>
    public const RandomGenerator Generator = RandomGenerator.Philox;

    public static RandomStream Init(ulong seed) => RandomStream.For(seed, StreamIds.Training.InitCell, 0, Generator);

    public static RandomStream Data(ulong seed) => RandomStream.For(seed, StreamIds.Training.DataCell, 0, Generator);

    public static RandomStream Teacher(ulong seed) => RandomStream.For(seed, StreamIds.Training.TeacherCell, 0, Generator);

    public static RandomStream Shuffle(ulong seed) => RandomStream.For(seed, StreamIds.Training.ShuffleCell, 0, Generator);

    /// <summary>A uniform in [0, 1) from counter k of (stream, domain).</summary>
    public static double Uniform(RandomStream stream, ulong domain, ulong k) =>
        (Threefry2x64.Block(k, domain, stream.Seed, stream.Key).X0 >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>A uniformly random permutation of 0..n−1 (Fisher–Yates on counters of (stream, domain)).</summary>
    public static int[] Permutation(RandomStream stream, ulong domain, int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(Uniform(stream, domain, (ulong)i) * (i + 1));
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
