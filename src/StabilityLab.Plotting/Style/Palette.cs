using OxyPlot;

namespace StabilityLab.Plotting.Style;

/// <summary>
/// The Okabe–Ito colour-blind-safe palette (Okabe &amp; Ito 2008), ordered for contrast on white (yellow,
/// the weakest on white, last), and a diverging blue–white–vermillion map built from its ends.
/// </summary>
public static class Palette
{
    public static readonly OxyColor Black = OxyColor.FromRgb(0x00, 0x00, 0x00);
    public static readonly OxyColor Orange = OxyColor.FromRgb(0xE6, 0x9F, 0x00);
    public static readonly OxyColor SkyBlue = OxyColor.FromRgb(0x56, 0xB4, 0xE9);
    public static readonly OxyColor BluishGreen = OxyColor.FromRgb(0x00, 0x9E, 0x73);
    public static readonly OxyColor Yellow = OxyColor.FromRgb(0xF0, 0xE4, 0x42);
    public static readonly OxyColor Blue = OxyColor.FromRgb(0x00, 0x72, 0xB2);
    public static readonly OxyColor Vermillion = OxyColor.FromRgb(0xD5, 0x5E, 0x00);
    public static readonly OxyColor ReddishPurple = OxyColor.FromRgb(0xCC, 0x79, 0xA7);

    /// <summary>Series colours in order of use.</summary>
    public static IReadOnlyList<OxyColor> Series { get; } =
        [Blue, Vermillion, BluishGreen, ReddishPurple, Orange, SkyBlue, Black, Yellow];

    /// <summary>The i-th series colour (cycles after eight; markers then tell series apart).</summary>
    public static OxyColor Color(int i) => Series[((i % Series.Count) + Series.Count) % Series.Count];

    /// <summary>Marker shapes, cycled with a period coprime to the colours' so each pair is unique.</summary>
    public static IReadOnlyList<MarkerType> Markers { get; } =
        [MarkerType.Circle, MarkerType.Square, MarkerType.Triangle, MarkerType.Diamond, MarkerType.Cross, MarkerType.Plus, MarkerType.Star];

    public static MarkerType Marker(int i) => Markers[((i % Markers.Count) + Markers.Count) % Markers.Count];

    /// <summary>Diverging map: blue (below the centre) → white (centre) → vermillion (above), n colours.</summary>
    public static OxyPalette Diverging(int n = 255) => OxyPalette.Interpolate(n, Blue, OxyColors.White, Vermillion);

    /// <summary>A colour with the given opacity (0..1), for bands.</summary>
    public static OxyColor WithAlpha(OxyColor c, double alpha) => OxyColor.FromAColor((byte)Math.Round(255 * Math.Clamp(alpha, 0, 1)), c);
}
