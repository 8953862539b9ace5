// Reads and edits the GNU symbol-versioning sections of ELF shared objects.
//
// Used twice:
//  * by MSBuild (build/LibTorchSharpPatch.targets, RoslynCodeTaskFactory) to mark the
//    GLIBCXX_3.4.32 version need of the build-output copy of TorchSharp's libLibTorchSharp.so
//    weak when the system libstdc++ lacks that version (Debian 12 stops at GLIBCXX_3.4.30);
//  * by the tests (linked into tests/StabilityLab.Tests);
//  * by StabilityLab.Torch at run time (linked, internal: STABILITYLAB_ELF_INTERNAL), for a TorchSharp
//    taken straight from the NuGet cache (src/StabilityLab.Torch/Native/LibTorchSharpPreload.cs).
//
// The RoslynCodeTaskFactory compiles this file against netstandard reference assemblies with
// no preprocessor symbols, so the code sticks to netstandard2.0 APIs (no Span, no records),
// and the MSBuild task class at the bottom is compiled only there (SDK projects define NET).
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace StabilityLab.Build
{
    /// <summary>One Vernaux entry of a SHT_GNU_verneed section: version <see cref="Name"/> needed from <see cref="File"/>.</summary>
#if STABILITYLAB_ELF_INTERNAL
    internal
#else
    public
#endif
    sealed class ElfVersionNeedEntry
    {
        public ElfVersionNeedEntry(string file, string name, ushort flags, long flagsOffset)
        {
            File = file;
            Name = name;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        /// <summary>The library the version is needed from (vn_file), e.g. libstdc++.so.6.</summary>
        public string File { get; }

        /// <summary>The version name (vna_name), e.g. GLIBCXX_3.4.32.</summary>
        public string Name { get; }

        /// <summary>vna_flags.</summary>
        public ushort Flags { get; }

        /// <summary>File offset of the two-byte vna_flags field.</summary>
        public long FlagsOffset { get; }

        public bool IsWeak => (Flags & ElfVersionNeed.VerFlgWeak) != 0;

        public override string ToString() => File + " " + Name + (IsWeak ? " (weak)" : "");
    }

#if STABILITYLAB_ELF_INTERNAL
    internal
#else
    public
#endif
    static class ElfVersionNeed
    {
        public const uint ShtGnuVerdef = 0x6ffffffd;
        public const uint ShtGnuVerneed = 0x6ffffffe;
        public const ushort VerFlgWeak = 0x2;

        /// <summary>The version need that TorchSharp 0.107.0's libLibTorchSharp.so has but never uses.</summary>
        public const string LibTorchSharpUnusedVersion = "GLIBCXX_3.4.32";

        /// <summary>Lists every (library, version) need of the ELF file at <paramref name="path"/>.</summary>
        public static IReadOnlyList<ElfVersionNeedEntry> ReadVersionNeeds(string path) =>
            ReadVersionNeeds(System.IO.File.ReadAllBytes(path));

        public static IReadOnlyList<ElfVersionNeedEntry> ReadVersionNeeds(byte[] image)
        {
            var elf = new ElfImage(image);
            var result = new List<ElfVersionNeedEntry>();
            foreach (var section in elf.Sections)
            {
                if (section.Type != ShtGnuVerneed)
                    continue;
                var strtab = elf.Section(section.Link);
                long count = section.Info;
                long vn = section.Offset;
                for (long i = 0; i < count; i++)
                {
                    elf.Require(vn, 16, section);
                    ushort vnCnt = elf.U16(vn + 2);
                    string file = elf.String(strtab, elf.U32(vn + 4));
                    long vna = vn + elf.U32(vn + 8);
                    for (int j = 0; j < vnCnt; j++)
                    {
                        elf.Require(vna, 16, section);
                        ushort flags = elf.U16(vna + 4);
                        string name = elf.String(strtab, elf.U32(vna + 8));
                        result.Add(new ElfVersionNeedEntry(file, name, flags, vna + 4));
                        uint vnaNext = elf.U32(vna + 12);
                        if (vnaNext == 0)
                            break;
                        vna += vnaNext;
                    }
                    uint vnNext = elf.U32(vn + 12);
                    if (vnNext == 0)
                        break;
                    vn += vnNext;
                }
            }
            return result;
        }

        /// <summary>Lists the version names an ELF shared object defines (SHT_GNU_verdef), e.g. GLIBCXX_3.4.30 for libstdc++.</summary>
        public static IReadOnlyList<string> ReadVersionDefinitions(string path)
        {
            var elf = new ElfImage(System.IO.File.ReadAllBytes(path));
            var result = new List<string>();
            foreach (var section in elf.Sections)
            {
                if (section.Type != ShtGnuVerdef)
                    continue;
                var strtab = elf.Section(section.Link);
                long count = section.Info;
                long vd = section.Offset;
                for (long i = 0; i < count; i++)
                {
                    elf.Require(vd, 20, section);
                    ushort vdCnt = elf.U16(vd + 6);
                    if (vdCnt > 0)
                    {
                        long vda = vd + elf.U32(vd + 12);
                        elf.Require(vda, 8, section);
                        result.Add(elf.String(strtab, elf.U32(vda)));
                    }
                    uint vdNext = elf.U32(vd + 16);
                    if (vdNext == 0)
                        break;
                    vd += vdNext;
                }
            }
            return result;
        }

        /// <summary>True when some need of <paramref name="versionName"/> exists and all such needs are weak.</summary>
        public static bool IsWeak(string path, string versionName)
        {
            bool found = false;
            foreach (var entry in ReadVersionNeeds(path))
            {
                if (entry.Name != versionName)
                    continue;
                if (!entry.IsWeak)
                    return false;
                found = true;
            }
            return found;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on every need of <paramref name="versionName"/>. Returns whether the file changed
        /// (false when the version is not needed or already weak). See <see cref="SetWeak"/>.
        /// </summary>
        public static bool MarkWeak(string path, string versionName) => SetWeak(path, versionName, true);

        /// <summary>
        /// Sets or clears VER_FLG_WEAK on every need of <paramref name="versionName"/>; only those flag bytes change.
        /// The file is replaced atomically (copy to a temporary file beside it, which keeps the file mode, edit,
        /// rename over the original), so a hard link into the NuGet package cache is never written through.
        /// Returns whether the file changed.
        /// </summary>
        public static bool SetWeak(string path, string versionName, bool weak)
        {
            byte[] image = System.IO.File.ReadAllBytes(path);
            var changes = new List<KeyValuePair<long, ushort>>();
            foreach (var entry in ReadVersionNeeds(image))
            {
                if (entry.Name != versionName || entry.IsWeak == weak)
                    continue;
                ushort flags = weak ? (ushort)(entry.Flags | VerFlgWeak) : (ushort)(entry.Flags & ~VerFlgWeak);
                changes.Add(new KeyValuePair<long, ushort>(entry.FlagsOffset, flags));
            }
            if (changes.Count == 0)
                return false;

            bool bigEndian = new ElfImage(image).BigEndian;
            string fullPath = Path.GetFullPath(path);
            string temp = Path.Combine(Path.GetDirectoryName(fullPath) ?? ".",
                "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                System.IO.File.Copy(fullPath, temp, true); // File.Copy keeps the Unix permission bits
                using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write, FileShare.None))
                {
                    foreach (var change in changes)
                    {
                        stream.Position = change.Key;
                        byte lo = (byte)(change.Value & 0xff), hi = (byte)(change.Value >> 8);
                        stream.WriteByte(bigEndian ? hi : lo);
                        stream.WriteByte(bigEndian ? lo : hi);
                    }
                    stream.Flush(true);
                }
                System.IO.File.Replace(temp, fullPath, null); // rename(2) on Unix
            }
            finally
            {
                if (System.IO.File.Exists(temp))
                    System.IO.File.Delete(temp);
            }
            return true;
        }

        /// <summary>
        /// The libstdc++.so.6 the dynamic loader uses for this process: the one mapped into it
        /// (the .NET host links libstdc++), else the first one found in the usual library directories.
        /// Null when there is none (not Linux, or no libstdc++ installed).
        /// </summary>
        public static string? FindSystemLibstdcxx()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                return null;
            try
            {
                foreach (var line in System.IO.File.ReadAllLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash < 0)
                        continue;
                    string mapped = line.Substring(slash).Trim();
                    if (Path.GetFileName(mapped).StartsWith("libstdc++.so", StringComparison.Ordinal) && System.IO.File.Exists(mapped))
                        return mapped;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }

            string multiarch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x86_64-linux-gnu",
                Architecture.Arm64 => "aarch64-linux-gnu",
                _ => "",
            };
            var candidates = new List<string>();
            if (multiarch.Length > 0)
            {
                candidates.Add("/usr/lib/" + multiarch + "/libstdc++.so.6");
                candidates.Add("/lib/" + multiarch + "/libstdc++.so.6");
            }
            candidates.Add("/usr/lib64/libstdc++.so.6");
            candidates.Add("/lib64/libstdc++.so.6");
            candidates.Add("/usr/lib/libstdc++.so.6");
            candidates.Add("/lib/libstdc++.so.6");
            foreach (var candidate in candidates)
            {
                if (System.IO.File.Exists(candidate))
                    return candidate;
            }
            return null;
        }

        /// <summary>Whether the system libstdc++ defines <paramref name="versionName"/>; false when there is no system libstdc++.</summary>
        public static bool SystemLibstdcxxHas(string versionName)
        {
            string? libstdcxx = FindSystemLibstdcxx();
            return libstdcxx != null && DefinesVersion(libstdcxx, versionName);
        }

        /// <summary>
        /// The build step: marks the need of <paramref name="versionName"/> in <paramref name="path"/> weak when
        /// <paramref name="libstdcxx"/> (normally <see cref="FindSystemLibstdcxx"/>) exists and does not define it;
        /// otherwise leaves the file alone. Returns whether the file changed.
        /// </summary>
        public static bool MarkWeakIfMissingFrom(string path, string versionName, string? libstdcxx)
        {
            if (libstdcxx == null || DefinesVersion(libstdcxx, versionName))
                return false;
            return MarkWeak(path, versionName);
        }

        /// <summary>Whether the ELF shared object at <paramref name="path"/> defines <paramref name="versionName"/>.</summary>
        public static bool DefinesVersion(string path, string versionName)
        {
            foreach (var name in ReadVersionDefinitions(path))
            {
                if (name == versionName)
                    return true;
            }
            return false;
        }

        private sealed class ElfSection
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
        }

        private sealed class ElfImage
        {
            private readonly byte[] _data;
            public readonly bool BigEndian;
            public readonly List<ElfSection> Sections = new List<ElfSection>();

            public ElfImage(byte[] data)
            {
                _data = data;
                if (data.Length < 0x34 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
                    throw new InvalidDataException("not an ELF file");
                bool is64 = data[4] switch
                {
                    1 => false,
                    2 => true,
                    _ => throw new InvalidDataException("unknown ELF class " + data[4]),
                };
                BigEndian = data[5] switch
                {
                    1 => false,
                    2 => true,
                    _ => throw new InvalidDataException("unknown ELF data encoding " + data[5]),
                };
                if (is64 && data.Length < 0x40)
                    throw new InvalidDataException("truncated ELF header");

                long shoff = is64 ? checked((long)U64(0x28)) : U32(0x20);
                int shentsize = U16(is64 ? 0x3A : 0x2E);
                long shnum = U16(is64 ? 0x3C : 0x30);
                if (shoff == 0)
                    return; // no section headers
                if (shentsize < (is64 ? 0x40 : 0x28))
                    throw new InvalidDataException("bad section header size " + shentsize);
                if (shnum == 0)
                {
                    // extended numbering: the real count is section 0's sh_size
                    Require(shoff, shentsize, null);
                    shnum = is64 ? checked((long)U64(shoff + 32)) : U32(shoff + 20);
                }
                for (long i = 0; i < shnum; i++)
                {
                    long sh = shoff + i * shentsize;
                    Require(sh, shentsize, null);
                    Sections.Add(new ElfSection
                    {
                        Type = U32(sh + 4),
                        Offset = is64 ? checked((long)U64(sh + 24)) : U32(sh + 16),
                        Size = is64 ? checked((long)U64(sh + 32)) : U32(sh + 20),
                        Link = U32(sh + (is64 ? 40 : 24)),
                        Info = U32(sh + (is64 ? 44 : 28)),
                    });
                }
            }

            public ElfSection Section(uint index)
            {
                if (index >= Sections.Count)
                    throw new InvalidDataException("section index " + index + " out of range");
                return Sections[(int)index];
            }

            public void Require(long offset, long length, ElfSection? within)
            {
                bool ok = offset >= 0 && length >= 0 && offset + length <= _data.Length;
                if (ok && within != null)
                    ok = offset >= within.Offset && offset + length <= within.Offset + within.Size;
                if (!ok)
                    throw new InvalidDataException("ELF structure at offset " + offset + " runs outside its bounds");
            }

            public ushort U16(long o)
            {
                Require(o, 2, null);
                return BigEndian
                    ? (ushort)((_data[o] << 8) | _data[o + 1])
                    : (ushort)(_data[o] | (_data[o + 1] << 8));
            }

            public uint U32(long o)
            {
                Require(o, 4, null);
                return BigEndian
                    ? ((uint)_data[o] << 24) | ((uint)_data[o + 1] << 16) | ((uint)_data[o + 2] << 8) | _data[o + 3]
                    : _data[o] | ((uint)_data[o + 1] << 8) | ((uint)_data[o + 2] << 16) | ((uint)_data[o + 3] << 24);
            }

            public ulong U64(long o)
            {
                ulong a = U32(o), b = U32(o + 4);
                return BigEndian ? (a << 32) | b : (b << 32) | a;
            }

            public string String(ElfSection strtab, uint offset)
            {
                long start = strtab.Offset + offset;
                long end = start;
                long limit = Math.Min(strtab.Offset + strtab.Size, _data.Length);
                while (end < limit && _data[end] != 0)
                    end++;
                if (offset >= strtab.Size || end >= limit)
                    throw new InvalidDataException("string at offset " + offset + " runs outside its string table");
                return Encoding.ASCII.GetString(_data, (int)start, (int)(end - start));
            }
        }
    }

#if !NET
    /// <summary>
    /// MSBuild task (compiled only by RoslynCodeTaskFactory, see build/LibTorchSharpPatch.targets):
    /// marks <see cref="VersionName"/> weak in each of <see cref="Files"/> when the system libstdc++ lacks it.
    /// </summary>
    public sealed class PatchLibTorchSharpVersionNeed : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        public string VersionName { get; set; } = ElfVersionNeed.LibTorchSharpUnusedVersion;

        /// <summary>
        /// Mark the need weak whatever this machine's libstdc++ has: for files bound for other machines
        /// (a publish folder, a tool package), since the version is never used.
        /// </summary>
        public bool Always { get; set; }

        public override bool Execute()
        {
            string? libstdcxx = ElfVersionNeed.FindSystemLibstdcxx();
            if (libstdcxx == null && !Always)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "No system libstdc++ found; leaving libLibTorchSharp.so alone.");
                return true;
            }
            foreach (var item in Files)
            {
                string file = item.GetMetadata("FullPath");
                try
                {
                    bool changed = Always
                        ? ElfVersionNeed.MarkWeak(file, VersionName)
                        : ElfVersionNeed.MarkWeakIfMissingFrom(file, VersionName, libstdcxx);
                    if (changed)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                            "Marked " + VersionName + " weak in " + file + (Always ? "" : " (" + libstdcxx + " lacks it)"));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    Log.LogError("Could not patch " + file + ": " + ex.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
