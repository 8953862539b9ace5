namespace StabilityLab.Plotting.Style;

/// <summary>
/// Label text, typeset for OxyPlot (x^{a} superscript, x_{a} subscript in axis titles and legends; plain
/// Unicode in plot titles). Every log says which one: ln is the natural log, log₁₀ the decimal one.
/// </summary>
public static class Symbols
{
    public const string Tau = "τ";
    public const string InvSqrtL = "L^{−1/2}";
    public const string ForwardRatio = "‖h_{L}‖²/‖h_{0}‖²";
    public const string BackwardRatio = "‖∂F/∂h_{0}‖²/‖∂F/∂h_{L}‖²";

    public const string DepthAxis = "depth L (log scale)";
    public const string LayerAxis = "layer l";
    public const string StepAxis = "training step";

    public const string LnForward = "ln(" + ForwardRatio + ")  (natural log)";
    public const string LnForwardLogScale = "ln(" + ForwardRatio + ")  (natural log, log scale)";
    public const string LnForwardSymLogScale = "ln(" + ForwardRatio + ")  (natural log, symlog scale)";
    public const string Log10Forward = "log_{10}(" + ForwardRatio + ")";
    public const string LnBackward = "ln(" + BackwardRatio + ")  (natural log)";
    public const string LnBackwardLogScale = "ln(" + BackwardRatio + ")  (natural log, log scale)";
    public const string LnBackwardSymLogScale = "ln(" + BackwardRatio + ")  (natural log, symlog scale)";
    public const string Log10Backward = "log_{10}(" + BackwardRatio + ")";
    public const string ForwardLayerRatio = "‖h_{l}‖²/‖h_{0}‖²";
    public const string BackwardLayerRatio = "‖g_{l}‖²/‖g_{L}‖²";
    public const string LnWeightGrad = "mean ln(‖∂F/∂W_{l}‖²)  (natural log)";
    public const string LnMeanForward = "ln E[" + ForwardRatio + "]  (natural log, log scale)";
    public const string ThresholdAxis = "threshold τ*(L) (log scale)";
    public const string ThresholdCompensatedAxis = "threshold × √L:  τ*(L)·√L";
    public const string Loss = "training loss (log scale)";
}
