"""The incident candidates of the ranking benchmark's pandas twin (bench/rank_world.py), as sql/queue/14-16
make them: groups on one stage whose active spans overlap (within correlate_minutes) and that share a
service or the stage's measured harm at the same level are one outage; islands never run longer than
max_window_hours from their first start; the candidates are the connected components. The benchmark
world names no touchpoints and links no changes, so service and harm islands are all it has. A pandas
user would take the components from scipy, as here; journeylens joins them in set-based SQL steps."""

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def strongest_level(readings: pd.DataFrame) -> pd.Series:
    """readings: window, segment, harm (conversion only). The level each window's harm names, with
    sql/queue/12's tie-break: the most harm, then the stage as a whole, then the last segment by name."""
    ordered = readings.assign(whole=readings["segment"] == "all").sort_values(["window", "harm", "whole", "segment"])
    return ordered.groupby("window")["segment"].last()


def incident_sizes(g: pd.DataFrame, profile: dict) -> pd.Series:
    """g: one row per group with stage, service, first, last, resolved, harm and harm_segment. Each group's
    incident size (1 when it is linked to nothing)."""
    end = np.maximum(g["last"], g["resolved"].fillna(g["last"]))
    end = (np.minimum(end, g["first"] + pd.Timedelta(hours=int(profile["max_window_hours"])))
           + pd.Timedelta(minutes=int(profile["correlate_minutes"])))
    node = np.arange(len(g))
    harmed = (g["harm"] > 0) & g["stage"].notna()
    relations = pd.concat([
        pd.DataFrame({"node": node, "key": "service|" + g["stage"].fillna("") + "|" + g["service"],
                      "start": g["first"], "end": end})[g["service"].notna().to_numpy()],
        pd.DataFrame({"node": node, "key": "harm|" + g["stage"] + "|" + g["harm_segment"],
                      "start": g["first"], "end": end})[harmed.to_numpy()],
    ], ignore_index=True).sort_values(["key", "start"], kind="stable")
    # an island starts where a span begins after every earlier span of its key has ended
    reach = relations.groupby("key")["end"].cummax().groupby(relations["key"]).shift()
    island = (reach.isna() | (relations["start"] > reach)).cumsum()
    # ... and is cut every max_window_hours from its first start
    first = relations["start"].groupby(island).transform("min")
    chunk = (relations["start"] - first) // pd.Timedelta(hours=int(profile["max_window_hours"]))
    island_id = pd.factorize(pd.MultiIndex.from_arrays([island, chunk]))[0]
    kept = pd.Series(island_id).map(pd.Series(island_id).value_counts()).to_numpy() >= 2
    nodes, islands = relations["node"].to_numpy()[kept], island_id[kept]
    # groups and islands as one bipartite graph: its connected components are the candidates
    size = len(g) + int(island_id.max(initial=-1)) + 1
    graph = coo_matrix((np.ones(len(nodes)), (nodes, len(g) + islands)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    members = np.bincount(labels[: len(g)])
    return pd.Series(members[labels[: len(g)]], index=g.index)
