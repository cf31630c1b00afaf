/**
 * Go RE2 patterns (what the API server evaluates for a CRD `pattern`) as JavaScript patterns, for
 * ajv. JavaScript's RegExp rejects RE2's inline flags (`(?i)`, `(?s:…)`), `(?P<name>…)`, `\A`, `\z`,
 * `\Q…\E` and POSIX classes, so they are rewritten; a leading `]` in a class and `.` keep RE2's
 * meaning. Escapes such as `\s` and `\w` pass through: JavaScript's `\s` also matches `\v` and
 * Unicode spaces, which no shared CRD pattern depends on. Anything this translator does not know
 * throws, so a pattern is never skipped silently.
 * RE2 syntax: https://github.com/google/re2/wiki/Syntax
 */

interface Flags {
    i: boolean;
    s: boolean;
    m: boolean;
}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
    alnum: "0-9A-Za-z",
    alpha: "A-Za-z",
    ascii: "\\x00-\\x7F",
    blank: "\\t ",
    cntrl: "\\x00-\\x1F\\x7F",
    digit: "0-9",
    graph: "!-~",
    lower: "a-z",
    print: " -~",
    punct: "!-\\/:-@\\[-`{-~",
    space: "\\t\\n\\v\\f\\r ",
    upper: "A-Z",
    word: "0-9A-Za-z_",
    xdigit: "0-9A-Fa-f",
};

const isLetter = (c: string) => /^[A-Za-z]$/.test(c);
const otherCase = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
const escapeLiteral = (c: string) => (/[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c);

/** Translates one RE2 pattern; throws an Error naming the construct it cannot express. */
export function re2ToJs(pattern: string): string {
    let pos = 0;
    const fail = (what: string): never => {
        throw new Error(`RE2 pattern ${JSON.stringify(pattern)}: ${what} at offset ${pos} has no JavaScript translation here`);
    };
    const parseFlags = (text: string, base: Flags): Flags => {
        const flags = { ...base };
        let on = true;
        for (const c of text) {
            if (c === "-") on = false;
            else if (c === "i" || c === "s" || c === "m") flags[c] = on;
            else fail(`flag "${c}" (only i, s and m have a JavaScript equivalent)`);
        }
        return flags;
    };

    /** A character class body `[...]`, with pos just after `[`; letters get both cases under (?i). */
    function charClass(flags: Flags): string {
        let out = "[";
        if (pattern[pos] === "^") {
            out += "^";
            pos++;
        }
        let first = true;
        while (pos < pattern.length && (pattern[pos] !== "]" || first)) {
            if (pattern.startsWith("[:", pos)) {
                const end = pattern.indexOf(":]", pos);
                const raw = end < 0 ? "" : pattern.slice(pos + 2, end);
                const negated = raw.startsWith("^");
                const name = negated ? raw.slice(1) : raw;
                if (!(name in POSIX_CLASSES) || negated) fail(`POSIX class [:${raw}:]`);
                out += POSIX_CLASSES[name];
                pos = end + 2;
                first = false;
                continue;
            }
            const leading = first;
            let c = pattern[pos++];
            if (c === "]" && leading) {
                // RE2 takes a `]` right after `[` or `[^` as a literal; JavaScript would close an empty class.
                out += "\\]";
                first = false;
                continue;
            }
            first = false;
            if (c === "\\") {
                const e = pattern[pos++];
                if (e === undefined) fail("a trailing backslash");
                if (/[pPQEAz]/.test(e)) fail(`\\${e} inside a class`);
                out += `\\${e}`;
                continue;
            }
            if (c === "[") c = "\\[";
            const isRange = pattern[pos] === "-" && pattern[pos + 1] !== undefined && pattern[pos + 1] !== "]";
            if (isRange) {
                const to = pattern[pos + 1];
                if (to === "\\") fail("a range ending in an escape");
                pos += 2;
                out += `${c}-${to}`;
                if (flags.i && isLetter(c) && isLetter(to) && (c === c.toLowerCase()) === (to === to.toLowerCase())) {
                    out += `${otherCase(c)}-${otherCase(to)}`;
                } else if (flags.i && (isLetter(c) || isLetter(to))) {
                    fail(`the case-insensitive range ${c}-${to}`);
                }
                continue;
            }
            out += c;
            if (flags.i && isLetter(c)) out += otherCase(c);
        }
        if (pattern[pos] !== "]") fail("an unterminated character class");
        pos++;
        return `${out}]`;
    }

    /** A sequence up to the end of the pattern or the `)` that closes the current group. */
    function sequence(inherited: Flags, depth: number): string {
        let flags = inherited;
        let out = "";
        while (pos < pattern.length) {
            const c = pattern[pos];
            if (c === ")") {
                if (depth === 0) fail("an unbalanced )");
                return out;
            }
            pos++;
            if (c === "(") {
                if (pattern[pos] === "?") {
                    const match = /^\?([a-zA-Z-]*)(\)|:)/.exec(pattern.slice(pos));
                    if (match) {
                        pos += match[0].length;
                        const groupFlags = parseFlags(match[1], flags);
                        if (match[2] === ")") {
                            // (?flags) holds until the end of the enclosing group, as in RE2.
                            flags = groupFlags;
                            continue;
                        }
                        out += `(?:${sequence(groupFlags, depth + 1)})`;
                    } else if (pattern.startsWith("?P<", pos) || pattern.startsWith("?<", pos)) {
                        const start = pattern.indexOf("<", pos) + 1;
                        const end = pattern.indexOf(">", start);
                        if (end < 0) fail("an unterminated group name");
                        const name = pattern.slice(start, end);
                        pos = end + 1;
                        out += `(?<${name}>${sequence(flags, depth + 1)})`;
                    } else {
                        fail("a group construct");
                    }
                } else {
                    out += `(${sequence(flags, depth + 1)})`;
                }
                if (pattern[pos] !== ")") fail("an unterminated group");
                pos++;
                continue;
            }
            if (c === "[") {
                out += charClass(flags);
                continue;
            }
            if (c === "\\") {
                const e = pattern[pos++];
                if (e === undefined) fail("a trailing backslash");
                if (e === "A") out += "(?<![\\s\\S])";
                else if (e === "z") out += "(?![\\s\\S])";
                else if (e === "Q") {
                    const end = pattern.indexOf("\\E", pos);
                    const literal = end < 0 ? pattern.slice(pos) : pattern.slice(pos, end);
                    pos = end < 0 ? pattern.length : end + 2;
                    for (const l of literal) out += flags.i && isLetter(l) ? `[${l}${otherCase(l)}]` : escapeLiteral(l);
                } else if (/[pPC]/.test(e)) fail(`\\${e}`);
                else out += `\\${e}`;
                continue;
            }
            // RE2's `.` excludes only `\n` (JavaScript's also excludes `\r`, U+2028 and U+2029).
            if (c === ".") out += flags.s ? "[\\s\\S]" : "[^\\n]";
            else if (c === "^" && flags.m) out += "(?<=^|\\n)";
            else if (c === "$" && flags.m) out += "(?=\\n|$)";
            else if (flags.i && isLetter(c)) out += `[${c}${otherCase(c)}]`;
            else out += c;
        }
        if (depth > 0) fail("an unterminated group");
        return out;
    }

    const translated = sequence({ i: false, s: false, m: false }, 0);
    if (pos < pattern.length) fail("an unbalanced )");
    return translated;
}
