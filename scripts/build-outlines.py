#!/usr/bin/env python3
"""Builds inputs/reference/contours.csv, the simplified outlines of the
départements drawn by `p304 chart --kind map` (and read by the note, the
département sheets and the web page).

usage: scripts/build-outlines.py GEOJSON REFERENCE.csv OUT.csv [TOLERANCE_KM]
  GEOJSON        departements-avec-outre-mer.geojson (IGN Admin Express 2018
                 via gregoiredavid/france-geojson, Licence Ouverte): one
                 feature per département, properties code and nom, WGS84.
  REFERENCE.csv  inputs/reference/collectivites.csv (every code written must
                 be one of its codes).
  TOLERANCE_KM   Douglas-Peucker tolerance in km of the output plane
                 (default 0.6).

Output (UTF-8, comma separated, header `code,anneau,x,y`): one row per vertex
of each ring, rings numbered 0, 1, 2 ... within a code, closing point not
repeated, x and y in km with one decimal, y pointing north.
- Metropolitan France in Lambert-93 (conformal conic, GRS80), in km.
- 971, 972, 973, 974, 976 as insets in a column left of metropolitan France,
  each scaled to fit a 150 km box (scales differ: they are labelled insets).
- 6AE = 67 + 68 and 20R = 2A + 2B merged into one outline (their common
  border removed); 2A, 2B, 67, 68 and 69 also keep their own shapes for
  older codings. 69D = département 69; 69M is a schematic disc of the
  Métropole de Lyon's area (534 km²) centred on Lyon and clipped to
  département 69, to be drawn over 69D
  (the source has no outline of the Métropole).
- Simplification keeps shared borders shared: a border between two
  départements is simplified once, so neighbours meet without gaps. Holes
  (enclaves, lakes) are not kept and islets under 2 km² are dropped; a
  drawer draws larger rings first so an enclave (84 in 26) shows on top.
Not run by tests or CI (`make data`); the output is committed.
"""
import csv
import json
import math
import sys

# Lambert-93: GRS80, standard parallels 44 and 49, origin 46.5 N 3 E.
A = 6378137.0
E = 0.0818191910428158
LAT1, LAT2, LAT0, LON0 = 44.0, 49.0, 46.5, 3.0
X0, Y0 = 700000.0, 6600000.0

OVERSEAS = ["971", "972", "973", "974", "976"]
INSET_SIZE = 150.0          # km, side of an inset box
INSET_X = -40.0             # km, centre of the inset column
INSET_Y_TOP = 6975.0        # km, centre of the first inset
INSET_STEP = 210.0          # km between inset centres
MIN_AREA = 2.0              # km², smaller islets are dropped
LYON = (4.86, 45.77)        # centre of the Métropole de Lyon disc
LYON_AREA = 534.0           # km², area of the Métropole de Lyon


def _t(phi):
    s = math.sin(phi)
    return math.tan(math.pi / 4 - phi / 2) / ((1 - E * s) / (1 + E * s)) ** (E / 2)


def _m(phi):
    return math.cos(phi) / math.sqrt(1 - (E * math.sin(phi)) ** 2)


_P1, _P2, _P0 = (math.radians(v) for v in (LAT1, LAT2, LAT0))
_N = (math.log(_m(_P1)) - math.log(_m(_P2))) / (math.log(_t(_P1)) - math.log(_t(_P2)))
_F = _m(_P1) / (_N * _t(_P1) ** _N)
_RHO0 = A * _F * _t(_P0) ** _N


def lambert93(lon, lat):
    """(lon, lat) in degrees -> (x, y) in km."""
    rho = A * _F * _t(math.radians(lat)) ** _N
    theta = _N * math.radians(lon - LON0)
    return ((X0 + rho * math.sin(theta)) / 1000.0,
            (Y0 + _RHO0 - rho * math.cos(theta)) / 1000.0)


def exterior_rings(feature):
    """The exterior rings of a feature (holes dropped), closing point removed."""
    g = feature["geometry"]
    polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
    rings = []
    for poly in polys:
        ring = [tuple(p) for p in poly[0]]
        if len(ring) > 1 and ring[0] == ring[-1]:
            ring.pop()
        rings.append(ring)
    return rings


def project(rings_by_code):
    """Projects every ring to km; returns {code: [[(x, y), ...], ...]}.
    Vertices equal in the source stay equal (the projection is a function)."""
    out = {}
    for code, rings in rings_by_code.items():
        if code not in OVERSEAS:
            out[code] = [[lambert93(lon, lat) for lon, lat in r] for r in rings]
    for i, code in enumerate(OVERSEAS):
        rings = rings_by_code[code]
        lons = [p[0] for r in rings for p in r]
        lats = [p[1] for r in rings for p in r]
        lon_c = (min(lons) + max(lons)) / 2
        lat_c = (min(lats) + max(lats)) / 2
        kx = 6371.0 * math.pi / 180 * math.cos(math.radians(lat_c))
        ky = 6371.0 * math.pi / 180
        w = (max(lons) - min(lons)) * kx
        h = (max(lats) - min(lats)) * ky
        scale = INSET_SIZE / max(w, h)
        cx, cy = INSET_X, INSET_Y_TOP - i * INSET_STEP
        out[code] = [[(cx + (lon - lon_c) * kx * scale, cy + (lat - lat_c) * ky * scale)
                      for lon, lat in r] for r in rings]
    return out


def area(ring):
    s = 0.0
    for i in range(len(ring)):
        x1, y1 = ring[i - 1]
        x2, y2 = ring[i]
        s += x1 * y2 - x2 * y1
    return s / 2


def _seg_dist(p, a, b):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    d2 = dx * dx + dy * dy
    if d2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / d2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def douglas_peucker(pts, tol):
    """Keeps the first and last points; iterative (long borders)."""
    if len(pts) <= 2:
        return list(pts)
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        best, at = -1.0, -1
        for k in range(i + 1, j):
            d = _seg_dist(pts[k], pts[i], pts[j])
            if d > best:
                best, at = d, k
        if at >= 0 and best > tol:
            keep[at] = True
            stack.append((i, at))
            stack.append((at, j))
    return [p for p, k in zip(pts, keep) if k]


def simplify_all(shapes, tol):
    """Simplifies every ring so that a border shared by two rings is
    simplified once: vertices where the set of rings holding them changes are
    kept, and each chain between two such vertices is simplified in one
    canonical direction and reused by every ring that holds it."""
    owners = {}
    for key, rings in shapes.items():
        for ri, ring in enumerate(rings):
            for p in ring:
                owners.setdefault(p, set()).add((key, ri))
    cache = {}
    out = {}
    for key, rings in shapes.items():
        new_rings = []
        for ring in rings:
            n = len(ring)
            nodes = [i for i in range(n)
                     if owners[ring[i]] != owners[ring[i - 1]]
                     or owners[ring[i]] != owners[ring[(i + 1) % n]]]
            if not nodes:
                # An island: anchor on its first point and the farthest one.
                far = max(range(n), key=lambda k: math.dist(ring[0], ring[k]))
                nodes = [0, far] if far else [0]
            result = []
            for a_i, a in enumerate(nodes):
                b = nodes[(a_i + 1) % len(nodes)]
                chain = ring[a:b + 1] if b > a else ring[a:] + ring[:b + 1]
                fwd = tuple(chain)
                rev = fwd[::-1]
                canon = min(fwd, rev)
                if canon not in cache:
                    cache[canon] = douglas_peucker(list(canon), tol)
                simp = cache[canon] if canon == fwd else cache[canon][::-1]
                result.extend(simp[:-1])
            new_rings.append(result)
        out[key] = new_rings
    return out


def rounded(rings):
    """Rounds to one decimal, drops repeated points and degenerate rings."""
    out = []
    for ring in rings:
        r = []
        for x, y in ring:
            p = (round(x, 1), round(y, 1))
            if not r or r[-1] != p:
                r.append(p)
        while len(r) > 1 and r[0] == r[-1]:
            r.pop()
        if len(r) >= 3 and abs(area(r)) > 0:
            out.append(r)
    return out


def merge(rings):
    """Merges rings by removing the edges two of them share (in opposite
    directions) and chaining the remaining edges into closed rings."""
    rings = [r if area(r) > 0 else r[::-1] for r in rings]   # all counter-clockwise
    edges = []
    for r in rings:
        edges.extend((r[i], r[(i + 1) % len(r)]) for i in range(len(r)))
    present = {}
    for e in edges:
        present[e] = present.get(e, 0) + 1
    kept = []
    for a, b in edges:
        if present.get((b, a), 0) > 0 and present.get((a, b), 0) > 0:
            continue
        kept.append((a, b))
    nexts = {}
    for a, b in kept:
        nexts.setdefault(a, []).append(b)
    out = []
    while nexts:
        start = next(iter(nexts))
        ring = [start]
        cur = start
        while True:
            nb = nexts[cur].pop()
            if not nexts[cur]:
                del nexts[cur]
            if nb == start:
                break
            ring.append(nb)
            cur = nb
            if cur not in nexts:       # open chain (should not happen): keep it
                break
        if len(ring) >= 3:
            out.append(ring)
    return out


def clip(subject, convex):
    """Sutherland-Hodgman: the part of `subject` inside the convex,
    counter-clockwise polygon `convex`."""
    out = list(subject)
    for i in range(len(convex)):
        (ax, ay), (bx, by) = convex[i - 1], convex[i]
        inside = lambda p: (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) >= 0
        src, out = out, []
        for j in range(len(src)):
            p, q = src[j - 1], src[j]
            if inside(q) != inside(p):
                (px, py), (qx, qy) = p, q
                d = (bx - ax) * (qy - py) - (by - ay) * (qx - px)
                t = ((bx - ax) * (ay - py) - (by - ay) * (ax - px)) / d
                out.append((px + t * (qx - px), py + t * (qy - py)))
            if inside(q):
                out.append(q)
    return out


def lyon(rhone, center, area_km2, n=48):
    """A disc around `center` clipped to the Rhône outline, of `area_km2`."""
    cx, cy = lambert93(*center)
    r = math.sqrt(area_km2 / math.pi)
    for _ in range(30):
        shape = clip(rhone, [(cx + r * math.cos(2 * math.pi * k / n),
                              cy + r * math.sin(2 * math.pi * k / n)) for k in range(n)])
        r *= math.sqrt(area_km2 / abs(area(shape)))
    return shape


def main(geojson, reference, out, tol="0.6"):
    tol = float(tol)
    with open(geojson, encoding="utf-8") as f:
        features = json.load(f)["features"]
    raw = {f["properties"]["code"]: exterior_rings(f) for f in features}
    shapes = simplify_all(project(raw), tol)
    shapes = {code: rounded(rings) for code, rings in shapes.items()}
    for code, rings in shapes.items():
        big = [r for r in rings if abs(area(r)) >= MIN_AREA]
        shapes[code] = big or [max(rings, key=lambda r: abs(area(r)))]
    shapes["6AE"] = merge(shapes["67"] + shapes["68"])
    shapes["20R"] = merge(shapes["2A"] + shapes["2B"])
    shapes["69D"] = shapes["69"]
    rhone = max(shapes["69"], key=lambda r: abs(area(r)))
    shapes["69M"] = rounded([lyon(rhone if area(rhone) > 0 else rhone[::-1], LYON, LYON_AREA)])
    with open(reference, encoding="utf-8") as f:
        known = {r["code"] for r in csv.DictReader(f, delimiter=";")}
    unknown = sorted(set(shapes) - known)
    missing = sorted(known - set(shapes))
    if unknown:
        sys.exit(f"codes not in {reference}: {', '.join(unknown)}")
    points = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "anneau", "x", "y"])
        for code in sorted(shapes):
            rings = sorted(shapes[code], key=lambda r: -abs(area(r)))
            for i, ring in enumerate(rings):
                for x, y in ring:
                    w.writerow([code, i, f"{x:.1f}", f"{y:.1f}"])
                    points += 1
    print(f"{len(shapes)} codes, {points} points written to {out}"
          + (f"; no outline for {', '.join(missing)}" if missing else ""))


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:])
