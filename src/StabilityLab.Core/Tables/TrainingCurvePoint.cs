using StabilityLab.Models;

namespace StabilityLab.Tables;

/// <summary>One point of a training curve (curves.csv): the loss of one run (τ rule, depth, seed) at one step.</summary>
public sealed record TrainingCurvePoint(TauRule Rule, int Depth, int Seed, int Step, double Loss);
