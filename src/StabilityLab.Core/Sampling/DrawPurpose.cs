namespace StabilityLab.Sampling;

/// <summary>Domains of a trial's random stream: each use of randomness draws from its own.</summary>
internal static class DrawPurpose
{
    public const byte Input = 0;          // A x (layer 0)
    public const byte Forward = 1;        // W_l h_{l-1} direction (res3: W_l h_{l-1})
    public const byte ForwardInner = 2;   // res3: V_l φ(W_l h_{l-1})
    public const byte Backward = 3;       // independent copy W̃_l in the conditional law of W_l
    public const byte BackwardInner = 4;  // res3: Ṽ_l
    public const byte OutputProjection = 5; // B h_L direction (d values)
    public const byte OutputBackward = 6;   // B̃ᵀ (B h_L)
}
