using System.Text.Json.Nodes;
using StabilityLab.Models;
using StabilityLab.Output;
using StabilityLab.Torch.Data;

namespace StabilityLab.Torch.Training;

/// <summary>
/// A <see cref="TrainingStudySpec"/> as JSON and back, every field that a run's result depends on: how a claims check
/// hands a planned study to a worker process (<see cref="TrainingWorkers"/>), which must train exactly the study the
/// parent planned (the same <see cref="Claims.TrainingClaims.Key"/>). Doubles are written in their shortest round-trip
/// form, so they read back bit for bit.
/// </summary>
public static class TrainingStudySpecJson
{
    public static string Write(TrainingStudySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var n = spec.Network;
        var o = spec.Options;
        var root = new JsonObject
        {
            ["network"] = Network(n),
            ["depths"] = new JsonArray([.. spec.Depths.Select(d => (JsonNode)d)]),
            ["tau_rules"] = new JsonArray([.. spec.TauRules.Select(t => (JsonNode)t.ToString())]),
            ["seeds"] = new JsonArray([.. spec.Seeds.Select(s => (JsonNode)s)]),
            ["step_sizes"] = new JsonArray([.. spec.StepSizes.Select(s => (JsonNode)s)]),
            ["depth_step_sizes"] = spec.DepthStepSizes is { } byDepth ? new JsonArray([.. byDepth.Select(s => (JsonNode)s)]) : null,
            ["data"] = spec.Data switch
            {
                SyntheticData s => new JsonObject
                {
                    ["dataset"] = s.Name, ["count"] = s.Count, ["input_dim"] = s.Dim, ["output_dim"] = s.OutDim,
                    ["targets"] = s.Targets == TargetKind.Random ? "random" : "teacher", ["test_count"] = s.TestCount,
                    ["teacher"] = Network(s.Teacher),
                },
                FashionMnist f => new JsonObject
                {
                    ["dataset"] = f.Name, ["directory"] = Path.GetFullPath(f.Directory), ["train_count"] = f.TrainCount, ["test_count"] = f.TestCount,
                },
                var d => throw new ArgumentException($"data source {d.Name} has no JSON form", nameof(spec)),
            },
            ["options"] = new JsonObject
            {
                ["optimizer"] = o.Optimizer.Name(), ["step_size"] = o.StepSize, ["momentum"] = o.Momentum, ["batch_size"] = o.BatchSize,
                ["steps"] = o.Steps, ["precision"] = OptionNames.PrecisionName(o.Precision), ["trained"] = o.Trained.Name(),
                ["reduction"] = o.Reduction.Name(), ["eval_every"] = o.EvalEvery, ["divergence_factor"] = o.DivergenceFactor,
                ["stop_loss_ratio"] = o.StopLossRatio, ["eval_chunk"] = o.EvalChunk, ["backward"] = o.Backward.Name(), ["test_at_start"] = o.TestAtStart,
            },
        };
        return JsonText.Of(root);
    }

    /// <summary>The spec <see cref="Write"/> wrote; anything else throws <see cref="SpecException"/>.</summary>
    public static TrainingStudySpec Read(string json)
    {
        try
        {
            var root = JsonNode.Parse(json)?.AsObject() ?? throw new SpecException("a training study spec must be a JSON object");
            var d = root["data"]!.AsObject();
            DataSource data = (string?)d["dataset"] switch
            {
                "synthetic" => new SyntheticData((int)d["count"]!, (int)d["input_dim"]!, (int)d["output_dim"]!,
                    (string?)d["targets"] == "teacher" ? TargetKind.Teacher : TargetKind.Random, (int)d["test_count"]!, Network(d["teacher"]!.AsObject())),
                "fashion-mnist" => new FashionMnist((string?)d["directory"], (int)d["train_count"]!, (int)d["test_count"]!),
                var other => throw new SpecException($"unknown dataset '{other}' in a training study spec"),
            };
            var o = root["options"]!.AsObject();
            var options = new TrainingOptions
            {
                Optimizer = OptionNames.ParseOptimizer((string)o["optimizer"]!), StepSize = (double)o["step_size"]!, Momentum = (double)o["momentum"]!,
                BatchSize = (int)o["batch_size"]!, Steps = (int)o["steps"]!, Precision = OptionNames.ParsePrecision((string)o["precision"]!),
                Trained = TrainingNames.ParseTrained((string)o["trained"]!), Reduction = OptionNames.ParseReduction((string)o["reduction"]!),
                EvalEvery = (int)o["eval_every"]!, DivergenceFactor = (double)o["divergence_factor"]!, StopLossRatio = (double)o["stop_loss_ratio"]!,
                EvalChunk = (int)o["eval_chunk"]!,
                TestAtStart = (bool)o["test_at_start"]!, Backward = OptionNames.ParseBackward((string)o["backward"]!),
            };
            var spec = new TrainingStudySpec(Network(root["network"]!.AsObject()),
                root["depths"]!.AsArray().Select(x => (int)x!).ToList(),
                root["tau_rules"]!.AsArray().Select(x => TauRule.ParseBound((string)x!)).ToList(),
                root["seeds"]!.AsArray().Select(x => (ulong)x!).ToList(),
                root["step_sizes"]!.AsArray().Select(x => (double)x!).ToList(), data, options)
            {
                DepthStepSizes = root["depth_step_sizes"] is JsonArray byDepth ? byDepth.Select(x => (double)x!).ToList() : null,
            };
            spec.Validate();
            return spec;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException or NullReferenceException or ArgumentException)
        {
            throw new SpecException($"not a training study spec: {e.Message}");
        }
    }

    private static JsonObject Network(NetworkSpec n) => new()
    {
        ["width"] = n.Width, ["depth"] = n.Depth, ["tau"] = n.Tau.ToString(), ["block"] = n.Block.Name(), ["activation"] = n.Activation.Name(),
        ["weights"] = n.Weights.Name(), ["input_dim"] = n.InputDim, ["output_dim"] = n.OutputDim,
    };

    private static NetworkSpec Network(JsonObject o) => new((int)o["width"]!, (int)o["depth"]!, TauRule.ParseBound((string)o["tau"]!),
        ModelNames.ParseBlock((string)o["block"]!), ModelNames.ParseActivation((string)o["activation"]!), ModelNames.ParseWeightLaw((string)o["weights"]!),
        (int)o["input_dim"]!, (int)o["output_dim"]!);
}
