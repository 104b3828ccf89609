#!/usr/bin/env bash
# Install leancoffee on Raspberry Pi OS (Bookworm or Trixie, Lite or desktop) as a
# systemd service that starts at boot. Run it again after `git pull` to update;
# a run that finds everything in place changes nothing. See systemd/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: sudo systemd/install.sh [--dry-run] [--uninstall] [--root DIR]

Installs leancoffee from the checkout this script sits in:
  apt packages    python3-picamera2 and numpy, OpenCV, pygame, gpiozero, lgpio, venv
  system user     leancoffee, in the video, render, input, gpio and audio groups
  venv            /opt/leancoffee/venv (--system-site-packages), project via pip --no-deps
  command         /usr/local/bin/leancoffee
  settings        /etc/leancoffee/settings.toml, written only if there is none
  unit            /etc/systemd/system/leancoffee.service, enabled and started

Options:
  --dry-run     print each command it would run and change nothing (root not needed)
  --uninstall   remove the unit, the venv and the command; keep the meetings
                (/var/lib/leancoffee), the settings (/etc/leancoffee) and the user
  --root DIR    install into the tree at DIR instead of / (for tests and image builds):
                files go under DIR, the tools get DIR as their root, and the unit is
                enabled but not started
  -h, --help    show this help
EOF
}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

usage_error() {  # a wrong command line: exit 2, as argparse does
    echo "install.sh: $* (see --help)" >&2
    exit 2
}

DRY_RUN=0
UNINSTALL=0
ROOT=""
while (($#)); do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        --uninstall) UNINSTALL=1 ;;
        --root)
            (($# >= 2)) || usage_error "--root needs a directory"
            [[ -d "$2" ]] || usage_error "--root $2: no such directory"
            ROOT="$(cd "$2" && pwd -P)"
            shift
            ;;
        --root=*)
            [[ -d "${1#--root=}" ]] || usage_error "--root ${1#--root=}: no such directory"
            ROOT="$(cd "${1#--root=}" && pwd -P)"
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) usage_error "unknown option $1" ;;
    esac
    shift
done
[[ "$ROOT" == "/" ]] && ROOT=""

# --- Refusals: before anything is looked at or changed. ---
if [[ -z "$ROOT" && "$DRY_RUN" -eq 0 && "$EUID" -ne 0 ]]; then
    die "must run as root: sudo $0 (or --dry-run to see the plan)"
fi

os_field() {
    # One field of os-release, unquoted; parsed, not sourced.
    sed -n "s/^$1=//p" "$OS_RELEASE" | head -n 1 | tr -d "\"'"
}
OS_RELEASE="$ROOT/etc/os-release"
[[ -r "$OS_RELEASE" ]] || OS_RELEASE="$ROOT/usr/lib/os-release"
[[ -r "$OS_RELEASE" ]] || die "cannot read $ROOT/etc/os-release: is this Raspberry Pi OS?"
OS_ID="$(os_field ID)"
OS_LIKE="$(os_field ID_LIKE)"
if [[ " $OS_ID $OS_LIKE " != *" debian "* ]]; then
    die "this is ${OS_ID:-an unknown system}, not Debian or Raspberry Pi OS: install by hand (see systemd/README.md)"
fi

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
grep -q '^name = "leancoffee"' "$SRC/pyproject.toml" 2>/dev/null ||
    die "$SRC is not a leancoffee checkout (no pyproject.toml naming leancoffee)"

SERVICE="leancoffee.service"
APP_USER="leancoffee"
GROUPS_WANTED=(video render input gpio audio)
# From apt, not pip: picamera2's libcamera bindings and simplejpeg are built against
# apt's numpy, so numpy and everything that links it must come from apt too.
PACKAGES=(python3-picamera2 python3-numpy python3-opencv python3-pygame python3-gpiozero
    python3-lgpio python3-venv)
VENV="$ROOT/opt/leancoffee/venv"
COMMAND_LINK="$ROOT/usr/local/bin/leancoffee"
SETTINGS_DIR="$ROOT/etc/leancoffee"
SETTINGS="$SETTINGS_DIR/settings.toml"
UNIT_DIR="$ROOT/etc/systemd/system"
UNIT="$UNIT_DIR/$SERVICE"
DROPIN_DIR="$UNIT_DIR/$SERVICE.d"
DROPIN="$DROPIN_DIR/groups.conf"
STAMP="$VENV/.leancoffee-source"
DATA_DIR="$ROOT/var/lib/leancoffee"

# The tools get the throwaway root as their root; on a real system they get nothing extra.
APT_ROOT=()
DPKG_ROOT=()
SHADOW_ROOT=()
SYSTEMCTL_ROOT=()
if [[ -n "$ROOT" ]]; then
    APT_ROOT=(-o "RootDir=$ROOT")
    DPKG_ROOT=("--root=$ROOT")
    SHADOW_ROOT=(--prefix "$ROOT")
    SYSTEMCTL_ROOT=("--root=$ROOT")
fi

BUILD_COPY=""
cleanup() { [[ -z "$BUILD_COPY" ]] || rm -rf "$BUILD_COPY"; }
trap cleanup EXIT

CHANGED=0
say() { printf '%s\n' "$*"; }
already() { say "already $*"; }

shown() {
    # A command as one could paste it into a shell: plain words bare, others quoted.
    local out=() word quote="'\\''"
    for word in "$@"; do
        if [[ "$word" =~ ^[A-Za-z0-9_./=:,@%+-]+$ ]]; then
            out+=("$word")
        else
            out+=("'${word//\'/$quote}'")
        fi
    done
    printf '%s' "${out[*]}"
}

# Run a command that changes the system, or print it under --dry-run.
run() {
    CHANGED=1
    if ((DRY_RUN)); then
        say "would run: $(shown "$@")"
    else
        say "+ $(shown "$@")"
        "$@"
    fi
}

# --- Pieces of state, looked at without changing anything. ---

installed_packages() {
    # The wanted packages dpkg has fully installed, one a line (a missing one is no error).
    dpkg-query "${DPKG_ROOT[@]}" -W --showformat='${Package} ${db:Status-Status}\n' \
        "${PACKAGES[@]}" 2>/dev/null | awk '$2 == "installed" { print $1 }' || true
}

has_user() { grep -q "^$1:" "$ROOT/etc/passwd" 2>/dev/null; }
has_group() { grep -q "^$1:" "$ROOT/etc/group" 2>/dev/null; }

in_group() {
    # $1 user, $2 group: listed as a member in /etc/group.
    awk -F: -v u="$1" -v g="$2" '
        $1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 }
        END { exit !found }' "$ROOT/etc/group"
}

venv_ok() {
    [[ -x "$VENV/bin/python" ]] &&
        grep -Eq '^include-system-site-packages *= *true' "$VENV/pyvenv.cfg" 2>/dev/null
}

source_files() {
    # What pip builds from: the checkout without dot-files (.git, caches, .venv), build
    # output, venvs, demo output or tests.
    (cd "$SRC" && find . -mindepth 1 \
        \( -name '.*' -o -name '__pycache__' -o -name '*.egg-info' -o -name build \
        -o -name dist -o -name venv -o -name leancoffee-demo -o -name tests \) -prune \
        -o -type f -print | LC_ALL=C sort)
}

source_digest() {
    (cd "$SRC" && source_files | tr '\n' '\0' | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

unit_enabled() {
    systemctl "${SYSTEMCTL_ROOT[@]}" is-enabled --quiet "$SERVICE" 2>/dev/null
}

# --- Steps ---

install_packages() {
    local missing=() pkg have
    have="$(installed_packages)"
    for pkg in "${PACKAGES[@]}"; do
        grep -qxF "$pkg" <<<"$have" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        already "installed: ${PACKAGES[*]}"
        return
    fi
    run apt-get "${APT_ROOT[@]}" update
    # No recommends: python3-picamera2 would otherwise bring a Qt desktop onto Lite.
    run env DEBIAN_FRONTEND=noninteractive apt-get "${APT_ROOT[@]}" install -y \
        --no-install-recommends "${missing[@]}"
}

create_user() {
    if has_user "$APP_USER"; then
        already "present: user $APP_USER"
    else
        run useradd "${SHADOW_ROOT[@]}" --system --user-group --no-create-home \
            --home-dir /var/lib/leancoffee --shell /usr/sbin/nologin \
            --comment "Lean Coffee device" "$APP_USER"
    fi
    local add=() group
    PRESENT_GROUPS=()
    for group in "${GROUPS_WANTED[@]}"; do
        if ! has_group "$group"; then
            say "note: no group $group on this system; skipped"
            continue
        fi
        PRESENT_GROUPS+=("$group")
        in_group "$APP_USER" "$group" || add+=("$group")
    done
    if ((${#add[@]} == 0)); then
        already "in groups: ${PRESENT_GROUPS[*]}"
    else
        run usermod "${SHADOW_ROOT[@]}" --append --groups "$(IFS=, && echo "${add[*]}")" "$APP_USER"
    fi
}

make_venv() {
    if venv_ok; then
        already "present: venv $VENV"
        return
    fi
    # --clear: a venv made without the system packages cannot see picamera2.
    run python3 -m venv --system-site-packages --clear "$VENV"
}

install_project() {
    local digest
    digest="$(source_digest)"
    if [[ -x "$VENV/bin/leancoffee" && "$(cat "$STAMP" 2>/dev/null)" == "$digest" ]]; then
        already "installed: leancoffee from $SRC (unchanged)"
        return
    fi
    # Build from a copy, so pip leaves no root-owned build files in the user's checkout.
    local copy=/tmp/leancoffee-src.XXXXXX
    if ((!DRY_RUN)); then
        BUILD_COPY="$(mktemp -d)"
        copy="$BUILD_COPY"
        (cd "$SRC" && source_files | tar -cf - -T - | tar -C "$copy" -xf -)
    fi
    run "$VENV/bin/pip" install --no-deps --no-input --disable-pip-version-check \
        --no-warn-script-location "$copy"
    write_file "$STAMP" 0644 "$digest"
    PROJECT_CHANGED=1
}

link_command() {
    local target="/opt/leancoffee/venv/bin/leancoffee"
    if [[ -L "$COMMAND_LINK" && "$(readlink "$COMMAND_LINK")" == "$target" ]]; then
        already "present: command $COMMAND_LINK"
        return
    fi
    [[ -e "$COMMAND_LINK" && ! -L "$COMMAND_LINK" ]] &&
        die "$COMMAND_LINK exists and is not our link; remove it and run again"
    run mkdir -p "$(dirname "$COMMAND_LINK")"
    run ln -sfn "$target" "$COMMAND_LINK"
}

write_file() {
    # $1 path, $2 mode, $3 content: written whole through a temporary file.
    if ((DRY_RUN)); then
        CHANGED=1
        say "would write: $1"
        return
    fi
    local tmp
    tmp="$(mktemp "$1.XXXXXX")"
    printf '%s\n' "$3" >"$tmp"
    chmod "$2" "$tmp"
    mv -f "$tmp" "$1"
    CHANGED=1
    say "+ wrote $1"
}

write_settings() {
    if [[ -e "$SETTINGS" ]]; then
        already "present: settings $SETTINGS (kept as it is)"
        return
    fi
    [[ -d "$SETTINGS_DIR" ]] || run install -d -m 0755 "$SETTINGS_DIR"
    if ((DRY_RUN)); then
        CHANGED=1
        say "would run: $VENV/bin/leancoffee settings --defaults > $SETTINGS"
        return
    fi
    local defaults
    defaults="$("$VENV/bin/leancoffee" settings --defaults)" ||
        die "leancoffee settings --defaults failed; $SETTINGS not written"
    write_file "$SETTINGS" 0644 "$defaults"
}

install_unit() {
    if cmp -s "$SRC/systemd/$SERVICE" "$UNIT"; then
        already "up to date: unit $UNIT"
    else
        [[ -d "$UNIT_DIR" ]] || run install -d -m 0755 "$UNIT_DIR"
        run install -m 0644 "$SRC/systemd/$SERVICE" "$UNIT"
        UNIT_CHANGED=1
    fi
    # systemd refuses to start a unit naming a group that does not exist: list only those
    # that do, in a drop-in, when some are missing.
    if ((${#PRESENT_GROUPS[@]} == ${#GROUPS_WANTED[@]})); then
        if [[ -e "$DROPIN" ]]; then
            run rm -f "$DROPIN"
            UNIT_CHANGED=1
        fi
        return
    fi
    local content
    content="$(printf '%s\n%s\n%s' "# Written by install.sh: only the groups that exist here." \
        "[Service]" "SupplementaryGroups=")"
    ((${#PRESENT_GROUPS[@]})) && content+=$'\n'"SupplementaryGroups=${PRESENT_GROUPS[*]}"
    if [[ -e "$DROPIN" && "$(cat "$DROPIN")" == "$content" ]]; then
        already "up to date: $DROPIN"
        return
    fi
    [[ -d "$DROPIN_DIR" ]] || run install -d -m 0755 "$DROPIN_DIR"
    write_file "$DROPIN" 0644 "$content"
    UNIT_CHANGED=1
}

enable_unit() {
    if [[ -n "$ROOT" ]]; then
        # No systemd runs in a throwaway root: enable only (links), never start.
        if unit_enabled; then
            already "enabled: $SERVICE"
        else
            run systemctl "${SYSTEMCTL_ROOT[@]}" enable "$SERVICE"
        fi
        return
    fi
    ((UNIT_CHANGED)) && run systemctl daemon-reload
    if unit_enabled; then
        already "enabled: $SERVICE"
        # New code or a new unit only takes effect after a restart.
        if ((UNIT_CHANGED || PROJECT_CHANGED)); then
            run systemctl try-restart "$SERVICE"
        fi
    else
        run systemctl enable --now "$SERVICE"
    fi
}

warn_desktop() {
    # The desktop holds the screen (DRM master); SDL's KMSDRM driver then gets no picture.
    local dm="$UNIT_DIR/display-manager.service"
    if [[ -L "$dm" || -e "$dm" ]]; then
        say "note: a desktop starts at boot and holds the screen; boot to the console:"
        say "      sudo raspi-config nonint do_boot_behaviour B1 && sudo reboot"
    fi
}

do_install() {
    PROJECT_CHANGED=0
    UNIT_CHANGED=0
    install_packages
    create_user
    make_venv
    install_project
    link_command
    write_settings
    install_unit
    enable_unit
    warn_desktop
    if ((DRY_RUN)); then
        say "dry run: nothing was changed"
    elif ((CHANGED)); then
        say "leancoffee is installed. Logs: journalctl -u leancoffee -f"
    else
        say "nothing to do: leancoffee is installed and up to date"
    fi
}

do_uninstall() {
    if [[ -e "$UNIT" ]]; then
        if [[ -n "$ROOT" ]]; then
            run systemctl "${SYSTEMCTL_ROOT[@]}" disable "$SERVICE"
        else
            run systemctl disable --now "$SERVICE"
        fi
        run rm -f "$UNIT"
    else
        already "removed: unit $UNIT"
    fi
    if [[ -e "$DROPIN" ]]; then
        run rm -f "$DROPIN"
        # The directory goes only if nothing of the operator's is left in it.
        run rmdir --ignore-fail-on-non-empty "$DROPIN_DIR"
    fi
    [[ -z "$ROOT" && "$CHANGED" -eq 1 ]] && run systemctl daemon-reload
    if [[ -L "$COMMAND_LINK" && "$(readlink "$COMMAND_LINK")" == /opt/leancoffee/venv/* ]]; then
        run rm -f "$COMMAND_LINK"
    else
        already "removed: command $COMMAND_LINK"
    fi
    if [[ -e "$VENV" ]]; then
        run rm -rf "$VENV"
        run rmdir --ignore-fail-on-non-empty "$(dirname "$VENV")"
    else
        already "removed: venv $VENV"
    fi
    say "kept: meetings in $DATA_DIR, settings in $SETTINGS_DIR, user $APP_USER"
    say "      (remove them by hand if you want them gone)"
    ((DRY_RUN)) && say "dry run: nothing was changed"
    return 0
}

if ((UNINSTALL)); then
    do_uninstall
else
    do_install
fi
