using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;

namespace StabilityLab.Tests.Notebooks;

/// <summary>
/// Finds the native libraries of restored packages (runtimes/&lt;rid&gt;/native, e.g. SkiaSharp's libSkiaSharp.so)
/// when .NET's own probing does not, as a notebook host does for <c>#r "nuget: …"</c>.
/// </summary>
internal sealed class NativeProbing
{
    private readonly List<string> _folders = [];

    public NativeProbing() => AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;

    public void Add(IEnumerable<ResolvedPackageReference> packages)
    {
        lock (_folders)
            _folders.AddRange(packages.Select(p => Path.Combine(p.PackageRoot, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"))
                .Concat(packages.Select(p => Path.Combine(p.PackageRoot, "runtimes", "linux-x64", "native")))
                .Where(Directory.Exists).Except(_folders).Distinct().ToList());
    }

    private IntPtr Resolve(Assembly assembly, string name)
    {
        string[] files = [name, $"lib{name}.so", $"{name}.so"];
        lock (_folders)
            foreach (var folder in _folders)
                foreach (var file in files)
                    if (File.Exists(Path.Combine(folder, file)) && NativeLibrary.TryLoad(Path.Combine(folder, file), out var handle))
                        return handle;
        return IntPtr.Zero;
    }
}
