#!/usr/bin/env python3
"""Fails when an #include runs against the folder graph (docs/ARCHITECTURE.md, "Layers").

core/: each folder is one static library whose CMakeLists.txt names the folders it may use
(`USES docsight_<folder> ...` in docsight_core_folder). A file may include headers of its own folder
and of the folders its library names, nothing else; the named graph must have no cycle.

ui/: each feature folder may include any core folder; between ui folders no cycle is allowed. ui/ and
core/ are both include roots, so a ui folder named like a core folder (governance/) must not hold a
header of the same name as one in core: "governance/x.h" would mean two files.

Usage: scripts/check-layers.py [source root]   (exit 1 and one line per fault when something is wrong)
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"(([A-Za-z0-9_]+)/[^"]+)"', re.M)
USES = re.compile(r'\bUSES\b(.*?)(?:\bENGINES\b|\)\s*$)', re.S | re.M)


def declared_uses(cmake_file):
    text = cmake_file.read_text()
    match = USES.search(text)
    if not match:
        return set()
    return set(re.findall(r'docsight_([a-z]+)', match.group(1)))


def includes_by_folder(root):
    """{folder: {included folder: [files including it]}} for the sub-folders of root."""
    graph = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        edges = graph.setdefault(folder.name, {})
        for source in sorted(folder.rglob('*')):
            if source.suffix not in ('.h', '.cpp'):
                continue
            for path, target in INCLUDE.findall(source.read_text(errors='replace')):
                if target != folder.name and (root / path).exists():
                    edges.setdefault(target, []).append(str(source.relative_to(root.parent)))
    return graph


def find_cycle(graph):
    """One cycle of graph ({node: iterable of nodes}) as a list, or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 'open':
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 'done'
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def main():
    source_root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    faults = []

    core = source_root / 'core'
    folders = {p.name for p in core.iterdir() if p.is_dir()}
    allowed = {}
    for folder in sorted(folders):
        cmake = core / folder / 'CMakeLists.txt'
        if not cmake.exists():
            faults.append(f'core/{folder}: no CMakeLists.txt (every core folder is its own library)')
            continue
        allowed[folder] = declared_uses(cmake) & folders
    cycle = find_cycle(allowed)
    if cycle:
        faults.append('core: the folders named in USES form a cycle: ' + ' -> '.join(cycle))
    for folder, edges in includes_by_folder(core).items():
        for target, files in sorted(edges.items()):
            if target not in folders:
                faults.append(f'core/{folder}: includes "{target}/..." which is not a core folder ({files[0]})')
            elif target not in allowed.get(folder, set()):
                faults.append(f'core/{folder} may not use core/{target} (not in its USES): ' + ', '.join(files))

    ui = source_root / 'ui'
    ui_folders = 0
    if ui.is_dir():
        ui_graph = {folder: {t for t in edges if (ui / t).is_dir()} for folder, edges in includes_by_folder(ui).items()}
        ui_folders = len(ui_graph)
        cycle = find_cycle(ui_graph)
        if cycle:
            faults.append('ui: the feature folders include each other in a cycle: ' + ' -> '.join(cycle))
        for header in sorted(ui.glob('*/*.h')):
            twin = core / header.parent.name / header.name
            if twin.exists():
                faults.append(f'ui/{header.parent.name}/{header.name} and core/{header.parent.name}/{header.name}: '
                              'the same include names both')

    for fault in faults:
        print(fault)
    if not faults:
        print(f'layers: {len(allowed)} core folders and {ui_folders} ui folders, no arrow against the graph or cycle')
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main())
