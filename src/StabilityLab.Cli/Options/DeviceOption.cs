using System.CommandLine;
using StabilityLab.Torch;
using StabilityLab.Torch.Devices;
using static TorchSharp.torch;

namespace StabilityLab.Cli.Options;

/// <summary>
/// --device auto|cpu|cuda: one declaration for every command that runs TorchSharp. The parser checks the word; whether
/// CUDA can run is checked when the command starts (<see cref="Use"/>), as a one-line error naming what is missing.
/// </summary>
public static class DeviceOption
{
    public const string Name = "--device";

    /// <summary>What the three values mean (the option's default description).</summary>
    public const string Values = "auto (CUDA when this build has a CUDA libtorch and a GPU is visible, else CPU), cpu or cuda";

    public static Option<string> Create(string description = Values) =>
        new Option<string>(Name) { Description = description, DefaultValueFactory = _ => DeviceRequest.Auto.Name() }
            .Parses(DeviceRequests.Parse);

    /// <summary>Selects the device for the rest of the run and returns it (its name is what the run prints and records).</summary>
    public static Device Use(string value) => TorchRuntime.UseDevice(DeviceRequests.Parse(value));
}
