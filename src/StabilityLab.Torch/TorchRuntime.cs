using StabilityLab.Torch.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Torch;

/// <summary>Process-wide TorchSharp settings: device choice and thread count, set explicitly.</summary>
public static class TorchRuntime
{
    private static Device? _device;

    /// <summary>
    /// The device every network, sampler and trainer uses unless given one: the one <see cref="UseDevice"/> chose, else
    /// auto (CUDA when this build has a CUDA libtorch and a GPU is visible, else CPU). Its name ("cpu", "cuda") is what
    /// the runs print and record in their manifests.
    /// </summary>
    /// <summary>Memory of the .NET runtime and libtorch themselves, for the estimates of `train` and `spectrum`
    /// (measured: 175 MiB peak resident for `train --width 8 --depth 2 --steps 3`).</summary>
    public const long RuntimeBytes = 256L << 20;

    public static Device DefaultDevice => _device ??= ToDevice(DeviceSelection.Resolve(DeviceRequest.Auto, TorchDeviceProbe.Instance));

    /// <summary>
    /// Chooses the device for the rest of the process (<see cref="DeviceSelection.Resolve"/>): a
    /// <see cref="StabilityLab.Models.SpecException"/> naming what is missing when CUDA is asked for and cannot run.
    /// </summary>
    /// <param name="request">auto, cpu or cuda.</param>
    /// <param name="probe">What is installed (default: this process's libtorch and driver).</param>
    public static Device UseDevice(DeviceRequest request, IDeviceProbe? probe = null) =>
        _device = ToDevice(DeviceSelection.Resolve(request, probe ?? TorchDeviceProbe.Instance));

    /// <summary>Sets libtorch's intra-op threads (two threads collapse when the other core is busy, so say it).</summary>
    public static void SetThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "threads must be at least 1");
        set_num_threads(threads);
    }

    private static Device ToDevice(DeviceType type) => type == DeviceType.CUDA ? CUDA : CPU;
}
