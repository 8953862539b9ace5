using StabilityLab.Randomness;
namespace StabilityLab.Spectral;

/// <summary>
/// A block product D_b(I+τW_b)···D_a(I+τW_a) of the post block, in general the layer-Jacobian product
/// ∂h_b/∂h_{a−1} = J_b···J_a, named by its first and last layer (1 ≤ Start ≤ End ≤ L).
/// </summary>
public readonly record struct BlockPair(int Start, int End)
{
    /// <summary>Number of blocks in the product, End − Start + 1.</summary>
    public int Length => End - Start + 1;

    /// <summary>The whole product J_L···J_1.</summary>
    public static BlockPair Whole(int depth) => new(1, depth);

    public override string ToString() => $"({Start},{End})";
}
