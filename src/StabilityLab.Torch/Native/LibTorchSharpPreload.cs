using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StabilityLab.Build;

namespace StabilityLab.Torch.Native;

/// <summary>
/// Makes TorchSharp load where it is taken straight from the NuGet cache (a notebook's <c>#r "nuget: StabilityLab.Torch"</c>)
/// on a system whose libstdc++ lacks GLIBCXX_3.4.32 (Debian 12): TorchSharp 0.107.0's libLibTorchSharp.so declares that
/// version need but never uses it, so dlopen refuses the file. The repository's build marks the need weak in its own output
/// (build/LibTorchSharpPatch.targets); here, once per machine, a copy with the need marked weak is written to the user's
/// cache (the NuGet cache is never written) and loaded before TorchSharp looks for it. Its SONAME is libLibTorchSharp.so,
/// so TorchSharp's own load by name finds the library already loaded. Runs when StabilityLab.Torch is first used; does
/// nothing anywhere else (a build output, a newer libstdc++, a CUDA libtorch, not Linux x64).
/// </summary>
internal static class LibTorchSharpPreload
{
    private const string LibraryFile = "libLibTorchSharp.so";

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "TorchSharp loads its natives on first use, which may come before any call into this library.")]
    internal static void Run()
    {
        try
        {
            if (Plan(typeof(TorchSharp.torch).Assembly.Location, LibTorchVersion(), CacheRoot()) is { } plan)
            {
                NativeLibrary.Load(plan.LibTorch);
                NativeLibrary.Load(PatchedCopy(plan));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or BadImageFormatException or InvalidDataException)
        {
            // TorchSharp then reports its own load failure, which names the files it tried.
        }
    }

    /// <summary>What to load: libtorch.so from the libtorch-cpu package and where the weak-need copy goes.</summary>
    internal sealed record Preload(string LibTorch, string PackagedLibrary, string CopyPath);

    /// <summary>
    /// The preload this process needs, or null: only for a TorchSharp.dll in a NuGet package folder
    /// (…/torchsharp/&lt;version&gt;/lib/&lt;tfm&gt;/), with the CPU libtorch package beside it, whose libLibTorchSharp.so needs
    /// GLIBCXX_3.4.32 (not weak) that the system libstdc++ does not define. A build output (the CLI, the tests) returns at
    /// the first check, before any file is read.
    /// </summary>
    internal static Preload? Plan(string torchSharpAssembly, string libTorchVersion, string cacheRoot)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        var lib = Path.GetDirectoryName(Path.GetFullPath(torchSharpAssembly));
        var versionDir = lib is null ? null : Path.GetDirectoryName(Path.GetDirectoryName(lib));
        var packageDir = versionDir is null ? null : Path.GetDirectoryName(versionDir);
        if (packageDir is null || !string.Equals(Path.GetFileName(packageDir), "torchsharp", StringComparison.OrdinalIgnoreCase)) return null;
        var packaged = Path.Combine(versionDir!, "runtimes", "linux-x64", "native", LibraryFile);
        var libTorch = Path.Combine(Path.GetDirectoryName(packageDir)!, "libtorch-cpu-linux-x64", libTorchVersion, "runtimes", "linux-x64", "native", "libtorch.so");
        if (!File.Exists(packaged) || !File.Exists(libTorch)) return null;
        if (ElfVersionNeed.FindSystemLibstdcxx() is not { } libstdcxx || ElfVersionNeed.DefinesVersion(libstdcxx, ElfVersionNeed.LibTorchSharpUnusedVersion)) return null;
        bool strongNeed = ElfVersionNeed.ReadVersionNeeds(packaged).Any(n => n.Name == ElfVersionNeed.LibTorchSharpUnusedVersion && !n.IsWeak);
        if (!strongNeed) return null;
        var copy = Path.Combine(cacheRoot, "stabilitylab", "libtorchsharp", Path.GetFileName(versionDir)!, LibraryFile);
        return new Preload(libTorch, packaged, copy);
    }

    /// <summary>The weak-need copy, written once (to a temporary name, then renamed, so a concurrent process never loads half a file).</summary>
    internal static string PatchedCopy(Preload plan)
    {
        if (File.Exists(plan.CopyPath) && ElfVersionNeed.IsWeak(plan.CopyPath, ElfVersionNeed.LibTorchSharpUnusedVersion)) return plan.CopyPath;
        Directory.CreateDirectory(Path.GetDirectoryName(plan.CopyPath)!);
        var temporary = plan.CopyPath + $".{Environment.ProcessId}.tmp";
        try
        {
            File.Copy(plan.PackagedLibrary, temporary, overwrite: true);
            ElfVersionNeed.MarkWeak(temporary, ElfVersionNeed.LibTorchSharpUnusedVersion);
            File.Move(temporary, plan.CopyPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        return plan.CopyPath;
    }

    // $XDG_CACHE_HOME, else ~/.cache.
    private static string CacheRoot() =>
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");

    // The libtorch release this assembly was built against (Directory.Packages.props, LibTorchVersion).
    private static string LibTorchVersion() =>
        typeof(LibTorchSharpPreload).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "LibTorchVersion")?.Value ?? "";
}
