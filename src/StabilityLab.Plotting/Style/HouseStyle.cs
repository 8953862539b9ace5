using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace StabilityLab.Plotting.Style;

/// <summary>
/// The one place that decides how figures look: font, type sizes per <see cref="FigureSize"/>, line widths,
/// the Okabe–Ito palette, solid light gridlines (dotted ones explode SVG size), legends. Figure builders take
/// their models, axes and series from here; <see cref="Apply"/> fits the type to a printed size.
/// </summary>
public static class HouseStyle
{
    /// <summary>DejaVu Sans: has τ, β, ‖, ∂, −, √, ², ₁₀ (fonts-dejavu-core on Debian); Skia falls back when absent.</summary>
    public const string Font = "DejaVu Sans";

    public const double LineWidth = 1.6;
    public const double ThinLineWidth = 1.0;
    public const double MarkerSize = 3.0;
    public const double BandAlpha = 0.25;
    public const double LightBandAlpha = 0.12;

    public static readonly OxyColor Text = OxyColor.FromRgb(0x20, 0x20, 0x20);
    public static readonly OxyColor Muted = OxyColor.FromRgb(0x60, 0x60, 0x60);
    public static readonly OxyColor MajorGrid = OxyColor.FromRgb(0xDD, 0xDD, 0xDD);
    public static readonly OxyColor MinorGrid = OxyColor.FromRgb(0xF0, 0xF0, 0xF0);
    public static readonly OxyColor Reference = OxyColor.FromRgb(0x40, 0x40, 0x40);

    /// <summary>Background of a map where the grid has no cell (distinct from white, the centre of the diverging map).</summary>
    public static readonly OxyColor NoData = OxyColor.FromRgb(0xE4, 0xE4, 0xE4);

    /// <summary>A blank figure: white background, house font, a legend outside on the right.</summary>
    public static PlotModel NewModel(string? title = null, string? subtitle = null)
    {
        var m = new PlotModel
        {
            Title = title,
            Subtitle = subtitle,
            DefaultFont = Font,
            Background = OxyColors.White,
            TextColor = Text,
            TitleColor = Text,
            SubtitleColor = Muted,
            PlotAreaBorderColor = OxyColor.FromRgb(0x80, 0x80, 0x80),
            PlotAreaBorderThickness = new OxyThickness(0.8),
            TitleFontWeight = FontWeights.Normal,
            IsLegendVisible = true,
        };
        m.Legends.Add(new Legend
        {
            LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.RightTop,
            LegendOrientation = LegendOrientation.Vertical,
            LegendBorderThickness = 0,
            LegendBackground = OxyColors.Undefined,
            LegendFont = Font,
            LegendTextColor = Text,
            LegendSymbolLength = 22,
            LegendPadding = 4,
            LegendItemSpacing = 8,
            LegendMargin = 6,
        });
        return m;
    }

    internal static T Styled<T>(T axis, AxisPosition position, string title, string? key) where T : Axis
    {
        axis.Position = position;
        axis.Title = title;
        axis.Key = key;
        axis.Font = Font;
        axis.MajorGridlineStyle = LineStyle.Solid;
        axis.MajorGridlineColor = MajorGrid;
        axis.MajorGridlineThickness = 0.6;
        axis.MinorGridlineStyle = LineStyle.None;
        axis.TicklineColor = Muted;
        axis.TickStyle = TickStyle.Outside;
        axis.MinorTickSize = 2;
        axis.MajorTickSize = 4;
        axis.AxislineStyle = LineStyle.None;
        axis.TitleColor = Text;
        axis.TextColor = Text;
        axis.IsZoomEnabled = false;
        axis.IsPanEnabled = false;
        axis.LabelFormatter ??= Number; // an axis with its own labels (SymLogAxis: the data values) keeps them
        return axis;
    }

    public static LinearAxis Linear(AxisPosition position, string title, string? key = null) =>
        Styled(new LinearAxis { MaximumPadding = 0.04, MinimumPadding = 0.04, IntervalLength = 45 }, position, title, key);

    /// <summary>A colour bar for a map centred on 0: the diverging palette over [−limit, limit], end colours beyond.</summary>
    public static LinearColorAxis DivergingColorBar(string title, double limit)
    {
        var palette = Palette.Diverging();
        return new LinearColorAxis
        {
            Position = AxisPosition.Right,
            Palette = palette,
            Minimum = -limit,
            Maximum = limit,
            HighColor = palette.Colors[^1],
            LowColor = palette.Colors[0],
            Title = title,
            Font = Font,
            MajorGridlineStyle = LineStyle.None,
            TickStyle = TickStyle.Outside,
            LabelFormatter = Number,
            MinimumPadding = 0,
            MaximumPadding = 0,
            TitleColor = Text,
            TextColor = Text,
            IsZoomEnabled = false,
            IsPanEnabled = false,
        };
    }

    /// <summary>A log10 axis (labels 1, 10, 100, ...), light solid minor gridlines at 2..9 × 10^k.</summary>
    public static LogarithmicAxis Log(AxisPosition position, string title, string? key = null)
    {
        var a = Styled(new LogarithmicAxis { Base = 10, MaximumPadding = 0.04, MinimumPadding = 0.04, UseSuperExponentialFormat = false }, position, title, key);
        a.MinorGridlineStyle = LineStyle.Solid;
        a.MinorGridlineColor = MinorGrid;
        a.MinorGridlineThickness = 0.5;
        return a;
    }

    /// <summary>A log depth axis labelled at the data's own depths (<see cref="Style.DepthAxis"/>).</summary>
    public static DepthAxis DepthAxis(AxisPosition position, string title, IEnumerable<int> depths, string? key = null)
    {
        var a = Styled(new DepthAxis(depths.Select(d => (double)d)) { Base = 10, MaximumPadding = 0.04, MinimumPadding = 0.04 }, position, title, key);
        a.MinorGridlineStyle = LineStyle.None;
        return a;
    }

    /// <summary>
    /// Breaks a subtitle into lines at "; " so each fits the width (estimated at 0.6 em a character);
    /// idempotent, so exporting one model at several sizes re-wraps from the original text.
    /// </summary>
    internal static string? Wrap(string? text, double width, double fontSize)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var parts = text.Replace(";\n", "; ").Split("; ");
        int perLine = Math.Max(10, (int)(width * 0.95 / (0.6 * fontSize)));
        var lines = new List<string>();
        var line = "";
        foreach (var p in parts)
        {
            var candidate = line.Length == 0 ? p : line + "; " + p;
            if (candidate.Length > perLine && line.Length > 0) { lines.Add(line + ";"); line = p; }
            else line = candidate;
        }
        lines.Add(line);
        return string.Join("\n", lines);
    }

    /// <summary>A tick label: up to 6 significant digits, with a true minus sign (−, not a hyphen).</summary>
    public static string Number(double v) =>
        (Math.Abs(v) < 1e-12 ? 0.0 : v).ToString("G6", System.Globalization.CultureInfo.InvariantCulture).Replace('-', '−');

    /// <summary>The Tag of panel-label axes (set in the tick font size by <see cref="Apply"/>).</summary>
    public const string PanelLabelTag = "panel-label";

    /// <summary>
    /// A panel label for one of several panels in a model: an axis that only carries a title, over the panel's
    /// span (Top: a header above side-by-side panels; Right: a strip label beside stacked panels).
    /// </summary>
    public static LinearAxis PanelLabel(AxisPosition position, string title, double start, double end, string key) => new()
    {
        Tag = PanelLabelTag,
        Position = position,
        Key = key,
        StartPosition = start,
        EndPosition = end,
        Title = title,
        Font = Font,
        TickStyle = TickStyle.None,
        LabelFormatter = _ => "",
        MajorGridlineStyle = LineStyle.None,
        MinorGridlineStyle = LineStyle.None,
        AxislineStyle = LineStyle.None,
        IsZoomEnabled = false,
        IsPanEnabled = false,
        TitleColor = Text,
    };

    /// <summary>A data line: solid, house width, markers at the data points.</summary>
    public static LineSeries Line(string name, string? legend, OxyColor color, MarkerType marker = MarkerType.None, string? xKey = null, string? yKey = null) => new()
    {
        Tag = name,
        Title = legend,
        Color = color,
        StrokeThickness = LineWidth,
        MarkerType = marker,
        MarkerSize = MarkerSize,
        MarkerFill = color,
        MarkerStroke = color,
        XAxisKey = xKey,
        YAxisKey = yKey,
        CanTrackerInterpolatePoints = false,
    };

    /// <summary>Dash pattern of theory curves (in stroke widths): gaps wide enough to read in a small legend.</summary>
    public static readonly double[] TheoryDashes = [4, 2.5];

    /// <summary>A theory curve: dashed, thin.</summary>
    public static LineSeries Theory(string name, string? legend, OxyColor color, string? xKey = null, string? yKey = null)
    {
        var s = Line(name, legend, color, MarkerType.None, xKey, yKey);
        s.LineStyle = LineStyle.Dash;
        s.Dashes = TheoryDashes;
        s.StrokeThickness = ThinLineWidth + 0.2;
        return s;
    }

    /// <summary>A shaded band between lower and upper curves (no edge lines).</summary>
    public static AreaSeries Band(string name, string? legend, OxyColor color, double alpha = BandAlpha, string? xKey = null, string? yKey = null) => new()
    {
        Tag = name,
        Title = legend,
        Color = OxyColors.Transparent,
        Color2 = OxyColors.Transparent,
        Fill = Palette.WithAlpha(color, alpha),
        StrokeThickness = 0,
        XAxisKey = xKey,
        YAxisKey = yKey,
    };

    /// <summary>An entry in the legend only (a style key such as "dashed: theory"); it holds no data.</summary>
    public static Series Key(string legend, LineStyle style, OxyColor color, MarkerType marker = MarkerType.None, bool band = false, bool open = false, string? xKey = null, string? yKey = null)
    {
        if (band) return new AreaSeries { Title = legend, Fill = Palette.WithAlpha(color, LightBandAlpha * 2), Color = OxyColors.Transparent, Color2 = OxyColors.Transparent, StrokeThickness = 0, XAxisKey = xKey, YAxisKey = yKey };
        return new LineSeries
        {
            Dashes = style == LineStyle.Dash ? TheoryDashes : null,
            Title = legend, Color = color, LineStyle = style, StrokeThickness = style == LineStyle.Solid ? LineWidth : ThinLineWidth + 0.2,
            MarkerType = marker, MarkerSize = MarkerSize, MarkerFill = open ? OxyColors.White : color, MarkerStroke = color, XAxisKey = xKey, YAxisKey = yKey,
        };
    }

    /// <summary>
    /// Fits type and legend to a printed size: label and tick sizes in points, the legend outside on the right
    /// (double column) or below the plot in rows (single column).
    /// The paper theme leaves the house colours and widths as built; another theme recolours them and scales lines
    /// (<see cref="Dress"/>).
    /// </summary>
    public static void Apply(PlotModel model, FigureSize size, FigureTheme? theme = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(size);
        theme ??= FigureTheme.Paper;
        double font = FigureSize.Units(size.FontPoints) * theme.FontScale, tick = FigureSize.Units(size.TickFontPoints) * theme.FontScale;
        model.DefaultFont = Font;
        model.DefaultFontSize = tick;
        model.TitleFontSize = font * 1.1;
        model.SubtitleFontSize = tick * 0.9;
        model.Padding = new OxyThickness(4, 4, 8, 4);
        foreach (var a in model.Axes)
        {
            a.FontSize = tick;
            a.TitleFontSize = a.Tag is PanelLabelTag ? tick * 1.05 : font;
            // OxyPlot under-measures math text (super/subscripts) next to tick labels; 8 keeps titles clear of them.
            a.AxisTitleDistance = a.Tag is PanelLabelTag ? 0 : 8;
        }
        // Markers in plot units would look twice as heavy in a column half as wide.
        double marker = size.WidthInches < 4 ? MarkerSize * 0.7 : MarkerSize;
        foreach (var series in model.Series)
            if (series is OxyPlot.Series.LineSeries { MarkerType: not MarkerType.None } ls) ls.MarkerSize = marker;
            else if (series is OxyPlot.Series.ScatterSeries sc) sc.MarkerSize = marker * 1.15;
        foreach (var a in model.Annotations)
            if (a is OxyPlot.Annotations.TextualAnnotation t) t.FontSize = tick;
        foreach (var l in model.Legends)
        {
            l.LegendFontSize = tick;
            l.LegendSymbolLength = size.WidthInches < 4 ? 18 : 22;
            if (size.WidthInches < 4 || theme.LegendBelow)
            {
                l.LegendPlacement = LegendPlacement.Outside;
                l.LegendPosition = LegendPosition.BottomCenter;
                l.LegendOrientation = LegendOrientation.Horizontal;
                l.LegendItemSpacing = 6;
                l.LegendMaxWidth = size.WidthUnits - 10;
            }
            else
            {
                l.LegendItemSpacing = 8;
                l.LegendMaxWidth = l.LegendOrientation == LegendOrientation.Vertical ? double.NaN : size.WidthUnits - 10;
            }
        }
        // The subtitle is centred over the plot area: beside a legend on the right it has about 60% of the width.
        bool legendRight = model.IsLegendVisible && model.Legends.Any(l => l.LegendPlacement == LegendPlacement.Outside
            && l.LegendPosition is LegendPosition.RightTop or LegendPosition.RightMiddle or LegendPosition.RightBottom);
        model.Subtitle = Wrap(model.Subtitle, size.WidthUnits * (legendRight ? 0.6 : 1), model.SubtitleFontSize);
        // Once per model: exporting one model in several formats must not thicken its lines again.
        if (theme != FigureTheme.Paper && !Dressed.TryGetValue(model, out _))
        {
            Dress(model, theme);
            Dressed.Add(model, theme);
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PlotModel, FigureTheme> Dressed = new();

    /// <summary>Recolours text, background and grid for a theme and scales line widths; series colours stay (black ones turn to the text colour).</summary>
    private static void Dress(PlotModel model, FigureTheme theme)
    {
        OxyColor Swap(OxyColor c) => c == Text || c == OxyColors.Black ? theme.Text : c == Muted ? theme.Muted : c;
        model.Background = theme.Background;
        model.TextColor = model.TitleColor = theme.Text;
        model.SubtitleColor = theme.Muted;
        model.PlotAreaBorderColor = theme.Muted;
        foreach (var a in model.Axes)
        {
            a.TextColor = a.TitleColor = theme.Text;
            a.TicklineColor = theme.Muted;
            a.AxislineColor = theme.Muted;
            a.MajorGridlineColor = theme.MajorGrid;
            a.MinorGridlineColor = theme.MinorGrid;
        }
        foreach (var l in model.Legends) l.LegendTextColor = theme.Text;
        foreach (var series in model.Series)
            switch (series)
            {
                case LineSeries ls:
                    ls.Color = Swap(ls.Color);
                    ls.MarkerStroke = Swap(ls.MarkerStroke);
                    ls.MarkerFill = ls.MarkerFill == OxyColors.White ? theme.Background : Swap(ls.MarkerFill);
                    ls.StrokeThickness *= theme.LineScale;
                    break;
                case ScatterSeries sc:
                    sc.MarkerStroke = Swap(sc.MarkerStroke);
                    sc.MarkerStrokeThickness *= theme.LineScale;
                    break;
            }
        foreach (var a in model.Annotations)
            if (a is OxyPlot.Annotations.TextualAnnotation t) t.TextColor = theme.Text;
    }
}