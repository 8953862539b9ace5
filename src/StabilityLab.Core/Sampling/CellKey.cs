using StabilityLab.Models;

namespace StabilityLab.Sampling;

/// <summary>
/// The random-stream id of a cell: a stable hash of everything in the spec except τ, so every τ
/// of a grid sees the same draws (common random numbers) and a cell gets the same numbers
/// whether it is sampled alone or inside any sweep, shard or resumed run.
/// </summary>
public static class CellKey
{
    public static uint Of(NetworkSpec spec)
    {
        var text = $"{spec.Block.Name()}|{spec.Activation.Name()}|{spec.Weights.Name()}|{spec.Width}|{spec.Depth}|{spec.InputDim}|{spec.OutputDim}";
        uint h = 2166136261; // FNV-1a, 32 bit
        foreach (char c in text)
        {
            h ^= c;
            h *= 16777619;
        }
        return h;
    }
}
