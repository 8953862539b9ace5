using System.Text.Json;
using System.Text.Json.Nodes;
using StabilityLab.Models;

namespace StabilityLab.Plotting.Data;

/// <summary>
/// What figures need from a sweep's fits.json (written by `stabilitylab fit`): τ*(L) with its
/// intervals, the plain fitted law τ* = C·L^α, the exponent fit behind the verdict (with the finite-size part of the
/// finite-width prediction divided out where it applies), and the converse growth fits log(log E ratio) = a + k·log L.
/// </summary>
public sealed record FitsFile(IReadOnlyList<ThresholdPoint> Threshold, PowerLawFit? Law, IReadOnlyDictionary<double, PowerLawFit> Converse)
{
    /// <summary>threshold.exponent, null in files written before it existed or where no exponent could be fitted.</summary>
    public ThresholdExponentLaw? Exponent { get; init; }

    public const string FileName = "fits.json";

    /// <summary>Reads DIR/fits.json, or returns null when the sweep has not been fitted.</summary>
    public static FitsFile? TryRead(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        JsonNode root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new SpecException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new SpecException($"malformed {path}: {e.Message.Split('\n')[0]}");
        }
        var points = (root["threshold"]?["per_depth"]?.AsArray() ?? [])
            .Select(p => new ThresholdPoint((int)p!["depth"]!, (double)p["tau_star"]!, (double)p["lo"]!, (double)p["hi"]!)).ToList();
        var law = root["threshold"]?["law"] is JsonObject l
            ? new PowerLawFit((double)l["alpha"]!, (double)l["alpha_lo"]!, (double)l["alpha_hi"]!, (double)l["intercept"]!) : null;
        var converse = new Dictionary<double, PowerLawFit>();
        foreach (var c in root["converse"]?.AsArray() ?? [])
            if (c?["fit"] is JsonObject f)
                converse[(double)c["c"]!] = new PowerLawFit((double)f["slope"]!, (double)f["slope_lo"]!, (double)f["slope_hi"]!, (double)f["intercept"]!);
        var exponent = root["threshold"]?["exponent"] is JsonObject ex
            ? new ThresholdExponentLaw((double)ex["alpha"]!, (double)ex["alpha_lo"]!, (double)ex["alpha_hi"]!, (double)ex["intercept"]!,
                (double)ex["reduced_chi_square"]!,
                (ex["predicted"]?.AsArray() ?? []).ToDictionary(p => (int)p!["depth"]!, p => (double)p!["tau_star"]!),
                (double?)ex["large_depth_limit"])
            : null;
        return new FitsFile(points, law, converse) { Exponent = exponent };
    }
}
