namespace StabilityLab.Torch.Data;

/// <summary>Where a training problem comes from: a recipe that loads (or generates) the data for a seed.</summary>
public abstract record DataSource
{
    /// <summary>Short name used in CSV files (synthetic, fashion-mnist).</summary>
    public abstract string Name { get; }

    /// <summary>True when <see cref="Load"/> gives different data for different seeds.</summary>
    public abstract bool DependsOnSeed { get; }

    /// <summary>Input dimension p of the examples.</summary>
    public abstract int InputDim { get; }

    /// <summary>Output dimension d of the targets.</summary>
    public abstract int OutputDim { get; }

    /// <summary>The settings that determine the data, as text (written to the manifest, compared on resume).</summary>
    public abstract IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The data for a seed; bad settings or missing files throw <see cref="StabilityLab.Models.SpecException"/>.</summary>
    public abstract TrainingData Load(ulong seed);

    /// <summary>Throws <see cref="StabilityLab.Models.SpecException"/> when the data cannot be loaded (for example a
    /// missing file), before any work starts.</summary>
    public virtual void CheckAvailable()
    {
    }
}
