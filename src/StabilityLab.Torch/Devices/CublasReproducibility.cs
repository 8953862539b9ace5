using System.Runtime.CompilerServices;

namespace StabilityLab.Torch.Devices;

/// <summary>
/// Run-to-run reproducible GPU matrix multiplies. cuBLAS gives the same bits on every run on the same GPU model and
/// toolkit, except when its workspace is shared between streams; a fixed workspace configuration
/// (CUBLAS_WORKSPACE_CONFIG=:4096:8, the setting PyTorch documents for deterministic cuBLAS) removes that case. cuBLAS
/// reads it when it creates its handle, at the first GPU multiply, so it is set in the native environment when this
/// assembly loads, unless the user has set it already. On the CPU nothing reads it.
/// </summary>
public static class CublasReproducibility
{
    public const string Variable = "CUBLAS_WORKSPACE_CONFIG";
    public const string DeterministicWorkspace = ":4096:8";

    /// <summary>The value of CUBLAS_WORKSPACE_CONFIG in the native environment (what cuBLAS sees), or null.</summary>
    public static string? CurrentConfig => NativeEnvironment.Get(Variable);

#pragma warning disable CA2255 // a library module initializer: it must run before the first cuBLAS call of the process
    [ModuleInitializer]
    internal static void Initialize() => NativeEnvironment.SetDefault(Variable, DeterministicWorkspace);
#pragma warning restore CA2255
}
