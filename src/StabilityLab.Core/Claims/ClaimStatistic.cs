using StabilityLab.Models;

namespace StabilityLab.Claims;

/// <summary>
/// What a claim is about (docs/claims.md): the log ratio ‖h_L‖²/‖h_0‖², ‖∂F/∂h_0‖²/‖∂F/∂h_L‖² or max_l ‖h_l‖²/‖h_0‖² of
/// the sweep kinds; the training loss of the training kinds; the operator norm of the whole block product
/// D_L(I+τW_L)···D_1(I+τW_1), or its largest over pairs (a, b), of operator-norm-bounded.
/// </summary>
public enum Quantity { Forward, Backward, ForwardMax, Loss, Product, ProductMax, Accuracy }

/// <summary>
/// The statistic of the per-trial log ratio x that a claim tests: log E e^x (log_mean: the log of the mean ratio,
/// forward only, from the estimator with the k̂ diagnostic of docs/statistics.md), mean_log (E x), or a quantile
/// (median, q05, q95: the high-probability forms).
/// </summary>
public enum Statistic { LogMean, MeanLog, Median, Q05, Q95 }

public static class ClaimNames
{
    // The one spelling of each value in a claims file; Name and Parse both read it.
    private static readonly (Quantity Value, string Name)[] Quantities =
        [(Quantity.Forward, "forward"), (Quantity.Backward, "backward"), (Quantity.ForwardMax, "forward-max"), (Quantity.Loss, "loss"),
         (Quantity.Product, "product"), (Quantity.ProductMax, "product-max"), (Quantity.Accuracy, "accuracy")];
    private static readonly (Statistic Value, string Name)[] Statistics =
        [(Statistic.LogMean, "log_mean"), (Statistic.MeanLog, "mean_log"), (Statistic.Median, "median"), (Statistic.Q05, "q05"), (Statistic.Q95, "q95")];

    public static string Name(this Quantity q) => Quantities.First(x => x.Value == q).Name;

    public static string Name(this Statistic s) => Statistics.First(x => x.Value == s).Name;

    /// <summary>How a statistic of a quantity reads in a table.</summary>
    public static string Describe(Quantity q, Statistic s)
    {
        string ratio = q switch
        {
            Quantity.Forward => "‖h_L‖²/‖h_0‖²",
            Quantity.Backward => "‖∂F/∂h_0‖²/‖∂F/∂h_L‖²",
            Quantity.Loss => "training loss",
            Quantity.Product => "‖D_L(I+τW_L)···D_1(I+τW_1)‖₂²",
            Quantity.ProductMax => "max over pairs (a, b) of ‖D_b(I+τW_b)···D_a(I+τW_a)‖₂²",
            _ => "max_l ‖h_l‖²/‖h_0‖²",
        };
        return s switch
        {
            Statistic.LogMean => $"log E[{ratio}]",
            Statistic.MeanLog => $"E log({ratio})",
            Statistic.Median => $"median log({ratio})",
            Statistic.Q05 => $"5% quantile of log({ratio})",
            _ => $"95% quantile of log({ratio})",
        };
    }

    public static Quantity ParseQuantity(string text, string where) =>
        Quantities.Where(x => x.Name == text).Select(x => (Quantity?)x.Value).FirstOrDefault()
            ?? throw new SpecException($"{where}: unknown quantity '{text}' (expected {string.Join(", ", Quantities.Select(x => x.Name))})");

    public static Statistic ParseStatistic(string text, string where) =>
        Statistics.Where(x => x.Name == text).Select(x => (Statistic?)x.Value).FirstOrDefault()
            ?? throw new SpecException($"{where}: unknown statistic '{text}' (expected log_mean, mean_log, median, q05 or q95)");
}
