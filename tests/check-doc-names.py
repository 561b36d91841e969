#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The man pages name what the code has.

- proctrace(3) lists struct proctrace_event and struct proctrace_opts: each
  listing (the .EX block that declares the structure) must have exactly the
  members the public header declares, in the header's order.
- bootstrap-cli(8) must name, in bold, every JSON key bootstrap-cli can
  write.  The keys come from the program: JSON-KEYS runs bootstrap-cli's own
  formatter over events with every field set and prints the records.

Usage: check-doc-names.py HEADER PROCTRACE.3 BOOTSTRAP-CLI.8 JSON-KEYS
"""
import json
import re
import subprocess
import sys

STRUCTS = ('proctrace_event', 'proctrace_opts')


def strip_c_comments(text):
    return re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)


def struct_body(text, name):
    """The text between 'struct NAME {' and its closing '};', or None."""
    m = re.search(r'\bstruct\s+' + name + r'\s*\{', text)
    if not m:
        return None
    depth, i = 1, m.end()
    while i < len(text) and depth:
        depth += {'{': 1, '}': -1}.get(text[i], 0)
        i += 1
    return text[m.end():i - 1] if depth == 0 else None


def split_top(text, sep):
    """Splits @text at @sep outside parentheses and brackets."""
    parts, depth, cur = [], 0, ''
    for c in text:
        if c in '([':
            depth += 1
        elif c in ')]':
            depth -= 1
        if c == sep and depth == 0:
            parts.append(cur)
            cur = ''
        else:
            cur += c
    parts.append(cur)
    return parts


def declarator_name(decl):
    """The name a C declarator declares: 'x', '*x', 'x[N]', '(*x)(...)'."""
    m = re.search(r'\(\s*\*\s*([A-Za-z_]\w*)\s*\)', decl)
    if m:
        return m.group(1)
    decl = re.sub(r'\[[^\]]*\]', '', decl).strip()
    m = re.search(r'([A-Za-z_]\w*)$', decl)
    return m.group(1) if m else None


def members(body):
    """Member names of a structure body, in order (comments stripped)."""
    names = []
    for decl in split_top(strip_c_comments(body), ';'):
        decl = ' '.join(decl.split())
        if not decl or decl.startswith('#'):
            continue
        declarators = split_top(decl, ',')
        # The first declarator carries the type: 'uint32_t uid, gid'.
        for d in declarators:
            name = declarator_name(d)
            if name:
                names.append(name)
    return names


def man_examples(page_text):
    """The .EX/.EE blocks of a man page, with groff escapes undone."""
    blocks = re.findall(r'^\.EX\n(.*?)^\.EE', page_text, flags=re.S | re.M)
    return [re.sub(r'\\&', '', b).replace('\\-', '-').replace('\\e', '\\')
            for b in blocks]


def bold_words(page_text):
    """Words a man page sets in bold (.B, .BR, .RB, .BI, .IB, \\fB...)."""
    words = set()

    def add(text):
        words.update(re.findall(r'[A-Za-z_][A-Za-z0-9_]*', text))

    for line in page_text.splitlines():
        m = re.match(r'^\.(B|BR|RB|BI|IB)(?:\s+(.*))?$', line)
        if m:
            args = re.findall(r'"((?:[^"]|"")*)"|(\S+)', m.group(2) or '')
            args = [a or b for a, b in args]
            if m.group(1) == 'B':
                bold = args
            elif m.group(1) in ('BR', 'BI'):
                bold = args[0::2]
            else:
                bold = args[1::2]
            for a in bold:
                add(re.sub(r'\\\(\w\w|\\.', ' ', a))
        for run in re.findall(r'\\fB(.*?)(?:\\f[RIP]|\\f\(|$)', line):
            add(re.sub(r'\\\(\w\w|\\.', ' ', run))
    return words


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    header_path, api_page_path, cli_page_path, json_keys = sys.argv[1:]
    with open(header_path, encoding='utf-8') as f:
        header = strip_c_comments(f.read())
    with open(api_page_path, encoding='utf-8') as f:
        api_page = f.read()
    with open(cli_page_path, encoding='utf-8') as f:
        cli_page = f.read()
    failures = []

    # (a) The structures' members in proctrace(3).
    listings = man_examples(api_page)
    for name in STRUCTS:
        body = struct_body(header, name)
        want = members(body) if body is not None else []
        if not want:
            failures.append('%s: no members of struct %s found' % (header_path, name))
            continue
        got = None
        for block in listings:
            page_body = struct_body(block, name)
            if page_body is not None:
                got = members(page_body)
                break
        if got is None:
            failures.append('%s: no listing of struct %s (an .EX block with '
                            '"struct %s {")' % (api_page_path, name, name))
            continue
        missing = [m for m in want if m not in got]
        extra = [m for m in got if m not in want]
        if missing:
            failures.append('%s: struct %s listing lacks %s' %
                            (api_page_path, name, ', '.join(missing)))
        if extra:
            failures.append('%s: struct %s listing has %s, not in the header' %
                            (api_page_path, name, ', '.join(extra)))
        if not missing and not extra and got != want:
            failures.append('%s: struct %s listing is not in the header\'s order: '
                            '%s' % (api_page_path, name, ', '.join(got)))
        if got == want:
            print('struct %s: %d members, all in %s' % (name, len(want), api_page_path))

    # (b) bootstrap-cli's JSON keys in bootstrap-cli(8).
    out = subprocess.run([json_keys], check=True, stdout=subprocess.PIPE,
                         universal_newlines=True).stdout
    keys = []
    for line in out.splitlines():
        for key in json.loads(line):
            if key not in keys:
                keys.append(key)
    if len(keys) < 2:
        failures.append('%s printed %d keys: expected the formatter\'s records' %
                        (json_keys, len(keys)))
    named = bold_words(cli_page)
    missing = [k for k in keys if k not in named]
    if missing:
        failures.append('%s does not name (in bold) the JSON key%s %s' %
                        (cli_page_path, 's' if len(missing) > 1 else '',
                         ', '.join(missing)))
    else:
        print('%d JSON keys, all in %s' % (len(keys), cli_page_path))

    for f in failures:
        print('FAIL: ' + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
