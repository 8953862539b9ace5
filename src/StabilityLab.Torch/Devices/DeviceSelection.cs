using StabilityLab.Models;
using TorchSharp;

namespace StabilityLab.Torch.Devices;

/// <summary>Turns a <see cref="DeviceRequest"/> into the device type a run uses, from what an <see cref="IDeviceProbe"/> reports.</summary>
public static class DeviceSelection
{
    /// <summary>The build switch that swaps the CPU libtorch for the CUDA one (see the README, "GPU (CUDA)").</summary>
    public const string BuildSwitch = "-p:TorchBackend=cuda";

    /// <summary>
    /// CPU for cpu; for auto CUDA exactly when both a CUDA libtorch and a GPU are there; for cuda CUDA, or a
    /// <see cref="SpecException"/> naming whichever of the two is missing. The probe is asked only what the answer needs.
    /// </summary>
    public static DeviceType Resolve(DeviceRequest request, IDeviceProbe probe)
    {
        switch (request)
        {
            case DeviceRequest.Cpu:
                return DeviceType.CPU;
            case DeviceRequest.Auto:
                return probe.HasCudaLibTorch && probe.GpuVisible ? DeviceType.CUDA : DeviceType.CPU;
            case DeviceRequest.Cuda:
                bool lib = probe.HasCudaLibTorch, gpu = probe.GpuVisible;
                if (lib && gpu) return DeviceType.CUDA;
                string noLib = $"this build has no CUDA libtorch (rebuild with {BuildSwitch})";
                string noGpu = lib ? "no GPU is visible (torch.cuda.is_available() is false: check nvidia-smi, the driver version and CUDA_VISIBLE_DEVICES)"
                    : "no GPU is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES)";
                throw new SpecException("--device cuda: " + (lib ? noGpu : gpu ? noLib : noLib + " and " + noGpu));
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request, null);
        }
    }
}
