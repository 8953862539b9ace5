namespace StabilityLab.Plotting.Data;

/// <summary>One point of a training curve (curves.csv): the loss of one run (τ rule, depth, seed) at one step.</summary>
public sealed record TrainingCurvePoint(string TauRule, int Depth, int Seed, int Step, double Loss);
