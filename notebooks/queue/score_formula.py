"""The score's formula as the Ranked page's controls show it beside the sliders: its terms and the numbers
a profile gives them. The SQL is the authority (sql/queue/13_group_components.sql, 17_scored_groups.sql,
19_ranked_groups.sql); scoring.reference_score is the same formula in Python, and
tests/queue/test_score_formula.py checks that these terms multiply back to it.

    score         = 100 × stage at stake × signal × harm factor
    stage at stake = impact/10 × (0.5 + 0.5 × sensitivity)        from the journey map, not a weight
    signal        = Σ w_k × c_k / Σ w_k                           the weights count by their share only
    harm factor   = 1 − c + c × harm^e                            c = corroboration, e = harm exponent
    suppressed    = score < threshold, unless harm was measured and the profile spares it

A group whose harm is not known (no journey metrics in its window) takes the profile's default harm in the
harm factor and its default exposure as c_exposure."""

from __future__ import annotations

from journeylens.notebooks.queue.queue_view import SEVERITY_ORDER
from journeylens.notebooks.queue.scoring import COMPONENTS, WEIGHT_OF

# The formula as LaTeX, each term broken over lines narrow enough for the sidebar (KaTeX never wraps).
SCORE_LATEX = (r"\small\begin{aligned}\text{score} &= 100 \times \text{stake} \\ &\quad \times \text{signal} \\"
               r" &\quad \times \text{harm factor}\end{aligned}")
SIGNAL_LATEX = r"\small\text{signal} = \frac{\sum_k w_k\, c_k}{\sum_k w_k}"
HARM_LATEX = r"\small\begin{aligned}\text{harm factor} &= 1 - c \\ &\quad + c \cdot \text{harm}^{\,e}\end{aligned}"


def weight_shares(profile: dict) -> dict:
    """{weight name: its share of the weights' total} in COMPONENTS order (they sum to 1): the signal is a
    weighted mean, so a weight counts only by its share. {} when every weight is 0 (no signal)."""
    weights = profile["weights"]
    names = [WEIGHT_OF[c] for c in COMPONENTS]
    total = sum(float(weights[name]) for name in names)
    if total <= 0:
        return {}
    return {name: float(weights[name]) / total for name in names}


def harm_factor(profile: dict, harm: float) -> float:
    """The share of a group's score that harm evidence keeps: 1 − c + c × harm^e (17_scored_groups.sql)."""
    c, e = float(profile["corroboration"]), float(profile["harm_exponent"])
    return 1 - c + c * float(harm) ** e


def stage_at_stake(impact: float, sensitivity: float) -> float:
    """impact/10 × (0.5 + 0.5 × sensitivity): 0.05 for impact 1 and sensitivity 0, 1 for 10 and 1."""
    return float(impact) / 10.0 * (0.5 + 0.5 * float(sensitivity))


def signal(profile: dict, components: dict) -> float:
    """The weighted mean of a group's components (COMPONENTS names, each 0-1) under the profile's weights."""
    shares = weight_shares(profile)
    return sum(shares[WEIGHT_OF[c]] * float(components[c]) for c in COMPONENTS) if shares else float("nan")


def harm_words(profile: dict) -> str:
    """What the harm factor does under this profile, in numbers a reviewer can check: what a group whose
    stage was measured and fine keeps, and what half harm and the default harm keep."""
    none, half = harm_factor(profile, 0.0), harm_factor(profile, 0.5)
    unknown = harm_factor(profile, profile["default_harm"])
    return (f"A group whose stage was measured and fine keeps {none:.0%} of its score; half harm keeps {half:.0%}, "
            f"full harm 100%. Where harm cannot be measured, the default harm ({profile['default_harm']:g}) "
            f"keeps {unknown:.0%}.")


def suppression_words(profile: dict) -> str:
    """The suppression rule under this profile (19_ranked_groups.sql), in a sentence or two."""
    spared = (", unless its stage measurably got worse in its window" if profile["threshold_spares_harm"]
              else ", even when its stage measurably got worse")
    words = (f"An alert group scoring below {float(profile['threshold']):g} is suppressed (kept, marked, ranked "
             f"last){spared}; an entry is suppressed when all its groups are.")
    severe = SEVERITY_ORDER[:int(profile["needs_mapping_spares_rank"])]
    if severe:
        named = severe[0] if len(severe) == 1 else f"{', '.join(severe[:-1])} and {severe[-1]}"
        words += f" {named.capitalize()} alerts on services no touchpoint claims are never suppressed by it."
    rules = len(profile.get("suppress") or [])
    if rules:
        words += f" {rules} suppression rule{'s' if rules > 1 else ''} of the profile also suppress what they match."
    return words
