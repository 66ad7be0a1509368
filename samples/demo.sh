#!/bin/sh
# demo.sh SMPR OUTDIR - renders SMP previews of the bundled sample photos
# into OUTDIR: one file per session and a before/after per photo (named
# after it), covering each condition smpr is made for.  Builds nothing.
set -e

if [ $# -ne 2 ]; then
    echo "usage: demo.sh SMPR OUTDIR" >&2
    exit 2
fi
smpr=$1 out=$2
s=$(dirname "$0")

# full shaved head (Norwood VI-VII), feathered hairline, and how it ages
"$smpr" render "$s/crown.jpg" -o "$out" --years 5 --dots "$out/crown-dots.csv"
# receding hairline restored, face-on, right after the last session
"$smpr" render "$s/front.jpg" -o "$out" --view front --density 160 \
    --look fresh
# dark skin: a darker shade is chosen
"$smpr" render "$s/dark.jpg" -o "$out"
# grey hair: a lighter, cooler grey is chosen
"$smpr" render "$s/grey.jpg" -o "$out"
# crown only, no hairline
"$smpr" render "$s/crown.jpg" -o "$out/crown-only" --hairline none \
    --sessions 2
# alopecia areata: three patches, matched to the hair round them
"$smpr" render "$s/alopecia.jpg" -o "$out" --mask "$s/alopecia-mask.png" \
    --hairline none --density auto
# FUT strip and FUE scars camouflaged in a buzz cut
"$smpr" render "$s/scar.jpg" -o "$out" --mask "$s/scar-mask.png" \
    --scar "$s/scar-mask.png" --hairline none --density auto \
    --head 800,610,525,570 --scale 7
# diffuse thinning: dots only between the hairs
"$smpr" render "$s/infill.jpg" -o "$out" --infill --scale 15
"$smpr" render "$s/thinning.png" -o "$out" --infill --scale 18

echo "previews written to $out/"
