import * as assert from "assert";
import { needsShared } from "./support/shared";
import { re2ToJs } from "./support/re2";
import { loadCrds } from "./support/crds";

const matches = (re2: string, text: string) => new RegExp(re2ToJs(re2)).test(text);

describe("RE2 patterns translated for JavaScript", () => {
    it("turns a leading (?i) into case-insensitive letters, as PrometheusRule's partial_response_strategy uses it", () => {
        const pattern = "^(?i)(abort|warn)?$";
        assert.throws(() => new RegExp(pattern), "JavaScript itself rejects the RE2 pattern");
        for (const ok of ["", "abort", "WARN", "Abort"]) assert.ok(matches(pattern, ok), ok);
        for (const bad of ["ignore", "abortx", " warn"]) assert.ok(!matches(pattern, bad), bad);
    });

    it("scopes (?i) to the rest of its group and (?i:…) to the group alone", () => {
        assert.ok(matches("^a(?i)b$", "aB"));
        assert.ok(!matches("^a(?i)b$", "AB"));
        assert.ok(matches("^(x(?i)y)z$", "xYz"));
        assert.ok(!matches("^(x(?i)y)z$", "xYZ"));
        assert.ok(matches("^(?i:ab)c$", "ABc"));
        assert.ok(!matches("^(?i:ab)c$", "ABC"));
    });

    it("folds letters and letter ranges inside classes under (?i)", () => {
        assert.ok(matches("^(?i)[a-c]+$", "AbC"));
        assert.ok(matches("^(?i)[x_]$", "X"));
        assert.ok(!matches("^(?i)[a-c]+$", "d"));
    });

    it("translates (?s), named groups, \\A, \\z, \\Q…\\E and POSIX classes", () => {
        assert.ok(matches("^(?s)a.b$", "a\nb"));
        assert.ok(!matches("^a.b$", "a\nb"));
        assert.strictEqual(new RegExp(re2ToJs("(?P<n>x)")).exec("x")?.groups?.n, "x");
        assert.ok(matches("\\Aab\\z", "ab"));
        assert.ok(!matches("\\Aab\\z", "ab\n"));
        assert.ok(matches("^\\Qa.b\\E$", "a.b"));
        assert.ok(!matches("^\\Qa.b\\E$", "axb"));
        assert.ok(matches("^[[:alpha:]_]+$", "ab_C"));
        assert.ok(!matches("^[[:digit:]]+$", "1a"));
    });

    it("leaves plain patterns as they are", () => {
        const pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
        assert.strictEqual(re2ToJs(pattern), pattern);
    });

    it("keeps RE2's meaning of a leading ] in a class and of .", () => {
        assert.ok(matches("^[]a]$", "]"));
        assert.ok(matches("^[^]a]$", "b"));
        assert.ok(!matches("^[^]a]$", "]"));
        assert.ok(matches("^a.b$", "a\rb"), "RE2's . matches \\r");
        assert.ok(!matches("^a.b$", "a\nb"));
    });

    it("refuses what it cannot translate instead of skipping the pattern", () => {
        assert.throws(() => re2ToJs("(?U)a+"), /flag "U"/);
        assert.throws(() => re2ToJs("\\pL"), /\\p/);
        assert.throws(() => re2ToJs("(a"), /unterminated group/);
    });

    it("compiles every pattern of every shared CRD", function () {
        needsShared(this);
        assert.ok(loadCrds().kinds.includes("monitoring.coreos.com/v1/PrometheusRule"));
    });

    it("validates partial_response_strategy in a PrometheusRule the way the API server does", function () {
        needsShared(this);
        const validate = loadCrds().validator("monitoring.coreos.com/v1", "PrometheusRule");
        assert.ok(validate);
        const rule = (strategy: string) => ({
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "r" },
            spec: { groups: [{ name: "g", partial_response_strategy: strategy, rules: [] }] },
        });
        assert.strictEqual(validate(rule("WARN")), true);
        assert.strictEqual(validate(rule("ignore")), false);
    });
});
