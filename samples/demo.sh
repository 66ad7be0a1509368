#!/bin/sh
# demo.sh SMPR OUTDIR - renders SMP previews of the bundled sample photos
# into OUTDIR (one file per session and a before/after, named after the
# photo).  Builds nothing.
set -e

if [ $# -ne 2 ]; then
    echo "usage: demo.sh SMPR OUTDIR" >&2
    exit 2
fi
samples=$(dirname "$0")

"$1" render "$samples/crown.jpg" -o "$2"
"$1" render "$samples/front.jpg" -o "$2" --view front

echo "previews written to $2:"
ls "$2"
