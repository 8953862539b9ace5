namespace StabilityLab.Torch.Training;

/// <summary>What a sweep produced: every run of its grid (trained now or kept from before), and the depth trends.</summary>
public sealed record TrainingStudyResult(string Directory, IReadOnlyList<SweepRun> Runs, IReadOnlyList<DepthTrend> Trends, int Kept, string DataDescription);
