using System.Buffers.Binary;
using System.IO.Compression;
using StabilityLab.Models;
using StabilityLab.Torch.Data;

namespace StabilityLab.Tests.Training;

/// <summary>IDX reading (plain and gzip) from files the test writes byte by byte, the Fashion-MNIST loader on such files,
/// synthetic data and the δ-separation.</summary>
[TestFixture]
public sealed class DataTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Tiny.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>An IDX file written by hand: 00 00 type rank, big-endian int32 sizes, then the bytes.</summary>
    internal static byte[] Idx(byte type, int[] shape, byte[] payload)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)shape.Length };
        foreach (var s in shape)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, s);
            bytes.AddRange(b);
        }
        bytes.AddRange(payload);
        return bytes.ToArray();
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(raw);
        return ms.ToArray();
    }

    [Test]
    public void ReadsAnUnsignedByteIdxFile()
    {
        var path = Path.Combine(_dir, "images");
        File.WriteAllBytes(path, Idx(0x08, [3, 2, 2], [0, 1, 2, 3, 10, 11, 12, 13, 255, 254, 253, 252]));
        var a = IdxFile.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(a.Shape, Is.EqualTo(new[] { 3, 2, 2 }));
            Assert.That(a.Items, Is.EqualTo(3));
            Assert.That(a.ItemSize, Is.EqualTo(4));
            Assert.That(a.Values, Is.EqualTo(new double[] { 0, 1, 2, 3, 10, 11, 12, 13, 255, 254, 253, 252 }));
        });
        var firstTwo = IdxFile.Read(path, maxItems: 2);
        Assert.That(firstTwo.Shape, Is.EqualTo(new[] { 2, 2, 2 }));
        Assert.That(firstTwo.Values, Is.EqualTo(new double[] { 0, 1, 2, 3, 10, 11, 12, 13 }));
    }

    [Test]
    public void ReadsGzipAndWiderTypesBigEndian()
    {
        var ints = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(ints, -5);
        BinaryPrimitives.WriteInt32BigEndian(ints.AsSpan(4), 70000);
        var path = Path.Combine(_dir, "ints.gz");
        File.WriteAllBytes(path, Gzip(Idx(0x0C, [2], ints)));
        Assert.That(IdxFile.Read(path).Values, Is.EqualTo(new double[] { -5, 70000 }));

        var dbl = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(dbl, 0.25);
        var p2 = Path.Combine(_dir, "double");
        File.WriteAllBytes(p2, Idx(0x0E, [1], dbl));
        Assert.That(IdxFile.Read(p2).Values, Is.EqualTo(new[] { 0.25 }));
    }

    [Test]
    public void RejectsTruncatedAndForeignFiles()
    {
        var p1 = Path.Combine(_dir, "short");
        File.WriteAllBytes(p1, Idx(0x08, [4, 2], [1, 2, 3]));
        Assert.That(() => IdxFile.Read(p1), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("truncated"));
        var p2 = Path.Combine(_dir, "text");
        File.WriteAllText(p2, "hello world");
        Assert.That(() => IdxFile.Read(p2), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("not an IDX file"));
        var p3 = Path.Combine(_dir, "type");
        File.WriteAllBytes(p3, Idx(0x07, [1], [0]));
        Assert.That(() => IdxFile.Read(p3), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("element type"));
    }

    private static byte[] Images(int count, int salt) =>
        Enumerable.Range(0, count * 784).Select(i => (byte)((i * 7 + salt * 13 + i / 784 * 31 + (i % 784) * (i / 784) * 5) % 256)).ToArray();

    /// <summary>A miniature Fashion-MNIST folder: n training and k test images of 28×28 with labels i mod 10.</summary>
    private void WriteFashion(string dir, int n, int k, bool gzip)
    {
        Directory.CreateDirectory(dir);
        void Write(string name, byte[] raw) => File.WriteAllBytes(Path.Combine(dir, name + (gzip ? ".gz" : "")), gzip ? Gzip(raw) : raw);
        byte[] Labels(int count) => Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        Write(FashionMnist.TrainImages, Idx(0x08, [n, 28, 28], Images(n, 1)));
        Write(FashionMnist.TrainLabels, Idx(0x08, [n], Labels(n)));
        Write(FashionMnist.TestImages, Idx(0x08, [k, 28, 28], Images(k, 2)));
        Write(FashionMnist.TestLabels, Idx(0x08, [k], Labels(k)));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void LoadsFashionMnistFromAFolderOfIdxFiles(bool gzip)
    {
        WriteFashion(_dir, 12, 5, gzip);
        var data = new FashionMnist(_dir, trainCount: 10, testCount: 5).Load(1);
        Assert.Multiple(() =>
        {
            Assert.That(data.IsClassification, Is.True);
            Assert.That(data.Train.Count, Is.EqualTo(10), "the first 10 of 12");
            Assert.That(data.Test!.Count, Is.EqualTo(5));
            Assert.That(data.InputDim, Is.EqualTo(784));
            Assert.That(data.OutputDim, Is.EqualTo(10));
            Assert.That(data.Train.Labels, Is.EqualTo(Enumerable.Range(0, 10).ToArray()));
            for (int i = 0; i < 10; i++)
            {
                var row = data.Train.Inputs.AsSpan(i * 784, 784).ToArray();
                Assert.That(Math.Sqrt(row.Sum(v => v * v)), Is.EqualTo(1).Within(1e-12), $"‖x_{i}‖ = 1");
                var target = data.Train.Targets.AsSpan(i * 10, 10).ToArray();
                Assert.That(target, Is.EqualTo(Enumerable.Range(0, 10).Select(c => c == i ? 1.0 : 0.0)), "one-hot target");
            }
            Assert.That(data.MinPairwiseDistance, Is.GreaterThan(0.1));
        });
        // The preprocessing by hand: x = raw/255 − (mean over the 10 training images used), then unit norm.
        var raw = Images(12, 1);
        var mean = new double[784];
        for (int i = 0; i < 10; i++) for (int k = 0; k < 784; k++) mean[k] += raw[i * 784 + k] / 255.0 / 10;
        var expectTest = Images(5, 2);
        foreach (var (split, bytes) in new[] { (data.Train, raw), (data.Test!, expectTest) })
            for (int i = 0; i < split.Count; i++)
            {
                var v = Enumerable.Range(0, 784).Select(k => bytes[i * 784 + k] / 255.0 - mean[k]).ToArray();
                double norm = Math.Sqrt(v.Sum(a => a * a));
                Assert.That(split.Inputs.AsSpan(i * 784, 784).ToArray(), Is.EqualTo(v.Select(a => a / norm)).Within(1e-12));
            }
    }

    [Test]
    public void AMissingFolderOrFileSaysHowToGetTheData()
    {
        var missing = new FashionMnist(Path.Combine(_dir, "nope"));
        var e1 = Assert.Throws<SpecException>(() => missing.CheckAvailable());
        Assert.That(e1!.Message, Does.Contain("apt-get install dataset-fashion-mnist").And.Contain("--data"));
        WriteFashion(_dir, 3, 2, gzip: false);
        File.Delete(Path.Combine(_dir, FashionMnist.TestLabels));
        var e2 = Assert.Throws<SpecException>(() => new FashionMnist(_dir, 3, 2).Load(1));
        Assert.That(e2!.Message, Does.Contain(FashionMnist.TestLabels).And.Contain("apt-get install dataset-fashion-mnist"));
        Assert.That(e2.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void ACorruptFileIsASpecErrorNamingIt()
    {
        WriteFashion(_dir, 3, 2, gzip: false);
        File.WriteAllText(Path.Combine(_dir, FashionMnist.TrainImages), "garbage");
        var e = Assert.Throws<SpecException>(() => new FashionMnist(_dir, 3, 2).Load(1));
        Assert.That(e!.Message, Does.Contain(FashionMnist.TrainImages));
    }

    [Test]
    public void SyntheticInputsAreUnitVectorsAndDeltaIsTheSmallestDistance()
    {
        var data = new SyntheticData(40, 3, 2, testCount: 5).Load(9);
        var x = data.Train.Inputs;
        double brute = double.PositiveInfinity;
        for (int i = 0; i < 40; i++)
        {
            Assert.That(Math.Sqrt(x[(3 * i)..(3 * i + 3)].Sum(v => v * v)), Is.EqualTo(1).Within(1e-14));
            for (int j = i + 1; j < 40; j++)
            {
                double d2 = 0;
                for (int k = 0; k < 3; k++) d2 += (x[3 * i + k] - x[3 * j + k]) * (x[3 * i + k] - x[3 * j + k]);
                brute = Math.Min(brute, Math.Sqrt(d2));
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(data.MinPairwiseDistance, Is.EqualTo(brute).Within(1e-12));
            Assert.That(data.Test!.Count, Is.EqualTo(5));
            Assert.That(data.Train.Targets, Has.Length.EqualTo(80));
            Assert.That(data.Description, Does.Contain("δ"));
        });
        var other = new SyntheticData(40, 3, 2).Load(10);
        Assert.That(other.Train.Inputs, Is.Not.EqualTo(x));
    }

    [Test]
    public void TeacherTargetsHaveMeanSquareOne()
    {
        var data = new SyntheticData(64, 5, 2, TargetKind.Teacher).Load(2);
        double ms = data.Train.Targets.Average(v => v * v);
        Assert.That(ms, Is.EqualTo(1).Within(1e-12));
        var random = new SyntheticData(64, 5, 2, TargetKind.Random).Load(2);
        Assert.That(random.Train.Targets, Is.Not.EqualTo(data.Train.Targets));
    }

    [Test]
    public void PairwiseMinimumFindsAKnownPair()
    {
        // Points on a line at 0, 5, 1.5, 9, 1.25: the closest pair is (2, 4) at distance 0.25.
        var x = new double[] { 0, 0, 5, 0, 1.5, 0, 9, 0, 1.25, 0 };
        var (d, i, j) = PairwiseDistance.Minimum(x, 5, 2);
        Assert.That(d, Is.EqualTo(0.25).Within(1e-15));
        Assert.That(new[] { i, j }, Is.EquivalentTo(new[] { 2, 4 }));
    }
}
