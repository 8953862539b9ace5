namespace StabilityLab.Tables;

/// <summary>What a sweep directory holds for figures: its cells and per-layer traces (empty when it has none).</summary>
public sealed record SweepData(string Directory, IReadOnlyList<CellRow> Cells, IReadOnlyList<TraceRow> Traces);
