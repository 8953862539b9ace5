using StabilityLab.Models;
using StabilityLab.Randomness;

namespace StabilityLab.Sampling;

/// <summary>
/// Runs the exact sampler over trials on several threads. Trial t of a cell always uses the
/// stream (seed, <see cref="CellKey"/>, t) and lands in slot t, so the result is bit-identical
/// for any thread count.
/// </summary>
public static class MonteCarlo
{
    /// <summary>
    /// Trials 0..trials−1 for every τ schedule with common random numbers;
    /// result[k][t] is trial t under schedule k. <paramref name="progress"/> gets the number of
    /// trials just finished and <paramref name="observe"/> every trial's full measurements
    /// (both called from worker threads; observe gets distinct trial indices, so writing into
    /// per-trial slots needs no lock). <paramref name="generator"/> is the streams' generator (Philox for new runs;
    /// Threefry for directories written before it). <paramref name="checkpointInterval"/>: 0 keeps every layer of the
    /// forward pass, k &gt; 0 every k-th (<see cref="ExactSampler"/>; the same bits either way).
    /// </summary>
    public static TrialSummary[][] RunExact(NetworkSpec spec, IReadOnlyList<double[]> schedules, int trials, ulong seed,
        int threads = 0, Action<int>? progress = null, CancellationToken cancel = default, SimdPath path = SimdPath.Auto,
        Action<int, TrialMeasurement[]>? observe = null, RandomGenerator generator = RandomGenerators.Default, int checkpointInterval = 0)
    {
        if (trials < 1) throw new SpecException($"trials must be at least 1 (got {trials})");
        if (schedules.Count == 0) throw new SpecException("no τ values to sample");
        threads = threads <= 0 ? Environment.ProcessorCount : threads;
        uint cell = CellKey.Of(spec);
        var result = new TrialSummary[schedules.Count][];
        for (int k = 0; k < schedules.Count; k++) result[k] = new TrialSummary[trials];
        int next = -1;
        Exception? failure = null;
        void Worker()
        {
            try
            {
                var sampler = new ExactSampler(spec, path, checkpointInterval);
                int t;
                while ((t = Interlocked.Increment(ref next)) < trials && !cancel.IsCancellationRequested && failure is null)
                {
                    var ms = sampler.Sample(RandomStream.For(seed, cell, (uint)t, generator), schedules);
                    for (int k = 0; k < ms.Length; k++) result[k][t] = TrialSummary.Of(ms[k]);
                    observe?.Invoke(t, ms);
                    progress?.Invoke(1);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        }
        var workers = Enumerable.Range(0, Math.Min(threads, trials)).Select(_ => new Thread(Worker) { IsBackground = true }).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        if (failure is not null) throw failure is SpecException ? failure : new AggregateException(failure);
        cancel.ThrowIfCancellationRequested();
        return result;
    }
}
