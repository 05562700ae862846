#!/usr/bin/env bash
# Compares the shared libraries the service executables link with the runtime stage of
# infrastructure/docker/Dockerfile: every library a binary needs directly (its NEEDED entries, as
# ldd resolves them) must come from a package that stage installs, or from libc6. The Swift
# runtime libraries are left out: the image links the standard library statically
# (--static-swift-stdlib). Debug and release builds link the same system libraries, so
# `make test` checks the debug build it already has: ./check-image-libraries.sh .build/debug
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:?usage: check-image-libraries.sh <folder with the service executables>}
dockerfile=infrastructure/docker/Dockerfile
swift_root=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")

mapfile -t installed < <(sed -n '/# runtime-packages: begin/,/# runtime-packages: end/p' "$dockerfile" \
    | grep -oE '^\s+[a-z0-9][a-z0-9.+-]+ *\\?$' | tr -d ' \\')
[ ${#installed[@]} -gt 0 ] || { echo "image check: no runtime packages found in $dockerfile" >&2; exit 1; }
mapfile -t services < <(grep -oE 'bazaar-[a-z]+' <<< "$(grep '^ARG SERVICES=' "$dockerfile")" | sort -u)

failed=0 checked=0
for service in "${services[@]}"; do
    [ -x "$bin/$service" ] || { echo "image check: $bin/$service is missing (build first)" >&2; exit 1; }
    resolved=$(ldd "$bin/$service")
    for library in $(objdump -p "$bin/$service" | awk '$1 == "NEEDED" { print $2 }'); do
        path=$(awk -v name="$library" '$1 == name && $2 == "=>" { print $3 }' <<< "$resolved")
        [ -n "$path" ] || path=$(awk -v name="$library" 'index($1, name) { print $1 }' <<< "$resolved" | head -n 1)
        [ -n "$path" ] && [ "$path" != "not" ] || { echo "image check: $service needs $library, which ldd cannot resolve here" >&2; failed=1; continue; }
        case "$(readlink -f "$path")" in "$swift_root"/*) continue ;; esac
        package=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1) \
            || package=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1) || package=""
        checked=$((checked + 1))
        if [ -z "$package" ]; then
            echo "image check: $service needs $library ($path), which no Debian package here provides" >&2; failed=1
        elif [ "$package" != libc6 ] && ! printf '%s\n' "${installed[@]}" | grep -qx "$package"; then
            echo "image check: $service needs $library from $package, which the runtime stage of $dockerfile does not install" >&2; failed=1
        fi
    done
done
[ "$failed" = 0 ] || exit 1
echo "image check: ${#services[@]} executables, $checked system library links, all from the runtime stage's ${#installed[@]} packages"
