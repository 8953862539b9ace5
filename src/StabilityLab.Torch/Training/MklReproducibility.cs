using System.Runtime.CompilerServices;

namespace StabilityLab.Torch.Training;

/// <summary>
/// Bit-reproducible CPU arithmetic in libtorch, from run to run and from CPU to CPU. libtorch's CPU BLAS is Intel oneMKL,
/// whose GEMM kernels round differently depending on where the operands sit in memory and on the code path it picks for
/// the CPU (AVX-512 on recent Intel, AVX2 on AMD); ATen's own kernels are compiled per instruction set too. So the same
/// seed could give a different last bit of the loss from one run, or one machine, to the next. oneMKL's conditional
/// numerical reproducibility in strict mode, pinned to its AVX2 code path (MKL_CBWR=AVX2,STRICT), and ATen pinned to its
/// AVX2 kernels (ATEN_CPU_CAPABILITY=avx2) remove both dependences on every x64 CPU with AVX2 at a fixed thread count; on
/// this project's AMD machine the pinned paths are the ones both libraries chose anyway (the same bits as unpinned, at
/// the same speed). A CPU without AVX2 gets oneMKL's SSE2 path (COMPATIBLE) and ATen's default kernels: reproducible
/// there, but not equal to the AVX2 bits. Both libraries read the variables once, at their first call, so they are set
/// in the process's native environment when this assembly loads, unless the user has set them already.
/// </summary>
public static class MklReproducibility
{
    public const string Variable = "MKL_CBWR";
    public const string AtenVariable = "ATEN_CPU_CAPABILITY";

    // Read once (/proc/cpuinfo), before the two settings below that derive from it (static initializers run in order).
    private static readonly bool Avx2 = HasAvx2();

    /// <summary>The oneMKL mode this machine gets: AVX2,STRICT where the CPU has AVX2, else COMPATIBLE,STRICT.</summary>
    public static string StrictMode => Avx2 ? "AVX2,STRICT" : "COMPATIBLE,STRICT";

    /// <summary>The ATen kernels this machine gets: avx2 where the CPU has AVX2, else default.</summary>
    public static string AtenCapability => Avx2 ? "avx2" : "default";

    /// <summary>The value of MKL_CBWR in the native environment (what oneMKL sees), or null.</summary>
    public static string? CurrentMode => NativeEnvironment.Get(Variable);

    /// <summary>The value of ATEN_CPU_CAPABILITY in the native environment (what ATen sees), or null.</summary>
    public static string? CurrentAtenCapability => NativeEnvironment.Get(AtenVariable);

    /// <summary>
    /// Whether the CPU (not the .NET runtime's configuration: DOTNET_EnableAVX2=0 must not change libtorch's bits) has AVX2:
    /// the kernel's flags in /proc/cpuinfo on Linux, else what the runtime reports.
    /// </summary>
    private static bool HasAvx2()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("flags", StringComparison.Ordinal))
                        return line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Contains("avx2");
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return System.Runtime.Intrinsics.X86.Avx2.IsSupported;
    }

#pragma warning disable CA2255 // a library module initializer: it must run before the first oneMKL or ATen call of the process
    [ModuleInitializer]
    internal static void Initialize()
    {
        NativeEnvironment.SetDefault(Variable, StrictMode);
        NativeEnvironment.SetDefault(AtenVariable, AtenCapability);
    }
#pragma warning restore CA2255
}
