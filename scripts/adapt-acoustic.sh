#!/usr/bin/env bash
# Builds an MLLR transform that adapts PocketSphinx's en-us acoustic model to the telephone
# channel: Flite voices read generic sentences (scripts/mllr/adapt-sentences.txt, not the
# booking domain), each goes through the product's channel (300-3400 Hz, 8 kHz mu-law, back to
# 16 kHz), then SphinxTrain's bw gathers statistics and mllr_solve writes OUT_DIR/mllr_matrix.
# About a minute of CPU; skipped when the matrix exists and its inputs did not change.
# Usage: scripts/adapt-acoustic.sh OUT_DIR
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: adapt-acoustic.sh OUT_DIR}"
MODEL="${FRONTDESK_PS_MODEL:-/usr/share/pocketsphinx/model/en-us/en-us}"
DICT="${FRONTDESK_PS_DICT:-/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict}"
SENTENCES="$HERE/mllr/adapt-sentences.txt"
CONVERT="$HERE/mllr/sendump2mixw.py"
TRAIN=/usr/lib/sphinxtrain
VOICES="rms awb kal16"
# The telephone cepstral mean the decoder starts from (adapters/speech/pocketsphinx_stt.cpp).
CMNINIT="41.0,27.3,-45.7,29.5,-22.5,-19.8,9.1,-36.6,-0.7,-8.8,-19.6,6.9,-14.5"

fail() { printf 'adapt-acoustic: %s\n' "$*" >&2; exit 1; }

for tool in flite sox sphinx_fe pocketsphinx_mdef_convert "$TRAIN/bw" "$TRAIN/mllr_solve"; do
  command -v "$tool" >/dev/null || fail "missing $tool (Debian: flite sox sphinxbase-utils pocketsphinx sphinxtrain)"
done
/usr/bin/python3 -c 'import numpy' 2>/dev/null || fail "missing numpy for /usr/bin/python3 (Debian: python3-numpy)"
for f in mdef means variances sendump transition_matrices feat.params noisedict; do
  [ -f "$MODEL/$f" ] || fail "no $MODEL/$f (Debian: pocketsphinx-en-us)"
done
[ -f "$DICT" ] || fail "no dictionary $DICT"
[ -f "$SENTENCES" ] || fail "no $SENTENCES"

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
# What the matrix depends on: this script, its sentences and converter, the model, the voices.
stamp=$( { cat "$0" "$SENTENCES" "$CONVERT"; echo "$VOICES"; flite --version 2>&1 | head -1
           sha256sum "$MODEL/means" "$MODEL/variances" "$MODEL/sendump" "$MODEL/mdef"; } | sha256sum | cut -d' ' -f1)
if [ -s "$OUT/mllr_matrix" ] && [ "$(cat "$OUT/mllr_matrix.inputs" 2>/dev/null)" = "$stamp" ]; then
  echo "adapt-acoustic: $OUT/mllr_matrix is up to date"
  exit 0
fi

WORK="$(mktemp -d "$OUT/mllr-work.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/wav" "$WORK/acc" "$WORK/hmm"
start=$SECONDS

# 1. Adaptation audio through the channel, and its control and transcription files.
n=0
for voice in $VOICES; do
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    n=$((n + 1))
    id=$(printf '%s_%03d' "$voice" "$n")
    flite -voice "$voice" -t "$line" -o "$WORK/raw.wav" || fail "flite failed for voice $voice"
    sox -q "$WORK/raw.wav" -r 8000 -c 1 -e u-law -b 8 "$WORK/ulaw.wav" sinc 300-3400 \
      || fail "sox failed on $id"
    sox -q "$WORK/ulaw.wav" -r 16000 -e signed -b 16 "$WORK/wav/$id.wav" || fail "sox failed on $id"
    echo "$id" >> "$WORK/adapt.fileids"
    echo "<s> $line </s> ($id)" >> "$WORK/adapt.transcription"
  done < "$SENTENCES"
done

# 2. Features with the decoder's parameters (the telephone mean).
sed "s/^-cmninit .*/-cmninit $CMNINIT/" "$MODEL/feat.params" > "$WORK/feat.params"
sphinx_fe -argfile "$WORK/feat.params" -samprate 16000 -c "$WORK/adapt.fileids" \
  -di "$WORK/wav" -do "$WORK/wav" -ei wav -eo mfc -mswav yes > "$WORK/fe.log" 2>&1 \
  || fail "sphinx_fe failed (see its log below)$(tail -5 "$WORK/fe.log")"

# 3. A copy of the model with a text mdef and mixture weights derived from sendump.
cp "$MODEL"/{means,variances,transition_matrices,feat.params,noisedict} "$WORK/hmm/"
pocketsphinx_mdef_convert -text "$MODEL/mdef" "$WORK/hmm/mdef.txt" > "$WORK/mdef.log" 2>&1 \
  || fail "pocketsphinx_mdef_convert failed: $(tail -3 "$WORK/mdef.log")"
/usr/bin/python3 "$CONVERT" "$MODEL/sendump" "$WORK/hmm/mixture_weights"

# 4. Statistics and the transform.
"$TRAIN/bw" -hmmdir "$WORK/hmm" -moddeffn "$WORK/hmm/mdef.txt" -ts2cbfn .ptm. -feat 1s_c_d_dd \
  -svspec 0-12/13-25/26-38 -cmn batch -agc none -dictfn "$DICT" -ctlfn "$WORK/adapt.fileids" \
  -lsnfn "$WORK/adapt.transcription" -cepdir "$WORK/wav" -accumdir "$WORK/acc" > "$WORK/bw.log" 2>&1 \
  || fail "bw failed: $(grep -E 'ERROR|FATAL' "$WORK/bw.log" | tail -5)"
"$TRAIN/mllr_solve" -meanfn "$WORK/hmm/means" -varfn "$WORK/hmm/variances" \
  -outmllrfn "$WORK/mllr_matrix" -accumdir "$WORK/acc" > "$WORK/solve.log" 2>&1 \
  || fail "mllr_solve failed: $(grep -E 'ERROR|FATAL' "$WORK/solve.log" | tail -5)"
[ -s "$WORK/mllr_matrix" ] || fail "mllr_solve wrote no matrix"

mv "$WORK/mllr_matrix" "$OUT/mllr_matrix"
echo "$stamp" > "$OUT/mllr_matrix.inputs"
echo "adapt-acoustic: wrote $OUT/mllr_matrix from $n utterances in $((SECONDS - start)) s"
