#!/usr/bin/env python3
"""Builds the criteria tables inputs/data/criteres-<year>.csv from INSEE and
DREES files, one row per authority holding child-protection powers in that
year (inputs/reference/collectivites.csv), figures summed where an authority
gathers several départements (Corse = 2A + 2B, CEA = 67 + 68). A figure that
does not exist for an authority is left EMPTY: nothing is invented.

usage: scripts/build-criteria.py YEAR REFERENCE.csv OUT.csv \\
          --pop POP.csv --pop-year Y --ase ASE.csv --ase-year Y \\
          --jm JM.csv --households FILO_DISP_DEP.csv --households-col NBMEN16 \\
          --poverty FILO_PAUVRES_DEP.csv --poverty-col TP6021

  POP.csv         population 0-19 by département (columns year_1jan, dep, pop_0_19)
  ASE.csv         DREES children in care (Annee, Code.departement, TypeTerritoire,
                  TotEnfAccueillisASE)
  JM.csv          DREES young-adult measures (dep, mesures_jeunes_majeurs_apjm_plus_aedjm)
  FILO_*.csv      INSEE Filosofi département files (';', decimal comma)
menages_pauvres is an ESTIMATE: households × poverty rate at 60 % / 100,
rounded to the unit (the rate is a share of persons, not of households).
Not run by tests or CI; see docs/data.md.
"""
import argparse
import csv
import sys


def read_csv(path, delimiter=","):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def fr_float(s):
    return float(s.replace(",", ".").replace(" ", ""))


def authorities(reference, year):
    out = []
    for r in read_csv(reference, ";"):
        frm = int(r["valide_de"] or 0)
        to = int(r["valide_a"] or 9999)
        if frm <= year <= to:
            out.append(r)
    return out


def members(auth):
    """INSEE département codes an authority covers."""
    if auth["composee_de"]:
        return auth["composee_de"].split("|")
    return [auth["code"]]


def summed(values, codes):
    """Sum over codes, or None when one of them is missing."""
    if any(values.get(c) is None for c in codes):
        return None
    return sum(values[c] for c in codes)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("year", type=int)
    ap.add_argument("reference")
    ap.add_argument("out")
    ap.add_argument("--pop", required=True)
    ap.add_argument("--pop-year", required=True)
    ap.add_argument("--pop-release", required=True, help="insee_release_date to use")
    ap.add_argument("--ase", required=True)
    ap.add_argument("--ase-year", required=True)
    ap.add_argument("--jm", required=True)
    ap.add_argument("--households", required=True)
    ap.add_argument("--households-col", required=True)
    ap.add_argument("--poverty", required=True)
    ap.add_argument("--poverty-col", required=True)
    a = ap.parse_args()

    pop = {r["dep"]: int(r["pop_0_19"]) for r in read_csv(a.pop)
           if r["year_1jan"] == a.pop_year and r["insee_release_date"] == a.pop_release}
    ase = {r["Code.departement"]: int(r["TotEnfAccueillisASE"]) for r in read_csv(a.ase)
           if r["Annee"] == a.ase_year and r["TypeTerritoire"] == "Département"
           and r["TotEnfAccueillisASE"] not in ("", "NA")}
    jm = {r["dep"]: int(r["mesures_jeunes_majeurs_apjm_plus_aedjm"]) for r in read_csv(a.jm)}
    hh = {r["CODGEO"]: fr_float(r[a.households_col]) for r in read_csv(a.households, ";")}
    rate = {r["CODGEO"]: fr_float(r[a.poverty_col]) for r in read_csv(a.poverty, ";")}
    poor = {c: round(hh[c] * rate[c] / 100) for c in hh if c in rate}

    rows = []
    for auth in authorities(a.reference, a.year):
        code = auth["code"]
        ins = members(auth)
        # DREES keys Corse as "20" and keeps 69D / 69M apart, like the authorities.
        drees = ["20"] if code == "20R" else ins
        p = None if code in ("69D", "69M") else summed(pop, ins)
        pv = None if code in ("69D", "69M") else summed(poor, ins)
        rows.append([code, auth["nom"], p, pv, summed(ase, drees), summed(jm, drees)])
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["code", "nom", "enfants_0_19", "menages_pauvres", "enfants_ase",
                    "mesures_jeunes_majeurs"])
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
    holes = {c: [r[0] for r in rows if r[i] is None]
             for i, c in enumerate(["", "", "enfants_0_19", "menages_pauvres",
                                    "enfants_ase", "mesures_jeunes_majeurs"]) if i >= 2}
    print(f"{a.out}: {len(rows)} authorities")
    for c, h in holes.items():
        total = sum(r[2 + list(holes).index(c)] or 0 for r in rows)
        print(f"  {c}: total {total}, empty for {' '.join(h) or 'none'}")


if __name__ == "__main__":
    sys.exit(main())
