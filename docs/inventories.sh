#!/usr/bin/env bash
# Copy intersphinx inventories (objects.inv) out of Debian's documentation packages
# into docs/_inventories/, without installing the packages: the docs build has no
# network, and neither PyPI nor these projects' wheels ship their inventories.
#   python-sklearn-doc -> sklearn.inv   python-pandas-doc -> pandas.inv
#   python3.11-doc (or the first python3.X-doc) -> python.inv
# The Debian versions are older than the installed libraries (links point to the
# projects' current sites, where those pages still are). Needs apt-get (Debian or
# Ubuntu) and a package list ('apt-get update'); without them it says so and exits 0:
# the build then leaves references to these projects as plain text.
set -euo pipefail
cd "$(dirname "$0")"
out=_inventories
mkdir -p "$out"
# numpy, PyTorch, skorch, LightGBM: written from the installed packages (no download)
python make_inventories.py "$out" || echo "inventories: make_inventories.py failed; no links to numpy, PyTorch, skorch, LightGBM" >&2
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "inventories: no apt-get/dpkg-deb here; no links to scikit-learn, pandas, Python" >&2
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pydoc=$(apt-cache search --names-only '^python3\.[0-9]+-doc$' 2>/dev/null | awk '{print $1}' | sort -V | tail -1)
fetched=0
for pair in "python-sklearn-doc:sklearn" "python-pandas-doc:pandas" "${pydoc:-python3-doc}:python"; do
  pkg=${pair%%:*}; name=${pair##*:}
  if [ -s "$out/$name.inv" ]; then continue; fi
  if ! (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1); then
    echo "inventories: could not download $pkg (run apt-get update?); skipping $name" >&2
    continue
  fi
  deb=$(ls "$tmp"/"$pkg"_*.deb)
  inv=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep '/html/objects.inv$' | head -1)
  if [ -z "$inv" ]; then
    echo "inventories: $pkg has no objects.inv; skipping $name" >&2
    continue
  fi
  dpkg-deb --fsys-tarfile "$deb" | tar -x -O "$inv" > "$out/$name.inv"
  echo "inventories: $name.inv from $(basename "$deb")"
  fetched=$((fetched + 1))
  rm -f "$deb"
done
echo "inventories: $(ls "$out" | wc -l) in docs/$out"
