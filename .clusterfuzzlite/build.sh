#!/bin/bash -eu
# Builds every siocheck fuzz target the way OSS-Fuzz and ClusterFuzzLite do: with the compiler and
# flags they set ($CC, $CXX, $CFLAGS, $CXXFLAGS: the sanitizer and coverage flags), linked with
# $LIB_FUZZING_ENGINE, and writes to $OUT each NAME_fuzzer with its NAME_fuzzer.dict,
# NAME_fuzzer.options and NAME_fuzzer_seed_corpus.zip (the committed seeds and regressions).
# The checkout is $SRC/siocheck where the services put it, otherwise the folder above this
# script; $WORK is a scratch folder. ci/fuzz-smoke runs it with the services' variables, then runs each target.
if [[ -n "${SRC:-}" && -d "$SRC/siocheck/fuzz" ]]; then
  source_dir="$SRC/siocheck"  # the services' layout: $SRC/build.sh, the checkout in $SRC/siocheck
else
  source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)  # run from the checkout
fi
: "${OUT:?set OUT to the folder for the fuzz targets}"
: "${WORK:=$(mktemp -d)}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"

cmake -S "$source_dir" -B "$WORK/siocheck-build" -G Ninja --no-warn-unused-cli \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="${CC:-clang}" -DCMAKE_CXX_COMPILER="${CXX:-clang++}" \
  -DCMAKE_C_FLAGS="${CFLAGS:-}" -DCMAKE_CXX_FLAGS="${CXXFLAGS:-}" \
  -DSIOCHECK_FUZZ=ON -DSIOCHECK_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" -DSIOCHECK_WERROR=OFF \
  -DSIOCHECK_TESTS=OFF -DSIOCHECK_TOOLS=OFF >/dev/null
cmake --build "$WORK/siocheck-build"

mkdir -p "$OUT"
for fuzzer in "$WORK"/siocheck-build/fuzz/*_fuzzer; do
  name=$(basename "$fuzzer" _fuzzer)
  cp "$fuzzer" "$OUT/"
  cp "$source_dir/fuzz/${name}_fuzzer.dict" "$source_dir/fuzz/${name}_fuzzer.options" "$OUT/"
  # One flat archive of the seeds and the fixed crashers, each named after its folder so that
  # names never clash (corpus-seed-00, regressions-crash-...); .gitkeep placeholders stay out.
  seeds="$WORK/seeds/$name"
  rm -rf "$seeds" "$OUT/${name}_fuzzer_seed_corpus.zip"
  mkdir -p "$seeds"
  for folder in corpus regressions; do
    [[ -d "$source_dir/fuzz/$folder/$name" ]] || continue
    find "$source_dir/fuzz/$folder/$name" -type f ! -name .gitkeep -print0 |
      while IFS= read -r -d '' file; do cp "$file" "$seeds/$folder-$(basename "$file")"; done
  done
  zip -q -j "$OUT/${name}_fuzzer_seed_corpus.zip" "$seeds"/*
done
echo "build.sh: $(ls "$OUT"/*_fuzzer | wc -l) fuzz targets in $OUT"
