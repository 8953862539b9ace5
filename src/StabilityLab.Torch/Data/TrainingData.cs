namespace StabilityLab.Torch.Data;

/// <summary>
/// A training problem: the training split (what the loss F sums over), an optional test split, and the
/// δ-separation of the training inputs (the smallest distance ‖x_i − x_j‖ between two of them).
/// </summary>
public sealed record TrainingData(string Name, DataSplit Train, DataSplit? Test, double MinPairwiseDistance, string Description)
{
    /// <summary>True when the splits carry class labels (accuracy is then reported).</summary>
    public bool IsClassification => Train.Labels is not null;

    public int InputDim => Train.InputDim;

    public int OutputDim => Train.OutputDim;
}
