#!/usr/bin/env python3
"""Checks a krew plugin manifest the way krew-index's CI does
(validate-krew-manifest: krew's internal/index/validation rules), plus
ours, and against the tarball it names.

    krew-validate.py MANIFEST [ARCHIVE]

Prints one line per problem and exits 1 if there is any. Rules:
  krew   apiVersion, kind, name ^[\\w-]+$ and no Windows device name, name =
         file stem, .yaml, shortDescription set and on one line, a
         description, a semver version with a leading v, at least one
         platform; each platform: uri, sha256 of 64 lowercase hex, bin,
         files absent or non-empty with from and to, a selector that is
         set, not empty, keyed by os/arch only, matching at least one of
         krew's os/arch pairs, and no pair matched by two platforms
  ours   shortDescription of at most 50 characters (krew search shows
         that much), uri is https
  ARCHIVE  its sha256 is the manifest's (of the platform of this os/arch,
         or of the only one), and installed as krew installs it (files
         copied, else all) it has bin, executable, and a license file
"""
import fnmatch
import hashlib
import io
import os
import re
import sys
import tarfile

import yaml

API = "krew.googlecontainertools.github.com/v1alpha2"
PAIRS = [("windows", "386"), ("windows", "amd64"), ("windows", "arm64"),
         ("linux", "386"), ("linux", "amd64"), ("linux", "arm"),
         ("linux", "arm64"), ("linux", "ppc64le"), ("darwin", "386"),
         ("darwin", "amd64"), ("darwin", "arm64")]
WINDOWS = {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} \
    | {f"LPT{i}" for i in range(1, 10)}
LICENSES = {"license", "license.txt", "license.md", "licenses",
            "licenses.txt", "licenses.md", "copying", "copying.txt"}
SEMVER = re.compile(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")

problems = []


def bad(msg):
    problems.append(msg)


def matches(sel, os_, arch):
    labels = {"os": os_, "arch": arch}
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        val, op, vals = labels.get(e.get("key")), e.get("operator"), e.get("values") or []
        if op == "In" and val not in vals:
            return False
        if op == "NotIn" and val in vals:
            return False
        if op == "Exists" and val is None:
            return False
        if op == "DoesNotExist" and val is not None:
            return False
    return True


def check_selector(i, sel):
    if sel is None:
        return bad(f"platform {i}: nil selector is not supported")
    if not isinstance(sel, dict):
        return bad(f"platform {i}: selector is not a map")
    ml, me = sel.get("matchLabels"), sel.get("matchExpressions")
    if ml is None and not me:
        return bad(f"platform {i}: empty selector is not supported")
    keys = list((ml or {}).keys()) + [e.get("key") for e in me or []]
    for k in keys:
        if k not in ("os", "arch"):
            bad(f"platform {i}: selector key {k!r} not supported")
    if ml is not None and len(ml) == 0:
        bad(f"platform {i}: matchLabels specified but empty")
    if me is not None and len(me) == 0:
        bad(f"platform {i}: matchExpressions specified but empty")


def check_manifest(path, doc):
    stem, ext = os.path.splitext(os.path.basename(path))
    if ext != ".yaml":
        bad(f"file extension {ext!r} is not .yaml")
    if doc.get("apiVersion") != API:
        bad(f"apiVersion {doc.get('apiVersion')!r} is not {API}")
    if doc.get("kind") != "Plugin":
        bad(f"kind {doc.get('kind')!r} is not Plugin")
    name = (doc.get("metadata") or {}).get("name") or ""
    if not re.fullmatch(r"[\w-]+", name) or name.upper() in WINDOWS:
        bad(f"plugin name {name!r} is not allowed")
    if name != stem:
        bad(f"plugin should be named {stem!r}, not {name!r}")
    spec = doc.get("spec") or {}
    short = spec.get("shortDescription") or ""
    if not short:
        bad("should have a short description")
    if "\n" in short or "\r" in short:
        bad("should not have line breaks in short description")
    if len(short) > 50:
        bad(f"short description has {len(short)} characters, more than 50")
    if not (spec.get("description") or "").strip():
        bad("should have a description")
    version = spec.get("version")
    if not version:
        bad("should have a version specified")
    elif not SEMVER.match(str(version)):
        bad(f"version {version!r} is not semver with a leading v")
    platforms = spec.get("platforms") or []
    if not platforms:
        bad("should have a platform specified")
    for i, p in enumerate(platforms):
        if not p.get("uri"):
            bad(f"platform {i}: `uri` has to be set")
        elif not str(p["uri"]).startswith("https://"):
            bad(f"platform {i}: uri is not https")
        sha = p.get("sha256")
        if not sha:
            bad(f"platform {i}: `sha256` sum has to be set")
        elif not re.fullmatch(r"[a-f0-9]{64}", str(sha)):
            bad(f"platform {i}: `sha256` value {sha} is not valid")
        if not p.get("bin"):
            bad(f"platform {i}: `bin` has to be set")
        files = p.get("files")
        if files is not None:
            if not files:
                bad(f"platform {i}: `files` has to be unspecified or non-empty")
            for f in files:
                if not f.get("from"):
                    bad(f"platform {i}: `from` field has to be set")
                elif not f.get("to"):
                    bad(f"platform {i}: `to` field has to be set")
        check_selector(i, p.get("selector"))
    seen = {}
    for i, p in enumerate(platforms):
        sel = p.get("selector")
        if not isinstance(sel, dict):
            continue
        hit = [pair for pair in PAIRS if matches(sel, *pair)]
        if not hit:
            bad(f"platform {i}: selector matches no supported os/arch")
        for pair in hit:
            if pair in seen:
                bad(f"platforms {seen[pair]} and {i} both match {pair[0]}/{pair[1]}")
            seen[pair] = i
    return platforms


def check_archive(platforms, archive):
    data = open(archive, "rb").read()
    sha = hashlib.sha256(data).hexdigest()
    here = (os.uname().sysname.lower(),
            {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine,
                                                        os.uname().machine))
    mine = [p for p in platforms if isinstance(p.get("selector"), dict)
            and matches(p["selector"], *here)]
    plat = mine[0] if mine else (platforms[0] if len(platforms) == 1 else None)
    if plat is None:
        return bad(f"no platform for {here[0]}/{here[1]}")
    if plat.get("sha256") != sha:
        bad(f"sha256 {plat.get('sha256')} is not the archive's {sha}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = {m.name.lstrip("./"): m for m in tar.getmembers()}
    # krew: with `files`, only what they match is installed
    installed = {}
    files = plat.get("files")
    if files is None:
        installed = dict(members)
    else:
        for f in files:
            hits = [n for n in members if fnmatch.fnmatch(n, f["from"].lstrip("./"))]
            if not hits:
                bad(f"files: {f['from']!r} matches nothing in the archive")
            for n in hits:
                to = f["to"].strip("/")
                dest = os.path.basename(n) if to in ("", ".") else to + "/" + os.path.basename(n)
                installed[dest] = members[n]
    b = plat.get("bin", "").lstrip("./")
    if b not in installed:
        bad(f"bin {b!r} is not in the installed files {sorted(installed)}")
    elif not installed[b].mode & 0o111:
        bad(f"bin {b!r} is not executable in the archive")
    if not any(os.path.basename(n).lower() in LICENSES for n in installed):
        bad("no license file among the installed files")


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    path = sys.argv[1]
    try:
        doc = yaml.safe_load(open(path))
    except yaml.YAMLError as e:
        print(f"{path}: not YAML: {e}")
        return 1
    if not isinstance(doc, dict):
        print(f"{path}: not a manifest")
        return 1
    platforms = check_manifest(path, doc)
    if len(sys.argv) == 3 and platforms:
        check_archive(platforms, sys.argv[2])
    for p in problems:
        print(f"{path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
