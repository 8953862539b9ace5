using System.Globalization;
using StabilityLab.Models;

namespace StabilityLab.Torch.Data;

/// <summary>
/// Fashion-MNIST (Xiao et al. 2017) from its four IDX files, as a 10-class problem for the network with d = 10
/// and the squared loss against one-hot targets. The first <see cref="TrainCount"/> training images and the first
/// <see cref="TestCount"/> test images are used (the files are already in random order). Preprocessing:
/// pixels/255, minus the per-pixel mean of the training images used, each image scaled to unit norm (‖x_i‖ = 1,
/// as the theory assumes); p = 784.
/// </summary>
public sealed record FashionMnist : DataSource
{
    /// <summary>Where Debian's package dataset-fashion-mnist installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    public const string TrainImages = "train-images-idx3-ubyte", TrainLabels = "train-labels-idx1-ubyte",
        TestImages = "t10k-images-idx3-ubyte", TestLabels = "t10k-labels-idx1-ubyte";

    public const string HowToGet =
        "install it with 'apt-get install dataset-fashion-mnist' (Debian/Ubuntu, files in " + DefaultDirectory +
        ") or download the four IDX files from https://github.com/zalandoresearch/fashion-mnist and pass --data DIR";

    public const int Classes = 10, Pixels = 784, MaxTrain = 60000, MaxTest = 10000;

    public FashionMnist(string? directory = null, int trainCount = MaxTrain, int testCount = MaxTest)
    {
        if (trainCount < 1 || trainCount > MaxTrain)
            throw new SpecException($"Fashion-MNIST training subset must hold 1..{MaxTrain} images (got {trainCount})");
        if (testCount < 0 || testCount > MaxTest)
            throw new SpecException($"Fashion-MNIST test subset must hold 0..{MaxTest} images (got {testCount})");
        Directory = string.IsNullOrWhiteSpace(directory) ? DefaultDirectory : directory;
        TrainCount = trainCount;
        TestCount = testCount;
    }

    /// <summary>The folder that holds the IDX files (plain or .gz).</summary>
    public string Directory { get; }

    public int TrainCount { get; }

    public int TestCount { get; }

    public override string Name => "fashion-mnist";

    public override bool DependsOnSeed => false;

    public override int InputDim => Pixels;

    public override int OutputDim => Classes;

    public override IReadOnlyDictionary<string, string> Settings => new SortedDictionary<string, string>
    {
        ["dataset"] = Name,
        ["directory"] = Path.GetFullPath(Directory),
        ["train_count"] = TrainCount.ToString(CultureInfo.InvariantCulture),
        ["test_count"] = TestCount.ToString(CultureInfo.InvariantCulture),
        ["preprocessing"] = "x/255, minus per-pixel train mean, unit norm; one-hot targets, squared loss",
    };

    /// <summary>The path of an IDX file in <see cref="Directory"/> (plain or .gz); a missing file throws with how to get it.</summary>
    public string Locate(string baseName)
    {
        if (!System.IO.Directory.Exists(Directory))
            throw new SpecException($"Fashion-MNIST folder {Directory} does not exist; {HowToGet}");
        foreach (var candidate in new[] { baseName, baseName + ".gz" })
        {
            var path = Path.Combine(Directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new SpecException($"Fashion-MNIST file {baseName}[.gz] not found in {Directory}; {HowToGet}");
    }

    public override void CheckAvailable()
    {
        Locate(TrainImages);
        Locate(TrainLabels);
        if (TestCount > 0)
        {
            Locate(TestImages);
            Locate(TestLabels);
        }
    }

    public override TrainingData Load(ulong seed)
    {
        var (xTrain, yTrain) = ReadPair(TrainImages, TrainLabels, TrainCount);
        var mean = new double[Pixels];
        for (int i = 0; i < TrainCount; i++)
            for (int k = 0; k < Pixels; k++) mean[k] += xTrain[(long)i * Pixels + k];
        for (int k = 0; k < Pixels; k++) mean[k] /= 255.0 * TrainCount;
        var train = Split(xTrain, yTrain, TrainCount, mean);
        DataSplit? test = null;
        if (TestCount > 0)
        {
            var (xTest, yTest) = ReadPair(TestImages, TestLabels, TestCount);
            test = Split(xTest, yTest, TestCount, mean);
        }
        var (delta, _, _) = PairwiseDistance.Minimum(train.Inputs, train.Count, Pixels);
        return new TrainingData(Name, train, test, delta,
            $"Fashion-MNIST, first {TrainCount} training and first {TestCount} test images, p = {Pixels}, d = {Classes}, one-hot targets");
    }

    private (double[] Pixels, int[] Labels) ReadPair(string images, string labels, int count)
    {
        string imagePath = Locate(images), labelPath = Locate(labels);
        IdxArray x, y;
        try
        {
            x = IdxFile.Read(imagePath, count);
            y = IdxFile.Read(labelPath, count);
        }
        catch (InvalidDataException e)
        {
            throw new SpecException($"cannot read Fashion-MNIST: {e.Message}");
        }
        if (x.Shape.Length != 3 || x.Shape[1] * x.Shape[2] != Pixels)
            throw new SpecException($"{imagePath}: expected 28×28 images, got shape [{string.Join(", ", x.Shape)}]");
        if (y.Shape.Length != 1)
            throw new SpecException($"{labelPath}: expected a vector of labels, got shape [{string.Join(", ", y.Shape)}]");
        if (x.Items < count || y.Items < count)
            throw new SpecException($"{imagePath} holds {Math.Min(x.Items, y.Items)} examples, fewer than the {count} requested");
        var lab = new int[count];
        for (int i = 0; i < count; i++)
        {
            double v = y.Values[i];
            if (v < 0 || v >= Classes || v != Math.Floor(v))
                throw new SpecException($"{labelPath}: label {v} at index {i} is not a class 0..{Classes - 1}");
            lab[i] = (int)v;
        }
        return (x.Values, lab);
    }

    private static DataSplit Split(double[] raw, int[] labels, int count, double[] mean)
    {
        var x = new double[(long)count * Pixels];
        var t = new double[(long)count * Classes];
        for (int i = 0; i < count; i++)
        {
            long o = (long)i * Pixels;
            double norm2 = 0;
            for (int k = 0; k < Pixels; k++)
            {
                double v = raw[o + k] / 255.0 - mean[k];
                x[o + k] = v;
                norm2 += v * v;
            }
            double inv = norm2 > 0 ? 1 / Math.Sqrt(norm2) : 0;
            for (int k = 0; k < Pixels; k++) x[o + k] *= inv;
            t[(long)i * Classes + labels[i]] = 1;
        }
        return new DataSplit(count, Pixels, Classes, x, t, labels);
    }
}
