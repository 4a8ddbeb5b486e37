#!/usr/bin/env python3
# Usage: python3 tests/tools/long_functions.py [--max 150] [DIR_OR_FILE ...]  (default: core app widgets)
"""Lists C++ function bodies longer than --max lines (file:line, length, name).

A text scan, not a parser: comments, strings and character literals are blanked, then every
top-level '{' (at namespace scope, or directly inside a class/struct body) whose preceding text
ends in ')' (optionally followed by const/noexcept/override/-> type/initialiser list) is a
function body; its length is the number of lines from the line of its signature's name to the
closing '}'. Lambdas inside a function count toward that function.
"""
import argparse
import os
import re
import sys

EXTS = (".cpp", ".cc", ".cxx", ".h", ".hpp")


def blank(text):
    """Comments, string and char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if m:
                end = text.find(")" + m.group(1) + '"', i)
                j = n if end < 0 else end + len(m.group(1)) + 2
                out.append(re.sub(r"[^\n]", " ", text[i:j]))
                i = j
            else:
                out.append(c)
                i += 1
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # digit separator 1'000
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


SIG_TAIL = re.compile(r"\)\s*(const|noexcept|override|final|mutable|&|&&|\s|->\s*[\w:<>,\s\*&]+)*$")
NAME = re.compile(r"((?:[~\w]+(?:<[\w:<>,*&]*>)?::)*[~\w]+(?:operator\s*[^\s(]+)?)\s*\($")


def functions(path):
    text = blank(open(path, encoding="utf-8", errors="replace").read())
    lines_at = [0]
    for m in re.finditer("\n", text):
        lines_at.append(m.end())

    def line_of(pos):
        lo, hi = 0, len(lines_at) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if lines_at[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    # stack of scopes: 'ns' (namespace/class/extern/other container) or 'fn'
    stack = []
    last_stmt_end = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in ";}" and (not stack or stack[-1][0] != "fn"):
            if c == "}" and stack:
                stack.pop()
            last_stmt_end = i + 1
        elif c == "{":
            if stack and stack[-1][0] == "fn":
                # nested brace inside a function: find its match by counting
                depth = 0
                j = i
                while j < n:
                    if text[j] == "{":
                        depth += 1
                    elif text[j] == "}":
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                i = j + 1
                continue
            head = text[last_stmt_end:i]
            head_s = head.strip()
            # strip a constructor initialiser list: ') : a(x), b{y}' -> ')'
            init = re.search(r"\)\s*(?:noexcept\s*)?:(?!:)", head_s)
            candidate = head_s[: init.start() + 1] if init else head_s
            is_fn = bool(SIG_TAIL.search(candidate)) and not re.match(
                r"(namespace|class|struct|union|enum|extern)\b", head_s) and not re.search(r"=\s*$", head_s)
            if is_fn and re.search(r"\b(if|for|while|switch|catch)\s*\(", candidate.split("(")[0] + "("):
                is_fn = False
            if is_fn:
                # find the matching brace
                depth = 0
                j = i
                while j < n:
                    if text[j] == "{":
                        depth += 1
                    elif text[j] == "}":
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                paren = candidate.find("(")
                before = re.sub(r"\s*([<>,])\s*", r"\1", candidate[:paren].rstrip()) + "("
                m = NAME.search(before)
                name = m.group(1) if m else "?"
                start = line_of(last_stmt_end + head.find(head_s) + paren)
                end = line_of(j)
                yield start, end - start + 1, name
                i = j + 1
                last_stmt_end = i
                continue
            stack.append(("ns", i))
            last_stmt_end = i + 1
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):
            j = text.find("\n", i)
            while j > 0 and text[j - 1] == "\\":
                j = text.find("\n", j + 1)
            j = n if j < 0 else j
            i = j
            last_stmt_end = i
            continue
        i += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=int, default=150)
    ap.add_argument("paths", nargs="*", default=["core", "app", "widgets"])
    args = ap.parse_args()
    files = []
    for p in args.paths:
        if os.path.isfile(p):
            files.append(p)
        for root, _, names in os.walk(p):
            files += [os.path.join(root, f) for f in sorted(names) if f.endswith(EXTS)]
    found = []
    for f in sorted(files):
        for line, length, name in functions(f):
            if length > args.max:
                found.append((length, f, line, name))
    for length, f, line, name in sorted(found, key=lambda r: (r[1], r[2])):
        print(f"{f}:{line}\t{length}\t{name}")
    print(f"{len(found)} function(s) over {args.max} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
