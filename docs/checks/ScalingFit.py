# Threshold law on the quick report's sweep, reports/quick/studies/<key>/fits.json (docs/science.md §6): the straight line
# log τ* = log C + α log L against the corrections-to-scaling model τ* = C L^α (1 + b L^(−1/2)),
# both by weighted least squares with weights 1/SE² (SE = log_tau_se), b by grid search.
# Run from the repository root: python3 docs/checks/ScalingFit.py
import glob, json, math

fits = json.load(open(sorted(glob.glob("reports/quick/studies/*/fits.json"))[0]))
pts = [(p["depth"], p["tau_star"], p["log_tau_se"]) for p in fits["threshold"]["per_depth"]]
xs = [math.log(L) for L, _, _ in pts]
ws = [1 / se ** 2 for _, _, se in pts]


def wls(ys):
    s, sx, sy = sum(ws), sum(w * x for w, x in zip(ws, xs)), sum(w * y for w, y in zip(ws, ys))
    sxx = sum(w * x * x for w, x in zip(ws, xs))
    sxy = sum(w * x * y for w, x, y in zip(ws, xs, ys))
    slope = (s * sxy - sx * sy) / (s * sxx - sx * sx)
    icept = (sy - slope * sx) / s
    chi2 = sum(w * (y - icept - slope * x) ** 2 for w, x, y in zip(ws, xs, ys))
    return icept, slope, chi2


_, alpha, chi2 = wls([math.log(t) for _, t, _ in pts])
print(f"straight line: alpha = {alpha:.4f}, reduced chi2 = {chi2 / (len(pts) - 2):.1f}")
best = min(
    (wls([math.log(t) - math.log(1 + b * L ** -0.5) for L, t, _ in pts]) + (b,)
     for b in (i / 1000 for i in range(-900, 4000))),
    key=lambda r: r[2])
icept, alpha, chi2, b = best
print(f"omega = 1/2: alpha = {alpha:.4f}, b = {b:.3f}, C = {math.exp(icept):.4f}, reduced chi2 = {chi2 / (len(pts) - 3):.1f}")
