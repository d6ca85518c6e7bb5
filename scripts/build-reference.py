#!/usr/bin/env python3
"""Builds inputs/reference/collectivites.csv and regions.csv from INSEE's
official geographic code (COG): the département and région tables, plus the
authorities that hold département powers without being a single département
(Collectivité de Corse, Collectivité européenne d'Alsace, Métropole de Lyon,
Rhône hors Métropole), whose codes are the COG's CTCD codes.

usage: scripts/build-reference.py DEPARTEMENTS.csv REGIONS.csv OUTDIR
  DEPARTEMENTS.csv  COG "departement" table (columns DEP, REG, NCCENR)
  REGIONS.csv       COG "region" table (columns REG, NCCENR)
Not run by tests or CI; see docs/data.md.
"""
import csv
import sys

# Authorities with département powers that the COG département table does not
# list as such (COG CTCD codes; dates from the laws that created them).
SPECIAL = [
    # code, name, region, type, from, to, aliases, members
    ("20R", "Collectivité de Corse", "94", "collectivite_unique", "2018", "", "20", "2A|2B"),
    ("6AE", "Collectivité européenne d'Alsace", "44", "collectivite_europeenne", "2021", "", "", "67|68"),
    ("69D", "Rhône (hors Métropole de Lyon)", "84", "departement", "2015", "", "", ""),
    ("69M", "Métropole de Lyon", "84", "metropole", "2015", "", "", ""),
    # Saint-Martin: a collectivité d'outre-mer (COG code of the COM table, no
    # région) holding the département's powers since the loi organique
    # n° 2007-223 of 21 February 2007; it signed a child-protection contract
    # in 2021 with P304 money (issue 21), so it must be listed even though no
    # INSEE/DREES table of inputs/data has a figure for it.
    ("978", "Saint-Martin", "", "collectivite_outre_mer", "2007", "", "", ""),
]
# Changes to ordinary départements (validity, other codings of the same body).
OVERRIDE = {
    "2A": dict(to="2017"), "2B": dict(to="2017"),
    "67": dict(to="2020"), "68": dict(to="2020"),
    "69": dict(to="2014", members="69D|69M"),
    "75": dict(type="collectivite_a_statut_particulier", aliases="75C"),
    "972": dict(type="collectivite_unique", aliases="972R"),
    "973": dict(type="collectivite_unique", aliases="973R"),
}
HEADER = ["code", "nom", "region_code", "region_nom", "type", "valide_de",
          "valide_a", "codes_equivalents", "composee_de"]


def main(dep_path, reg_path, outdir):
    with open(reg_path, encoding="utf-8") as f:
        regions = {r["REG"]: r["NCCENR"] for r in csv.DictReader(f)}
    rows = []
    with open(dep_path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code = r["DEP"]
            o = OVERRIDE.get(code, {})
            ctcd = code + "D"
            aliases = o.get("aliases", ctcd if code not in ("2A", "2B", "67", "68", "69") else "")
            rows.append([code, r["NCCENR"], r["REG"], regions[r["REG"]],
                         o.get("type", "departement"), "", o.get("to", ""),
                         aliases, o.get("members", "")])
    for code, name, reg, typ, frm, to, aliases, members in SPECIAL:
        rows.append([code, name, reg, regions.get(reg, ""), typ, frm, to, aliases, members])
    rows.sort(key=lambda r: r[0])
    with open(f"{outdir}/collectivites.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    with open(f"{outdir}/regions.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["region_code", "region_nom"])
        for k in sorted(regions):
            w.writerow([k, regions[k]])
    print(f"{len(rows)} authorities, {len(regions)} regions written to {outdir}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
