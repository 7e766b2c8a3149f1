-- jl_normal_isf(p) -> z with P(Z > z) = p for a standard normal Z, for 0 < p <= 0.5 (p is clamped to
-- [1e-300, 0.5]): Abramowitz & Stegun 26.2.23, absolute error under 4.5e-4, which is far finer than
-- the evidence ramps it feeds (harm turns a z into evidence over two whole units).
create or replace macro jl_normal_isf(p) as (
    sqrt(-2 * ln(least(0.5, greatest(1e-300, p))))
    - (2.515517 + 0.802853 * sqrt(-2 * ln(least(0.5, greatest(1e-300, p))))
       + 0.010328 * (-2 * ln(least(0.5, greatest(1e-300, p)))))
    / (1 + 1.432788 * sqrt(-2 * ln(least(0.5, greatest(1e-300, p))))
       + 0.189269 * (-2 * ln(least(0.5, greatest(1e-300, p))))
       + 0.001308 * pow(-2 * ln(least(0.5, greatest(1e-300, p))), 1.5))
)
