using System.Runtime.CompilerServices;

namespace StabilityLab.Theory;

/// <summary>
/// The path covariances of res1/ReLU (<see cref="Res1FiniteWidth.PathCovariances"/>) in closed form, O(1) per layer pair
/// instead of a 96-node quadrature (docs/finite-width.md §11, "Closed-form pairs").
/// One coordinate's infinite-width path is Y_l = Y_0 + B(S_l) with B a Brownian motion and Y_0 = (√2ζ)_+: with
/// probability ½ it starts at 0 (part A: B at times s = S_j, t = S_k), else at √2ζ, ζ &gt; 0, which is the same as a
/// Brownian motion B̃ from 0 seen at times r₁ = 2, r₂ = 2 + s, r₃ = 2 + t on the event B̃(2) &gt; 0 (part B). So every
/// E[u(Y_j) w(Y_k)] with u, w ∈ {x_+², 1[x &gt; 0]} is a moment of a centered bivariate (A) or trivariate (B) normal
/// over the positive orthant: the orthant probabilities are 1/4 + asin ρ/(2π) and 1/8 + Σ asin ρ_ab/(4π), and the
/// moments follow from Stein's lemma E[X_a g(X)] = Σ_c Σ_ac E[∂_c g(X)], where differentiating an indicator leaves a
/// lower-dimensional orthant moment under the conditional law given X_c = 0 (for Brownian times these are again
/// Brownian: given B̃(r₁) = 0 the pair (X₁, X₂) is B at times s, t; given B̃(r₂) = 0, B̃(r₃) and B̃(r₁) are independent;
/// given B̃(r₃) = 0, a bridge). Everything is written in the dimensionless ŝ = s/r₂, t̂ = t/r₃, x = r₂/r₃ and
/// Δ/r₃ = 1 − x from log S, so constant τ at any depth stays finite. A row with S_j = 0 (Y_j = Y_0) is the
/// bivariate case at times 2 and 2 + t.
/// </summary>
internal sealed class Res1PairMoments
{
    private const double TwoPi = 2 * Math.PI, FourPi = 4 * Math.PI;

    private readonly double[] _logS, _logR, _hat, _sqrtHat, _sqrtOneMinusHat, _q, _scale, _asin, _pi, _logP;
    private readonly double _logSL, _logQL;

    /// <summary>
    /// S_l, r_l = 2 + S_l and their inverses in raw units, where every r_l &lt; e^<see cref="MaxLogRaw"/> (then each pair needs
    /// no exp: Δ = S_k − S_j loses at most |log S|·1e-16 relative to S, ≈ 1e-12 relative to Δ for adjacent layers at L = 16384,
    /// τ = 1/√L); null beyond, where the ratios come from log S.
    /// </summary>
    private readonly double[]? _s, _r, _invS, _invR;

    private const double MaxLogRaw = 690;

    /// <param name="logS">log S_l, l = 0..L (S_0 = 0: −∞)</param>
    /// <param name="logQ">log Q_l = log(1 + S_l)</param>
    /// <param name="p">P_l/Q_l, P_l = E[φ(Y_l)²]</param>
    /// <param name="pi">π_l = P(Y_l &gt; 0)</param>
    /// <param name="rawUnits">tests only: false takes every ratio from log S even where raw units would do</param>
    public Res1PairMoments(double[] logS, double[] logQ, double[] p, double[] pi, bool rawUnits = true)
    {
        int n = logS.Length;
        double log2 = Math.Log(2);
        _logS = logS;
        _pi = pi;
        _logR = new double[n];
        _hat = new double[n];
        _sqrtHat = new double[n];
        _sqrtOneMinusHat = new double[n];
        _q = new double[n];
        _scale = new double[n];
        _asin = new double[n];
        _logP = new double[n];
        for (int l = 0; l < n; l++)
        {
            // r = 2 + S; ŝ = S/r, 1 − ŝ = 2/r; the scale r/P_l turns the moments of Y²/r into those of f_l = φ(Y_l)²/P_l;
            // asin √(2/r) = atan2(√(1 − ŝ), √ŝ) is the correlation of B̃(2) and B̃(r).
            _logR[l] = StdNormal.LogAddExp(log2, logS[l]);
            _hat[l] = Math.Exp(logS[l] - _logR[l]);
            double oneMinus = Math.Exp(log2 - _logR[l]);
            _sqrtHat[l] = Math.Sqrt(_hat[l]);
            _sqrtOneMinusHat[l] = Math.Sqrt(oneMinus);
            _q[l] = Math.Sqrt(_hat[l] * oneMinus);
            _logP[l] = Math.Log(p[l]) + logQ[l];
            _scale[l] = Math.Exp(_logR[l] - _logP[l]);
            _asin[l] = Math.Atan2(_sqrtOneMinusHat[l], _sqrtHat[l]);
        }
        _logSL = logS[n - 1];
        _logQL = logQ[n - 1];
        if (rawUnits && _logR[n - 1] < MaxLogRaw)
        {
            _s = new double[n];
            _r = new double[n];
            _invS = new double[n];
            _invR = new double[n];
            for (int l = 0; l < n; l++)
            {
                _s[l] = Math.Exp(logS[l]);
                _r[l] = Math.Exp(_logR[l]);
                _invS[l] = 1 / _s[l];
                _invR[l] = 1 / _r[l];
            }
        }
    }

    /// <summary>The covariances of one pair j &lt; k of layers (f = φ(Y)²/P, 1 = 1[Y &gt; 0]).</summary>
    public readonly record struct Pair(double FF, double FI, double IF, double II);

    /// <summary>
    /// Cov(f_j, f_k), Cov(f_j, 1_k), Cov(1_j, f_k), Cov(1_j, 1_k) for j &lt; k (E f = 1, E 1_l = π_l).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Pair Of(int j, int k)
    {
        double logSj = _logS[j];
        double th = _hat[k], qt = _q[k], rowF = _scale[j], colF = _scale[k], piJ = _pi[j], piK = _pi[k];
        double eff, ef1, e1f, e11;
        if (double.IsNegativeInfinity(logSj))
        {
            // Y_j = Y_0: B̃ at times 2 and r₃, correlation ρ = √(2/r₃) = √(1 − t̂), √(1 − ρ²) = √t̂.
            double rho = _sqrtOneMinusHat[k], p2 = 0.25 + _asin[k] / TwoPi, rc = rho * _sqrtHat[k] / TwoPi;
            eff = p2 * (1 + 2 * rho * rho) + 3 * rc;
            ef1 = e1f = p2 + rc;
            e11 = p2;
        }
        else
        {
            double sh = _hat[j], qs = _q[j];
            double x, dr, rho2, c2; // x = r₂/r₃, dr = Δ/r₃, ρ_A² = s/t, c_A² = Δ/t
            if (_s is not null)
            {
                double delta = _s[k] - _s[j], invR = _invR![k], invS = _invS![k];
                x = _r![j] * invR;
                dr = delta * invR;
                rho2 = _s[j] * invS;
                c2 = delta * invS;
            }
            else
            {
                double d = _logR[j] - _logR[k];
                x = Math.Exp(d);
                dr = -StdNormal.Expm1(d);
                rho2 = x * sh / th;
                c2 = dr / th;
            }
            // Part A (weight ½): B at times s, t, ρ_A = √(s/t), c_A = √(Δ/t); asin ρ_A = atan(ρ_A/c_A).
            double rhoA = Math.Sqrt(rho2), cA = Math.Sqrt(c2);
            double p2A = 0.25 + Math.Atan(rhoA / cA) / TwoPi, rcA = rhoA * cA / TwoPi, baseA = p2A + rcA;
            // Part B: P(B̃(r₁), B̃(r₂), B̃(r₃) > 0) and the Stein terms, in units of r₂ (row) and r₃ (column).
            double sx = Math.Sqrt(x), sd = Math.Sqrt(dr);
            double p3 = 0.125 + (Math.Atan(sx / sd) + _asin[j] + _asin[k]) / FourPi;
            double sxd = sx * sd / FourPi;
            double tq = qt * (1 + rhoA) / FourPi;
            double b1f = p3 + sxd + tq;                                                     // E[X₂² 1_O]/r₃
            double bf1 = p3 + sxd * (1 + cA * _sqrtOneMinusHat[j]) + qs * (1 + rhoA) / FourPi; // E[X₁² 1_O]/r₂
            double e12 = x * p3 + sxd + tq;                                                 // E[X₁X₂ 1_O]/r₃
            double bff = b1f + 2 * e12 + qs * dr / FourPi + 2 * sh * tq;                   // E[X₁²X₂² 1_O]/(r₂r₃)
            eff = 0.5 * sh * th * (p2A * (1 + 2 * rhoA * rhoA) + 3 * rcA) + bff;
            ef1 = 0.5 * sh * baseA + bf1;
            e1f = 0.5 * th * baseA + b1f;
            e11 = 0.5 * p2A + p3;
        }
        return new Pair(rowF * colF * eff - 1, rowF * ef1 - piK, colF * e1f - piJ, e11 - piJ * piK);
    }

    /// <summary>E[f_j²] (E[Y_j₊⁴]/P_j²): ¾ŝ² from part A, the bivariate fourth moment of B̃(r₂) on B̃(2), B̃(r₂) &gt; 0 from part B.</summary>
    public double SecondMoment(int j)
    {
        double rho = _sqrtOneMinusHat[j], c = _sqrtHat[j], sh = _hat[j];
        double p2 = 0.25 + _asin[j] / TwoPi;
        double m4 = 0.75 * sh * sh + 3 * p2 + 3 * rho * c / TwoPi + 2 * rho * c * c * c / TwoPi;
        return _scale[j] * _scale[j] * m4;
    }

    /// <summary>Cov(f_j, Y_L²/Q_L) and Cov(1_j, Y_L²/Q_L): E[Y_L² | Y_j] = Y_j² + S_L − S_j.</summary>
    public (double F, double I) WithLast(int j)
    {
        double logD = _logSL + Math.Log(-StdNormal.Expm1(_logS[j] - _logSL));
        double shift = Math.Exp(logD - _logQL), pOverQ = Math.Exp(_logP[j] - _logQL);
        return (SecondMoment(j) * pOverQ + shift - 1, pOverQ + _pi[j] * shift - _pi[j]);
    }
}
