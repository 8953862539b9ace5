using System.Runtime.CompilerServices;

namespace StabilityLab.Torch.Training;

/// <summary>
/// Bit-reproducible CPU matrix multiplies. libtorch's CPU BLAS is Intel oneMKL, whose GEMM kernels round differently
/// depending on where the operands sit in memory: the same seed could give a different last bit of the loss from one
/// run to the next. oneMKL's conditional numerical reproducibility in strict mode (MKL_CBWR=AUTO,STRICT) removes that
/// dependence at a fixed thread count. oneMKL reads the variable when it first runs a BLAS call, so it is set in the
/// process's native environment when this assembly loads, unless the user has set MKL_CBWR already.
/// </summary>
public static class MklReproducibility
{
    public const string Variable = "MKL_CBWR";
    public const string StrictMode = "AUTO,STRICT";

    /// <summary>The value of MKL_CBWR in the native environment (what oneMKL sees), or null.</summary>
    public static string? CurrentMode => NativeEnvironment.Get(Variable);

#pragma warning disable CA2255 // a library module initializer: it must run before the first oneMKL call of the process
    [ModuleInitializer]
    internal static void Initialize() => NativeEnvironment.SetDefault(Variable, StrictMode);
#pragma warning restore CA2255
}
