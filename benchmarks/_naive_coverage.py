"""Naive reference for docs/metrics.md sections 3-4: coverage gaps and household summary.

Written straight from the definitions, independently of ``famgraph.analysis.coverage``:
households are recomputed with networkx connected components, and everything else
is plain Python loops over persons, plan rows and holdings. It is slow (use it on
books of a few thousand persons) and exists only to check the fast engine.
"""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd

ROLE_ORDER = ["earner", "dependent", "child", "elder", "unknown"]

DEFAULT_PLAN_ROWS = [
    ("earner", "life", 1),
    ("earner", "critical_illness", 2),
    ("earner", "medical", 2),
    ("earner", "accident", 3),
    ("earner", "pension", 3),
    ("earner", "savings", 4),
    ("dependent", "critical_illness", 2),
    ("dependent", "medical", 2),
    ("dependent", "accident", 3),
    ("dependent", "pension", 3),
    ("child", "medical", 2),
    ("child", "critical_illness", 2),
    ("child", "accident", 3),
    ("child", "education", 4),
    ("elder", "medical", 2),
    ("elder", "accident", 3),
    ("unknown", "medical", 2),
    ("unknown", "accident", 3),
]


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _age(person: dict, as_of: pd.Timestamp) -> int | None:
    b = person.get("birth_date")
    if not _missing(b):
        b = pd.Timestamp(b)
        years = as_of.year - b.year
        if (b.month, b.day) > (as_of.month, as_of.day):
            years -= 1
        return None if years < 0 else years
    a = person.get("age")
    if _missing(a) or int(a) < 0:
        return None
    return int(a)


def _role(person: dict, age: int | None) -> str:
    if not _missing(person.get("role")):
        return str(person["role"])
    income = person.get("annual_income")
    if age is None:
        return "unknown"
    if age < 18:
        return "child"
    if age >= 65:
        return "elder"
    if not _missing(income) and income == 0:
        return "dependent"
    return "earner"


def naive_households(g, minor_age: int = 18) -> dict[str, tuple[str, str, int | None]]:
    """person_id -> (household_id, role, age), recomputed from docs/metrics.md section 3."""
    people = g.people.to_dict("records")
    info: dict[str, tuple[str | None, str, int | None]] = {}
    for p in people:
        age = _age(p, g.as_of)
        hid = None if _missing(p.get("household_id")) else str(p["household_id"])
        info[p["person_id"]] = (hid, _role(p, age), age)
    G = nx.Graph()
    G.add_nodes_from(pid for pid, (hid, _, _) in info.items() if hid is None)
    for r in g.relations.to_dict("records"):
        a, b, kind = r["person_id"], r["relative_id"], r["relation"]
        since, until = r.get("since"), r.get("until")
        if (not _missing(since) and since > g.as_of) or (not _missing(until) and until <= g.as_of):
            continue  # not active at as_of
        if a not in G or b not in G:
            continue  # one of them has a given household
        if kind == "spouse":
            G.add_edge(a, b)
        elif kind == "child":  # a is the parent of b
            child_age = info[b][2]
            if child_age is not None and child_age < minor_age:
                G.add_edge(a, b)
    derived: dict[str, str] = {}
    for comp in nx.connected_components(G):
        name = "H:" + min(comp)
        for pid in comp:
            derived[pid] = name
    out = {}
    for pid, (hid, role, age) in info.items():
        out[pid] = (hid if hid is not None else derived[pid], role, age)
    return out


def _plan_rows(plan: pd.DataFrame | None) -> list[tuple[str, str, int]]:
    if plan is None:
        return list(DEFAULT_PLAN_ROWS)
    return [
        (str(r).strip().lower(), str(ln).strip().lower(), int(p))
        for r, ln, p in zip(plan["role"], plan["line"], plan["priority"], strict=True)
    ]


def _covering(g) -> list[dict]:
    """Holdings that cover at as_of."""
    out = []
    for h in g.holdings.to_dict("records"):
        bought = not _missing(h["purchased_at"]) and h["purchased_at"] <= g.as_of
        exp = h["expires_at"]
        running = _missing(exp) or exp > g.as_of
        if bought and running:
            out.append(h)
    return out


def _categorical(values: list[str]) -> pd.Series:
    """Repeated text as a category of the values present, sorted (the documented dtype)."""
    cats = pd.Index(sorted(set(values)), dtype="str")
    return pd.Series(pd.Categorical(values, categories=cats))


def naive_coverage_gaps(g, plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """Coverage gaps by the book: loop over persons and their role's plan rows."""
    hh = naive_households(g)
    rows = _plan_rows(plan)
    have = {(h["person_id"], h["line"]) for h in _covering(g)}
    customer = dict(zip(g.people["person_id"], g.people["is_customer"], strict=True))
    out = []
    for pid, (hid, role, _) in hh.items():
        for r, line, prio in rows:
            if r == role and (pid, line) not in have:
                out.append(
                    {
                        "household_id": hid,
                        "person_id": pid,
                        "role": role,
                        "line": line,
                        "priority": prio,
                        "is_customer": bool(customer[pid]),
                    }
                )
    out.sort(key=lambda d: (d["household_id"], d["priority"], d["person_id"], d["line"]))
    return pd.DataFrame(
        {
            "household_id": _categorical([d["household_id"] for d in out]),
            "person_id": pd.Series([d["person_id"] for d in out], dtype="str"),
            "role": _categorical([d["role"] for d in out]),
            "line": _categorical([d["line"] for d in out]),
            "priority": pd.Series([d["priority"] for d in out], dtype="int64"),
            "is_customer": pd.Series([d["is_customer"] for d in out], dtype="bool"),
        }
    )


def naive_household_summary(
    g, plan: pd.DataFrame | None = None, life_multiple: float = 10, ci_multiple: float = 3
) -> pd.DataFrame:
    """Household summary by the book: loop over households and their members."""
    hh = naive_households(g)
    rows = _plan_rows(plan)
    covering = _covering(g)
    have = {(h["person_id"], h["line"]) for h in covering}
    people = {p["person_id"]: p for p in g.people.to_dict("records")}
    members: dict[str, list[str]] = {}
    for pid, (hid, _, _) in hh.items():
        members.setdefault(hid, []).append(pid)

    insured: dict[tuple[str, str], float] = {}
    for h in covering:
        if not _missing(h["sum_assured"]):
            key = (h["person_id"], h["line"])
            insured[key] = insured.get(key, 0.0) + h["sum_assured"]

    def existing(pid: str, line: str) -> float:
        return insured.get((pid, line), 0.0)

    records = []
    for hid in sorted(members):
        pids = members[hid]
        customers = sum(1 for pid in pids if people[pid]["is_customer"])
        required = covered = 0
        w_req = w_cov = 0
        gaps = []
        money = 0.0
        for pid in pids:
            role = hh[pid][1]
            for r, line, prio in rows:
                if r != role:
                    continue
                required += 1
                w_req += max(1, 5 - prio)
                if (pid, line) in have:
                    covered += 1
                    w_cov += max(1, 5 - prio)
                else:
                    gaps.append((prio, ROLE_ORDER.index(role), pid, line))
            income = people[pid]["annual_income"]
            if role == "earner" and not _missing(income) and income > 0:
                money += max(0.0, life_multiple * income - existing(pid, "life"))
                money += max(0.0, ci_multiple * income - existing(pid, "critical_illness"))
        top = min(gaps) if gaps else None
        records.append(
            {
                "household_id": hid,
                "members": len(pids),
                "customers": customers,
                "penetration": customers / len(pids),
                "required": required,
                "covered": covered,
                "coverage_ratio": covered / required if required else math.nan,
                "coverage_score": w_cov / w_req if w_req else math.nan,
                "protection_gap": money,
                "top_gap_person": top[2] if top else None,
                "top_gap_line": top[3] if top else None,
            }
        )
    cols = {
        "household_id": "str",
        "members": "int64",
        "customers": "int64",
        "penetration": "float64",
        "required": "int64",
        "covered": "int64",
        "coverage_ratio": "float64",
        "coverage_score": "float64",
        "protection_gap": "float64",
        "top_gap_person": "str",
        "top_gap_line": "str",
    }
    return pd.DataFrame({c: pd.Series([r[c] for r in records], dtype=t) for c, t in cols.items()})
