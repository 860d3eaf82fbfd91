#!/usr/bin/env bash
# The Dockerfile's build stage without Docker (no engine runs in CI): copies what its COPY lines name
# from the checkout (tracked and new files, as a clean clone would have them) into a scratch root, runs
# its RUN lines there with /app mapped into the scratch root, then starts the published service and
# probes /health/live as the image's HEALTHCHECK does.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/userservice-publish.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
context=$scratch/context
root=$scratch/root
mkdir -p "$context" "$root"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [[ -e $f ]] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$context"

log() { echo "publish: $*" >&2; }
workdir=/
in_build=false
# Dockerfile instructions, continuation lines joined.
while IFS= read -r line; do
    read -r instruction rest <<<"$line"
    case ${instruction^^} in
        FROM)
            if $in_build; then break; fi
            [[ ${rest,,} == *" as build" ]] && in_build=true
            ;;
        WORKDIR)
            $in_build || continue
            workdir=$rest
            mkdir -p "$root$workdir"
            ;;
        COPY)
            $in_build || continue
            read -r -a args <<<"$rest"
            dest=${args[-1]}
            [[ $dest == /* ]] || dest=$workdir/$dest
            for src in "${args[@]:0:${#args[@]}-1}"; do
                if [[ -d $context/$src ]]; then
                    mkdir -p "$root$dest" && cp -a "$context/$src/." "$root$dest/"
                elif [[ $dest == */ || $dest == */. ]]; then
                    mkdir -p "$root$dest" && cp -a "$context/$src" "$root$dest/"
                else
                    mkdir -p "$(dirname "$root$dest")" && cp -a "$context/$src" "$root$dest"
                fi
            done
            log "COPY $rest"
            ;;
        RUN)
            $in_build || continue
            log "RUN $rest"
            (cd "$root$workdir" && bash -euo pipefail -c "${rest//\/app/$root/app}") >&2
            ;;
    esac
done < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' Dockerfile | grep -v '^\s*#')

$in_build || { log "no build stage (FROM ... AS build) in the Dockerfile"; exit 1; }
[[ -f $root/app/UserService.dll ]] || { log "the build stage published no /app/UserService.dll"; exit 1; }
log "published $(du -sh "$root/app" | cut -f1) to /app; starting it"

# shellcheck disable=SC2016  # BASE_URL is set by run-with-service.sh, for the inner shell
USERSERVICE_APP_DIR=$root/app checks/run-with-service.sh bash -c 'curl -fsS "$BASE_URL/health/live" && echo'
