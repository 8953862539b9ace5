using System.Text.Json;
using StabilityLab.Cli;
using StabilityLab.Torch;
using StabilityLab.Torch.Devices;

namespace StabilityLab.Tests.Cli;

/// <summary>
/// --device on train, train bench, spectrum and the dense sampler. On a machine without a CUDA libtorch (this
/// project's: CUDA builds of TorchSharp are not served here) `--device cuda` must be a one-line error, exit 2, before
/// any output exists; auto must name the device it chose in the first line and in the manifest.
/// </summary>
[TestFixture]
public sealed class DeviceOptionTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Path.Combine(Path.GetTempPath(), "stabilitylab-device-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static readonly string[][] DeviceCommands =
    [
        ["train", "--out", "OUT"],
        ["train", "bench"],
        ["spectrum", "--out", "OUT"],
        ["sample", "--sampler", "dense"],
    ];

    private static IEnumerable<TestCaseData> Commands() =>
        DeviceCommands.Select(c => new TestCaseData((object)c).SetArgDisplayNames(string.Join(" ", c.Where(a => a != "--out" && a != "OUT"))));

    private string[] WithOut(string[] args) => args.Select(a => a == "OUT" ? _root : a).ToArray();

    [TestCaseSource(nameof(Commands))]
    public void CudaWithoutACudaLibTorchIsAOneLineError(string[] command)
    {
        if (TorchDeviceProbe.Instance.HasCudaLibTorch)
            Assert.Ignore("this build carries a CUDA libtorch");
        var (code, stdout, stderr) = CliHarness.Run([.. WithOut(command), "--device", "cuda"]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.Contain("--device cuda").And.Contain("no CUDA libtorch").And.Contain(DeviceSelection.BuildSwitch));
            Assert.That(stderr.Contains("no GPU is visible"), Is.EqualTo(!TorchDeviceProbe.Instance.GpuVisible), stderr);
            Assert.That(Directory.Exists(_root), Is.False, "no output before the device is known");
        });
    }

    [TestCaseSource(nameof(Commands))]
    public void AnUnknownDeviceIsRefusedByTheParser(string[] command)
    {
        var (code, _, stderr) = CliHarness.Run([.. WithOut(command), "--device", "tpu"]);
        Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
        Assert.That(stderr, Does.Contain("--device").And.Contain("tpu"));
        Assert.That(stderr.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(Directory.Exists(_root), Is.False);
    }

    [TestCase("cpu")]
    [TestCase("cuda")]
    [TestCase("auto")]
    public void TheExactSamplerRefusesDevice(string device)
    {
        var (code, _, stderr) = CliHarness.Run("sample", "--width", "8", "--depth", "3", "--trials", "5", "--device", device);
        Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
        Assert.That(stderr.Trim(), Does.EndWith("--device applies to --sampler dense"));
    }

    [Test]
    public void TheDenseSamplerSaysWhichDeviceItUses()
    {
        var (code, stdout, stderr) = CliHarness.Run("sample", "--sampler", "dense", "--device", "cpu", "--width", "8", "--depth", "3", "--trials", "5", "--threads", "1");
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        Assert.That(stdout, Is.Not.Empty);
        Assert.That(stderr.Split('\n')[0], Does.Contain("device cpu"));
    }

    [Test]
    public void AutoNamesTheDeviceItChoseInTheFirstLineAndTheManifestOfTrain()
    {
        string expected = TorchDeviceProbe.Instance.HasCudaLibTorch && TorchDeviceProbe.Instance.GpuVisible ? "cuda" : "cpu";
        var (code, _, stderr) = CliHarness.Run("train", "--depth", "2", "--tau", "1/sqrt(L)", "--steps", "3", "--width", "8",
            "--train-size", "4", "--input-dim", "3", "--threads", "1", "--device", "auto", "--out", _root);
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        Assert.That(stderr.Split('\n')[0], Does.StartWith("train:").And.Contain($"device {expected},"));
        Assert.That(ManifestDevice(), Is.EqualTo(expected));
    }

    [Test]
    public void CpuIsRecordedInTheManifestOfSpectrum()
    {
        var (code, _, stderr) = CliHarness.Run("spectrum", "--width", "8", "--depth", "3", "--tau", "1/sqrt(L)", "--trials", "2", "--inputs", "0",
            "--threads", "1", "--device", "cpu", "--out", _root);
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        Assert.That(stderr.Split('\n')[0], Does.StartWith("spectrum:").And.Contain("device cpu,"));
        Assert.That(ManifestDevice(), Is.EqualTo("cpu"));
        Assert.That(TorchRuntime.DefaultDevice.ToString(), Is.EqualTo("cpu"));
    }

    private string ManifestDevice()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, "manifest.json")));
        return manifest.RootElement.GetProperty("device").GetString()!;
    }
}
