import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv, { type ValidateFunction } from "ajv";
import * as YAML from "yaml";
import { runProgram, ProgramRun } from "./support/harness";
import { REPO } from "./support/scenarios";
import { hasShared, needsShared, SHARED_DIR } from "./support/shared";
import { deployPaths, policyPackArgs } from "../deploy/settings";
import { previewMatrix } from "../scripts/stack-matrix";
import { policyLookupMode } from "../policy/lib/contract";
import { rawConfigFrom, runtimeConfig } from "../lib/config/load";
import { parseConfig } from "../lib/config/validate";
import * as os from "os";

const WORKFLOWS = path.join(REPO, ".github", "workflows");
const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const workflow = (file: string): any => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));

describe("GitHub workflows", () => {
    let validate: ValidateFunction;
    before(() => {
        if (!hasShared()) return;
        const schema = JSON.parse(fs.readFileSync(path.join(SHARED_DIR, "schemas", "github-workflow.json"), "utf8"));
        validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    });

    it("the workflow schema rejects a job without runs-on", function () {
        needsShared(this);
        assert.strictEqual(validate({ on: "push", jobs: { build: { steps: [{ run: "true" }] } } }), false);
    });

    for (const file of workflowFiles) {
        it(`${file} validates against the GitHub workflow schema`, function () {
            needsShared(this);
            assert.ok(validate(workflow(file)), JSON.stringify(validate.errors, null, 1));
        });
    }

    it("checks pull requests with the CI script, then previews every stack with the policy pack and its config", () => {
        const pr = workflow("pull-request.yml");
        assert.deepStrictEqual(Object.keys(pr.on), ["pull_request"]);
        assert.ok(pr.jobs.test.steps.some((s: any) => s.run === "bash .ci/run --fetch-shared"));
        assert.strictEqual(pr.jobs.preview.strategy.matrix, "${{ fromJSON(needs.stacks.outputs.matrix) }}");
        assert.ok(pr.jobs.stacks.steps.some((s: any) => String(s.run).includes("npm run -s stack-matrix")));
        const stacks = previewMatrix(REPO).include.map((i) => i.stack);
        const preview = pr.jobs.preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.strictEqual(preview.with.command, "preview");
        assert.strictEqual(preview.with.policyPacks, "policy");
        assert.strictEqual(preview.with.policyPackConfigs, "policy-config/${{ matrix.stack }}.json");
        assert.strictEqual(preview.with["comment-on-pr"], true);
        const pinned = /github\.com\/pulumi\/pulumi\/pkg\/v3 v(\S+)/.exec(
            fs.readFileSync(path.join(REPO, "tools", "pulumi", "go.mod"), "utf8"),
        )?.[1];
        assert.strictEqual(preview.with["pulumi-version"], pinned, "the PR preview runs the CLI tools/pulumi pins");
        assert.strictEqual(preview.env.PULUMI_SKIP_CHECKPOINTS, "true", "a preview writes no checkpoints");
        for (const stack of stacks)
            assert.ok(fs.existsSync(path.join(REPO, "policy-config", `${stack}.json`)), `policy-config/${stack}.json`);
    });

    it("fetches the shared material from its upstream repositories with the script, checking out no second repository", () => {
        const text = workflowFiles.map((f) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8")).join("\n");
        assert.doesNotMatch(text, /SHARED_REPOSITORY/);
        for (const file of workflowFiles) {
            for (const job of Object.values<{ steps: any[] }>(workflow(file).jobs)) {
                for (const step of job.steps.filter((s: any) => String(s.uses).startsWith("actions/checkout@"))) {
                    assert.ok(!step.with?.repository, `${file}: a checkout of ${step.with?.repository}`);
                }
            }
        }
        const run = fs.readFileSync(path.join(REPO, ".ci", "run"), "utf8");
        assert.match(run, /npm run -s fetch-shared -- --into "\$SHARED_DIR"/, ".ci/run --fetch-shared downloads through the script");
        assert.match(
            run,
            /npm run -s fetch-shared -- --verify \|\|/,
            ".ci/run checks the shared material through the script before the tests",
        );
        assert.ok(run.indexOf("fetch-shared -- --verify") < run.search(/^npm test\b/m), "before the tests");
    });

    it("previews every stack file present: a new one joins the matrix, offline ones on a local backend", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        try {
            for (const stack of ["dev", "prod"]) {
                fs.copyFileSync(
                    path.join(REPO, "test", "fixtures", "stacks", `Pulumi.${stack}.yaml`),
                    path.join(dir, `Pulumi.${stack}.yaml`),
                );
            }
            const prodEast = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"));
            prodEast.config["cluster-capacity:cluster"].name = "prod-east";
            fs.writeFileSync(path.join(dir, "Pulumi.prod-east.yaml"), YAML.stringify(prodEast));
            assert.deepStrictEqual(previewMatrix(dir).include, [
                { stack: "dev", aws: false },
                { stack: "prod", aws: true, kubeconfigSecret: "PROD_KUBECONFIG" },
                { stack: "prod-east", aws: true, kubeconfigSecret: "PROD_EAST_KUBECONFIG" },
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("gives each stack a policy config whose lookups match the stack's, and an offline stack's quotas", () => {
        for (const { stack } of previewMatrix(REPO).include) {
            const policyConfig = JSON.parse(fs.readFileSync(path.join(REPO, "policy-config", `${stack}.json`), "utf8"))[
                "pool-within-quota"
            ];
            const all = runtimeConfig(YAML.parse(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8")).config);
            const { lookups, quotas } = parseConfig(rawConfigFrom(all), { awsRegion: all["aws:region"] });
            assert.strictEqual(policyConfig.lookups ?? "config", policyLookupMode(lookups), stack);
            // Offline, the pack knows the quotas only from its config: the same values as the stack's.
            if (lookups === "offline") assert.deepStrictEqual(policyConfig.quotas, quotas, stack);
        }
    });

    it("authenticates to AWS through OIDC, never with long-lived keys", () => {
        const pr = workflow("pull-request.yml");
        assert.strictEqual(pr.permissions["id-token"], "write");
        const text = workflowFiles.map((f) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8")).join("\n");
        assert.ok(!/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/.test(text));
        assert.ok(
            pr.jobs.preview.steps.some(
                (s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@") && s.with["role-to-assume"],
            ),
        );
    });
});

describe("Pulumi Deployments settings (deploy/)", () => {
    let run: ProgramRun;
    const stackConfig = (
        YAML.parse(fs.readFileSync(path.join(REPO, "deploy", "Pulumi.cloud.yaml"), "utf8")) as { config: Record<string, unknown> }
    ).config;
    before(async () => {
        run = await runProgram(
            stackConfig,
            {},
            { program: path.join(REPO, "deploy", "index.ts"), project: "cluster-capacity-deployments", stack: "cloud" },
        );
        assert.ifError(run.error);
    });
    const settings = () => run.resources.find((r) => r.type === "pulumiservice:index:DeploymentSettings")?.inputs as any;

    it("deploys the prod stack on push to main and previews pull requests", () => {
        const s = settings();
        assert.deepStrictEqual([s.organization, s.project, s.stack], ["example-org", "cluster-capacity", "prod"]);
        assert.deepStrictEqual(s.sourceContext, { git: { branch: "refs/heads/main", repoDir: "." } });
        assert.strictEqual(s.github.deployCommits, true);
        assert.strictEqual(s.github.previewPullRequests, true);
    });

    it("runs npm ci first and assumes its AWS role through OIDC", () => {
        const s = settings();
        assert.deepStrictEqual(s.operationContext.preRunCommands, ["npm ci"]);
        assert.strictEqual(s.operationContext.oidc.aws.roleARN, "arn:aws:iam::111122223333:role/cluster-capacity-deploy");
        assert.ok(!("environmentVariables" in s.operationContext), "no credentials in environment variables");
    });

    it("deploys nothing for a documentation change: only program, policy and stack files trigger", () => {
        const paths = settings().github.paths as string[];
        assert.deepStrictEqual(paths, deployPaths("prod"));
        const matches = (file: string) => paths.some((p) => (p.endsWith("/**") ? file.startsWith(p.slice(0, -2)) : file === p));
        assert.ok(
            !matches("README.md") &&
                !matches("docs/runbook.md") &&
                !matches(".github/workflows/pull-request.yml") &&
                !matches("Pulumi.dev.yaml"),
        );
        assert.ok(matches("components/gpuOperator.ts") && matches("Pulumi.prod.yaml") && matches("policy/policies/poolWithinQuota.ts"));
        for (const p of paths.filter((p) => !p.includes("*"))) assert.ok(fs.existsSync(path.join(REPO, p)), `${p} does not exist`);
    });

    it("checks for drift every six hours and never remediates on its own", () => {
        const drift = run.resources.find((r) => r.type === "pulumiservice:index:DriftSchedule")?.inputs as any;
        assert.deepStrictEqual(drift, {
            organization: "example-org",
            project: "cluster-capacity",
            stack: "prod",
            scheduleCron: "0 */6 * * *",
            autoRemediate: false,
        });
    });

    it("deploys only stacks that exist and talk to AWS", () => {
        for (const { name } of stackConfig["cluster-capacity-deployments:stacks"] as { name: string }[]) {
            const file = path.join(REPO, `Pulumi.${name}.yaml`);
            assert.ok(fs.existsSync(file), `no Pulumi.${name}.yaml`);
            const config = (YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
            assert.notStrictEqual(config["cluster-capacity:lookups"], "offline", `${name} is an offline stack`);
        }
    });

    it("publishes the policy pack from policy/ under a version that changes with its sources", () => {
        const pack = run.resources.find((r) => r.type === "pulumiservice:index:PolicyPack")?.inputs as any;
        assert.strictEqual(pack.name, "cluster-capacity-guardrails");
        assert.ok(fs.existsSync(path.resolve(REPO, "deploy", pack.sourcePath, "PulumiPolicy.yaml")));
        const version = (JSON.parse(fs.readFileSync(path.join(REPO, "policy", "package.json"), "utf8")) as { version: string }).version;
        assert.match(pack.versionTag, new RegExp(`^${version.replace(/\./g, "\\.")}-g[0-9a-f]{12}$`));
        const other = policyPackArgs(
            { organization: "o", repository: "r", stacks: [] },
            { version, sourceHash: "f".repeat(64), sourcePath: "../policy" },
        );
        assert.notStrictEqual(other.versionTag, pack.versionTag);
    });

    it("enforces the pack on every deployed stack through a preventative policy group with the stack's policy config", () => {
        const groups = run.resources.filter((r) => r.type === "pulumiservice:index:PolicyGroup");
        const pack = run.resources.find((r) => r.type === "pulumiservice:index:PolicyPack");
        assert.strictEqual(groups.length, (stackConfig["cluster-capacity-deployments:stacks"] as unknown[]).length);
        const group = groups[0].inputs as any;
        assert.deepStrictEqual(
            [group.organizationName, group.name, group.mode, group.entityType],
            ["example-org", "cluster-capacity-prod", "preventative", "stacks"],
        );
        assert.deepStrictEqual(group.stacks, [{ name: "prod", routingProject: "cluster-capacity" }]);
        const prodConfig = JSON.parse(fs.readFileSync(path.join(REPO, "policy-config", "prod.json"), "utf8")) as unknown;
        assert.deepStrictEqual(group.policyPacks, [
            { name: "cluster-capacity-guardrails", versionTag: (pack?.inputs as any).versionTag, config: prodConfig },
        ]);
        const deployment = run.resources.find((r) => r.type === "pulumiservice:index:DeploymentSettings");
        assert.ok(deployment?.dependencies.includes(groups[0].urn), "the stack deploys only once its group exists");
    });

    it("refuses a stack entry without an IAM role", async () => {
        const bad = await runProgram(
            { ...stackConfig, "cluster-capacity-deployments:stacks": [{ name: "prod" }] },
            {},
            { program: path.join(REPO, "deploy", "index.ts"), project: "cluster-capacity-deployments" },
        );
        assert.match(
            bad.error?.message ?? "",
            /cluster-capacity-deployments:stacks\[0\]: got \{"name":"prod"\}; expected \{name, awsRoleArn/,
        );
        assert.deepStrictEqual(bad.resources, []);
    });
});
