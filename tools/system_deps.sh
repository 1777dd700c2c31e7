#!/usr/bin/env bash
# Install the Debian packages the book and its tests use, when this machine can (root + apt).
# Otherwise say what is missing; the tests that need it are skipped with that reason.
#   data      Fashion-MNIST (package dataset-fashion-mnist), unless D2L_OPT_DATA already names it
#   chromium  headless Chromium for the browser tests
#   bwrap     bubblewrap, the sandbox the exercise grader runs submissions in
#   fonts     a Korean font (fonts-nanum) so that the browser tests and screenshots of the Korean
#             edition draw Hangul (readers' systems bring their own fonts)
set -uo pipefail

want=()
for dep in "$@"; do
  case "$dep" in
    data)
      if [ -n "${D2L_OPT_DATA:-}" ] && [ -d "${D2L_OPT_DATA}" ]; then continue; fi
      [ -d /usr/share/datasets/fashion-mnist ] || want+=(dataset-fashion-mnist)
      ;;
    chromium)
      command -v chromium >/dev/null 2>&1 || want+=(chromium)
      ;;
    bwrap)
      command -v bwrap >/dev/null 2>&1 || want+=(bubblewrap)
      ;;
    fonts)
      if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ko 2>/dev/null)" ]; then continue; fi
      want+=(fonts-nanum)
      ;;
    *) echo "system_deps: unknown dependency '$dep'" >&2; exit 2 ;;
  esac
done
[ ${#want[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system_deps: installing ${want[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null; then
    exit 0
  fi
  echo "system_deps: apt-get could not install ${want[*]}" >&2
fi
echo "system_deps: missing ${want[*]} (install them with apt-get as root)." >&2
echo "system_deps: the tests that need them will be skipped, and the Fashion-MNIST pages need" >&2
echo "system_deps: D2L_OPT_DATA set to a folder holding the four Fashion-MNIST .gz files." >&2
exit 0
