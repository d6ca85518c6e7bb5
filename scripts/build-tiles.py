#!/usr/bin/env python3
"""Builds inputs/reference/tuiles.csv, the tile map of France used by
`p304 chart --kind map`: one tile per département on a hexagon grid (rows
offset by half a tile), the overseas départements in an inset row.

usage: scripts/build-tiles.py HEXGRID.csv REFERENCE.csv OUT.csv
  HEXGRID.csv  dep,name_in_source,col_doubled,row_from_top,... (a hexagon
               tilegram of the 96 metropolitan départements, plus 971-976
               placed on an inset row)
Authorities that gather départements get their members' tiles (20R = 2A +
2B, 6AE = 67 + 68); Rhône (69D) and Métropole de Lyon (69M) share the Rhône
tile, half each. Not run by tests or CI; see docs/data.md.
"""
import csv
import sys


def main(grid, reference, out):
    tiles = {}
    with open(grid, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            tiles[r["dep"]] = (int(r["col_doubled"]) / 2.0, int(r["row_from_top"]))
    rows = []
    with open(reference, encoding="utf-8") as f:
        for a in csv.DictReader(f, delimiter=";"):
            code = a["code"]
            if code in tiles:
                x, y = tiles[code]
                rows.append((code, x, y, 0.48))
            elif a["composee_de"]:
                for m in a["composee_de"].split("|"):
                    if m in tiles:
                        x, y = tiles[m]
                        rows.append((code, x, y, 0.48))
            elif code in ("69D", "69M"):
                x, y = tiles["69"]
                rows.append((code, x - 0.24 if code == "69D" else x + 0.24, y, 0.24))
    rows.sort()
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["code", "x", "y", "demi_largeur"])
        for code, x, y, hw in rows:
            w.writerow([code, f"{x:g}", y, f"{hw:g}"])
    print(f"{len(rows)} tiles written to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
