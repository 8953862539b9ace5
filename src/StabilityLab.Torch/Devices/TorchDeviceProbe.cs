using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Devices;

/// <summary>
/// The real <see cref="IDeviceProbe"/>. A CUDA libtorch is present when libtorch_cuda loads the way TorchSharp itself
/// loads it (by name, next to TorchSharp's assembly; the CPU package has no such file). A GPU is visible when
/// torch.cuda.is_available() says so, which also checks that the driver is new enough for the libtorch; without a CUDA
/// libtorch only the driver can be asked.
/// </summary>
public sealed class TorchDeviceProbe : IDeviceProbe
{
    public static readonly TorchDeviceProbe Instance = new();

    private readonly Lazy<bool> _lib = new(() => NativeLibrary.TryLoad("torch_cuda", typeof(TorchSharp.torch).Assembly, null, out _));

    private TorchDeviceProbe()
    {
    }

    public bool HasCudaLibTorch => _lib.Value;

    public bool GpuVisible => HasCudaLibTorch ? cuda.is_available() : CudaDriver.VisibleDevices() > 0;
}
