namespace StabilityLab.Randomness;

/// <summary>
/// Every id that separates one use of randomness from another, in one place, so that no two uses
/// share draws by accident. A trial's stream is <see cref="RandomStream.For"/>(seed, cell, trial);
/// inside it, a domain (<see cref="RandomStream.Domain"/>: layer·256 + purpose) separates the uses.
/// </summary>
public static class StreamIds
{
    /// <summary>Purposes inside one trial of the exact sampler (0..6).</summary>
    public static class Trial
    {
        public const byte Input = 0;            // A x (layer 0)
        public const byte Forward = 1;          // W_l h_{l-1} direction (res3: W_l h_{l-1})
        public const byte ForwardInner = 2;     // res3: V_l φ(W_l h_{l-1})
        public const byte Backward = 3;         // independent copy W̃_l in the conditional law of W_l
        public const byte BackwardInner = 4;    // res3: Ṽ_l
        public const byte OutputProjection = 5; // B h_L direction (d values)
        public const byte OutputBackward = 6;   // B̃ᵀ (B h_L)
    }

    /// <summary>Purposes of the spectral tools (32..41), apart from <see cref="Trial"/>.</summary>
    public static class Spectral
    {
        public const byte GramInput = 32;        // A Q_X (layer 0), m × rank(X)
        public const byte GramForward = 33;      // W_l Q (post, res3) or W_l Q_φ (res1), m × rank
        public const byte GramForwardInner = 34; // res3: V_l Q_φ(u), m × rank
        public const byte Inputs = 40;           // the unit inputs of GramInputs.RandomSphere
        public const byte PairSample = 41;       // the random sample of block pairs

        /// <summary>The stream key of the random unit inputs is this prefix | input dimension.</summary>
        public const ulong SphereInputsKey = 0x5350_4543_0000_0000UL;

        /// <summary>Seed of the TorchSharp generator for power-iteration and Lanczos start vectors.</summary>
        public const ulong TorchStartVectorSeed = 0x5EC7_0A11UL;
    }

    /// <summary>Cells (trial slot 0) and purposes of training: weights, data, teacher, minibatch order.</summary>
    public static class Training
    {
        public const uint InitCell = 0x7A110001, DataCell = 0x7A110002, TeacherCell = 0x7A110003, ShuffleCell = 0x7A110004;

        /// <summary>Purposes inside one stream: weight matrices (domain layer·256 + purpose).</summary>
        public const byte InputLayer = 1, OutputLayer = 2, BranchW = 3, BranchV = 4;
    }
}
