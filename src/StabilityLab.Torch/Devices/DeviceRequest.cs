using StabilityLab.Models;

namespace StabilityLab.Torch.Devices;

/// <summary>What the user asked for with --device.</summary>
public enum DeviceRequest
{
    /// <summary>CUDA when this build carries a CUDA libtorch and a GPU is visible, else the CPU.</summary>
    Auto,
    Cpu,
    /// <summary>CUDA or a one-line error naming what is missing.</summary>
    Cuda,
}

/// <summary>The names of <see cref="DeviceRequest"/> on the command line.</summary>
public static class DeviceRequests
{
    private static readonly string[] names = ["auto", "cpu", "cuda"];

    /// <summary>The accepted words, in the order of <see cref="DeviceRequest"/>.</summary>
    public static IReadOnlyList<string> Names => names;

    public static DeviceRequest Parse(string text) =>
        TryParse(text) ?? throw new SpecException($"--device must be auto, cpu or cuda (got '{text}')");

    public static DeviceRequest? TryParse(string text) =>
        Array.IndexOf(names, text.Trim().ToLowerInvariant()) is var i and >= 0 ? (DeviceRequest)i : null;

    public static string Name(this DeviceRequest request) => names[(int)request];
}
