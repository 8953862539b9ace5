using System.Runtime.InteropServices;

namespace StabilityLab.Torch.Devices;

/// <summary>
/// The NVIDIA driver's own count of visible GPUs (libcuda: cuInit, cuDeviceGetCount), for a build that has no CUDA
/// libtorch to ask. It honours CUDA_VISIBLE_DEVICES like any CUDA program.
/// </summary>
internal static class CudaDriver
{
    private const int CudaSuccess = 0;

    /// <summary>Visible GPUs; 0 when there is no driver library or it fails to initialize.</summary>
    public static unsafe int VisibleDevices()
    {
        // The library stays loaded: a driver that has run cuInit is not unloaded under a live process.
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var lib)) return 0;
        if (!NativeLibrary.TryGetExport(lib, "cuInit", out var init) || !NativeLibrary.TryGetExport(lib, "cuDeviceGetCount", out var count))
            return 0;
        if (((delegate* unmanaged<uint, int>)init)(0) != CudaSuccess) return 0;
        int n = 0;
        return ((delegate* unmanaged<int*, int>)count)(&n) == CudaSuccess ? n : 0;
    }
}
