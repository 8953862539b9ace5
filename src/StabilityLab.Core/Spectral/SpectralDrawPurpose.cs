namespace StabilityLab.Spectral;

/// <summary>
/// Domains of a trial's random stream used by the spectral tools, apart from those of
/// <see cref="Sampling.ExactSampler"/> (0..6) so that the two never share draws by accident.
/// </summary>
internal static class SpectralDrawPurpose
{
    public const byte GramInput = 32;        // A Q_X (layer 0), m × rank(X)
    public const byte GramForward = 33;      // W_l Q (post, res3) or W_l Q_φ (res1), m × rank
    public const byte GramForwardInner = 34; // res3: V_l Q_φ(u), m × rank
    public const byte Inputs = 40;           // the unit inputs of GramInputs.RandomSphere
    public const byte PairSample = 41;       // the random sample of block pairs
}
