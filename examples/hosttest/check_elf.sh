#!/usr/bin/env bash
# check_elf.sh RAMDISK: every program on the RAM disk is an i386 ELF32
# executable whose entry is _main (where it has symbols) and whose PT_LOAD segments all lie in
# user memory (>= 0x01000000), which is what the Pebblebed loader takes.
set -u
bad=0
for f in "$1"/*; do
  head -c 4 "$f" | grep -q $'\x7fELF' || continue       # text files ride along
  name=$(basename "$f")
  hdr=$(readelf -h "$f")
  grep -q 'Class:.*ELF32' <<<"$hdr" || { echo "$name: not ELF32"; bad=1; }
  grep -q 'Machine:.*80386' <<<"$hdr" || { echo "$name: not i386"; bad=1; }
  grep -q 'Type:.*EXEC' <<<"$hdr" || { echo "$name: not a static executable"; bad=1; }
  entry=$(awk '/Entry point/ {print $4}' <<<"$hdr")
  # The stripped copies (*_stripped, issue 20) have no symbols to check the entry against.
  if [ "${name%_stripped}" = "$name" ]; then
    main=$(nm "$f" | awk '$3 == "_main" {print "0x" $1}')
    [ -n "$main" ] && [ $((entry)) -eq $((main)) ] || { echo "$name: entry $entry is not _main"; bad=1; }
  fi
  while read -r vaddr; do
    [ $((vaddr)) -ge $((0x01000000)) ] || { echo "$name: PT_LOAD at $vaddr below user memory"; bad=1; }
  done < <(readelf -lW "$f" | awk '$1 == "LOAD" {print $3}')
done
[ $bad -eq 0 ] && echo "PASS check_elf: $(ls "$1" | wc -l) RAM-disk files"
exit $bad
