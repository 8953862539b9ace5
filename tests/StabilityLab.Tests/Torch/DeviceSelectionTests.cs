using StabilityLab.Models;
using StabilityLab.Torch.Devices;
using TorchSharp;

namespace StabilityLab.Tests.Torch;

/// <summary>--device through a stand-in probe: every request against every machine (CUDA libtorch or not, GPU or not).</summary>
[TestFixture]
public sealed class DeviceSelectionTests
{
    /// <summary>A machine as the probe reports it; counts the questions asked.</summary>
    private sealed class FakeProbe(bool lib, bool gpu) : IDeviceProbe
    {
        public int LibAsked { get; private set; }

        public int GpuAsked { get; private set; }

        public bool HasCudaLibTorch
        {
            get
            {
                LibAsked++;
                return lib;
            }
        }

        public bool GpuVisible
        {
            get
            {
                GpuAsked++;
                return gpu;
            }
        }
    }

    private static readonly (bool Lib, bool Gpu)[] Machines = [(false, false), (false, true), (true, false), (true, true)];

    [Test]
    public void CpuIsCpuEverywhereWithoutAskingTheProbe()
    {
        foreach (var (lib, gpu) in Machines)
        {
            var probe = new FakeProbe(lib, gpu);
            Assert.That(DeviceSelection.Resolve(DeviceRequest.Cpu, probe), Is.EqualTo(DeviceType.CPU), $"lib {lib}, gpu {gpu}");
            Assert.That(probe.LibAsked + probe.GpuAsked, Is.Zero);
        }
    }

    [Test]
    public void AutoIsCudaOnlyWithBothTheLibraryAndAGpu()
    {
        foreach (var (lib, gpu) in Machines)
            Assert.That(DeviceSelection.Resolve(DeviceRequest.Auto, new FakeProbe(lib, gpu)),
                Is.EqualTo(lib && gpu ? DeviceType.CUDA : DeviceType.CPU), $"lib {lib}, gpu {gpu}");
    }

    [Test]
    public void AutoDoesNotLookForAGpuWhenTheBuildHasNoCudaLibTorch()
    {
        var probe = new FakeProbe(false, true);
        DeviceSelection.Resolve(DeviceRequest.Auto, probe);
        Assert.That(probe.GpuAsked, Is.Zero);
    }

    [Test]
    public void CudaWithBothIsCuda() =>
        Assert.That(DeviceSelection.Resolve(DeviceRequest.Cuda, new FakeProbe(true, true)), Is.EqualTo(DeviceType.CUDA));

    [TestCase(false, true, true, false)]
    [TestCase(true, false, false, true)]
    [TestCase(false, false, true, true)]
    public void CudaWithoutOneOfTheTwoIsAOneLineErrorNamingWhatIsMissing(bool lib, bool gpu, bool namesLib, bool namesGpu)
    {
        var e = Assert.Throws<SpecException>(() => DeviceSelection.Resolve(DeviceRequest.Cuda, new FakeProbe(lib, gpu)))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.StartWith("--device cuda:"));
            Assert.That(e.Message, Does.Not.Contain('\n'));
            Assert.That(e.Message.Contains("no CUDA libtorch"), Is.EqualTo(namesLib), e.Message);
            Assert.That(e.Message.Contains(DeviceSelection.BuildSwitch), Is.EqualTo(namesLib), e.Message);
            Assert.That(e.Message.Contains("no GPU is visible"), Is.EqualTo(namesGpu), e.Message);
        });
    }

    [Test]
    public void EveryNameParsesToItsRequestAndBack()
    {
        foreach (var request in Enum.GetValues<DeviceRequest>())
        {
            Assert.That(DeviceRequests.Parse(request.Name()), Is.EqualTo(request));
            Assert.That(DeviceRequests.Parse(" " + request.Name().ToUpperInvariant() + " "), Is.EqualTo(request));
        }
        Assert.That(DeviceRequests.Names, Is.EqualTo(new[] { "auto", "cpu", "cuda" }));
    }

    [TestCase("")]
    [TestCase("gpu0")]
    [TestCase("cuda:1")]
    [TestCase("mps")]
    public void AnythingElseIsRefused(string text)
    {
        Assert.That(DeviceRequests.TryParse(text), Is.Null);
        var e = Assert.Throws<SpecException>(() => DeviceRequests.Parse(text))!;
        Assert.That(e.Message, Does.StartWith("--device"));
    }

    [Test]
    public void TheCublasWorkspaceIsFixedBeforeAnyGpuMultiply()
    {
        // Set when the Torch assembly loads, unless the environment already had a value (the user's choice wins).
        Assert.That(CublasReproducibility.CurrentConfig, Is.Not.Null);
        if (Environment.GetEnvironmentVariable(CublasReproducibility.Variable) is null or CublasReproducibility.DeterministicWorkspace)
            Assert.That(CublasReproducibility.CurrentConfig, Is.EqualTo(CublasReproducibility.DeterministicWorkspace));
    }
}
