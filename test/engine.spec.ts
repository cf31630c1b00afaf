import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { commandOf, installedPulumi, launcherArgs, previewEnv, stackTraceLimitOf } from "../scripts/engine";
import { REPO } from "./support/scenarios";

const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(REPO, file), "utf8"));
const goMod = (tool: string) => fs.readFileSync(path.join(REPO, "tools", tool, "go.mod"), "utf8");

describe("the engine's pins (tools/ and package.json)", () => {
    it("runs the CLI at the SDK's version, in the program and in the policy pack", () => {
        const cli = /github\.com\/pulumi\/pulumi\/pkg\/v3 v(\S+)/.exec(goMod("pulumi"))?.[1];
        const sdkReplace = /github\.com\/pulumi\/pulumi\/sdk\/v3 => github\.com\/pulumi\/pulumi\/sdk\/v3 v(\S+)/.exec(goMod("pulumi"))?.[1];
        assert.ok(cli, "tools/pulumi/go.mod requires github.com/pulumi/pulumi/pkg/v3");
        assert.strictEqual(sdkReplace, cli, "the sdk/v3 replace names the CLI's release");
        assert.strictEqual(readJson("package.json").dependencies["@pulumi/pulumi"], cli);
        assert.strictEqual(readJson("policy/package.json").dependencies["@pulumi/pulumi"], cli);
        assert.strictEqual(readJson("package-lock.json").packages["node_modules/@pulumi/pulumi"].version, cli);
        assert.strictEqual(readJson("policy/package-lock.json").packages["node_modules/@pulumi/pulumi"].version, cli);
    });

    it("runs the Kubernetes provider at the SDK's version, built from that release's commit", () => {
        const [release, commit] = fs
            .readFileSync(path.join(REPO, "tools", "pulumi-kubernetes", "RELEASE"), "utf8")
            .trim()
            .split(" ");
        const pseudo = /github\.com\/pulumi\/pulumi-kubernetes\/provider\/v4 (v\S+)/.exec(goMod("pulumi-kubernetes"))?.[1] ?? "";
        assert.match(commit, /^[0-9a-f]{40}$/);
        assert.strictEqual(pseudo.slice(pseudo.lastIndexOf("-") + 1), commit.slice(0, 12), "the pseudo-version is of RELEASE's commit");
        assert.match(goMod("pulumi-kubernetes"), new RegExp(`sdk/v4 => github\\.com/pulumi/pulumi-kubernetes/sdk/v4 ${release}\\b`));
        assert.strictEqual(`v${readJson("package.json").dependencies["@pulumi/kubernetes"]}`, release);
        assert.strictEqual(`v${readJson("package-lock.json").packages["node_modules/@pulumi/kubernetes"].version}`, release);
    });

    it("pins TypeScript 5, which @pulumi/pulumi accepts as a peer", () => {
        for (const file of ["package.json", "policy/package.json"]) {
            const json = readJson(file);
            assert.match(json.devDependencies.typescript, /^5\.\d+\.\d+$/, file);
        }
    });
});

describe("npm run pulumi (scripts/engine.ts)", () => {
    it("finds the command after global flags and their values", () => {
        assert.strictEqual(commandOf(["preview", "-s", "dev"]), "preview");
        assert.strictEqual(commandOf(["--non-interactive", "-C", "deploy", "up", "--yes"]), "up");
        assert.strictEqual(commandOf(["--color", "never", "refresh"]), "refresh");
        assert.strictEqual(commandOf(["--version"]), undefined);
    });

    it("gives the CLI a policy-pack directory as its analyzer launcher, and leaves other paths alone", () => {
        assert.deepStrictEqual(launcherArgs(["up", "--policy-pack", "policy", "--yes"], REPO), [
            "up",
            "--policy-pack",
            path.join(REPO, "policy", "analyzer"),
            "--yes",
        ]);
        assert.deepStrictEqual(launcherArgs(["preview", "--policy-pack=policy"], REPO), [
            "preview",
            `--policy-pack=${path.join(REPO, "policy", "analyzer")}`,
        ]);
        assert.deepStrictEqual(launcherArgs(["preview", "--policy-pack", "elsewhere"], REPO), ["preview", "--policy-pack", "elsewhere"]);
    });

    it("ships the launcher as an executable beside PulumiPolicy.yaml, as the CLI requires", () => {
        const launcher = path.join(REPO, "policy", "analyzer");
        fs.accessSync(launcher, fs.constants.X_OK);
        assert.ok(fs.existsSync(path.join(REPO, "policy", "PulumiPolicy.yaml")));
        assert.match(fs.readFileSync(launcher, "utf8"), /run-policy-pack/);
    });

    it("skips checkpoints for a preview only: an up keeps what lets an interrupted update resume", () => {
        assert.deepStrictEqual(previewEnv("preview"), { PULUMI_SKIP_CHECKPOINTS: "true" });
        assert.deepStrictEqual(previewEnv("up"), {});
        assert.deepStrictEqual(previewEnv("refresh"), {});
    });

    it("applies Pulumi.yaml's --stack-trace-limit to a program served in-process, and refuses node arguments it cannot apply", () => {
        assert.strictEqual(stackTraceLimitOf(REPO), 2);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-project-"));
        try {
            fs.writeFileSync(
                path.join(dir, "Pulumi.yaml"),
                "name: x\nruntime:\n  name: nodejs\n  options:\n    nodeargs: --max-old-space-size=4096\n",
            );
            assert.throws(() => stackTraceLimitOf(dir), /--max-old-space-size=4096 cannot be applied/);
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\nruntime: nodejs\n");
            assert.strictEqual(stackTraceLimitOf(dir), undefined);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("takes a Pulumi install only when its Node.js language host is there too", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-path-"));
        try {
            const executable = (name: string) => fs.writeFileSync(path.join(dir, name), "#!/bin/sh\n", { mode: 0o755 });
            executable("pulumi");
            assert.strictEqual(installedPulumi({ PATH: dir }), undefined, "a CLI alone cannot run a TypeScript program");
            executable("pulumi-language-nodejs");
            assert.strictEqual(installedPulumi({ PATH: dir }), path.join(dir, "pulumi"));
            assert.strictEqual(installedPulumi({ PATH: "" }), undefined);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
