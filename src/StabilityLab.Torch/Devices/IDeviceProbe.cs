namespace StabilityLab.Torch.Devices;

/// <summary>
/// The two things a CUDA run needs, asked separately so that a refusal can name the one that is missing
/// (and so that tests can stand in for a GPU machine).
/// </summary>
public interface IDeviceProbe
{
    /// <summary>Whether this build's output carries a CUDA libtorch (built with -p:TorchBackend=cuda).</summary>
    bool HasCudaLibTorch { get; }

    /// <summary>Whether at least one CUDA GPU is visible to this process (driver present, CUDA_VISIBLE_DEVICES not empty).</summary>
    bool GpuVisible { get; }
}
