using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using StabilityLab.Build;
using TorchSharp;

namespace StabilityLab.Tests.Torch;

/// <summary>
/// TorchSharp must load from the build output with no manual step. On Debian 12 that needs the build's
/// patch of libLibTorchSharp.so (GLIBCXX_3.4.32 marked weak, see build/LibTorchSharpPatch.targets).
/// </summary>
[TestFixture]
[Platform("Linux")]
[SupportedOSPlatform("linux")]
public sealed class TorchLoadTests
{
    private const string LibName = "libLibTorchSharp.so";
    private const string Version = ElfVersionNeed.LibTorchSharpUnusedVersion;

    private string _tempDir = "";

    [SetUp]
    public void SetUp()
    {
        _tempDir = Path.Combine(Path.GetTempPath(), "stabilitylab-torchload-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_tempDir);
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_tempDir))
            Directory.Delete(_tempDir, recursive: true);
    }

    [Test]
    public void OnesSumIsThree()
    {
        using var ones = torch.ones(3);
        using var sum = ones.sum();
        Assert.That(sum.item<float>(), Is.EqualTo(3f));
    }

    [Test]
    public void Float64MatmulMatchesHandResult()
    {
        using var a = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var b = torch.tensor(new double[] { 0.5, -1, 2, 0, -1, 3 }, 3, 2);
        using var c = a.matmul(b);

        Assert.That(c.dtype, Is.EqualTo(torch.ScalarType.Float64));
        Assert.That(c.shape, Is.EqualTo(new long[] { 2, 2 }));
        // [1 2 3; 4 5 6] * [0.5 -1; 2 0; -1 3] = [0.5+4-3, -1+0+9; 2+10-6, -4+0+18]
        Assert.That(c.data<double>().ToArray(), Is.EqualTo(new[] { 1.5, 8.0, 6.0, 14.0 }));
    }

    [Test]
    public void SetNumThreadsTakesEffect()
    {
        int before = torch.get_num_threads();
        try
        {
            int wanted = before == 1 ? 2 : 1;
            torch.set_num_threads(wanted);
            Assert.That(torch.get_num_threads(), Is.EqualTo(wanted));
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Test]
    public void LoadedLibTorchSharpComesFromTestOutputAndIsWeakExactlyWhenSystemLibstdcxxLacksVersion()
    {
        using (var warmUp = torch.zeros(1)) { } // make sure the native backend is loaded

        string loaded = SingleMappedLibrary(LibName);
        string outputDir = Path.GetFullPath(AppContext.BaseDirectory);
        Assert.That(loaded, Does.StartWith(outputDir), "TorchSharp should load the copy in the test output directory");

        string libstdcxx = SingleMappedLibrary("libstdc++.so");
        // Independent of ElfVersionNeed's verdef parser: look for the NUL-terminated name in the raw bytes.
        bool systemHas = ContainsBytes(File.ReadAllBytes(libstdcxx), Encoding.ASCII.GetBytes(Version + "\0"));
        Assert.That(ElfVersionNeed.SystemLibstdcxxHas(Version), Is.EqualTo(systemHas), libstdcxx);

        string[] copies = Directory.GetFiles(outputDir, LibName, SearchOption.AllDirectories);
        Assert.That(copies, Does.Contain(loaded));
        foreach (string copy in copies)
        {
            var needs = ElfVersionNeed.ReadVersionNeeds(copy).Where(e => e.Name == Version).ToList();
            Assert.That(needs, Has.Count.EqualTo(1), copy);
            Assert.That(needs[0].File, Is.EqualTo("libstdc++.so.6"), copy);
            Assert.That(needs[0].IsWeak, Is.EqualTo(!systemHas), $"{copy} (system {libstdcxx} has {Version}: {systemHas})");
        }
    }

    [Test]
    public void OutputCopyDiffersFromPackageOnlyInTheWeakFlag()
    {
        string? package = FindPackageLibTorchSharp();
        if (package == null)
            Assert.Ignore("TorchSharp package not found in the NuGet cache");
        string output = SingleMappedLibraryAfterLoad();

        byte[] original = File.ReadAllBytes(package);
        byte[] patched = File.ReadAllBytes(output);
        Assert.That(patched, Has.Length.EqualTo(original.Length));

        var need = ElfVersionNeed.ReadVersionNeeds(original).Single(e => e.Name == Version);
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        if (ElfVersionNeed.SystemLibstdcxxHas(Version))
        {
            Assert.That(differing, Is.Empty);
        }
        else
        {
            Assert.That(differing, Is.EqualTo(new[] { (int)need.FlagsOffset })); // little-endian: low byte of vna_flags
            Assert.That(patched[need.FlagsOffset], Is.EqualTo(original[need.FlagsOffset] | ElfVersionNeed.VerFlgWeak));
        }
    }

    [Test]
    public void MarkWeakSetsOnlyTheFlagAndIsIdempotent()
    {
        string original = OriginalLibTorchSharp();
        string copy = Path.Combine(_tempDir, LibName);
        File.Copy(original, copy);
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead;
        File.SetUnixFileMode(copy, mode);

        byte[] before = File.ReadAllBytes(copy);
        var needsBefore = ElfVersionNeed.ReadVersionNeeds(before);
        Assert.That(needsBefore.Any(e => e.IsWeak), Is.False, "the package file has no weak version needs");
        Assert.That(needsBefore.Select(e => e.ToString()), Does.Contain("libstdc++.so.6 " + Version));
        Assert.That(needsBefore.Select(e => e.ToString()), Does.Contain("libc.so.6 GLIBC_2.2.5"));
        Assert.That(ElfVersionNeed.IsWeak(copy, Version), Is.False);

        Assert.That(ElfVersionNeed.MarkWeak(copy, Version), Is.True);
        byte[] after = File.ReadAllBytes(copy);

        Assert.That(ElfVersionNeed.IsWeak(copy, Version), Is.True);
        Assert.That(File.GetUnixFileMode(copy), Is.EqualTo(mode));
        Assert.That(after, Has.Length.EqualTo(before.Length));
        long flags = needsBefore.Single(e => e.Name == Version).FlagsOffset;
        var differing = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        Assert.That(differing, Is.EqualTo(new[] { (int)flags }));
        Assert.That(after[flags], Is.EqualTo(before[flags] | 0x2));

        // Every other need keeps its flags.
        var needsAfter = ElfVersionNeed.ReadVersionNeeds(copy);
        Assert.That(needsAfter.Select(e => (e.File, e.Name, Weak: e.IsWeak)),
            Is.EqualTo(needsBefore.Select(e => (e.File, e.Name, Weak: e.Name == Version))));

        // Idempotent: a second call changes nothing.
        Assert.That(ElfVersionNeed.MarkWeak(copy, Version), Is.False);
        Assert.That(File.ReadAllBytes(copy), Is.EqualTo(after));
        Assert.That(Directory.GetFiles(_tempDir), Is.EqualTo(new[] { copy }), "no temporary file left behind");
    }

    [Test]
    public void MarkWeakReturnsFalseForAVersionThatIsNotNeeded()
    {
        string copy = Path.Combine(_tempDir, LibName);
        File.Copy(OriginalLibTorchSharp(), copy);
        byte[] before = File.ReadAllBytes(copy);

        Assert.That(ElfVersionNeed.MarkWeak(copy, "GLIBCXX_9.9.99"), Is.False);
        Assert.That(ElfVersionNeed.IsWeak(copy, "GLIBCXX_9.9.99"), Is.False);
        Assert.That(File.ReadAllBytes(copy), Is.EqualTo(before));
    }

    [Test]
    public void MarkWeakNeverWritesThroughLinks()
    {
        string target = Path.Combine(_tempDir, "cache-" + LibName);
        File.Copy(OriginalLibTorchSharp(), target);
        byte[] original = File.ReadAllBytes(target);

        string symlink = Path.Combine(_tempDir, "symlink-" + LibName);
        File.CreateSymbolicLink(symlink, target);
        string hardlink = Path.Combine(_tempDir, "hardlink-" + LibName);
        Assert.That(link(target, hardlink), Is.Zero, "link(2) failed");

        Assert.That(ElfVersionNeed.MarkWeak(symlink, Version), Is.True);
        Assert.That(ElfVersionNeed.MarkWeak(hardlink, Version), Is.True);

        Assert.That(File.ReadAllBytes(target), Is.EqualTo(original));
        Assert.That(new FileInfo(symlink).LinkTarget, Is.Null, "the symbolic link is replaced by a patched file");
        Assert.That(ElfVersionNeed.IsWeak(symlink, Version), Is.True);
        Assert.That(ElfVersionNeed.IsWeak(hardlink, Version), Is.True);
        Assert.That(ElfVersionNeed.IsWeak(target, Version), Is.False);
    }

    [Test]
    public void BuildStepLeavesTheFileAloneWhenLibstdcxxDefinesTheVersion()
    {
        string system = SingleMappedLibrary("libstdc++.so");
        byte[] systemBytes = File.ReadAllBytes(system);
        bool systemHas = ContainsBytes(systemBytes, Encoding.ASCII.GetBytes(Version + "\0"));

        // A libstdc++ that defines GLIBCXX_3.4.32: the system one with the (same-length) name GLIBCXX_3.4.30 renamed.
        byte[] from = Encoding.ASCII.GetBytes("GLIBCXX_3.4.30\0"), to = Encoding.ASCII.GetBytes(Version + "\0");
        int at = systemBytes.AsSpan().IndexOf(from);
        Assert.That(at, Is.GreaterThanOrEqualTo(0));
        byte[] newerBytes = (byte[])systemBytes.Clone();
        for (; at >= 0; at = newerBytes.AsSpan().IndexOf(from))
            to.CopyTo(newerBytes, at);
        string newer = Path.Combine(_tempDir, "libstdc++.so.6");
        File.WriteAllBytes(newer, newerBytes);
        Assert.That(ElfVersionNeed.DefinesVersion(newer, Version), Is.True);

        string copy = Path.Combine(_tempDir, LibName);
        File.Copy(OriginalLibTorchSharp(), copy);
        byte[] before = File.ReadAllBytes(copy);

        Assert.That(ElfVersionNeed.MarkWeakIfMissingFrom(copy, Version, newer), Is.False);
        Assert.That(ElfVersionNeed.MarkWeakIfMissingFrom(copy, Version, libstdcxx: null), Is.False);
        Assert.That(File.ReadAllBytes(copy), Is.EqualTo(before));

        Assert.That(ElfVersionNeed.MarkWeakIfMissingFrom(copy, Version, system), Is.EqualTo(!systemHas));
        Assert.That(ElfVersionNeed.IsWeak(copy, Version), Is.EqualTo(!systemHas));
    }

    [Test]
    public void RejectsFilesThatAreNotElf()
    {
        string bogus = Path.Combine(_tempDir, "bogus.so");
        File.WriteAllBytes(bogus, Encoding.ASCII.GetBytes("not an ELF file at all, just some bytes for the header"));
        Assert.Throws<InvalidDataException>(() => ElfVersionNeed.MarkWeak(bogus, Version));
    }

    [Test]
    public void ReadsLibstdcxxVersionDefinitions()
    {
        string? libstdcxx = ElfVersionNeed.FindSystemLibstdcxx();
        Assert.That(libstdcxx, Is.Not.Null);
        var defined = ElfVersionNeed.ReadVersionDefinitions(libstdcxx!);
        Assert.That(defined, Does.Contain("GLIBCXX_3.4"));
        Assert.That(defined, Does.Contain("CXXABI_1.3"));
        byte[] bytes = File.ReadAllBytes(libstdcxx!);
        foreach (string probe in new[] { "GLIBCXX_3.4.30", "GLIBCXX_3.4.31", Version, "GLIBCXX_3.4.33" })
            Assert.That(defined.Contains(probe), Is.EqualTo(ContainsBytes(bytes, Encoding.ASCII.GetBytes(probe + "\0"))), probe);
    }

    /// <summary>
    /// The package's own libLibTorchSharp.so from the NuGet cache when it can be found (read only);
    /// else a copy of the output file with the weak flag cleared again.
    /// </summary>
    private string OriginalLibTorchSharp()
    {
        string? package = FindPackageLibTorchSharp();
        if (package != null)
            return package;
        string copy = Path.Combine(_tempDir, "original-" + LibName);
        File.Copy(SingleMappedLibraryAfterLoad(), copy);
        ElfVersionNeed.SetWeak(copy, Version, weak: false);
        return copy;
    }

    private static string SingleMappedLibraryAfterLoad()
    {
        using (var warmUp = torch.zeros(1)) { }
        return SingleMappedLibrary(LibName);
    }

    /// <summary>runtimes/linux-x64/native/libLibTorchSharp.so of the TorchSharp version in this test's deps.json.</summary>
    private static string? FindPackageLibTorchSharp()
    {
        string depsJson = Path.Combine(AppContext.BaseDirectory, typeof(TorchLoadTests).Assembly.GetName().Name + ".deps.json");
        if (!File.Exists(depsJson))
            return null;
        using var deps = JsonDocument.Parse(File.ReadAllText(depsJson));
        string? packagePath = deps.RootElement.GetProperty("libraries").EnumerateObject()
            .Where(p => p.Name.StartsWith("TorchSharp/", StringComparison.Ordinal))
            .Select(p => p.Value.TryGetProperty("path", out var path) ? path.GetString() : null)
            .FirstOrDefault();
        if (packagePath == null)
            return null;
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env
            ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string file = Path.Combine(root, packagePath, "runtimes", "linux-x64", "native", LibName);
        return File.Exists(file) ? file : null;
    }

    /// <summary>The one file whose name starts with <paramref name="prefix"/> mapped into this process.</summary>
    private static string SingleMappedLibrary(string prefix)
    {
        var mapped = File.ReadAllLines("/proc/self/maps")
            .Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..].Trim() : "")
            .Where(path => Path.GetFileName(path).StartsWith(prefix, StringComparison.Ordinal))
            .Distinct()
            .ToList();
        Assert.That(mapped, Has.Count.EqualTo(1), $"mapped files named {prefix}*");
        return mapped[0];
    }

    private static bool ContainsBytes(byte[] haystack, byte[] needle) =>
        haystack.AsSpan().IndexOf(needle) >= 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);
}
