using System.CommandLine;

namespace StabilityLab.Cli.Options;

/// <summary>--out, --resume and --json: where a command writes and how it prints.</summary>
public static class OutputOptions
{
    /// <summary>An output directory: a path that is not an existing file.</summary>
    public static Option<string> Directory(string description, bool required = false, string? defaultValue = null)
    {
        var o = new Option<string>("--out", "-o") { Description = description, Required = required };
        if (defaultValue is not null) o.DefaultValueFactory = _ => defaultValue;
        return o.Check(DirectoryProblem);
    }

    /// <summary>An output directory whose default the command derives from other options.</summary>
    public static Option<string?> OptionalDirectory(string description) =>
        new Option<string?>("--out", "-o") { Description = description }.Check(DirectoryProblem);

    public static Option<bool> Resume(string description) => new("--resume") { Description = description };

    public static Option<bool> Json(string description) => new("--json") { Description = description };

    private static string? DirectoryProblem(string? path) =>
        path is null ? null
        : string.IsNullOrWhiteSpace(path) ? "must name a directory (got an empty path)"
        : File.Exists(path) ? $"must be a directory, but {path} is a file"
        : null;
}
