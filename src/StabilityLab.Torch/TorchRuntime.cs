using static TorchSharp.torch;

namespace StabilityLab.Torch;

/// <summary>Process-wide TorchSharp settings: device choice and thread count, set explicitly.</summary>
public static class TorchRuntime
{
    /// <summary>CUDA when a CUDA libtorch is present and a GPU is visible, else CPU.</summary>
    public static Device DefaultDevice => cuda.is_available() ? CUDA : CPU;

    /// <summary>Sets libtorch's intra-op threads (two threads collapse when the other core is busy, so say it).</summary>
    public static void SetThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "threads must be at least 1");
        set_num_threads(threads);
    }
}
