namespace StabilityLab.Torch.Data;

/// <summary>
/// n examples: inputs x_i as the rows of an n × p row-major array, targets y*_i as the rows of an n × d
/// array, and the class labels when the task is classification (then the targets are the one-hot rows).
/// </summary>
public sealed record DataSplit
{
    public DataSplit(int count, int inputDim, int outputDim, double[] inputs, double[] targets, int[]? labels = null)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "a split holds at least one example");
        if (inputs.LongLength != (long)count * inputDim) throw new ArgumentException($"inputs hold {inputs.LongLength} values, expected {count}·{inputDim}", nameof(inputs));
        if (targets.LongLength != (long)count * outputDim) throw new ArgumentException($"targets hold {targets.LongLength} values, expected {count}·{outputDim}", nameof(targets));
        if (labels is not null && labels.Length != count) throw new ArgumentException($"labels hold {labels.Length} values, expected {count}", nameof(labels));
        Count = count;
        InputDim = inputDim;
        OutputDim = outputDim;
        Inputs = inputs;
        Targets = targets;
        Labels = labels;
    }

    public int Count { get; }

    /// <summary>p.</summary>
    public int InputDim { get; }

    /// <summary>d.</summary>
    public int OutputDim { get; }

    /// <summary>n × p, row-major.</summary>
    public double[] Inputs { get; }

    /// <summary>n × d, row-major.</summary>
    public double[] Targets { get; }

    /// <summary>Class of each example (0..d−1) for classification, else null.</summary>
    public int[]? Labels { get; }
}
