using System.Runtime.InteropServices;

namespace StabilityLab.Torch;

/// <summary>
/// The process's native environment (what libc's getenv sees, and so what native libraries read), which .NET's own
/// Environment does not write through to on Unix.
/// </summary>
internal static class NativeEnvironment
{
    /// <summary>The variable's value as native code sees it, or null.</summary>
    public static string? Get(string variable)
    {
        if (OperatingSystem.IsWindows()) return Environment.GetEnvironmentVariable(variable);
        var p = getenv(variable);
        return p == IntPtr.Zero ? null : Marshal.PtrToStringAnsi(p);
    }

    /// <summary>Sets the variable unless it is set already (a user's own choice wins); silently nothing without a C library.</summary>
    public static void SetDefault(string variable, string value)
    {
        try
        {
            if (Get(variable) is not null) return;
            if (OperatingSystem.IsWindows()) Environment.SetEnvironmentVariable(variable, value);
            else setenv(variable, value, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No C library to call: results stay correct, only their last bits may vary between runs.
        }
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern IntPtr getenv(string name);

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int setenv(string name, string value, int overwrite);
}
